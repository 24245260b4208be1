import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';

// One temporary folder per test file, removed when the file's tests end.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-dataset-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes `content` to a fresh file named `name` and returns its path. */
export function writeTemp(name: string, content: string | Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(dir, 'case-')), name);
  fs.writeFileSync(file, content);
  return file;
}

/** pandas' to_csv of a DataFrame: index column named "", fields quoted only when needed. */
export function pandasCsv(columns: string[], rows: unknown[][], newline = '\n'): string {
  const quote = (cell: unknown): string => {
    const text = cell === undefined || cell === null ? '' : String(cell);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [['', ...columns], ...rows.map((row, i) => [i, ...row])].map((cells) => cells.map(quote).join(','));
  return lines.join(newline) + newline;
}
