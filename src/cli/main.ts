import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseColumnOverrides } from '../core/dataset/columns';
import { PROVIDER_CHOICES, type ProviderChoice } from '../core/model/executionProviders';
import { runProbe } from '../core/pipeline/runProbe';
import { PROBE_LOCATIONS, type ProbeLocation } from '../core/types';
import { formatTable } from './formatTable';
import { runGenerateCommand } from './generateCommand';
import { writeOutputs } from './writeOutputs';

const USAGE = `Usage: layer-probe probe <dataset> --model <dir> [options]
       layer-probe generate <questions> --model <dir> [options]   (see generate --help)

Trains one logistic-regression probe per (layer, token position) on the model's activations and
writes result.json, heatmap.csv and heatmap.html.

Options:
  --model <dir>            ONNX model folder (model.onnx or genai_config.json, tokenizer.json)
  --location <loc>         ${PROBE_LOCATIONS.join(' | ')} (default mlp_out, the paper's "mlp")
  --out <dir>              output folder (default: layer-probe-out next to the dataset)
  --samples <n>            rows to sample, 0 = all (default 1000, as the reference)
  --seed <n>               seed of the subsample and split (default 0)
  --test-fraction <f>      held-out fraction when the dataset has no split column (default 0.2)
  --columns <role=name,…>  column roles: prompt, answer, correct, exactAnswer, validExactAnswer, split, inputOutputIds
  --provider <p>           auto | cpu | cuda | dml | coreml (default auto: GPU when available, else CPU)
  --quiet                  no progress on stderr
`;

export async function main(argv: string[], distDir: string): Promise<number> {
  // Step 1 of the pipeline has its own options; it is dispatched before `probe`'s parser sees them.
  if (argv[0] === 'generate') return runGenerateCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      location: { type: 'string', default: 'mlp_out' },
      out: { type: 'string' },
      samples: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '0' },
      'test-fraction': { type: 'string', default: '0.2' },
      columns: { type: 'string' },
      provider: { type: 'string', default: 'auto' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, dataset] = positionals;
  if (values.help || command !== 'probe' || !dataset || !values.model) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const location = values.location as ProbeLocation;
  if (!PROBE_LOCATIONS.includes(location)) throw new UsageError(`--location must be one of ${PROBE_LOCATIONS.join(', ')}`);
  const settings = {
    location,
    sampleLimit: integerOption('samples', values.samples),
    seed: integerOption('seed', values.seed),
    testFraction: Number(values['test-fraction']),
  };
  if (!(settings.testFraction > 0 && settings.testFraction < 1)) throw new UsageError('--test-fraction must be between 0 and 1');
  const outDir = values.out ?? path.join(path.dirname(path.resolve(dataset)), 'layer-probe-out');
  const quiet = values.quiet;
  let lastStage = '';
  const result = await runProbe(
    {
      datasetFile: path.resolve(dataset),
      modelDir: path.resolve(values.model),
      settings,
      columns: values.columns ? parseColumnOverrides(values.columns) : undefined,
      executionProvider: providerOption(values.provider),
    },
    {
      log: (line) => quiet || process.stderr.write(`  ${line}\n`),
      onProgress: (stage, done, total, message) => {
        if (quiet) return;
        if (stage !== lastStage || done === total) process.stderr.write(`[${stage}] ${message}\n`);
        lastStage = stage;
      },
    },
  );
  const files = writeOutputs(result, outDir, distDir);
  process.stdout.write(formatTable(result, 'auc'));
  process.stdout.write(`\nresult:  ${files.resultJson}\nheatmap: ${files.heatmapHtml}\ncsv:     ${files.heatmapCsv}\n`);
  return 0;
}

export class UsageError extends Error {}

function providerOption(value: string | undefined): ProviderChoice {
  if (!PROVIDER_CHOICES.includes(value as ProviderChoice)) throw new UsageError(`--provider must be one of ${PROVIDER_CHOICES.join(', ')}`);
  return value as ProviderChoice;
}

function integerOption(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}
