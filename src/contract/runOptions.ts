// The run options: each one once, with its default, validation, VS Code setting, CLI flag, help text
// and whether it changes the activations (and so belongs in the activation cache key). The extension
// reads raw setting values and the CLI raw flag values, and both parse them here; nothing else states
// a default. package.json's `contributes.configuration` mirrors the settings' rows and a unit test keeps
// it in step (test/unit/contract/settingsManifest.test.ts).

import { DATASET_KINDS, MODEL_KINDS } from './datasetKinds';
import { LayerProbeError } from './errors';
import { PROBE_LOCATIONS, type ProbeLocation } from './locations';

/** An option value the user gave that cannot be used; the message names the setting or flag. */
export class OptionError extends LayerProbeError {
  override name = 'OptionError';
}

export type OptionSource = 'setting' | 'flag';

interface OptionRowBase<T> {
  default: T;
  /** Shown by `--help` and, for settings, in package.json's description. */
  help: string;
  /** `layerProbe.<id>`; absent: no VS Code setting (the extension decides, e.g. from a quick pick). */
  setting?: string;
  /** Long CLI flag without dashes; absent: VS Code only. */
  flag?: string;
  /** For boolean options that default to true: the flag that turns them off (`no-cache`). */
  negatedFlag?: string;
  /** Part of the activation cache key: changing it changes the token ids or the activations. */
  changesActivations: boolean;
  /** Raw value (a setting's JSON value, or a flag's text) → value; throws a message without the option's name. */
  parse(raw: unknown, source: OptionSource): T;
  /** For help texts: what the option accepts. */
  accepts: string;
  /** Enumerated options: the values accepted (package.json's `enum`, checked by a unit test). */
  choices?: readonly string[];
}

export type OptionRow<T> = OptionRowBase<T>;

// ── value parsers ───────────────────────────────────────────────────────────────────────────────

function enumValue<C extends string>(choices: readonly C[]) {
  return (raw: unknown): C => {
    if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as C;
    throw new Error(`must be one of ${choices.join(', ')}, got ${describe(raw)}`);
  };
}

function booleanValue(raw: unknown, source: OptionSource): boolean {
  if (typeof raw === 'boolean') return raw;
  if (source === 'flag' && (raw === 'true' || raw === 'false')) return raw === 'true';
  throw new Error(`must be true or false, got ${describe(raw)}`);
}

/** A finite number from a setting (a JSON number) or a flag (its text, which must not be empty). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function numberValue(raw: unknown, source: OptionSource): number {
  // Decimal only: Number() also reads "0x10", "0b11" and "0o7", which no researcher means by a sample count.
  if (source === 'flag' && typeof raw === 'string' && DECIMAL.test(raw.trim())) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  throw new Error(`must be a number, got ${describe(raw)}`);
}

function integerAtLeast(min: number) {
  return (raw: unknown, source: OptionSource): number => {
    const n = numberValue(raw, source);
    if (!Number.isInteger(n) || n < min) throw new Error(`must be an integer ≥ ${min}, got ${describe(raw)}`);
    return n;
  };
}

function describe(raw: unknown): string {
  if (typeof raw === 'string') return raw === '' ? 'nothing' : JSON.stringify(raw);
  return raw === undefined ? 'nothing' : JSON.stringify(raw) ?? String(raw);
}

// ── the table ───────────────────────────────────────────────────────────────────────────────────

export const PROVIDER_CHOICES = ['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml'] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];

/** Element types a cache is written in (its manifest and key hold one of these, never `auto`). */
export const CACHE_DTYPES = ['float32', 'float16'] as const;
export type CacheDtype = (typeof CACHE_DTYPES)[number];
export const CACHE_DTYPE_CHOICES = ['auto', ...CACHE_DTYPES] as const;
export type CacheDtypeChoice = (typeof CACHE_DTYPE_CHOICES)[number];

/**
 * How dataset bytes become text. latin1 is ISO-8859-1 (every byte its own code point); windows-1252 is
 * what Excel on Windows saves as "ANSI" (and what browsers call latin1).
 */
export const TEXT_ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252', 'latin1'] as const;
export type TextEncodingName = (typeof TEXT_ENCODINGS)[number];

export const CHAT_TEMPLATE_CHOICES = ['auto', 'none'] as const;
export type ChatTemplateChoice = (typeof CHAT_TEMPLATE_CHOICES)[number];

export const DATASET_KIND_CHOICES = ['auto', ...DATASET_KINDS] as const;
export type DatasetKindChoice = (typeof DATASET_KIND_CHOICES)[number];

export const MODEL_KIND_CHOICES = ['auto', ...MODEL_KINDS] as const;
export type ModelKindOption = (typeof MODEL_KIND_CHOICES)[number];

/** The reference's n_samples: rows sampled (seeded) before the split when the dataset has no split column. */
export const REFERENCE_SAMPLE_LIMIT = 1000;

export const RUN_OPTIONS = {
  modelFolder: {
    default: '',
    help: 'ONNX model folder (model.onnx or genai_config.json, config.json, tokenizer.json)',
    accepts: '<dir>',
    setting: 'modelFolder',
    flag: 'model',
    changesActivations: true,
    parse: (raw: unknown): string => {
      if (typeof raw !== 'string') throw new Error(`must be a folder path, got ${describe(raw)}`);
      return raw.trim();
    },
  },
  location: {
    default: 'mlp_out' as ProbeLocation,
    choices: PROBE_LOCATIONS,
    help: "where in each block activations are probed (mlp_out is the paper's default `mlp`; README: Locations)",
    accepts: PROBE_LOCATIONS.join(' | '),
    setting: 'location',
    flag: 'location',
    changesActivations: true,
    parse: enumValue(PROBE_LOCATIONS),
  },
  extraLocations: {
    default: [] as ProbeLocation[],
    choices: PROBE_LOCATIONS,
    help: 'more locations taken from the same forward passes: VS Code caches them (switching location later needs no forward pass); the CLI also probes them and writes result-<loc>.json, heatmap-<loc>.*',
    accepts: '<loc,loc,…>',
    setting: 'extraLocations',
    flag: 'locations',
    // Each location is cached under its own key (its `location`), so the list itself is not part of one.
    changesActivations: false,
    parse: (raw: unknown): ProbeLocation[] => {
      const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : raw;
      if (!Array.isArray(items)) throw new Error(`must be a list of locations (${PROBE_LOCATIONS.join(', ')}), got ${describe(raw)}`);
      const parseOne = enumValue(PROBE_LOCATIONS);
      return [...new Set(items.map((item) => parseOne(item)))];
    },
  },
  sampleLimit: {
    default: null as number | null,
    help: `rows sampled (seeded) before the train/test split, 0 = all; default: ${REFERENCE_SAMPLE_LIMIT} (the reference's n_samples), or all rows when the dataset has a split column`,
    accepts: '<n>',
    setting: 'sampleLimit',
    flag: 'samples',
    changesActivations: false,
    parse: (raw: unknown, source: OptionSource): number | null => (raw === null ? null : integerAtLeast(0)(raw, source)),
  },
  seed: {
    default: 0,
    help: 'seed of the row sample and the train/test split (and of extraction sampling)',
    accepts: '<n>',
    setting: 'seed',
    flag: 'seed',
    changesActivations: false,
    parse: integerAtLeast(0),
  },
  testFraction: {
    default: 0.2,
    help: 'fraction of the sampled rows held out to score the probes, when the dataset has no split column',
    accepts: '<f>',
    setting: 'testFraction',
    flag: 'test-fraction',
    changesActivations: false,
    parse: (raw: unknown, source: OptionSource): number => {
      const f = numberValue(raw, source);
      if (!(f > 0 && f < 1)) throw new Error(`must be between 0 and 1 (exclusive), got ${describe(raw)}`);
      return f;
    },
  },
  executionProvider: {
    default: 'auto' as ProviderChoice,
    choices: PROVIDER_CHOICES,
    help: 'onnxruntime execution provider for the forward passes and the probes\' GPU kernels; auto: CUDA → WebGPU → DirectML/CoreML → CPU, the first that starts',
    accepts: PROVIDER_CHOICES.join(' | '),
    setting: 'executionProvider',
    flag: 'provider',
    // Providers agree to float tolerance; the provider that wrote a cache is recorded in its manifest.
    changesActivations: false,
    parse: enumValue(PROVIDER_CHOICES),
  },
  batchMemoryMB: {
    default: 256,
    help: 'activation memory (MiB) one forward batch may hold, all layers of the extracted locations; sets the batch size',
    accepts: '<MiB>',
    setting: 'batchMemoryMB',
    flag: 'batch-memory',
    // Right padding is exact: the batch size does not change a row's activations.
    changesActivations: false,
    parse: (raw: unknown, source: OptionSource): number => {
      const mib = numberValue(raw, source);
      if (mib < 16) throw new Error(`must be at least 16 MiB, got ${describe(raw)}`);
      return mib;
    },
  },
  probeWorkers: {
    default: 0,
    help: 'probes trained at once, each in a thread of its own with an equal share of the cores (the heatmap is the same bits for any number); 0: one per core, at most 4; 1: one at a time, onnxruntime using every core',
    accepts: '<n>',
    setting: 'probeWorkers',
    flag: 'probe-workers',
    changesActivations: false,
    parse: (raw: unknown, source: OptionSource): number => {
      const n = integerAtLeast(0)(raw, source);
      if (n > 64) throw new Error(`must be at most 64, got ${describe(raw)}`);
      return n;
    },
  },
  maxDatasetMB: {
    default: 2048,
    help: 'largest dataset file (MiB) read; a larger one is refused with its size, before any work',
    accepts: '<MiB>',
    setting: 'maxDatasetMB',
    flag: 'max-dataset-mb',
    changesActivations: false,
    parse: (raw: unknown, source: OptionSource): number => {
      const mib = numberValue(raw, source);
      if (mib < 1) throw new Error(`must be at least 1 MiB, got ${describe(raw)}`);
      return mib;
    },
  },
  encoding: {
    default: 'utf-8' as TextEncodingName,
    choices: TEXT_ENCODINGS,
    help: 'how the dataset file is decoded: utf-8 (a BOM is fine), utf-16le, utf-16be, windows-1252 (Excel\'s "ANSI") or latin1 (ISO-8859-1); a file that is not valid in it is refused, naming the line and byte offset',
    accepts: TEXT_ENCODINGS.join(' | '),
    setting: 'encoding',
    flag: 'encoding',
    // The same bytes decoded otherwise are other prompts. The key leaves utf-8 out (see cacheKeyFor).
    changesActivations: true,
    parse: enumValue(TEXT_ENCODINGS),
  },
  activationCache: {
    default: true,
    help: 'keep the activations of probed rows on disk, so re-runs with another seed, sample, split or cached location need no forward pass',
    accepts: '',
    setting: 'activationCache',
    negatedFlag: 'no-cache',
    changesActivations: false,
    parse: booleanValue,
  },
  cacheDtype: {
    default: 'auto' as CacheDtypeChoice,
    choices: CACHE_DTYPE_CHOICES,
    help: "element type of cached activations: float32 is exact, float16 halves the cache (round to nearest even); auto: float16 for models whose weights are fp16, bf16 or int4 (their activations carry no more precision), float32 for fp32 models",
    accepts: CACHE_DTYPE_CHOICES.join(' | '),
    setting: 'cacheDtype',
    flag: 'cache-dtype',
    // The cache key holds the resolved dtype (auto never reaches a key): see cacheKeyFor.
    changesActivations: true,
    parse: enumValue(CACHE_DTYPE_CHOICES),
  },
  chatTemplate: {
    default: 'auto' as ChatTemplateChoice,
    choices: CHAT_TEMPLATE_CHOICES,
    help: "auto: wrap prompts of instruct models in the model's own chat template (the reference's apply_chat_template); none: plain text",
    accepts: CHAT_TEMPLATE_CHOICES.join(' | '),
    setting: 'chatTemplate',
    flag: 'chat-template',
    changesActivations: true,
    parse: enumValue(CHAT_TEMPLATE_CHOICES),
  },
  addGenerationPrompt: {
    default: false,
    help: 'end chat-templated prompts with the assistant header (add_generation_prompt=True; the reference leaves it out)',
    accepts: '',
    setting: 'addGenerationPrompt',
    flag: 'add-generation-prompt',
    changesActivations: true,
    parse: booleanValue,
  },
  datasetKind: {
    default: 'auto' as DatasetKindChoice,
    choices: DATASET_KIND_CHOICES,
    help: "which benchmark a raw question file is (its prompts, generation length, correctness rule); auto: told from the file's columns",
    accepts: DATASET_KIND_CHOICES.join(' | '),
    setting: 'datasetKind',
    flag: 'dataset-kind',
    // Generation only: probing reads the answers file that generation wrote.
    changesActivations: false,
    parse: enumValue(DATASET_KIND_CHOICES),
  },
  modelKind: {
    default: 'auto' as ModelKindOption,
    choices: MODEL_KIND_CHOICES,
    help: 'generation: base models are prompted as text and stop on the newline token, instruct models get their chat template and stop on EOS; auto: instruct when the tokenizer has a chat template of its own',
    accepts: MODEL_KIND_CHOICES.join(' | '),
    setting: 'modelKind',
    flag: 'model-kind',
    changesActivations: false,
    parse: enumValue(MODEL_KIND_CHOICES),
  },
  extractionModel: {
    default: '',
    help: "instruct model folder that extracts the exact answers of wrong rows, as the reference's extraction LLM (its two-shot prompt through the model's chat template, greedy unless --extraction-sampling); empty: the probed model when it is an instruct model with a chat template of its own, else the heuristic short answer",
    accepts: '<dir>',
    setting: 'extractionModel',
    flag: 'extraction-model',
    // Generation only: probing reads the exact answers from the answers file.
    changesActivations: false,
    parse: (raw: unknown): string => {
      if (typeof raw !== 'string') throw new Error(`must be a folder path (or empty), got ${describe(raw)}`);
      return raw.trim();
    },
  },
  extractionSampling: {
    default: false,
    help: 'sample the extraction model as the reference does (T = 1, top_k 50, up to 5 attempts while the result is invalid), seeded by the run seed; off: greedy, one attempt',
    accepts: '',
    setting: 'extractionSampling',
    flag: 'extraction-sampling',
    changesActivations: false,
    parse: booleanValue,
  },
  baselines: {
    default: true,
    help: "score the paper's logprob and p(True) baselines on the probes' test rows (one teacher-forced pass and two one-token passes per test row)",
    accepts: '',
    setting: 'baselines',
    negatedFlag: 'no-baselines',
    changesActivations: false,
    parse: booleanValue,
  },
  afterLastSignBug: {
    default: false,
    help: "reproduce the reference's sign bug: exact_answer.probas_after_last_token scored with pos_label=0 (inverted)",
    accepts: '',
    setting: 'afterLastSignBug',
    flag: 'after-last-sign-bug',
    changesActivations: false,
    parse: booleanValue,
  },
} as const satisfies Record<string, OptionRow<unknown>>;

export type RunOptionKey = keyof typeof RUN_OPTIONS;
export type RunOptions = { -readonly [K in RunOptionKey]: ReturnType<(typeof RUN_OPTIONS)[K]['parse']> };

/** The options whose value changes the activations: exactly the named fields of the cache key. */
export type ActivationOptionKey = {
  [K in RunOptionKey]: (typeof RUN_OPTIONS)[K]['changesActivations'] extends true ? K : never;
}[RunOptionKey];
export const ACTIVATION_OPTION_KEYS = (Object.keys(RUN_OPTIONS) as RunOptionKey[]).filter(
  (key) => RUN_OPTIONS[key].changesActivations,
) as ActivationOptionKey[];

export const RUN_OPTION_KEYS = Object.keys(RUN_OPTIONS) as RunOptionKey[];

/** The VS Code configuration section of every setting. */
export const SETTINGS_SECTION = 'layerProbe';

/** Every option at its default. */
export function defaultRunOptions(): RunOptions {
  const options = {} as Record<RunOptionKey, unknown>;
  for (const key of RUN_OPTION_KEYS) {
    const value: unknown = RUN_OPTIONS[key].default;
    options[key] = Array.isArray(value) ? [...value] : value;
  }
  return options as RunOptions;
}

/** Defaults, with `overrides` checked by the table's own parsers (for tests, the demo and benchmarks). */
export function runOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  const options = defaultRunOptions();
  for (const [key, value] of Object.entries(overrides) as [RunOptionKey, unknown][]) {
    if (value === undefined) continue;
    const row: OptionRow<unknown> = RUN_OPTIONS[key];
    try {
      (options as Record<RunOptionKey, unknown>)[key] = row.parse(value, 'setting');
    } catch (err) {
      throw new OptionError(`run option ${key} ${(err as Error).message}`);
    }
  }
  return options;
}

/** The name a user knows an option by, for messages. */
export function optionLabel(key: RunOptionKey, source: OptionSource): string {
  const row: OptionRow<unknown> = RUN_OPTIONS[key];
  if (source === 'setting') return row.setting ? `setting ${SETTINGS_SECTION}.${row.setting}` : `option ${key}`;
  return row.flag ? `--${row.flag}` : row.negatedFlag ? `--${row.negatedFlag}` : `option ${key}`;
}

/**
 * Raw values (from settings or flags; absent keys keep their defaults) → options. Every invalid value is
 * reported, each naming its setting or flag; no value silently falls back to its default.
 */
export function parseRunOptions(raw: Partial<Record<RunOptionKey, unknown>>, source: OptionSource): RunOptions {
  const options = defaultRunOptions() as Record<RunOptionKey, unknown>;
  const problems: string[] = [];
  for (const key of RUN_OPTION_KEYS) {
    if (!(key in raw) || raw[key] === undefined) continue;
    const row: OptionRow<unknown> = RUN_OPTIONS[key];
    try {
      options[key] = row.parse(raw[key], source);
    } catch (err) {
      problems.push(`${optionLabel(key, source)} ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new OptionError(problems.join('; '));
  return options as RunOptions;
}

/** How prompts become text before tokenization (recorded in every result). */
export type PromptFormat = Pick<RunOptions, 'chatTemplate' | 'addGenerationPrompt'>;

export function promptFormatOf(options: Pick<RunOptions, 'chatTemplate' | 'addGenerationPrompt'>): PromptFormat {
  return { chatTemplate: options.chatTemplate, addGenerationPrompt: options.addGenerationPrompt };
}

/** Rows sampled before the split: an explicit limit always; unset, the reference's 1000, or all rows with a split column. */
export function effectiveSampleLimit(sampleLimit: number | null, hasSplitColumn: boolean): number {
  if (sampleLimit !== null) return sampleLimit;
  return hasSplitColumn ? 0 : REFERENCE_SAMPLE_LIMIT;
}

/** The table's defaults for the prompt format (for functions that format a prompt without a run). */
export const DEFAULT_PROMPT_FORMAT: PromptFormat = promptFormatOf(defaultRunOptions());
