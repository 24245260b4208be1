// Reading single benchmark cells the way the reference's pandas/json loaders see them. Each reader
// returns the value or a problem sentence; readBenchmark adds file, row, line and column.

import { isMissingLikePandas, type Parsed } from '../../dataset/cellValues';
import { isPlainObject } from '../../dataset/table';
import { parseListLiteral } from '../goldAnswers';

export function looksLikeListLiteral(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith('[') && trimmed.endsWith(']');
}

/** `value[key]` of a JSON object, the key compared case-insensitively (`Aliases` / `aliases`). */
export function objectField(value: unknown, key: string): unknown {
  if (!isPlainObject(value)) return undefined;
  const name = Object.keys(value).find((k) => k.toLowerCase() === key.toLowerCase());
  return name === undefined ? undefined : value[name];
}

/**
 * A text cell. CSV cells pandas reads as NaN (empty, "NA", "null"…) are refused: the reference would
 * put "nan" in the prompt or fail on `.lower()`. A JSON number is taken as its text.
 */
export function textCell(value: unknown, fromCsv: boolean): Parsed<string> {
  if (isMissingLikePandas(value, fromCsv)) {
    return { problem: typeof value === 'string' && value !== '' ? `${JSON.stringify(value)} is read as NaN by pandas` : 'the cell is empty' };
  }
  if (typeof value === 'string') return { value };
  if (typeof value === 'number' && Number.isFinite(value)) return { value: String(value) };
  return { problem: `expected text, found ${shown(value)}` };
}

/** An optional text cell: missing → undefined (pandas NaN, which the reference writes back as an empty cell). */
export function optionalTextCell(value: unknown, fromCsv: boolean): string | undefined {
  const parsed = textCell(value, fromCsv);
  return 'value' in parsed ? parsed.value : undefined;
}

/** An alias list: a JSON array of strings, or a string holding a Python/JSON list literal. */
export function aliasListCell(value: unknown): Parsed<string[]> {
  if (Array.isArray(value)) {
    const bad = value.findIndex((item) => typeof item !== 'string');
    if (bad !== -1) return { problem: `alias ${bad} is ${shown(value[bad])}, not a string` };
    return { value: value as string[] };
  }
  if (typeof value === 'string' && looksLikeListLiteral(value)) {
    try {
      return { value: parseListLiteral(value) };
    } catch (err) {
      return { problem: (err as Error).message };
    }
  }
  return { problem: `expected a list of aliases, found ${shown(value)}` };
}

const PY_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * math's gold, `eval(answer)[0]`: the first item of a list literal such as `[9.0]`. It is a float:
 * pandas gathers the mapped column into a float64 Series (a lone `[9]` among floats becomes 9.0), and
 * every AnswerableMath answer is written as a float.
 */
export function mathGoldCell(value: unknown): Parsed<number> {
  if (typeof value !== 'string' || !looksLikeListLiteral(value)) {
    return { problem: `expected a one-number list such as [9.0] (the reference evaluates answer[0]), found ${shown(value)}` };
  }
  let items: string[];
  try {
    items = parseListLiteral(value);
  } catch (err) {
    return { problem: (err as Error).message };
  }
  if (items.length === 0) return { problem: 'the answer list is empty' };
  const first = items[0].trim();
  const number = PY_NUMBER.test(first) ? Number(first) : NaN;
  if (!Number.isFinite(number)) return { problem: `the first answer ${JSON.stringify(items[0])} is not a finite number` };
  return { value: number };
}

/** IMDB's label: 0 = negative, 1 = positive (HF imdb), or the words themselves (review/sentiment files). */
export function imdbLabelCell(value: unknown): Parsed<0 | 1> {
  if (value === 0 || value === '0' || value === 'negative') return { value: 0 };
  if (value === 1 || value === '1' || value === 'positive') return { value: 1 };
  if (value === -1 || value === '-1') return { problem: 'the review is unlabelled (label -1, the HF imdb unsupervised split)' };
  return { problem: `expected 0/1 or negative/positive, found ${shown(value)}` };
}

/**
 * HotpotQA's context sentences in the reference's order: HF's `{title: [...], sentences: [[...]...]}`
 * or the original JSON's `[[title, [sentences]], ...]`.
 */
export function hotpotSentencesCell(value: unknown): Parsed<string[]> {
  let paragraphs: unknown;
  if (isPlainObject(value)) paragraphs = objectField(value, 'sentences');
  else if (Array.isArray(value)) paragraphs = value.map((pair) => (Array.isArray(pair) ? pair[1] : undefined));
  else if (typeof value === 'string') {
    try {
      return hotpotSentencesCell(JSON.parse(value));
    } catch {
      return { problem: 'expected a HotpotQA context ({title, sentences} or [[title, sentences], …]), found text that is not JSON' };
    }
  }
  if (!Array.isArray(paragraphs) || !paragraphs.every((p) => Array.isArray(p) && p.every((s) => typeof s === 'string'))) {
    return { problem: `expected a HotpotQA context ({title, sentences} or [[title, sentences], …]), found ${shown(value)}` };
  }
  return { value: (paragraphs as string[][]).flat() };
}

/** A cell as JSON, cut short so one long cell cannot flood the message. */
export function shown(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}
