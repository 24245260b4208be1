// Computes the paper's baselines on the probes' test rows with the probed model: the logprob baseline
// from the scores `generate` recorded (the reference's saved generation `scores`) or, for answers from
// elsewhere, one teacher-forced pass over each row's prompt + answer ids; and one forward pass per row
// and option order for p(True). Only the test rows are scored (the baselines train nothing).

import { RunCancelled } from '../../contract/errors';
import type { BaselineResults, BaselineScore } from '../../contract/result';
import type { PromptFormat, ProviderChoice } from '../../contract/runOptions';
import { TOKEN_POSITIONS } from '../../contract/types';
import { ActivationSession } from '../model/activationSession';
import { providerOrder, quietOnnxruntimeLogging } from '../model/executionProviders';
import { rocAuc } from '../probe/auc';
import { BOOTSTRAP_DEFAULTS,bootstrapAucInterval } from '../probe/bootstrap';
import type { ModelTokenizer } from '../tokenize/modelTokenizer';
import { promptTokens } from '../tokenize/sequence';
import type { PreparedSequence } from '../types';
import { type LogprobRowScores, logprobRowScores } from './logprob';
import { pTruePrompt } from './pTrue';
import { chosenTokenScores, type TokenScores, twoWaySoftmax } from './tokenScores';

/** What one test row contributes to the baselines; cached per row (baselineCache.ts). */
export interface RowBaselineScores {
  /** logprob aggregates over the whole answer, and over the exact-answer span ({} without one). */
  whole: LogprobRowScores;
  exact: LogprobRowScores;
  pTrue: number;
  pTrueReversed: number;
  /** Where the logprob scores came from (absent in caches written before it was recorded: teacher-forced). */
  tokenScores?: 'generation' | 'teacher-forced';
}

export interface BaselineRequest {
  modelDir: string;
  executionProvider: ProviderChoice;
  /** Logits memory one batch may hold ([rows, seqLen, vocab] float32). */
  batchMemoryBytes: number;
  tokenizer: ModelTokenizer;
  promptFormat: PromptFormat;
  /** The test rows, in the result's `test` order. */
  sequences: PreparedSequence[];
  labels: (0 | 1)[];
  /** p(True)'s question (the reference's raw_question, else the prompt) and possible answer (model_answer). */
  questions: string[];
  answers: string[];
  /** False when the dataset has no exact answers: the span aggregates are then not computed. */
  hasExactAnswers: boolean;
  seed: number;
  afterLastSignBug: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Rows already scored (by position in `sequences`): the model is loaded only when some are missing. */
  known?: (RowBaselineScores | undefined)[];
  /**
   * Per test row, the generated tokens' logits and probabilities as `generate` recorded them; used when
   * there is one per answer token (ids after q_length), else the row is teacher-forced.
   */
  generationScores?: (TokenScores | undefined)[];
}

const EXACT_FIRST = TOKEN_POSITIONS.indexOf('exact_answer_first');
const EXACT_LAST = TOKEN_POSITIONS.indexOf('exact_answer_last');

/** Per-row baseline scores of every test row: those in `known` as given, the others computed. */
export async function scoreBaselineRows(request: BaselineRequest): Promise<RowBaselineScores[]> {
  const known = request.known ?? [];
  const missing = request.sequences.map((_, i) => i).filter((i) => known[i] === undefined);
  if (missing.length === 0) return known as RowBaselineScores[];
  quietOnnxruntimeLogging();
  const session = await ActivationSession.open(request.modelDir, {
    locations: [],
    keepLogits: true,
    executionProviders: providerOrder(request.executionProvider),
  });
  try {
    const total = missing.length * 3;
    let done = 0;
    const tick = (rows: number): void => {
      done += rows;
      request.onProgress?.(done, total);
    };
    const sub: BaselineRequest = {
      ...request,
      sequences: missing.map((i) => request.sequences[i]),
      questions: missing.map((i) => request.questions[i]),
      answers: missing.map((i) => request.answers[i]),
    };
    // Recorded scores where they fit the row's ids; a teacher-forced pass for the others.
    const recorded = missing.map((i) => {
      const scores = request.generationScores?.[i];
      const seq = request.sequences[i];
      return scores !== undefined && scores.logits.length === seq.ids.length - seq.qLength ? scores : undefined;
    });
    const forced = recorded.map((r, k) => (r === undefined ? k : -1)).filter((k) => k >= 0);
    const forcedScores = await teacherForced(session, { ...sub, sequences: forced.map((k) => sub.sequences[k]) }, tick);
    const logprob: LogprobRowScores[][] = recorded.map((r, k) => (r === undefined ? [] : spanScores(request, sub.sequences[k], r)));
    forced.forEach((k, f) => (logprob[k] = forcedScores[f]));
    tick(missing.length - forced.length);
    // A p(True) prompt wraps the question and the whole answer: it can outgrow a short position table.
    const fits = (reversed: boolean): boolean => {
      const max = session.folder.maxPositions;
      return max === undefined || sub.questions.every((q, i) => promptTokens(request.tokenizer, pTruePrompt(q, sub.answers[i], reversed), request.promptFormat).length <= max);
    };
    const pTrue = fits(false) ? await pTrueScores(session, sub, false, tick) : sub.sequences.map(() => Number.NaN);
    const pTrueReversed = fits(true) ? await pTrueScores(session, sub, true, tick) : sub.sequences.map(() => Number.NaN);
    const rows = [...known];
    missing.forEach((i, k) => {
      const tokenScores = recorded[k] === undefined ? 'teacher-forced' : 'generation';
      rows[i] = { whole: logprob[k][0], exact: logprob[k][1], pTrue: pTrue[k], pTrueReversed: pTrueReversed[k], tokenScores };
    });
    return rows as RowBaselineScores[];
  } finally {
    await session.close();
  }
}

/** The baselines' AUCs and intervals from per-row scores (labels and seed from the request). */
export function assembleBaselines(request: Pick<BaselineRequest, 'labels' | 'seed' | 'afterLastSignBug'>, rows: RowBaselineScores[]): BaselineResults {
  const sources = new Set(rows.map((r) => r.tokenScores ?? 'teacher-forced'));
  const tokenScores = sources.size > 1 ? 'mixed' : ([...sources][0] ?? 'teacher-forced');
  return assemble(
    request,
    tokenScores,
    rows.map((r) => [r.whole, r.exact]),
    rows.map((r) => r.pTrue),
    rows.map((r) => r.pTrueReversed),
  );
}

/** Batches of rows (by index) whose [rows, longest, vocab] logits fit the memory budget. */
function batchesOf(lengths: number[], vocab: number, budget: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    if (current.length > 0 && (current.length + 1) * lengths[i] * vocab * 4 > budget) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function vocabOf(session: ActivationSession, logits: Float32Array, rows: number, seqLen: number): number {
  return session.vocabSize ?? logits.length / (rows * seqLen);
}

async function teacherForced(session: ActivationSession, request: BaselineRequest, tick: (rows: number) => void): Promise<LogprobRowScores[][]> {
  const { sequences } = request;
  const vocab = session.vocabSize ?? 1;
  const out: LogprobRowScores[][] = sequences.map(() => []);
  for (const batch of batchesOf(sequences.map((s) => s.ids.length), vocab, request.batchMemoryBytes)) {
    if (request.signal?.aborted) throw new RunCancelled('cancelled during the baselines');
    const { seqLen, logits } = await session.run(batch.map((i) => sequences[i].ids));
    const v = vocabOf(session, logits!, batch.length, seqLen);
    batch.forEach((i, b) => {
      const seq = sequences[i];
      out[i] = spanScores(request, seq, chosenTokenScores(logits!, b * seqLen * v, v, seq.ids, seq.qLength));
    });
    tick(batch.length);
  }
  return out;
}

/** The logprob aggregates of one row over its whole answer and over its exact-answer span. */
function spanScores(request: BaselineRequest, seq: PreparedSequence, scores: TokenScores): LogprobRowScores[] {
  const whole = logprobRowScores(scores);
  // Generation-step indices of the exact answer: absolute positions minus q_length (reference shift).
  const span = { first: seq.positions[EXACT_FIRST] - seq.qLength, last: seq.positions[EXACT_LAST] - seq.qLength };
  const exact = request.hasExactAnswers && span.first >= 0 ? logprobRowScores(scores, span) : {};
  return [whole, exact];
}

async function pTrueScores(session: ActivationSession, request: BaselineRequest, reversed: boolean, tick: (rows: number) => void): Promise<number[]> {
  const tok = request.tokenizer;
  // The reference: tokenizer.encode('A', add_special_tokens=False)[0] (SentencePiece gives '▁A').
  const tokenA = tok.encode('A', { addSpecialTokens: false })[0];
  const tokenB = tok.encode('B', { addSpecialTokens: false })[0];
  const prompts = request.questions.map((q, i) => promptTokens(tok, pTruePrompt(q, request.answers[i], reversed), request.promptFormat));
  const vocab = session.vocabSize ?? 1;
  const out = new Array<number>(prompts.length).fill(Number.NaN);
  for (const batch of batchesOf(prompts.map((p) => p.length), vocab, request.batchMemoryBytes)) {
    if (request.signal?.aborted) throw new RunCancelled('cancelled during the baselines');
    const { seqLen, logits } = await session.run(batch.map((i) => prompts[i]));
    const v = vocabOf(session, logits!, batch.length, seqLen);
    batch.forEach((i, b) => {
      // The first generated token's scores: the logits at the prompt's last position.
      const row = (b * seqLen + prompts[i].length - 1) * v;
      const pA = twoWaySoftmax(logits![row + tokenA], logits![row + tokenB]);
      out[i] = reversed ? 1 - pA : pA;
    });
    tick(batch.length);
  }
  return out;
}

function assemble(
  request: Pick<BaselineRequest, 'labels' | 'seed' | 'afterLastSignBug'>,
  tokenScores: BaselineResults['tokenScores'],
  perRow: LogprobRowScores[][], pTrue: number[], pTrueReversed: number[]): BaselineResults {
  const entries: BaselineScore[] = [];
  const score = (name: string, family: BaselineScore['family'], scores: number[], invert = false): void => {
    // The reference's bug scores with pos_label=0 on the raw value: the same AUC as 1 − score.
    const asCorrect = invert ? scores.map((s) => -s) : scores;
    const auc = rocAuc(request.labels, asCorrect);
    const boot = bootstrapAucInterval(request.labels, asCorrect, { resamples: BOOTSTRAP_DEFAULTS.resamples, seed: request.seed });
    entries.push({ name, family, auc, aucInterval: auc === null ? null : boot.interval, scores });
  };
  for (const [which, prefix] of [
    [0, ''],
    [1, 'exact_answer.'],
  ] as const) {
    const keys = [...new Set(perRow.flatMap((r) => Object.keys(r[which] ?? {})))] as (keyof LogprobRowScores)[];
    for (const kind of ['logits', 'probas'] as const) {
      for (const key of keys.filter((k) => k.startsWith(kind))) {
        const values = perRow.map((r) => r[which]?.[key]);
        if (values.some((v) => v === undefined)) continue; // rows without an exact span: not comparable
        const bug = request.afterLastSignBug && prefix !== '' && key === 'probas_after_last_token';
        score(`${prefix}${key}`, 'logprob', values as number[], bug);
      }
    }
  }
  const notes: string[] = [];
  for (const [name, values] of [
    ['p_true', pTrue],
    ['p_true_reversed', pTrueReversed],
  ] as const) {
    if (values.some((v) => Number.isNaN(v))) notes.push(`${name} not scored: its prompts are longer than the model's position table`);
    else score(name, 'p_true', values);
  }
  const aucOf = (name: string): number => entries.find((e) => e.name === name)?.auc ?? -1;
  const pTrueMax = aucOf('p_true') < 0 && aucOf('p_true_reversed') < 0 ? null : aucOf('p_true') >= aucOf('p_true_reversed') ? 'p_true' : 'p_true_reversed';
  const ranked = entries.filter((e) => e.auc !== null && (e.family !== 'p_true' || e.name === pTrueMax));
  const best = ranked.reduce<BaselineScore | undefined>((b, e) => (!b || e.auc! > b.auc! ? e : b), undefined);
  return { tokenScores, entries, best: best?.name ?? null, pTrueMax, afterLastSignBug: request.afterLastSignBug, ...(notes.length > 0 ? { notes } : {}) };
}
