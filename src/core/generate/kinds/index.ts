// The benchmark kinds of the reference pipeline (llmsknow-pipeline.md §4–§6): detection, reading,
// prompts, generation settings, correctness, exact answers and the output row, per kind.

export { answerColumns, type AnswerRow, answerRow } from './answerRow';
export { NO_ANSWER } from './choiceJudges';
export { detectDatasetKind, type KindDetection } from './detectKind';
export {
  type CorrectRowExactAnswer,
  EXACT_ANSWER_FROM_CORRECTNESS,
  exactAnswerForCorrectRow,
  extractionAnswerText,
  usesExtractionModel,
} from './exactAnswer';
export { extractionPrompt, type ExtractorFamily, extractorFamily, postprocessExtraction } from './extraction';
export { CORRECTNESS_RULES, maxNewTokens, type StopRule, stopRule } from './generation';
export { anyAliasIn, judgeAnswer, type JudgeOptions, mathCorrect } from './judge';
export { naturalQuestionsJudgePrompt, parseJudgeVerdict } from './nqJudge';
export { buildPrompt, type PromptContext } from './prompts';
export { pyFloatStr, pyIntStr, pyReprStrList, pyRoundStr } from './pythonText';
export { benchmarkFromTable, readBenchmark, type ReadBenchmarkOptions } from './readBenchmark';
export type { Benchmark, BenchmarkItem, ExactAnswer, GoldValue, Judgement } from './types';
