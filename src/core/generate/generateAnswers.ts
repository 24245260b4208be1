// Step 1 of the reference pipeline (generate_model_answers.py): a raw question file → the model's greedy
// answers with their correctness labels and exact answers, ready for probing.

import { DEFAULT_PROMPT_FORMAT, defaultRunOptions, type PromptFormat, type ProviderChoice } from '../../contract/runOptions';
import { providerOrder, quietOnnxruntimeLogging } from '../model/executionProviders';
import { openOriginalSession } from '../model/ortSession';

const DEFAULT_RUN_OPTIONS = defaultRunOptions();
import { loadModelTokenizer, type ModelKind, type ModelTokenizer } from '../tokenize/modelTokenizer';
import { promptTokens } from '../tokenize/sequence';
import type { GeneratedAnswerRow } from './answersFile';
import { judgeAnswer } from './correctness';
import { generateGreedy } from './greedy';
import { checkPromptTemplate, DEFAULT_PROMPT_TEMPLATE, renderPrompt } from './promptTemplate';
import { readQuestions } from './questionFile';

export interface GenerateAnswersOptions {
  questionsFile: string;
  modelDir: string;
  /** `{question}` is replaced by the question (default `Q: {question}\nA:`). */
  promptTemplate?: string;
  /** Default: the first of question, Question, q. */
  questionColumn?: string;
  /** Default: the first of gold_answer, answer, Answer, correct_answer. */
  goldColumn?: string;
  /** The reference's 100 (200 for math). */
  maxNewTokens?: number;
  /** Only the first `limit` questions of the file. */
  limit?: number;
  batchSize?: number;
  /** Overrides the base/instruct decision, which picks the stop token (newline vs EOS). */
  modelKind?: ModelKind;
  /** Chat template and add_generation_prompt: the probing run must use the same to find q_length. */
  promptFormat?: PromptFormat;
  executionProvider?: ProviderChoice;
  onProgress?: (done: number, total: number) => void;
}

export interface GeneratedAnswers {
  rows: GeneratedAnswerRow[];
  questionColumn: string;
  goldColumn: string;
  /** Fraction of rows with automatic_correctness 1. */
  accuracy: number;
  modelKind: ModelKind;
  stopIds: readonly number[];
  /** The execution provider that ran the model. */
  provider: string;
}

export async function generateAnswers(options: GenerateAnswersOptions): Promise<GeneratedAnswers> {
  const template = options.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE;
  checkPromptTemplate(template);
  const { questions, questionColumn, goldColumn } = await readQuestions(options.questionsFile, options);
  const tok = loadModelTokenizer(options.modelDir, { kind: options.modelKind });
  const prompts = questions.map((q) => renderPrompt(template, q.question));
  // The probing side's own prompt tokenization, so that q_length there is the prompt length here.
  const promptFormat = options.promptFormat ?? DEFAULT_PROMPT_FORMAT;
  const promptIds = prompts.map((prompt) => promptTokens(tok, prompt, promptFormat));

  quietOnnxruntimeLogging();
  const original = await openOriginalSession(options.modelDir, providerOrder(options.executionProvider ?? DEFAULT_RUN_OPTIONS.executionProvider));
  let generated: number[][];
  try {
    generated = await generateGreedy(original, promptIds, {
      maxNewTokens: options.maxNewTokens ?? 100,
      stopIds: tok.stopIds,
      batchSize: options.batchSize,
      onProgress: options.onProgress,
    });
  } finally {
    await original.session.release();
  }

  const judgeOptions = { firstLineOnly: tok.kind === 'base', endTokens: endTokenTexts(tok) };
  const rows = questions.map((q, i): GeneratedAnswerRow => {
    const answer = tok.decode(generated[i]);
    const judgement = judgeAnswer(answer, q.aliases, judgeOptions);
    const row: GeneratedAnswerRow = {
      question: prompts[i],
      raw_question: q.question,
      model_answer: answer,
      gold_answer: q.gold,
      automatic_correctness: judgement.correct,
      exact_answer: judgement.exactAnswer,
      valid_exact_answer: judgement.validExactAnswer,
      input_output_ids: [...promptIds[i], ...generated[i]],
    };
    return q.id === undefined ? row : { id: q.id, ...row };
  });
  const correct = rows.filter((row) => row.automatic_correctness === 1).length;
  return {
    rows,
    questionColumn,
    goldColumn,
    accuracy: rows.length === 0 ? 0 : correct / rows.length,
    modelKind: tok.kind,
    stopIds: tok.stopIds,
    provider: original.provider,
  };
}

/** Text of the tokens that can end an answer, except whitespace ones (the first-line cut handles "\n"). */
function endTokenTexts(tok: ModelTokenizer): string[] {
  const ids = new Set([...tok.stopIds, ...tok.eosIds]);
  return [...ids].map((id) => tok.decode([id])).filter((text) => text.trim() !== '');
}
