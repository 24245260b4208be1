import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { readTable } from '../../../src/core/dataset/readTable';
import { fixtureDataset, fixtureModel } from '../../helpers/fixtures';
import { instructFixture } from '../../helpers/instructModel';

// The real dist/cli.js bundle (npm test builds it first), as a user runs it.
const CLI = path.resolve('dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

/** mnli_validation.csv's first rows with answers (golds: entailment, contradiction, entailment, …). */
function mnliAnswers(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-cli-judge-'));
  const lines = fs.readFileSync(fixtureDataset('llmsknow', 'mnli_validation.csv'), 'utf8').split('\n');
  const answers = ['Entailment.', 'It is neutral.', 'entailment', '"contradiction, clearly"'];
  const file = path.join(dir, 'mnli_answers.csv');
  fs.writeFileSync(file, [`${lines[0]},model_answer`, ...answers.map((a, i) => `${lines[i + 1]},${a}`)].join('\n') + '\n');
  return file;
}

test('judge labels a file from the command line and prints what it did', async () => {
  const file = mnliAnswers();
  const out = run('judge', file, '--model-kind', 'instruct', '--quiet');
  assert.equal(out.status, 0, out.stderr);
  const judged = file.replace(/\.csv$/, '-judged.csv');
  assert.match(out.stdout, /^4 answers judged \(mnli: columns Question, Answer, Origin \(data\/mnli_\*\.csv\); instruct model: given; benchmark layout\)\n/);
  const table = await readTable(judged);
  assert.deepEqual(table.records.map((r) => r.correct_answer), ['entailment', 'contradiction', 'entailment', 'contradiction']);
  // "It is neutral." names the wrong class; the other three name their gold first.
  assert.deepEqual(table.records.map((r) => r.automatic_correctness), ['1', '0', '1', '1']);
  assert.deepEqual(table.records.map((r) => r.exact_answer), ['entailment', 'neutral', 'entailment', 'contradiction']);
  assert.match(out.stdout, /accuracy: 75\.0 % \(3\/4\)\n/);
  assert.match(out.stdout, /exact answers: from the kind's correctness rule \(no extraction\) \(rows by source: correctness 4\)/);
  assert.match(out.stdout, new RegExp(`judged: +${judged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
  // The quoted answer with a comma survived the round trip.
  assert.equal(table.records[3].model_answer, 'contradiction, clearly');

  // Again: the output exists now, so it is refused (exit 1) and left alone; --force replaces it.
  const stamp = fs.statSync(judged).mtimeMs;
  const again = run('judge', file, '--model-kind', 'instruct');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /mnli_answers-judged\.csv already exists: delete it, choose another --out, or pass --force/);
  assert.equal(fs.statSync(judged).mtimeMs, stamp);
  assert.equal(run('judge', file, '--model-kind', 'instruct', '--force', '--quiet').status, 0);

  const same = run('judge', file, '--model-kind', 'instruct', '--out', file, '--force');
  assert.equal(same.status, 1);
  assert.match(same.stderr, /would overwrite the answers file it is made from/);
});

test('judge --extraction-model: the summary says which extraction ran (greedy, sampled with its seed, or the heuristic)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-cli-judge-math-'));
  const lines = fs.readFileSync(fixtureDataset('llmsknow', 'AnswerableMath_test.csv'), 'utf8').split('\n');
  // Golds 21.0 and 82.0: one right, one wrong answer.
  const file = path.join(dir, 'math_answers.csv');
  fs.writeFileSync(file, [`${lines[0]},model_answer`, `${lines[1]},It drops by 21 degrees.`, `${lines[2]},There are 90 left.`].join('\n') + '\n');
  const extractor = instructFixture('tiny-mistral-instruct');
  const summary = (...flags: string[]): string => {
    const out = run('judge', file, '--model-kind', 'instruct', '--quiet', '--force', '--provider', 'cpu', ...flags);
    assert.equal(out.status, 0, out.stderr);
    return out.stdout;
  };
  assert.match(summary(), /exact answers: correct rows: the gold found in the answer; wrong rows: heuristic exact answers .*\(rows by source: gold 1, heuristic 1\)/);
  assert.match(summary('--extraction-model', extractor), /wrong rows: extraction model tiny-mistral-instruct, greedy \(rows by source: gold 1, extraction 1\)/);
  assert.match(summary('--extraction-model', extractor, '--extraction-sampling', '--seed', '2'), /wrong rows: extraction model tiny-mistral-instruct, sampled at T=1, seed 2 \(top_k 50, up to 5 attempts while invalid\)/);
  const base = run('judge', file, '--model-kind', 'instruct', '--force', '--extraction-model', fixtureModel('toy-facts-llama'));
  assert.equal(base.status, 1);
  assert.match(base.stderr, /toy-facts-llama: not usable as the extraction model/);
  fs.rmSync(path.dirname(extractor), { recursive: true, force: true });
});

test('judge: bad command lines exit 2 naming the flag; --help documents it', () => {
  const file = mnliAnswers();
  for (const [args, message] of [
    [['judge', file, '--model-kind', 'chat'], /--model-kind must be one of auto, base, instruct, got "chat"/],
    [['judge', file, '--dataset-kind', 'squad'], /--dataset-kind must be one of auto, qa, /],
    [['judge', file, 'second.csv'], /judge takes one answers file; unexpected argument "second\.csv"/],
    [['judge', file, '--bogus'], /Unknown option '--bogus'/],
  ] as const) {
    const out = run(...args);
    assert.equal(out.status, 2, `${args.join(' ')}: ${out.stderr}`);
    assert.match(out.stderr, message);
    assert.match(out.stderr, /Run `layer-probe judge --help` for the options\.\n$/);
  }
  assert.equal(fs.existsSync(file.replace(/\.csv$/, '-judged.csv')), false, 'nothing written');
  const help = run('judge', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: layer-probe judge <answers-file>/);
  assert.match(help.stdout, /--force +replace --out if it exists/);
  assert.match(run('--help').stdout, /layer-probe judge <answers-file> \[options\]/);
});
