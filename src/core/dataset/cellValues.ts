// Readers for single cells. Each returns the value or a problem sentence; rows.ts adds the location.

export type Parsed<T> = { value: T } | { problem: string };

/** pandas 1.5's default `na_values` (the reference's pin): read_csv turns these cells into NaN. */
const PANDAS_NA_STRINGS = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'n/a', 'nan', 'null',
]);

export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Missing, or a CSV cell that pandas would read as NaN. */
export function isMissingLikePandas(value: unknown, fromCsv: boolean): boolean {
  return isMissing(value) || (fromCsv && typeof value === 'string' && PANDAS_NA_STRINGS.has(value));
}

/** Text cell; a JSON number is accepted as its text (numeric answers). */
export function parseText(value: unknown): Parsed<string> {
  if (typeof value === 'string') return { value };
  if (typeof value === 'number' && Number.isFinite(value)) return { value: String(value) };
  return { problem: `expected text, found ${shown(value)}` };
}

const ONE = new Set(['1', '1.0', 'true']);
const ZERO = new Set(['0', '0.0', 'false']);

/** 1/0, true/false (any case), "1"/"0", 1.0/0.0: what pandas and JSON writers produce for a 0/1 flag. */
export function parseZeroOne(value: unknown): Parsed<0 | 1> {
  if (value === true || value === 1) return { value: 1 };
  if (value === false || value === 0) return { value: 0 };
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (ONE.has(text)) return { value: 1 };
    if (ZERO.has(text)) return { value: 0 };
  }
  return { problem: `${shown(value)} is not 1/0, true/false or 1.0/0.0` };
}

/**
 * `train` → train; `test`, `validation`, `val`, `dev` → test: the held-out side the metrics are
 * computed on, which is the role the reference's validation split plays in the heatmap.
 */
const SPLIT_NAMES: Readonly<Record<string, 'train' | 'test'>> = {
  train: 'train',
  test: 'test',
  validation: 'test',
  val: 'test',
  dev: 'test',
};

export function parseSplit(value: unknown): Parsed<'train' | 'test'> {
  const split = typeof value === 'string' ? SPLIT_NAMES[value.trim().toLowerCase()] : undefined;
  if (split) return { value: split };
  return { problem: `${shown(value)} is not a split; expected ${Object.keys(SPLIT_NAMES).join(', ')}` };
}

/** A JSON list of non-negative integers; CSV holds it as text such as "[1, 2, 3]". */
export function parseTokenIds(value: unknown): Parsed<number[]> {
  const list = jsonList(value, 'token ids');
  if ('problem' in list) return list;
  if (list.value.length === 0) return { problem: 'the token id list is empty' };
  const bad = list.value.findIndex((id) => !(Number.isSafeInteger(id) && (id as number) >= 0));
  if (bad >= 0) return { problem: `token id ${bad} is ${JSON.stringify(list.value[bad])}, not a non-negative integer` };
  return { value: list.value as number[] };
}

/**
 * A list of per-token scores (`token_logits`, `token_probs`): a JSON list (or its text) of finite numbers,
 * possibly empty (an answer cut at zero new tokens). JSON has no NaN or ∞, so every entry must be finite.
 */
export function parseScoreList(value: unknown): Parsed<number[]> {
  const list = jsonList(value, 'numbers');
  if ('problem' in list) return list;
  const bad = list.value.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (bad >= 0) return { problem: `entry ${bad} is ${JSON.stringify(list.value[bad])}, not a finite number` };
  return { value: list.value as number[] };
}

/** A cell holding a list: the list itself (JSON files) or its JSON text (CSV). */
function jsonList(value: unknown, of: string): Parsed<unknown[]> {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return { problem: `${shown(value)} is not a JSON list of ${of}` };
    }
  }
  return Array.isArray(list) ? { value: list } : { problem: `${shown(value)} is not a list of ${of}` };
}

/** A cell as JSON, cut short so one long cell cannot flood the message. */
function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}
