// What a file of answers generated elsewhere (vLLM, the paper's scripts) looks like, and which benchmark
// it answers. Two layouts are read:
// - 'benchmark': a raw benchmark file (the paper's data/*.csv columns, TriviaQA's JSON, …) plus a
//   `model_answer` column; the benchmark is detected as `generate` detects it, from the other columns;
// - 'model-output': the paper's model-output file (§6.1: raw_question, question, model_answer,
//   correct_answer, …); the kind then comes from its extra columns, the paper's file name
//   (`{model}-answers-{dataset}.csv`) or what correct_answer holds.

import { type DatasetKind, isDatasetKind } from '../../../contract/datasetKinds';
import { DatasetError } from '../../dataset/errors';
import { isUnnamedIndexColumn, type Table } from '../../dataset/table';
import { looksLikeListLiteral } from '../kinds/cells';
import { detectDatasetKind, type KindDetection } from '../kinds/detectKind';

export type AnswersLayout = 'benchmark' | 'model-output';

/** The columns `judge` computes: an input's own values in them are replaced, never kept beside. */
export const JUDGED_COLUMNS = ['automatic_correctness', 'exact_answer', 'valid_exact_answer', 'exact_answer_source'] as const;

/** What `generate` writes beside the benchmark's columns: not evidence of which benchmark a file is. */
const ANSWER_SIDE_COLUMNS = new Set(['model_answer', ...JUDGED_COLUMNS, 'input_output_ids', 'token_logits', 'token_logprobs', 'token_probs']);

export interface LayoutDetection {
  layout: AnswersLayout;
  reason: string;
}

/** The answers' model and benchmark as the paper's file names give them (`mistral-7b-instruct-answers-movies_test.csv`). */
export interface FileNameHint {
  model: string;
  dataset?: DatasetKind;
}

export function detectAnswersLayout(table: Table): LayoutDetection {
  const named = table.columns.filter((column) => !isUnnamedIndexColumn(column));
  if (!named.includes('model_answer')) {
    throw new DatasetError(
      { file: table.file, column: 'model_answer' },
      `no model_answer column (columns: ${named.join(', ')}): judge labels answers generated elsewhere, one per row in a ` +
        `model_answer column beside the benchmark's own columns or in the paper's model-output layout; for a benchmark ` +
        `without answers, run generate`,
    );
  }
  if (named.includes('correct_answer') && (named.includes('raw_question') || named.includes('question'))) {
    return { layout: 'model-output', reason: "columns question/raw_question, model_answer, correct_answer (the paper's model-output layout)" };
  }
  return { layout: 'benchmark', reason: "a benchmark's own columns plus model_answer" };
}

/** `{model}-answers-{dataset}[_test]` → the model's friendly name and the dataset, as the reference names its outputs. */
export function fileNameHint(file: string): FileNameHint | undefined {
  const base = file.split(/[\\/]/).pop() ?? '';
  const name = base.replace(/\.[^.]*$/, '');
  const match = /^(.+)-answers-([a-z_]+?)(?:_test)?$/.exec(name);
  if (!match) return undefined;
  return { model: match[1], dataset: isDatasetKind(match[2]) && match[2] !== 'qa' ? match[2] : undefined };
}

/** The benchmark a file of answers answers, or undefined when nothing tells (the caller asks for --dataset-kind). */
export function detectAnswersKind(table: Table, layout: AnswersLayout): KindDetection | undefined {
  if (layout === 'benchmark') {
    const columns = table.columns.filter((column) => !ANSWER_SIDE_COLUMNS.has(column));
    return detectDatasetKind(columns, table.records);
  }
  return detectModelOutputKind(table);
}

const SAMPLE = 50;

function detectModelOutputKind(table: Table): KindDetection {
  const columns = new Set(table.columns);
  // The columns generate_model_answers.py adds per kind (§6.1) are the surest sign.
  if (columns.has('incorrect_answer') && (columns.has('stereotype') || columns.has('type'))) {
    return { kind: 'winobias', reason: 'model-output columns with incorrect_answer, stereotype, type (winobias)' };
  }
  if (columns.has('incorrect_answer')) return { kind: 'winogrande', reason: 'model-output columns with incorrect_answer and no stereotype (winogrande)' };
  if (columns.has('origin')) return { kind: 'mnli', reason: 'model-output columns with origin (mnli)' };
  const hint = fileNameHint(table.file);
  if (hint?.dataset !== undefined) return { kind: hint.dataset, reason: `the paper's file name (${hint.model}-answers-${hint.dataset})` };

  const golds = table.records
    .slice(0, SAMPLE)
    .map((record) => record.correct_answer)
    .filter((value) => value !== undefined && value !== null && value !== '');
  const questions = table.records.slice(0, SAMPLE).map((record) => record.question);
  if (golds.length > 0 && golds.every((v) => Array.isArray(v) || (typeof v === 'string' && looksLikeListLiteral(v)))) {
    return { kind: 'triviaqa', reason: 'correct_answer holds alias lists (TriviaQA)' };
  }
  if (golds.length > 0 && golds.every(isBinaryLabel) && questions.every((q) => typeof q === 'string' && q.startsWith('Classify the following movie reviews'))) {
    return { kind: 'imdb', reason: "correct_answer holds 0/1 labels and the prompts are the reference's IMDB prompt" };
  }
  if (golds.length > 0 && golds.every(isFloatValue)) {
    return { kind: 'math', reason: 'correct_answer holds floats such as 9.0 (math, whose gold is eval(answer)[0])' };
  }
  return {
    kind: 'qa',
    reason:
      "the paper's model-output columns with single-string golds: judged by the generic qa rule (an alias in the answer); " +
      'name the benchmark with --dataset-kind (movies, hotpotqa, …) for its own rule',
  };
}

function isBinaryLabel(value: unknown): boolean {
  return value === 0 || value === 1 || value === '0' || value === '1';
}

/** pandas writes math's float gold as its repr ("9.0"); a JSON file holds the number. */
function isFloatValue(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && /^[-+]?\d+\.\d+(?:[eE][-+]?\d+)?$/.test(value.trim());
}
