// The CLI side of the options table: parseArgs options for every row with a flag, raw flag text →
// RunOptions through the rows' own parsers, and the usage lines. Nothing here states a default.
import { OptionError, type OptionRow, parseRunOptions, RUN_OPTION_KEYS, RUN_OPTIONS, type RunOptionKey, type RunOptions } from '../contract/runOptions';
import { UsageError } from './usageError';

type FlagConfig = { type: 'string' } | { type: 'boolean' };

const row = (key: RunOptionKey): OptionRow<unknown> => RUN_OPTIONS[key];
const isBoolean = (key: RunOptionKey): boolean => typeof row(key).default === 'boolean';

/** parseArgs `options` entries for the run options (no defaults: an absent flag keeps the table's). */
export function runOptionFlags(keys: readonly RunOptionKey[] = RUN_OPTION_KEYS): Record<string, FlagConfig> {
  const flags: Record<string, FlagConfig> = {};
  for (const key of keys) {
    const { flag, negatedFlag } = row(key);
    if (flag) flags[flag] = isBoolean(key) ? { type: 'boolean' } : { type: 'string' };
    if (negatedFlag) flags[negatedFlag] = { type: 'boolean' };
  }
  return flags;
}

/** parseArgs `values` → RunOptions; an invalid value is a UsageError naming the flag. */
export function runOptionsFromFlags(values: Record<string, string | boolean | undefined>, keys: readonly RunOptionKey[] = RUN_OPTION_KEYS): RunOptions {
  const raw: Partial<Record<RunOptionKey, unknown>> = {};
  for (const key of keys) {
    const { flag, negatedFlag } = row(key);
    if (flag && values[flag] !== undefined) raw[key] = values[flag];
    if (negatedFlag && values[negatedFlag] === true) raw[key] = false;
  }
  try {
    return parseRunOptions(raw, 'flag');
  } catch (err) {
    if (err instanceof OptionError) throw new UsageError(err.message);
    throw err;
  }
}

/** `--flag <accepts>  help (default …)` lines for every run option with a flag. */
export function runOptionsUsage(keys: readonly RunOptionKey[] = RUN_OPTION_KEYS): string {
  const lines: string[] = [];
  for (const key of keys) {
    const r = row(key);
    const name = r.flag ?? r.negatedFlag;
    if (!name) continue;
    const head = `  --${name}${r.flag && r.accepts ? ` ${r.accepts}` : ''}`;
    const shown = defaultText(r.default);
    const help = r.negatedFlag ? `turn off: ${r.help}` : `${r.help}${shown ? ` (default ${shown})` : ''}`;
    lines.push(...wrap(head, help));
  }
  return lines.join('\n');
}

function defaultText(value: unknown): string {
  if (value === null || value === '' || value === false || (Array.isArray(value) && value.length === 0)) return '';
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The flag in a 27-column gutter, the help wrapped at 100 columns. */
function wrap(head: string, help: string): string[] {
  const gutter = 27;
  const width = 100 - gutter;
  const words = help.split(' ');
  const out: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  const first = head.length < gutter - 1 ? head.padEnd(gutter) + out[0] : `${head}\n${' '.repeat(gutter)}${out[0]}`;
  return [first, ...out.slice(1).map((l) => ' '.repeat(gutter) + l)];
}
