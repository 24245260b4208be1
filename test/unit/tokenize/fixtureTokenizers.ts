import { loadModelTokenizer, type ModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import type { DatasetRow } from '../../../src/core/types';
import { fixtureModel } from '../../helpers/fixtures';

// Loaded once per test file (≈150 ms each).
export const gpt2: ModelTokenizer = loadModelTokenizer(fixtureModel('tiny-random-gpt2-fused'));
export const llama: ModelTokenizer = loadModelTokenizer(fixtureModel('toy-facts-llama'));

/** The toy-facts prompt format: "Q: {question}\nA:" (the model answers " {answer}\n"). */
export const CAPITAL_PROMPT = 'Q: What is the capital of Zomtrinusia?\nA:';
export const FOUNDER_PROMPT = 'Q: Who founded Baithgrain?\nA:';

export function row(prompt: string, answer: string, extra: Partial<DatasetRow> = {}): DatasetRow {
  return { rowIndex: 3, line: 5, prompt, answer, correct: 1, ...extra };
}
