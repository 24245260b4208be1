// Two answered datasets about toy-facts-llama's world, and a probing run of each written as a run folder
// (result.json), for the transfer tests: capitals (A) and founding years (B). Each answer is the gold one
// or another question's gold of the same kind, chosen by a seeded LCG, so both classes are on every side.
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ProbeResult } from '../../../src/contract/result';
import { type RunOptions,runOptions } from '../../../src/contract/runOptions';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { fixtureDataset, fixtureModel } from '../../helpers/fixtures';

export const TOY_MODEL = fixtureModel('toy-facts-llama');

interface Question {
  question: string;
  gold_answer: string;
}

/** `rows` answered rows of the questions matching `kind`, as JSONL in `dir/name`. */
export function toyFactsDataset(dir: string, name: string, kind: RegExp, rows: number, seed: number): string {
  const questions = fs
    .readFileSync(fixtureDataset('toy-facts', 'facts_questions_only.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Question)
    .filter((q) => kind.test(q.question))
    .slice(0, rows);
  let state = seed;
  const rand = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = questions.map((q, i) => {
    const correct = rand() < 0.5 ? 1 : 0;
    const answer = correct ? q.gold_answer : questions[(i + 1 + Math.floor(rand() * (questions.length - 1))) % questions.length].gold_answer;
    return JSON.stringify({ prompt: `Q: ${q.question}\nA:`, model_answer: ` ${answer}\n`, correct: answer === q.gold_answer ? 1 : 0, exact_answer: answer });
  });
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Probes `datasetFile` with `overrides` and writes the result as `<dir>/<folder>/result.json`. */
export async function probeRun(dir: string, folder: string, datasetFile: string, cacheDir: string, overrides: Partial<RunOptions> = {}): Promise<{ file: string; result: ProbeResult }> {
  const options = runOptions({ modelFolder: TOY_MODEL, sampleLimit: 0, baselines: false, ...overrides });
  const result = await runProbe({ datasetFile, options, cacheDir, maxBatchSize: 16 });
  const file = path.join(dir, folder, 'result.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result));
  return { file, result };
}
