// Which benchmark a raw question file is, from its own columns (and a look at a few values where the
// columns alone cannot tell). The layouts are those the reference's loaders read (llmsknow-pipeline.md
// §4.2, §6.2): its data/*.csv, TriviaQA's unfiltered-web JSON, HF hotpot_qa and imdb.
//
// qa vs movies vs triviaqa: the three share "a question and its gold", so they are told apart by what
// the gold looks like and by the exact column names:
// - triviaqa: the gold is an alias list (TriviaQA's `Answer.Aliases` / HF's `answer.aliases` object,
//   an `aliases` column, or list values / list literals in the gold column);
// - movies: exactly the two columns `Question`, `Answer` (capitalised, as data/movie_qa_*.csv);
// - qa: any other question column + single-string gold column (toy-facts' `question`, `gold_answer`).

import type { DatasetKind } from '../../../contract/datasetKinds';
import { isUnnamedIndexColumn } from '../../dataset/table';
import { looksLikeListLiteral, objectField } from './cells';

export interface KindDetection {
  kind: DatasetKind;
  /** Why, in words, for the log and the "is this right?" prompt. */
  reason: string;
}

/** How many records the value checks look at: enough to be sure, few enough for a 10,000-row file. */
const SAMPLE = 50;

export const QA_QUESTION_COLUMNS = ['question', 'Question', 'q'] as const;
export const QA_GOLD_COLUMNS = ['gold_answer', 'answer', 'Answer', 'correct_answer'] as const;

export function detectDatasetKind(columns: string[], records: Record<string, unknown>[]): KindDetection | undefined {
  const named = columns.filter((column) => !isUnnamedIndexColumn(column));
  const lower = new Set(named.map((column) => column.toLowerCase()));
  const hasAll = (...names: string[]) => names.every((name) => lower.has(name.toLowerCase()));
  const exact = (name: string) => named.find((column) => column.toLowerCase() === name.toLowerCase());
  const sample = records.slice(0, SAMPLE);
  const values = (column: string | undefined) =>
    column === undefined ? [] : sample.map((record) => record[column]).filter((v) => v !== undefined && v !== null && v !== '');

  // A file that already holds model answers is an answers file, not a benchmark: its `question` is
  // the full prompt, which would be wrapped in a second prompt.
  if (lower.has('model_answer')) return undefined;

  if (hasAll('sentence', 'q', 'q_instruct', 'answer', 'incorrect_answer')) {
    return { kind: 'winobias', reason: 'columns sentence, q, q_instruct, answer, incorrect_answer (data/winobias_*.csv)' };
  }
  if (hasAll('question', 'answer', 'wrong_answer')) {
    return { kind: 'winogrande', reason: 'columns Question, Answer, Wrong_Answer (data/winogrande_*.csv)' };
  }
  if (hasAll('question', 'answer', 'origin')) {
    return { kind: 'mnli', reason: 'columns Question, Answer, Origin (data/mnli_*.csv)' };
  }
  if (hasAll('question', 'answer')) {
    const answers = values(exact('answer'));
    if (hasAll('answerable') || hasAll('relevant_ids')) {
      return { kind: 'math', reason: 'columns question, answer, answerable / relevant_ids (data/AnswerableMath*.csv)' };
    }
    if (answers.length > 0 && answers.every(isOneNumberList)) {
      return { kind: 'math', reason: 'the answer cells are one-number lists such as [9.0] (AnswerableMath)' };
    }
  }

  const question = exact('question');
  const context = exact('context');
  if (question !== undefined && context !== undefined && hasAll('answer')) {
    const contexts = values(context);
    const hotpotMarkers = hasAll('supporting_facts') || hasAll('type', 'level');
    if (hotpotMarkers || (contexts.length > 0 && contexts.every((v) => typeof v === 'object'))) {
      return { kind: 'hotpotqa_with_context', reason: 'HotpotQA records (question, answer, structured context)' };
    }
    if (contexts.length > 0 && contexts.every((v) => typeof v === 'string')) {
      return { kind: 'natural_questions_with_context', reason: 'columns Question, Answer, Context (data/nq_wc_dataset.csv)' };
    }
  }
  if (question !== undefined && hasAll('answer', 'supporting_facts')) {
    return { kind: 'hotpotqa', reason: 'HotpotQA records (question, answer, supporting_facts) without a context column' };
  }

  if (hasAll('text', 'label') && values(exact('label')).every(isBinaryLabel)) {
    return { kind: 'imdb', reason: 'columns text, label with 0/1 labels (HF imdb)' };
  }
  if (hasAll('review', 'sentiment')) {
    return { kind: 'imdb', reason: 'columns review, sentiment (IMDB reviews)' };
  }

  if (question !== undefined) {
    const answer = exact('answer');
    const answerValues = values(answer);
    if (answerValues.length > 0 && answerValues.every((v) => objectField(v, 'aliases') !== undefined)) {
      return { kind: 'triviaqa', reason: `the ${answer} cells hold an alias list (TriviaQA's Answer.Aliases)` };
    }
    const aliasColumn = named.find((c) => ['aliases', 'answer.aliases'].includes(c.toLowerCase()));
    if (aliasColumn !== undefined) return { kind: 'triviaqa', reason: `an alias-list column ${aliasColumn} (TriviaQA)` };
  }
  const qaQuestion = QA_QUESTION_COLUMNS.find((c) => named.includes(c));
  const qaGold = QA_GOLD_COLUMNS.find((c) => named.includes(c));
  if (qaQuestion !== undefined && qaGold !== undefined) {
    const golds = values(qaGold);
    if (golds.length > 0 && golds.every((v) => Array.isArray(v) || (typeof v === 'string' && looksLikeListLiteral(v)))) {
      return { kind: 'triviaqa', reason: `the ${qaGold} cells are alias lists (TriviaQA)` };
    }
    if (named.length === 2 && named.includes('Question') && named.includes('Answer')) {
      return { kind: 'movies', reason: 'exactly the columns Question, Answer (data/movie_qa_*.csv)' };
    }
    return { kind: 'qa', reason: `a question column ${qaQuestion} and a single gold answer column ${qaGold}` };
  }
  return undefined;
}

function isOneNumberList(value: unknown): boolean {
  return typeof value === 'string' && /^\s*\[\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*,?\s*\]\s*$/.test(value);
}

function isBinaryLabel(value: unknown): boolean {
  return value === 0 || value === 1 || value === '0' || value === '1';
}
