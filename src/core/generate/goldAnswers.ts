// A gold-answer cell → the list of acceptable answer strings.
//
// The reference stores TriviaQA's alias list as the Python repr of a list (`['Paris', "Paris, France"]`)
// and `eval`s it back; JSON files may hold a real array; most files hold one string.

import { LayerProbeError } from '../../contract/errors';

export class GoldAnswerError extends LayerProbeError {
  override name = 'GoldAnswerError';
}

/**
 * Aliases of a gold cell: a JSON array (strings and numbers), a string holding a Python or JSON list
 * literal, or a single string or number. Numbers keep their source text where there is one (`[9.0]`
 * gives "9.0"). Blank aliases are dropped: an empty gold would match every answer.
 */
export function goldAliases(cell: unknown): string[] {
  let aliases: string[];
  if (Array.isArray(cell)) aliases = cell.map(aliasText);
  else if (typeof cell === 'string') aliases = looksLikeList(cell) ? parseListLiteral(cell) : [cell];
  else aliases = [aliasText(cell)];
  return aliases.filter((alias) => alias.trim() !== '');
}

function aliasText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new GoldAnswerError(`a gold answer must be a string, a number or a list of them, got ${JSON.stringify(value)}`);
}

function looksLikeList(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith('[') && trimmed.endsWith(']');
}

/**
 * Parses `['a', "b's", 3.5]` (Python repr or JSON) without eval. Strings may use either quote and
 * backslash escapes; bare items (numbers) are kept as written. A malformed literal is an error rather
 * than a one-alias guess, because a wrong alias list silently changes every correctness label.
 */
export function parseListLiteral(text: string): string[] {
  const body = text.trim().slice(1, -1);
  const items: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new GoldAnswerError(`cannot read the gold answer list ${JSON.stringify(text)}: ${why}`);
  };
  const skipSpace = (): void => {
    while (i < body.length && /\s/.test(body[i])) i++;
  };
  skipSpace();
  while (i < body.length) {
    const quote = body[i];
    if (quote === "'" || quote === '"') {
      let value = '';
      i++;
      while (i < body.length && body[i] !== quote) {
        if (body[i] === '\\' && i + 1 < body.length) {
          value += unescape(body[i + 1]);
          i += 2;
        } else value += body[i++];
      }
      if (i >= body.length) fail('unterminated string');
      i++;
      items.push(value);
    } else {
      const end = body.indexOf(',', i);
      const bare = body.slice(i, end === -1 ? body.length : end).trim();
      if (bare === '') fail('empty item');
      items.push(bare);
      i = end === -1 ? body.length : end;
    }
    skipSpace();
    if (i < body.length) {
      if (body[i] !== ',') fail(`expected ',' at character ${i + 1}`);
      i++;
      skipSpace();
    }
  }
  return items;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

function unescape(char: string): string {
  return ESCAPES[char] ?? char;
}
