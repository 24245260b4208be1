// A raw question file (question + gold answer, no model answers) → the questions to generate answers for.

import { isMissing, parseText } from '../dataset/cellValues';
import { DatasetError } from '../dataset/errors';
import { readTable } from '../dataset/readTable';
import { goldAliases, GoldAnswerError } from './goldAnswers';

/** Column names tried in order when none is given: the toy-facts, LLMsKnow data/*.csv and winobias layouts. */
export const QUESTION_COLUMN_NAMES = ['question', 'Question', 'q'] as const;
export const GOLD_COLUMN_NAMES = ['gold_answer', 'answer', 'Answer', 'correct_answer'] as const;

export interface QuestionRecord {
  /** The record's `id` cell, when the file has an `id` column. */
  id?: unknown;
  /** The question text (the reference's `raw_question`). */
  question: string;
  /** The gold cell as read (a string, or an alias list in JSON files), written back unchanged. */
  gold: unknown;
  /** Acceptable answers parsed from `gold`. */
  aliases: string[];
}

export interface QuestionFile {
  file: string;
  questionColumn: string;
  goldColumn: string;
  questions: QuestionRecord[];
}

export interface ReadQuestionsOptions {
  questionColumn?: string;
  goldColumn?: string;
  /** Only the first `limit` records (file order). */
  limit?: number;
}

export async function readQuestions(file: string, options: ReadQuestionsOptions = {}): Promise<QuestionFile> {
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
    throw new RangeError(`limit must be a non-negative integer, got ${options.limit}`);
  }
  const table = await readTable(file);
  const questionColumn = pickColumn(file, table.columns, options.questionColumn, QUESTION_COLUMN_NAMES, 'question');
  const goldColumn = pickColumn(file, table.columns, options.goldColumn, GOLD_COLUMN_NAMES, 'gold answer');
  const hasId = table.columns.includes('id');
  const count = options.limit === undefined ? table.records.length : Math.min(options.limit, table.records.length);

  const questions = table.records.slice(0, count).map((record, rowIndex): QuestionRecord => {
    const where = (column: string) => ({ file, rowIndex, line: table.lines[rowIndex], column });
    const questionCell = record[questionColumn];
    const question = isMissing(questionCell) ? undefined : parseText(questionCell);
    if (question === undefined || 'problem' in question) {
      throw new DatasetError(where(questionColumn), question ? question.problem : 'the question is empty');
    }
    const gold = record[goldColumn];
    if (isMissing(gold)) throw new DatasetError(where(goldColumn), 'the gold answer is empty');
    let aliases: string[];
    try {
      aliases = goldAliases(gold);
    } catch (err) {
      if (err instanceof GoldAnswerError) throw new DatasetError(where(goldColumn), err.message);
      throw err;
    }
    if (aliases.length === 0) throw new DatasetError(where(goldColumn), 'the gold answer has no non-blank alias');
    const entry: QuestionRecord = { question: question.value, gold, aliases };
    if (hasId) entry.id = record.id;
    return entry;
  });
  return { file, questionColumn, goldColumn, questions };
}

function pickColumn(
  file: string,
  columns: string[],
  given: string | undefined,
  candidates: readonly string[],
  role: string,
): string {
  if (given !== undefined) {
    if (!columns.includes(given)) {
      throw new DatasetError({ file }, `no column "${given}" for the ${role} (columns: ${columns.join(', ')})`);
    }
    return given;
  }
  const found = candidates.find((name) => columns.includes(name));
  if (found === undefined) {
    throw new DatasetError(
      { file },
      `no ${role} column: expected one of ${candidates.join(', ')} (columns: ${columns.join(', ')}); name it explicitly`,
    );
  }
  return found;
}
