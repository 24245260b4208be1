import * as fs from 'node:fs';
import * as path from 'node:path';

import { LayerProbeError } from '../../contract/errors';
import { readModelByReference } from '../onnx/weightsByReference';

/** What a model folder says about itself, from `config.json` (Hugging Face) or `genai_config.json`. */
export interface ModelFolder {
  dir: string;
  /** Absolute path of the ONNX graph file. */
  modelFile: string;
  /** Which config file the facts below came from ('none' if neither exists). */
  configSource: 'config.json' | 'genai_config.json' | 'none';
  numLayers?: number;
  hiddenSize?: number;
  vocabSize?: number;
  /** Longest sequence the position table holds (max_position_embeddings, n_positions, context_length). */
  maxPositions?: number;
  bosTokenId?: number;
  eosTokenIds: number[];
  modelType?: string;
  /** Path of tokenizer.json, if present. */
  tokenizerFile?: string;
}

export class ModelFolderError extends LayerProbeError {}

/**
 * Graph file names tried, in order, when genai_config.json names none: the usual export, then
 * optimum's older decoder layout (merged with/without-cache decoder first: it is the one that has both).
 */
const MODEL_FILE_NAMES = ['model.onnx', 'decoder_model_merged.onnx', 'decoder_model.onnx'];

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ModelFolderError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * A position-table size (max_position_embeddings, n_positions, context_length): absent is fine, but a
 * value that is there and not a positive whole number is refused — ignoring it would silently drop the
 * prompt-length limit and feed long rows to a Gather out of bounds.
 */
function positionLimit(file: string, fields: Record<string, unknown>, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  throw new ModelFolderError(
    `${file}: ${name} is ${JSON.stringify(value)}, not a positive whole number; it bounds the prompt length: set it to the model's context length or remove it`,
  );
}
const asIds = (v: unknown): number[] =>
  Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : typeof v === 'number' ? [v] : [];

/**
 * Every file of the folder must be a regular file (or a link to one): reading a FIFO or a device
 * (model.onnx → /dev/zero, a named pipe as tokenizer.json) would block or never end, in our reads and
 * in onnxruntime's of external data alike. Dangling links are left to the reads that need them.
 */
function refuseSpecialFiles(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue;
    }
    if (stat.isFile() || stat.isDirectory()) continue;
    const kind = stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isCharacterDevice() ? 'a character device' : stat.isBlockDevice() ? 'a block device' : stat.isSocket() ? 'a socket' : 'not a regular file';
    throw new ModelFolderError(`${file}: this is ${kind}; every file of a model folder must be a regular file (a read of it would never end)`);
  }
}

/** Resolves the graph file and the architecture facts of a model folder; never modifies it. */
export function resolveModelFolder(dir: string): ModelFolder {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ModelFolderError(`${dir}: not a folder (expected an ONNX model folder)`);
  }
  refuseSpecialFiles(dir);
  const hfConfigFile = path.join(dir, 'config.json');
  const genaiConfigFile = path.join(dir, 'genai_config.json');
  const tokenizerFile = path.join(dir, 'tokenizer.json');
  const result: ModelFolder = {
    dir,
    modelFile: path.join(dir, MODEL_FILE_NAMES.find((f) => fs.existsSync(path.join(dir, f))) ?? MODEL_FILE_NAMES[0]),
    configSource: 'none',
    eosTokenIds: [],
    tokenizerFile: fs.existsSync(tokenizerFile) ? tokenizerFile : undefined,
  };

  if (fs.existsSync(genaiConfigFile)) {
    const model = (readJson(genaiConfigFile).model ?? {}) as Record<string, unknown>;
    const decoder = (model.decoder ?? {}) as Record<string, unknown>;
    if (typeof decoder.filename === 'string') result.modelFile = path.join(dir, decoder.filename);
    result.configSource = 'genai_config.json';
    result.numLayers = asNumber(decoder.num_hidden_layers);
    result.hiddenSize = asNumber(decoder.hidden_size);
    result.vocabSize = asNumber(model.vocab_size);
    result.maxPositions = positionLimit(genaiConfigFile, model, 'context_length');
    result.bosTokenId = asNumber(model.bos_token_id);
    result.eosTokenIds = asIds(model.eos_token_id);
    result.modelType = typeof model.type === 'string' ? model.type : undefined;
  }
  // config.json (Hugging Face) wins for architecture facts when both exist: it is the training-side truth.
  if (fs.existsSync(hfConfigFile)) {
    const cfg = readJson(hfConfigFile);
    const text = (cfg.text_config ?? cfg) as Record<string, unknown>;
    result.configSource = 'config.json';
    const hfLayers = asNumber(text.num_hidden_layers) ?? asNumber(text.n_layer);
    // Two configs that disagree on the depth describe different models: neither can be trusted.
    if (hfLayers !== undefined && result.numLayers !== undefined && hfLayers !== result.numLayers) {
      throw new ModelFolderError(
        `${dir}: config.json says num_hidden_layers = ${hfLayers} but genai_config.json says ${result.numLayers}`,
      );
    }
    result.numLayers = hfLayers ?? result.numLayers;
    result.hiddenSize = asNumber(text.hidden_size) ?? asNumber(text.n_embd) ?? result.hiddenSize;
    result.vocabSize = asNumber(text.vocab_size) ?? result.vocabSize;
    result.maxPositions =
      positionLimit(hfConfigFile, text, 'max_position_embeddings') ?? positionLimit(hfConfigFile, text, 'n_positions') ?? result.maxPositions;
    result.bosTokenId = asNumber(text.bos_token_id) ?? result.bosTokenId;
    const eos = asIds(text.eos_token_id);
    if (eos.length > 0) result.eosTokenIds = eos;
    result.modelType = typeof cfg.model_type === 'string' ? cfg.model_type : result.modelType;
  }

  if (!fs.existsSync(result.modelFile)) {
    const onnxFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.onnx'));
    const hint = onnxFiles.length > 0 ? ` (found: ${onnxFiles.join(', ')})` : '';
    throw new ModelFolderError(`${dir}: no model file ${path.basename(result.modelFile)}${hint}`);
  }
  return result;
}

/** The graph file's bytes; read failures (permissions, a folder, over 2 GB) name the file. */
export function readModelBytes(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ModelFolderError(`${file}: cannot read the model file (${(err as Error).message})`);
  }
}

/**
 * The graph file as everything that parses it or gives it to onnxruntime reads it: big embedded weights
 * as references to their own bytes in the file (weightsByReference.ts), so that our process never holds
 * them and onnxruntime reads them once, from the file. Read whole (readModelBytes) when the file cannot be
 * walked (its error is reported there), holds no embedded weight worth it, or is a symlink out of its
 * folder while other weights live in a data file beside it: onnxruntime reads external data from one
 * folder only (placeExternalData).
 */
export function readModelGraph(file: string): Uint8Array {
  const byReference = readModelByReference(file, path.basename(file));
  if (byReference && byReference.referenced > 0 && !(byReference.hadExternalData && leavesItsFolder(file))) return byReference.bytes;
  return readModelBytes(file);
}

/** Whether `file` resolves (symlinks followed) to another folder than the one it is listed in. */
function leavesItsFolder(file: string): boolean {
  try {
    return path.dirname(fs.realpathSync(file)) !== fs.realpathSync(path.dirname(file));
  } catch {
    return true;
  }
}
