// Headless entry point (dist/cli.js): the same core as the extension, for CI, remote GPU boxes and scripts.
import { main } from './main';
import { UsageError } from './usageError';

main(process.argv.slice(2), __dirname).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`layer-probe: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) process.stderr.write('Run `layer-probe probe --help` for the options.\n');
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
