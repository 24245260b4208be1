import { COLUMN_ROLES, type ColumnDetection, type ColumnMapping, type ColumnRole, REQUIRED_ROLES, type RequiredRole } from '../../contract/columns';
import { DatasetError } from './errors';
import { isUnnamedIndexColumn } from './table';

/**
 * Column names each role accepts (compared after `normaliseColumnName`), best tier first. A column in
 * an earlier tier wins over later tiers; two columns in the same tier are ambiguous and the user picks.
 */
export const ROLE_NAME_TIERS: Readonly<Record<ColumnRole, readonly (readonly string[])[]>> = {
  // Not `raw_question`: in the reference CSV that is the bare question, `question` the full prompt.
  prompt: [['prompt', 'question', 'input']],
  // A model-specific name wins because `answer` is often the gold answer (the reference's data/*.csv).
  answer: [
    ['model_answer', 'model_output', 'model_response', 'generated_answer'],
    ['answer', 'response', 'output', 'completion', 'generation'],
  ],
  // An explicit correctness name wins because `label` is often a gold class (NLI, sentiment).
  correct: [['automatic_correctness', 'is_correct', 'correct', 'correctness'], ['label']],
  exactAnswer: [['exact_answer']],
  validExactAnswer: [['valid_exact_answer']],
  split: [['split']],
  inputOutputIds: [['input_output_ids']],
};

/** Case-insensitive, and "Model Answer" / "model-answer" read as `model_answer`. */
export function normaliseColumnName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

export function detectColumns(columns: string[]): ColumnDetection {
  const named = columns.filter((column) => !isUnnamedIndexColumn(column));
  const detection: ColumnDetection = { mapping: {}, ambiguous: [], missing: [] };
  for (const role of COLUMN_ROLES) {
    const candidates = bestCandidates(named, ROLE_NAME_TIERS[role]);
    if (candidates.length === 1) detection.mapping[role] = candidates[0];
    else if (candidates.length > 1) detection.ambiguous.push({ role, candidates });
    else if (isRequired(role)) detection.missing.push(role);
  }
  detection.refusal = rawQuestionFileRefusal(detection.mapping, detection.missing);
  return detection;
}

/** Values shown per candidate column, and the length each is cut to. */
export const SAMPLE_VALUES = 3;
export const SAMPLE_CHARS = 60;

/**
 * The first SAMPLE_VALUES records' values of each column, as display text: strings JSON-quoted (line breaks
 * visible as \n), other values as JSON, a missing value as "(missing)"; each cut to SAMPLE_CHARS with "…".
 */
export function columnSamples(columns: readonly string[], records: readonly Record<string, unknown>[]): Record<string, string[]> {
  const shown = (value: unknown): string => {
    const text = value === undefined ? '(missing)' : JSON.stringify(value) ?? String(value);
    return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS - 1)}…` : text;
  };
  const first = records.slice(0, SAMPLE_VALUES);
  return Object.fromEntries(columns.map((column) => [column, first.map((record) => shown(record[column]))]));
}

/**
 * Settles an ambiguous prompt role from the values: when one candidate's text contains another's in
 * every record that has both (a full prompt built around the bare question, e.g. `prompt` = "Q: {question}\nA:"),
 * the containing one is the prompt the model saw. Unrelated candidates stay ambiguous (the user picks).
 */
export function promptFromValues(
  detection: ColumnDetection,
  records: readonly Record<string, unknown>[],
): { column: string; contains: string } | undefined {
  const ambiguous = detection.ambiguous.find((a) => a.role === 'prompt');
  if (!ambiguous || records.length === 0) return undefined;
  const text = (record: Record<string, unknown>, column: string): string | undefined => {
    const v = record[column];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  for (const outer of ambiguous.candidates) {
    const inner = ambiguous.candidates.filter((c) => c !== outer);
    // A blank inner value is no evidence either way; a blank outer one, or one not containing it, refutes.
    const containsAll = inner.every(
      (column) =>
        records.some((record) => text(record, column) !== undefined) &&
        records.every((record) => {
          const i = text(record, column);
          if (i === undefined) return true;
          const o = text(record, outer);
          return o !== undefined && o !== i && o.includes(i);
        }),
    );
    if (containsAll) return { column: outer, contains: inner.join(', ') };
  }
  return undefined;
}

function bestCandidates(columns: string[], tiers: readonly (readonly string[])[]): string[] {
  for (const tier of tiers) {
    const matches = columns.filter((column) => tier.includes(normaliseColumnName(column)));
    if (matches.length > 0) return matches;
  }
  return [];
}

function isRequired(role: ColumnRole): role is RequiredRole {
  return (REQUIRED_ROLES as readonly string[]).includes(role);
}

/**
 * No correctness column, and at most a column named `answer`: the reference's data/*.csv layout
 * (Question, Answer, …) holds questions with gold answers, which cannot label probes.
 */
function rawQuestionFileRefusal(mapping: Partial<ColumnMapping>, missing: RequiredRole[]): string | undefined {
  if (!missing.includes('correct')) return undefined;
  if (mapping.answer !== undefined && normaliseColumnName(mapping.answer) !== 'answer') return undefined;
  return (
    'this looks like a raw question file (questions with their gold answers), not model answers: it has no ' +
    `correctness column (${ROLE_NAME_TIERS.correct.flat().join(', ')}) and no model-answer column. Probe a file ` +
    "of the model's answers labelled correct or wrong, such as the reference's output/<model>-answers-<dataset>.csv " +
    '(question, model_answer, automatic_correctness), or name the columns with --columns role=name'
  );
}

/** Parses `prompt=q,answer=a` (the CLI's --columns). Role names are case-insensitive; `exact_answer` reads as exactAnswer. */
export function parseColumnOverrides(spec: string): Partial<ColumnMapping> {
  const overrides: Partial<ColumnMapping> = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    const roleText = equals < 0 ? part.trim() : part.slice(0, equals).trim();
    const name = equals < 0 ? '' : part.slice(equals + 1).trim();
    const role = COLUMN_ROLES.find((r) => r.toLowerCase() === roleText.toLowerCase().replace(/[_-]/g, ''));
    if (!role) {
      throw new DatasetError({}, `--columns: unknown role "${roleText}"; roles are ${COLUMN_ROLES.join(', ')}`);
    }
    if (name === '') throw new DatasetError({}, `--columns: "${part.trim()}" names no column; write ${role}=COLUMN`);
    if (overrides[role] !== undefined) throw new DatasetError({}, `--columns: the role ${role} is given twice`);
    overrides[role] = name;
  }
  return overrides;
}

/**
 * Detection plus the user's choices → a complete mapping, or a DatasetError saying what is missing,
 * ambiguous or wrong. Override names match exactly, else case-insensitively when that is unique.
 */
export function resolveColumnMapping(file: string, columns: string[], overrides: Partial<ColumnMapping> = {}): ColumnMapping {
  const chosen: Partial<ColumnMapping> = {};
  for (const role of COLUMN_ROLES) {
    const name = overrides[role];
    if (name !== undefined) chosen[role] = findColumn(file, columns, role, name);
  }
  const detection = detectColumns(columns);
  const mapping: Partial<ColumnMapping> = { ...detection.mapping, ...chosen };

  const unresolved = detection.ambiguous.filter(({ role }) => chosen[role] === undefined);
  if (unresolved.length > 0) {
    const list = unresolved.map(({ role, candidates }) => `${role}: ${candidates.map((c) => `"${c}"`).join(' or ')}`);
    throw new DatasetError({ file }, `ambiguous columns (${list.join('; ')}); choose with --columns role=name`);
  }
  if (detection.refusal && chosen.correct === undefined && chosen.answer === undefined) {
    throw new DatasetError({ file }, detection.refusal);
  }
  const missing = REQUIRED_ROLES.filter((role) => mapping[role] === undefined);
  if (missing.length > 0) {
    const expected = missing.map((role) => `${role} (${ROLE_NAME_TIERS[role].flat().join(', ')})`);
    throw new DatasetError(
      { file },
      `no column for ${expected.join('; ')}; the columns are ${listColumns(columns)}; name them with --columns role=name`,
    );
  }
  const roleOf = new Map<string, ColumnRole>();
  for (const role of COLUMN_ROLES) {
    const name = mapping[role];
    if (name === undefined) continue;
    const other = roleOf.get(name);
    if (other) throw new DatasetError({ file, column: name }, `is used both as ${other} and as ${role}`);
    roleOf.set(name, role);
  }
  return mapping as ColumnMapping;
}

function findColumn(file: string, columns: string[], role: ColumnRole, name: string): string {
  if (columns.includes(name)) return name;
  const folded = columns.filter((column) => column.toLowerCase() === name.toLowerCase());
  if (folded.length === 1) return folded[0];
  throw new DatasetError({ file, column: name }, `given for ${role} is not in the file; the columns are ${listColumns(columns)}`);
}

function listColumns(columns: string[]): string {
  return columns.map((column) => `"${column}"`).join(', ');
}
