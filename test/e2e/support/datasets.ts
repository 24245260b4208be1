// Datasets with a planted signal, written into the test workspace. Correctness depends only on the
// exact-answer word (every word one LLaMA token), as in the pipeline tests, so the heatmap has a known
// shape. The writers also return, independently of the extension's readers, the line where each
// record starts: blank lines in the JSONL and quoted multi-line fields in the CSV make that line
// differ from the row index.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PlantedRow {
  prompt: string;
  model_answer: string;
  correct: 0 | 1;
  exact_answer: string;
}

export interface WrittenDataset {
  file: string;
  rows: PlantedRow[];
  /** 1-based line where record i starts. */
  lines: number[];
}

const RIGHT = ['Paris', 'London', 'Berlin'];
const WRONG = ['Rome', 'Madrid', 'Tokyo'];

export function plantedRows(count: number, seed = 12345): PlantedRow[] {
  // Prompt number and label drawn independently (an LCG), so nothing before the answer predicts the label.
  let state = seed;
  const rand = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, (_, i) => {
    const correct = rand() < 0.5 ? 1 : 0;
    const pool = correct ? RIGHT : WRONG;
    const word = pool[Math.floor(rand() * pool.length)];
    // Every seventh prompt carries a two-line preamble: CSV records then span different line counts.
    const preamble = i % 7 === 3 ? `Travel log, page ${i}\nentry ${Math.floor(rand() * 100)}\n` : '';
    return {
      prompt: `${preamble}Q: Which city did traveller ${Math.floor(rand() * 1000)} visit?\nA:`,
      model_answer: ` The answer is ${word}.\n`,
      correct,
      exact_answer: word,
    };
  });
}

/** JSON Lines with blank lines after records 0 and 99 (the reader skips them; lines must not). */
export function writeJsonl(dir: string, name: string, rows: PlantedRow[]): WrittenDataset {
  const out: string[] = [];
  const lines: number[] = [];
  rows.forEach((row, i) => {
    lines.push(out.length + 1);
    out.push(JSON.stringify(row));
    if (i === 0 || i === 99) out.push('');
  });
  const file = path.join(dir, name);
  fs.writeFileSync(file, out.join('\n') + '\n');
  return { file, rows, lines };
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV: prompts and answers hold newlines, so each record spans 3 or 5 physical lines. */
export function writeCsv(dir: string, name: string, rows: PlantedRow[]): WrittenDataset {
  const columns = ['prompt', 'model_answer', 'correct', 'exact_answer'] as const;
  let text = columns.join(',') + '\n';
  let line = 2;
  const lines: number[] = [];
  for (const row of rows) {
    lines.push(line);
    const record = columns.map((c) => csvField(row[c])).join(',') + '\n';
    text += record;
    line += record.split('\n').length - 1;
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return { file, rows, lines };
}
