// Headless entry point (dist/cli.js): the same core as the extension, for CI, remote GPU boxes and scripts.
import { main } from './main';

main(process.argv.slice(2), __dirname).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`layer-probe: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
