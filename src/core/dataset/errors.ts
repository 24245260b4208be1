import { LayerProbeError } from '../../contract/errors';

/** Where in the user's file a problem is, so the message (and the UI) can point at it. */
export interface DatasetLocation {
  file?: string;
  /** 0-based record index, the number pandas writes in the reference CSV's unnamed index column. */
  rowIndex?: number;
  /** 1-based line where the record starts. */
  line?: number;
  column?: string;
}

/** Bad dataset input; the message names the file, the row (and its line) and the column it knows. */
export class DatasetError extends LayerProbeError {
  override readonly name = 'DatasetError';

  constructor(
    readonly location: DatasetLocation,
    readonly detail: string,
  ) {
    super(formatLocation(location) + detail);
  }
}

function formatLocation({ file, rowIndex, line, column }: DatasetLocation): string {
  const where: string[] = [];
  if (rowIndex !== undefined) where.push(line !== undefined ? `row ${rowIndex} (line ${line})` : `row ${rowIndex}`);
  else if (line !== undefined) where.push(`line ${line}`);
  if (column !== undefined) where.push(`column "${column}"`);
  const prefix = [file, where.join(', ')].filter((part) => part).join(': ');
  return prefix ? `${prefix}: ` : '';
}
