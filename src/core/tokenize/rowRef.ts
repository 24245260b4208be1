/** Enough of a dataset row to name it in an error message. */
export interface RowRef {
  /** 0-based index of the record in the file. */
  rowIndex: number;
  /** 1-based line where the record starts, when known. */
  line?: number;
}

/** "row 12 (line 14)" — how every tokenize error names the row it is about. */
export function describeRow(row: RowRef | undefined): string {
  if (row === undefined) return 'sequence';
  return row.line === undefined ? `row ${row.rowIndex}` : `row ${row.rowIndex} (line ${row.line})`;
}
