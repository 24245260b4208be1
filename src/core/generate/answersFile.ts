// The generated-answers file: one JSON object per line, in the paper's model-output columns (§6.1:
// raw_question, question, model_answer, correct_answer, automatic_correctness, exact_answer,
// valid_exact_answer, the kind's extra columns) plus the token ids the probes read, so the probing side
// reads it without a column mapping. It is written row by row to `<file>.partial` and renamed when
// complete; a stopped run resumes from the partial file's complete lines.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { LayerProbeError } from '../../contract/errors';
import type { ExactAnswerSource } from './judgeText';
import type { AnswerRow } from './kinds/answerRow';

export type GeneratedAnswerRow = { id?: unknown } & AnswerRow & {
    /** Where exact_answer came from: the gold found in the answer, the kind's correctness rule, the extraction model or the short-answer heuristic. */
    exact_answer_source: ExactAnswerSource;
    /** Prompt ids (BOS included) + generated ids: the sequence the probes read, as the reference's .pt file. */
    input_output_ids: number[];
    /**
     * Per generated token (input_output_ids after the prompt): the chosen token's logit, log-probability and
     * probability (softmax over the whole vocabulary) — the reference's `scores`, which the logprob
     * baseline reads. Absent in rows judged from answers generated elsewhere.
     */
    token_logits?: number[];
    token_logprobs?: number[];
    token_probs?: number[];
  };

export class AnswersFileError extends LayerProbeError {
  override name = 'AnswersFileError';
}

export function formatAnswersJsonl(rows: readonly GeneratedAnswerRow[]): string {
  return rows.map((row) => JSON.stringify(row) + '\n').join('');
}

/** Writes through a temporary file, so an interrupted run never leaves a half file that looks complete. */
export function writeAnswersJsonl(file: string, rows: readonly GeneratedAnswerRow[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, formatAnswersJsonl(rows), 'utf8');
  fs.renameSync(partial, file);
}

/** Appends rows to `<file>.partial` as they are generated, and renames it to `file` when all are there. */
export class AnswersWriter {
  private constructor(
    readonly file: string,
    readonly partial: string,
  ) {}

  /**
   * Refuses to write over the question file, or over a finished answers file (choose another --out or
   * delete it); an existing `.partial` file is kept for resumedRows.
   */
  static open(file: string, sourceFile: string): AnswersWriter {
    const target = path.resolve(file);
    const same = (a: string, b: string): boolean => {
      try {
        return fs.realpathSync(a) === fs.realpathSync(b);
      } catch {
        return path.resolve(a) === path.resolve(b);
      }
    };
    if (same(target, sourceFile)) throw new AnswersFileError(`${file}: the answers file would overwrite the question file; choose another output file`);
    if (fs.existsSync(target)) throw new AnswersFileError(`${file} already exists: probe it, delete it, or choose another output file`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    return new AnswersWriter(target, `${target}.partial`);
  }

  /**
   * The complete rows of an earlier run's partial file, checked against the questions (`matches`), in
   * order; a last line cut off by a kill is dropped from the file. Empty when there is none.
   */
  resumedRows(count: number, matches: (index: number, row: GeneratedAnswerRow) => boolean): GeneratedAnswerRow[] {
    if (!fs.existsSync(this.partial)) return [];
    const text = fs.readFileSync(this.partial, 'utf8');
    const rows: GeneratedAnswerRow[] = [];
    let kept = 0;
    for (let start = 0; start < text.length && rows.length < count; ) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      let row: GeneratedAnswerRow;
      try {
        row = JSON.parse(text.slice(start, end)) as GeneratedAnswerRow;
      } catch {
        break;
      }
      if (!matches(rows.length, row)) {
        throw new AnswersFileError(
          `${this.partial}: row ${rows.length} was generated for another question ("${String(row.raw_question).slice(0, 60)}"); delete the partial file to start again`,
        );
      }
      rows.push(row);
      kept = end + 1;
      start = end + 1;
    }
    if (kept < text.length) fs.truncateSync(this.partial, Buffer.byteLength(text.slice(0, kept)));
    return rows;
  }

  append(rows: readonly GeneratedAnswerRow[]): void {
    const fd = fs.openSync(this.partial, 'a');
    try {
      fs.writeSync(fd, formatAnswersJsonl(rows));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  complete(): void {
    if (!fs.existsSync(this.partial)) fs.writeFileSync(this.partial, '');
    fs.renameSync(this.partial, this.file);
  }
}
