// The rows of a paper-layout answers file (§6.1) → the items the judges read, with the values the
// reference's scripts see after pandas re-reads the file: correct_answer as TriviaQA's alias list (its
// repr is eval'd), math's float, IMDB's 0/1 label, or the gold string.

import type { DatasetKind } from '../../../contract/datasetKinds';
import type { Parsed } from '../../dataset/cellValues';
import { DatasetError } from '../../dataset/errors';
import type { Table } from '../../dataset/table';
import { goldAliases, GoldAnswerError } from '../goldAnswers';
import { aliasListCell, imdbLabelCell, looksLikeListLiteral, mathGoldCell, optionalTextCell, textCell } from '../kinds/cells';
import { pyFloatStr, pyIntStr } from '../kinds/pythonText';
import type { BenchmarkItem, GoldValue } from '../kinds/types';

/** One row: the item, and the prompt the answer was generated from (the file's `question`). */
export interface ModelOutputItem {
  item: BenchmarkItem;
  prompt: string;
}

export function modelOutputItems(table: Table, kind: DatasetKind): ModelOutputItem[] {
  const fromCsv = table.format === 'csv';
  return table.records.map((record, rowIndex) => {
    const line = table.lines[rowIndex];
    const fail = (column: string, problem: string): never => {
      throw new DatasetError({ file: table.file, rowIndex, line, column }, problem);
    };
    const get = <T>(column: string, parse: (value: unknown) => Parsed<T>): T => {
      const parsed = parse(record[column]);
      return 'problem' in parsed ? fail(column, parsed.problem) : parsed.value;
    };
    const text = (column: string): string => get(column, (value) => textCell(value, fromCsv));
    // extract_exact_answer.py reads raw_question and falls back to question; the prompt is `question`.
    const questionColumn = 'raw_question' in record ? 'raw_question' : 'question';
    const rawQuestion = text(questionColumn);
    const prompt = 'question' in record ? text('question') : rawQuestion;
    const correctAnswer = get('correct_answer', (value) => goldCell(kind, value, fromCsv));
    let aliases: string[];
    try {
      aliases = kind === 'math' ? [...new Set([pyFloatStr(correctAnswer as number), pyIntStr(correctAnswer as number)])] : goldAliases(correctAnswer);
    } catch (err) {
      if (err instanceof GoldAnswerError) return fail('correct_answer', err.message);
      throw err;
    }
    if (aliases.length === 0) fail('correct_answer', 'the gold answer has no non-blank alias');
    const item: BenchmarkItem = { rowIndex, line, rawQuestion, correctAnswer, aliases };
    if (record.id !== undefined) item.id = record.id;
    if (kind === 'winobias' || kind === 'winogrande') item.incorrectAnswer = text('incorrect_answer');
    if (kind === 'winobias') {
      item.stereotype = optionalTextCell(record.stereotype, fromCsv);
      const type = optionalTextCell(record.type, fromCsv);
      // pandas reads the 1/2 column as integers and writes them back as such.
      item.type = type !== undefined && /^-?\d+$/.test(type) ? Number(type) : type;
    }
    if (kind === 'mnli') item.origin = optionalTextCell(record.origin, fromCsv);
    return { item, prompt };
  });
}

function goldCell(kind: DatasetKind, value: unknown, fromCsv: boolean): Parsed<GoldValue> {
  switch (kind) {
    case 'triviaqa':
      return aliasListCell(value);
    case 'math':
      if (typeof value === 'number' && Number.isFinite(value)) return { value };
      if (typeof value === 'string' && looksLikeListLiteral(value)) return mathGoldCell(value);
      if (typeof value === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value.trim())) return { value: Number(value) };
      return { problem: `expected math's gold number (9.0), found ${JSON.stringify(value)}` };
    case 'imdb':
      return imdbLabelCell(value);
    case 'qa':
      // The generic kind accepts a JSON alias array as generate does.
      return Array.isArray(value) ? aliasListCell(value.map((v: unknown) => (typeof v === 'number' ? String(v) : v))) : textCell(value, fromCsv);
    default:
      return textCell(value, fromCsv);
  }
}
