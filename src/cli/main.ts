import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseColumnOverrides } from '../core/dataset/columns';
import { PROVIDER_CHOICES, type ProviderChoice } from '../core/model/executionProviders';
import { CACHE_DTYPES, type CacheDtype } from '../core/cache/cacheKey';
import { runProbeLocations } from '../core/pipeline/runProbe';
import { PROBE_LOCATIONS, type ProbeLocation } from '../core/types';
import { DEFAULT_CACHE_DIR_NAME, runCacheCommand } from './cacheCommand';
import { formatTable } from './formatTable';
import { runGenerateCommand } from './generateCommand';
import { writeOutputs } from './writeOutputs';

const USAGE = `Usage: layer-probe probe <dataset> --model <dir> [options]
       layer-probe generate <questions> --model <dir> [options]   (see generate --help)
       layer-probe cache [<cache-dir>] [--clear]                  (see cache --help)

Trains one logistic-regression probe per (layer, token position) on the model's activations and
writes result.json, heatmap.csv and heatmap.html.

Options:
  --model <dir>            ONNX model folder (model.onnx or genai_config.json, tokenizer.json)
  --location <loc>         ${PROBE_LOCATIONS.join(' | ')} (default mlp_out, the paper's "mlp")
  --locations <a,b,…>      also probe these locations, from the same forward passes; each writes
                           result-<loc>.json, heatmap-<loc>.csv and heatmap-<loc>.html (result.json
                           and heatmap.* stay the --location's)
  --out <dir>              output folder (default: layer-probe-out next to the dataset)
  --cache-dir <dir>        activation cache (default: ${DEFAULT_CACHE_DIR_NAME} beside the output folder);
                           re-runs with another seed, sample size or split read it instead of running the model
  --no-cache               keep activations in memory only, write no cache
  --cache-dtype <t>        ${CACHE_DTYPES.join(' | ')} (default float32; float16 halves the cache's size)
  --samples <n>            rows to sample, 0 = all (default 1000, as the reference)
  --seed <n>               seed of the subsample and split (default 0)
  --test-fraction <f>      held-out fraction when the dataset has no split column (default 0.2)
  --batch-memory <MiB>     activation memory one forward batch may use; sets the batch size (default 256)
  --columns <role=name,…>  column roles: prompt, answer, correct, exactAnswer, validExactAnswer, split, inputOutputIds
  --chat-template <c>      auto (instruct models' own chat template) | none (plain text prompts)
  --add-generation-prompt  end instruct prompts with the assistant header (the reference does not)
  --provider <p>           auto | cpu | cuda | dml | coreml (default auto: GPU when available, else CPU)
  --quiet                  no progress on stderr
`;

export async function main(argv: string[], distDir: string): Promise<number> {
  // Step 1 of the pipeline has its own options; it is dispatched before `probe`'s parser sees them.
  if (argv[0] === 'generate') return runGenerateCommand(argv.slice(1));
  if (argv[0] === 'cache') return runCacheCommand(argv.slice(1));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      location: { type: 'string' },
      locations: { type: 'string' },
      out: { type: 'string' },
      'cache-dir': { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      'cache-dtype': { type: 'string', default: 'float32' },
      samples: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '0' },
      'test-fraction': { type: 'string', default: '0.2' },
      'batch-memory': { type: 'string', default: '256' },
      columns: { type: 'string' },
      provider: { type: 'string', default: 'auto' },
      'chat-template': { type: 'string', default: 'auto' },
      'add-generation-prompt': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, dataset] = positionals;
  if (values.help || command !== 'probe' || !dataset || !values.model) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const extra = (values.locations ?? '').split(',').map((l) => l.trim()).filter((l) => l.length > 0).map((l) => locationOption('locations', l));
  const location = locationOption('location', values.location ?? 'mlp_out');
  const cacheDtype = values['cache-dtype'] as CacheDtype;
  if (!CACHE_DTYPES.includes(cacheDtype)) throw new UsageError(`--cache-dtype must be one of ${CACHE_DTYPES.join(', ')}`);
  const settings = {
    location,
    sampleLimit: integerOption('samples', values.samples),
    seed: integerOption('seed', values.seed),
    testFraction: Number(values['test-fraction']),
  };
  if (!(settings.testFraction > 0 && settings.testFraction < 1)) throw new UsageError('--test-fraction must be between 0 and 1');
  const outDir = values.out ?? path.join(path.dirname(path.resolve(dataset)), 'layer-probe-out');
  const cacheDir = values['no-cache'] ? undefined : path.resolve(values['cache-dir'] ?? path.join(path.dirname(path.resolve(outDir)), DEFAULT_CACHE_DIR_NAME));
  const quiet = values.quiet;
  if (!quiet) process.stderr.write(cacheDir ? `activation cache: ${cacheDir}\n` : 'activation cache: off\n');
  let lastStage = '';
  const results = await runProbeLocations(
    {
      datasetFile: path.resolve(dataset),
      modelDir: path.resolve(values.model),
      settings,
      extraLocations: extra.filter((l) => l !== location),
      cacheDir,
      cacheDtype,
      columns: values.columns ? parseColumnOverrides(values.columns) : undefined,
      executionProvider: providerOption(values.provider),
      batchMemoryBytes: positiveMiB('batch-memory', values['batch-memory']),
      promptFormat: {
        chatTemplate: choiceOption('chat-template', values['chat-template'], ['auto', 'none'] as const),
        addGenerationPrompt: values['add-generation-prompt'] === true,
      },
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
  for (const [i, result] of results.entries()) {
    // The primary --location keeps the plain names (result.json, heatmap.*); every --locations entry
    // gets its own result-<loc>.json etc. (the primary too when listed), so scripts can rely on them.
    const names = [...(i === 0 ? [undefined] : []), ...(extra.includes(result.model.location) ? [result.model.location] : [])];
    process.stdout.write(`${i === 0 ? '' : '\n'}${formatTable(result, 'auc')}\n`);
    for (const suffix of names) {
      const files = writeOutputs(result, outDir, distDir, suffix);
      process.stdout.write(`result:  ${files.resultJson}\nheatmap: ${files.heatmapHtml}\ncsv:     ${files.heatmapCsv}\n`);
    }
  }
  return 0;
}

export class UsageError extends Error {}

function locationOption(flag: string, value: string): ProbeLocation {
  if (!PROBE_LOCATIONS.includes(value as ProbeLocation)) throw new UsageError(`--${flag} must name locations among ${PROBE_LOCATIONS.join(', ')}, got "${value}"`);
  return value as ProbeLocation;
}

function choiceOption<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T {
  if (!choices.includes(value as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}`);
  return value as T;
}

function positiveMiB(name: string, value: string | undefined): number {
  const mib = Number(value);
  if (!Number.isFinite(mib) || mib <= 0) throw new UsageError(`--${name} must be a positive number of MiB, got "${value}"`);
  return Math.round(mib * 1024 * 1024);
}

function providerOption(value: string | undefined): ProviderChoice {
  if (!PROVIDER_CHOICES.includes(value as ProviderChoice)) throw new UsageError(`--provider must be one of ${PROVIDER_CHOICES.join(', ')}`);
  return value as ProviderChoice;
}

function integerOption(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}
