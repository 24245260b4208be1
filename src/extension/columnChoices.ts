// Column choices remembered per dataset file (workspace state): the quick pick's answer for a file is
// reused while the file has the same columns, so a changed file with other columns is asked again.
// No `vscode` import: the decisions are unit-tested; askColumns.ts does the asking and the storing.

import type { ColumnDetection, ColumnMapping, ColumnRole } from '../contract/columns';

/** The workspace-state key holding every remembered choice (cleared by Layer Probe: Reset Column Choices). */
export const COLUMN_CHOICES_KEY = 'layerProbe.columnChoices';

/** File + its columns → the roles the user chose. */
export type ColumnChoices = Record<string, Partial<ColumnMapping>>;

/** One entry per file and column list: the same file with other columns is another entry. */
export function choiceKey(datasetFile: string, columns: readonly string[]): string {
  return JSON.stringify([datasetFile, columns]);
}

/**
 * The earlier choice for this file and columns, when it answers every ambiguous role with one of that
 * role's candidates; undefined otherwise (the user is asked).
 */
export function rememberedChoice(
  stored: ColumnChoices | undefined,
  datasetFile: string,
  columns: readonly string[],
  detection: ColumnDetection,
): Partial<ColumnMapping> | undefined {
  const earlier = stored?.[choiceKey(datasetFile, columns)];
  if (!earlier) return undefined;
  const choice: Partial<ColumnMapping> = {};
  for (const { role, candidates } of detection.ambiguous) {
    const column = earlier[role];
    if (column === undefined || !candidates.includes(column)) return undefined;
    choice[role] = column;
  }
  return choice;
}

/** The stored choices with this one added (earlier roles of the same file and columns kept). */
export function withChoice(stored: ColumnChoices | undefined, datasetFile: string, columns: readonly string[], choice: Partial<ColumnMapping>): ColumnChoices {
  const key = choiceKey(datasetFile, columns);
  return { ...stored, [key]: { ...stored?.[key], ...choice } };
}

/** "prompt = question, answer = model_answer" */
export function describeChoice(choice: Partial<ColumnMapping>): string {
  return Object.entries(choice)
    .map(([role, column]) => `${role} = ${column}`)
    .join(', ');
}

/** The quick pick's items for one role: each candidate with its first values as the detail. */
export function candidateItems(detection: ColumnDetection, role: ColumnRole): { label: string; detail?: string }[] {
  const candidates = detection.ambiguous.find((a) => a.role === role)?.candidates ?? [];
  return candidates.map((column) => {
    const values = detection.samples?.[column];
    return values && values.length > 0 ? { label: column, detail: values.join('  ·  ') } : { label: column };
  });
}
