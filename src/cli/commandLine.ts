// One parser for every subcommand's arguments: parseArgs' own errors as usage errors, --help, and
// exactly one input file. The subcommands differ only in their options and usage text.
import { parseArgs, type ParseArgsConfig } from 'node:util';

import { UsageError } from './usageError';

export type FlagValues = Record<string, string | boolean | undefined>;

export interface CommandLine {
  values: FlagValues;
  /** The one positional argument: the file the command works on. */
  input: string;
}

/**
 * Parses `argv` (the arguments after the subcommand's name). Returns the exit status when there is
 * nothing to run: 0 after printing `usage` for --help, 2 after printing it to stderr when the input is
 * missing. An unknown flag, a missing value or a second positional argument is a UsageError.
 */
export function parseCommandLine(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
  what: { command: string; input: string },
): CommandLine | number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (err) {
    // parseArgs' own errors (unknown option, missing value) carry a code; they are usage errors.
    throw new UsageError((err as Error).message);
  }
  const values = parsed.values as FlagValues;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const [input, ...extra] = parsed.positionals;
  if (!input) {
    process.stderr.write(usage);
    return 2;
  }
  if (extra.length > 0) {
    throw new UsageError(`${what.command} takes one ${what.input}; unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `"${a}"`).join(' ')}`);
  }
  return { values, input };
}

/** A string flag's value, or undefined when it was not given. */
export function stringFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A path flag, or undefined when it was not given; an empty value (`--out=`) would mean the working directory, so it is a UsageError. */
export function pathFlag(values: FlagValues, name: string): string | undefined {
  const value = stringFlag(values, name);
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs a path, got nothing`);
  return value;
}

/** An integer flag ≥ `min`, or undefined when it was not given; empty or other text is a UsageError. */
export function integerFlag(values: FlagValues, name: string, min: number): number | undefined {
  const value = stringFlag(values, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}
