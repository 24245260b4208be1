// Rerunning a shown result from the panel with other probe settings: which options the panel offers,
// and turning its raw field values into the rerun's options through the options table (one validation).

import { OptionError, RUN_OPTIONS, type RunOptions } from './runOptions';

/** The options the panel's rerun controls set; the others stay as the shown run had them. */
export const RERUN_KEYS = ['location', 'seed', 'sampleLimit', 'testFraction'] as const;
export type RerunKey = (typeof RERUN_KEYS)[number];

/** What the controls hold: a location name, numbers as the user typed them ('' for "the default"). */
export type RerunFields = Partial<Record<RerunKey, string>>;

const LABELS: Record<RerunKey, string> = { location: 'Location', seed: 'Seed', sampleLimit: 'Samples', testFraction: 'Test fraction' };

/**
 * The shown run's options with the fields applied. An empty sample limit means the table's default; any
 * other invalid field is an OptionError naming the control and what it accepts.
 */
export function rerunOptions(base: RunOptions, fields: RerunFields): RunOptions {
  const options: RunOptions = { ...base };
  const problems: string[] = [];
  for (const key of RERUN_KEYS) {
    const raw = fields[key];
    if (raw === undefined) continue;
    try {
      if (key === 'sampleLimit') options.sampleLimit = raw.trim() === '' ? null : RUN_OPTIONS.sampleLimit.parse(raw, 'flag');
      else if (key === 'location') options.location = RUN_OPTIONS.location.parse(raw);
      else options[key] = RUN_OPTIONS[key].parse(raw, 'flag');
    } catch (err) {
      problems.push(`${LABELS[key]} ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new OptionError(problems.join('; '));
  return options;
}

/** Whether the fields change anything the run computed. */
export function changesRun(base: RunOptions, options: RunOptions): boolean {
  return RERUN_KEYS.some((k) => base[k] !== options[k]);
}
