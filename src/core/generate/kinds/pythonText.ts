// Python string and number semantics the reference's rules depend on (compute_correctness.py,
// extract_exact_answer.py run on CPython 3.11). JavaScript differs in ways that change labels:
// `str(9.0)` is "9.0" where String(9) is "9", `round(2.5)` is 2 where Math.round gives 3, `str.strip()`
// and `str.split()` use Python's whitespace set, and Python indexes strings by code point, not UTF-16 unit.

/** The characters `str.isspace()` accepts, which `strip()` and `split()` without arguments remove. */
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);
const SPACE_RUN = new RegExp(`[${PY_SPACE}]+`);

/** `s.strip()`. (JS `trim()` also strips U+FEFF and keeps U+001C–U+001F and U+0085.) */
export function pyStrip(text: string): string {
  return text.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/** `s.strip(chars)`: removes any of `chars` (a set, not a suffix) from both ends. */
export function pyStripChars(text: string, chars: string): string {
  const set = new Set(Array.from(chars));
  const points = Array.from(text);
  let start = 0;
  let end = points.length;
  while (start < end && set.has(points[start])) start++;
  while (end > start && set.has(points[end - 1])) end--;
  return points.slice(start, end).join('');
}

/** `s.split()`: runs of whitespace separate, and leading/trailing whitespace gives no empty item. */
export function pySplitWhitespace(text: string): string[] {
  const stripped = pyStrip(text);
  return stripped === '' ? [] : stripped.split(SPACE_RUN);
}

/** `s.split('\n')[0]`. */
export function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}

/** `s.split('\n')[-1]`. */
export function lastLine(text: string): string {
  return text.slice(text.lastIndexOf('\n') + 1);
}

/** `len(s)`: code points. */
export function pyLen(text: string): number {
  return Array.from(text).length;
}

/**
 * `s.lower().find(sub.lower())` as a code-point index, or -1. The reference slices the *original*
 * answer at that index, so the index must count what Python counts.
 */
export function lowerFind(haystack: string, needle: string): number {
  const lower = haystack.toLowerCase();
  const unit = lower.indexOf(needle.toLowerCase());
  return unit === -1 ? -1 : pyLen(lower.slice(0, unit));
}

/** `s[start:stop]` with Python's clamping (no negative arguments needed here). */
export function pySlice(text: string, start: number, stop: number): string {
  return Array.from(text).slice(Math.max(0, start), Math.max(0, stop)).join('');
}

/**
 * `"".join([s[i] for i in range(start, start + count)])`: Python item access, where -1 is the last
 * character. Undefined where Python raises IndexError (an index past either end).
 */
export function pyIndexJoin(text: string, start: number, count: number): string | undefined {
  const points = Array.from(text);
  let out = '';
  for (let i = start; i < start + count; i++) {
    const at = i < 0 ? i + points.length : i;
    if (at < 0 || at >= points.length) return undefined;
    out += points[at];
  }
  return out;
}

/**
 * `str(x)` / `repr(x)` of a Python float: the shortest digits that round-trip (JavaScript finds the same
 * digits), in fixed notation for decimal exponents -4…15 and with a `.0` when integral, otherwise in
 * scientific notation with a signed, at least two-digit exponent: 9.0 → "9.0", 2.5 → "2.5",
 * 1e16 → "1e+16", 1e-05 → "1e-05".
 */
export function pyFloatStr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits[0]}${rest}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}

/** `str(int(x))` of a finite float: truncation toward zero, every digit exact (int(1e20) has 21 digits). */
export function pyIntStr(x: number): string {
  return BigInt(Math.trunc(x)).toString();
}

/**
 * `str(round(x))` of a finite float: Python 3 rounds halves to even (round(2.5) == 2, round(3.5) == 4,
 * round(-2.5) == -2) and returns an int.
 */
export function pyRoundStr(x: number): string {
  if (x < 0) {
    const magnitude = pyRoundStr(-x);
    return magnitude === '0' ? '0' : `-${magnitude}`;
  }
  const floor = Math.floor(x);
  // Exact: for x ≥ 1 floor(x) is within a factor 2 of x (Sterbenz), for x < 1 it is 0.
  const fraction = x - floor;
  const up = fraction > 0.5 || (fraction === 0.5 && floor % 2 === 1);
  return BigInt(up ? floor + 1 : floor).toString();
}

/** Characters `str.isprintable()` rejects: repr escapes them. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/**
 * `repr(s)` of a Python str: single quotes unless the text has a `'` and no `"`; backslash, the quote,
 * \t \n \r and non-printable characters escaped.
 */
export function pyReprStr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char !== ' ' && NON_PRINTABLE.test(char)) out += escapeCodePoint(char.codePointAt(0)!);
    else out += char;
  }
  return out + quote;
}

function escapeCodePoint(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** `repr(list_of_str)`, e.g. `['Paris', "Paris's"]`: how pandas writes TriviaQA's alias list into the CSV. */
export function pyReprStrList(items: readonly string[]): string {
  return `[${items.map(pyReprStr).join(', ')}]`;
}
