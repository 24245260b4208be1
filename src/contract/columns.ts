// Which dataset column plays which role: detected in the worker, asked of the user by the host when
// ambiguous (the worker protocol's `askColumns`), recorded in the result.

/** Which file column plays which role. */
export interface ColumnMapping {
  prompt: string;
  answer: string;
  correct: string;
  exactAnswer?: string;
  validExactAnswer?: string;
  split?: string;
  inputOutputIds?: string;
}

export type ColumnRole = keyof ColumnMapping;
export const COLUMN_ROLES: readonly ColumnRole[] = [
  'prompt',
  'answer',
  'correct',
  'exactAnswer',
  'validExactAnswer',
  'split',
  'inputOutputIds',
];
export const REQUIRED_ROLES = ['prompt', 'answer', 'correct'] as const;
export type RequiredRole = (typeof REQUIRED_ROLES)[number];

export interface ColumnDetection {
  /** Roles with exactly one best candidate. */
  mapping: Partial<ColumnMapping>;
  /** Roles with several equally good candidates: the UI asks with a quick pick, the CLI takes --columns. */
  ambiguous: { role: ColumnRole; candidates: string[] }[];
  /** Required roles no column fits. */
  missing: RequiredRole[];
  /** Set when the columns show this is not a file of model answers (a raw question + gold answer file). */
  refusal?: string;
  /**
   * The first values (up to three records) of each ambiguous candidate, as short display text: the quick
   * pick shows them so the user can tell the columns apart. Set when the detection is sent to be asked.
   */
  samples?: Record<string, string[]>;
}
