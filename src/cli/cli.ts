// Headless entry point (dist/cli.js): the same core as the extension, for CI, remote GPU boxes and scripts.
// First: onnxruntime's telemetry is off before anything loads it.
import '../core/onnx/telemetryOff';

import { main } from './main';
import { UsageError } from './usageError';

const argv = process.argv.slice(2);
const SUBCOMMANDS = ['generate', 'judge', 'cache', 'runs', 'compare', 'extract'];
// The help to point to is the one of the command that was run.
const command = SUBCOMMANDS.includes(argv[0]) ? argv[0] : 'probe';

main(argv, __dirname).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`layer-probe: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) process.stderr.write(`Run \`layer-probe ${command} --help\` for the options.\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
