import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { chooseExtractionModel } from '../../../src/core/generate/extraction/chooseExtractionModel';
import {
  ExactAnswerExtractor,
  ExtractionModelError,
  type ExtractionOutcome,
  type ExtractionRequest,
} from '../../../src/core/generate/extraction/exactAnswerExtractor';
import { generateAnswers } from '../../../src/core/generate/generateAnswers';
import { judgeAnswersFile } from '../../../src/core/generate/judge/judgeAnswersFile';
import { quietOnnxruntimeLogging } from '../../../src/core/model/executionProviders';
import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { fixtureDataset, fixtureModel } from '../../helpers/fixtures';
import { instructFixture, MISTRAL_CHAT_TEMPLATE } from '../../helpers/instructModel';

quietOnnxruntimeLogging();
const CPU = { executionProvider: 'cpu' } as const;
const REQUESTS: ExtractionRequest[] = [
  { row: 0, question: 'Who founded Rome?', answer: 'It was founded by Remus, not Romulus.' },
  { row: 1, question: 'What is the capital of Zomtrinusia?', answer: 'Tamrokkrar' },
  { row: 2, question: 'In what year was Therrukchon founded?', answer: '1267\nQ: and' },
];

/** The reference's extraction prompt for REQUESTS[0], through Mistral-7B-Instruct-v0.2's template, written out by hand. */
const EXPECTED_PROMPT =
  '<s>[INST] \n' +
  '        Extract from the following long answer the short answer, only the relevant tokens. If the long answer does not answer the question, output NO ANSWER.\n' +
  '\n' +
  '        Q: Which musical featured the song The Street Where You Live?\n' +
  '        A: The song "The Street Where You Live" is from the Lerner and Loewe musical "My Fair Lady." It is one of the most famous songs from the show, and it is sung by Professor Henry Higgins as he reflects on the transformation of Eliza Doolittle and the memories they have shared together.\n' +
  '        Exact answer: My Fair Lady\n' +
  '\n' +
  '        Q: Which Swedish actress won the Best Supporting Actress Oscar for Murder on the Orient Express?\n' +
  `        A: I'm glad you asked about a Swedish actress who won an Oscar for "Murder on the Orient Express," but I must clarify that there seems to be a misunderstanding here. No Swedish actress has won an Oscar for Best Supporting Actress for that film. The 1974 "Murder on the Orient Express" was an American production, and the cast was predominantly British and American. If you have any other questions or if there's another\n` +
  '        Exact answer: NO ANSWER\n' +
  '\n' +
  '        Q: Who founded Rome?\n' +
  '        A: It was founded by Remus, not Romulus.\n' +
  '        Exact answer:\n' +
  '         [/INST]';

/** extract_exact_answer.py's Mistral post-processing and validity test, written out again for the check. */
function mistralRule(raw: string, answer: string): { exactAnswer: string; valid: 0 | 1 } {
  const line = raw.replaceAll('.</s>', '').replaceAll('</s>', '').split('\n')[0];
  const exactAnswer = line.split('(')[0].trim().replace(/^\.+|\.+$/g, '');
  return { exactAnswer, valid: answer.toLowerCase().includes(exactAnswer.toLowerCase()) || exactAnswer === 'NO ANSWER' ? 1 : 0 };
}

const raws = (outcomes: ExtractionOutcome[]): string[] => outcomes.map((o) => ('raw' in o ? o.raw : 'too long'));

describe('the extraction model (tiny random Mistral-style instruct model)', () => {
  let dir: string;
  let greedy: ExactAnswerExtractor;
  let greedyOut: ExtractionOutcome[];

  before(async () => {
    dir = instructFixture('tiny-mistral-instruct');
    greedy = await ExactAnswerExtractor.open(dir, { sampling: false, seed: 0, ...CPU });
    greedyOut = await greedy.extract(REQUESTS);
  });
  after(async () => {
    await greedy.release();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it("reads the reference's two-shot prompt through its chat template, character for character", () => {
    assert.equal(greedy.family, 'mistral');
    assert.equal(greedy.renderPrompt(REQUESTS[0]), EXPECTED_PROMPT);
    const tok = loadModelTokenizer(dir);
    const ids = greedy.promptIds(REQUESTS[0]);
    // The template's text carries <s>: encoded without adding another, as apply_chat_template does.
    assert.deepEqual(ids, tok.encode(EXPECTED_PROMPT, { addSpecialTokens: false }));
    // <s> ▁[ INST ] ▁ \n … ▁▁▁▁▁▁▁▁ ▁[ / INST ]: one BOS, from the template.
    assert.deepEqual(ids.slice(0, 6), [1, 518, 25580, 29962, 29871, 13]);
    assert.deepEqual(ids.slice(-5), [308, 518, 29914, 25580, 29962]);
    assert.equal(ids.filter((id) => id === 1).length, 1);
    assert.equal(tok.decode(ids), EXPECTED_PROMPT.replace('<s>[INST]', '<s> [INST]'), 'LLaMA decode puts a space after <s>');
  });

  it('post-processes each decode by the Mistral rule and marks it valid only as a substring of the answer', () => {
    for (const [i, outcome] of greedyOut.entries()) {
      assert.ok('exact' in outcome);
      assert.equal(outcome.attempts, 1, 'greedy: one attempt');
      assert.ok(outcome.raw.length > 0);
      assert.deepEqual(outcome.exact, mistralRule(outcome.raw, REQUESTS[i].answer));
    }
  });

  it('an answer that holds what the model extracts is valid (the validity rule with a real decode)', async () => {
    // The random model's extraction barely depends on the answer: feeding its own extractions back
    // into the answer reaches one it repeats within a few steps.
    let answer = 'Romulus founded Rome.';
    let found: { exactAnswer: string; valid: 0 | 1 } | undefined;
    for (let step = 0; step < 6 && found === undefined; step++) {
      const [outcome] = await greedy.extract([{ row: 0, question: 'Who founded Rome?', answer }]);
      assert.ok('exact' in outcome);
      assert.deepEqual(outcome.exact, mistralRule(outcome.raw, answer));
      if (outcome.exact.valid === 1) found = outcome.exact;
      else answer = `${answer}\n${outcome.exact.exactAnswer}`;
    }
    assert.ok(found, 'some step extracts a substring of its answer');
    assert.ok(answer.toLowerCase().includes(found.exactAnswer.toLowerCase()));
    assert.notEqual(found.exactAnswer, '');
  });

  it('greedy is deterministic and independent of batching', async () => {
    const again = await ExactAnswerExtractor.open(dir, { sampling: false, seed: 9, ...CPU });
    try {
      assert.deepEqual(await again.extract(REQUESTS), greedyOut, 'another extractor, another seed: the same answers');
      assert.deepEqual(await again.extract([REQUESTS[2]]), [greedyOut[2]], 'alone as in a batch');
    } finally {
      await again.release();
    }
  });

  it('sampling with a seed is reproducible, batch-independent, and differs from greedy and from another seed', async () => {
    const sampled = await ExactAnswerExtractor.open(dir, { sampling: true, seed: 3, ...CPU });
    const other = await ExactAnswerExtractor.open(dir, { sampling: true, seed: 4, ...CPU });
    try {
      assert.deepEqual(sampled.mode, { mode: 'extraction', model: 'tiny-mistral-instruct', sampling: { seed: 3, temperature: 1, topK: 50, attempts: 5 } });
      const first = await sampled.extract(REQUESTS);
      assert.deepEqual(await sampled.extract(REQUESTS), first, 'the same seed, the same draws');
      assert.deepEqual(await sampled.extract([REQUESTS[1]]), [first[1]], "a row's draws depend on its seed only");
      assert.notDeepEqual(raws(first), raws(greedyOut));
      assert.notDeepEqual(raws(await other.extract(REQUESTS)), raws(first));
      for (const [i, outcome] of first.entries()) {
        assert.ok('exact' in outcome);
        assert.deepEqual(outcome.exact, mistralRule(outcome.raw, REQUESTS[i].answer));
        // Invalid extractions are drawn again, up to the reference's 5 attempts; the last one is kept.
        assert.equal(outcome.attempts, outcome.exact.valid === 1 ? outcome.attempts : 5);
        assert.ok(outcome.attempts >= 1 && outcome.attempts <= 5);
      }
      assert.ok(first.some((o) => 'attempts' in o && o.attempts === 5), 'a random model needs every attempt somewhere');
    } finally {
      await sampled.release();
      await other.release();
    }
  });
});

describe('extraction model choice and refusals', () => {
  it('the default is the answering model when it is instruct with a template of its own, else the heuristic', () => {
    const instruct = { kind: 'instruct' as const, chatTemplate: MISTRAL_CHAT_TEMPLATE };
    assert.deepEqual(chooseExtractionModel('', { dir: '/m/chat', tok: instruct }), {
      dir: path.resolve('/m/chat'),
      reason: 'the answering model, an instruct model with a chat template of its own',
    });
    assert.equal(chooseExtractionModel('', { dir: '/m/base', tok: { kind: 'base', chatTemplate: undefined } }).dir, undefined);
    assert.equal(chooseExtractionModel('', { dir: '/m/x', tok: { kind: 'instruct', chatTemplate: undefined } }).dir, undefined);
    assert.equal(chooseExtractionModel('').dir, undefined);
    assert.deepEqual(chooseExtractionModel('/other/model', { dir: '/m/base' }), { dir: path.resolve('/other/model'), reason: 'given' });
  });

  it('a base model is refused as the extraction model, naming it and the setting', async () => {
    await assert.rejects(
      ExactAnswerExtractor.open(fixtureModel('toy-facts-llama'), { sampling: false, seed: 0, ...CPU }),
      (err: unknown) =>
        err instanceof ExtractionModelError &&
        err.message.includes('toy-facts-llama: not usable as the extraction model') &&
        /layerProbe\.extractionModel \/ --extraction-model/.test(err.message),
    );
  });

  it('a prompt longer than the position table leaves the row to the heuristic', async () => {
    // toy-facts-llama has 128 positions; the two-shot prompt alone is about 300 tokens.
    const src = fixtureModel('toy-facts-llama');
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-short-')), 'toy-mistral-instruct');
    fs.mkdirSync(dir);
    for (const f of ['model.onnx', 'config.json', 'tokenizer.json', 'special_tokens_map.json']) fs.symlinkSync(path.join(src, f), path.join(dir, f));
    const config = JSON.parse(fs.readFileSync(path.join(src, 'tokenizer_config.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: MISTRAL_CHAT_TEMPLATE }));
    const extractor = await ExactAnswerExtractor.open(dir, { sampling: false, seed: 0, ...CPU });
    try {
      assert.deepEqual(await extractor.extract(REQUESTS.slice(0, 1)), [{ tooLong: true }]);
    } finally {
      await extractor.release();
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});

describe('generate with an extraction model', () => {
  const QUESTIONS = fixtureDataset('toy-facts', 'facts_questions_only.jsonl');
  const MODEL = fixtureModel('toy-facts-llama');
  let extractionDir: string;
  const out = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-gen-extract-')), 'answers.jsonl');
  before(() => {
    extractionDir = instructFixture('tiny-mistral-instruct');
  });
  after(() => fs.rmSync(path.dirname(extractionDir), { recursive: true, force: true }));

  it('wrong rows get the extraction model’s exact answers (greedy), correct rows the gold; the result says which', async () => {
    const plain = await generateAnswers({ questionsFile: QUESTIONS, modelDir: MODEL, limit: 12, outFile: out() });
    assert.match(plain.exactAnswers, /wrong rows: heuristic exact answers/);
    assert.deepEqual(plain.exactAnswerMode, { mode: 'heuristic' });

    const result = await generateAnswers({ questionsFile: QUESTIONS, modelDir: MODEL, limit: 12, outFile: out(), extractionModel: extractionDir, ...CPU });
    assert.equal(result.exactAnswers, 'correct rows: the gold found in the answer; wrong rows: extraction model tiny-mistral-instruct, greedy');
    const wrong = result.rows.filter((r) => r.automatic_correctness === 0);
    assert.ok(wrong.length > 0);
    assert.deepEqual(result.extraction, { extracted: wrong.length, tooLong: 0 });
    const extractor = await ExactAnswerExtractor.open(extractionDir, { sampling: false, seed: 0, ...CPU });
    try {
      const expected = await extractor.extract(wrong.map((r, i) => ({ row: i, question: r.raw_question, answer: r.model_answer.split('\n')[0] })));
      wrong.forEach((row, i) => {
        const outcome = expected[i];
        assert.ok('exact' in outcome);
        assert.equal(row.exact_answer_source, 'extraction');
        assert.equal(row.exact_answer, outcome.exact.exactAnswer);
        assert.equal(row.valid_exact_answer, outcome.exact.valid);
      });
    } finally {
      await extractor.release();
    }
    // Labels, answers and the correct rows' exact answers are those of the run without extraction.
    result.rows.forEach((row, i) => {
      assert.equal(row.model_answer, plain.rows[i].model_answer);
      assert.equal(row.automatic_correctness, plain.rows[i].automatic_correctness);
      if (row.automatic_correctness === 1) assert.deepEqual([row.exact_answer, row.exact_answer_source], [plain.rows[i].exact_answer, 'gold']);
    });

    const sampled = await generateAnswers({ questionsFile: QUESTIONS, modelDir: MODEL, limit: 12, outFile: out(), extractionModel: extractionDir, extractionSampling: true, seed: 7, ...CPU });
    assert.match(sampled.exactAnswers, /wrong rows: extraction model tiny-mistral-instruct, sampled at T=1, seed 7 \(top_k 50, up to 5 attempts while invalid\)$/);
    const again = await generateAnswers({ questionsFile: QUESTIONS, modelDir: MODEL, limit: 12, outFile: out(), extractionModel: extractionDir, extractionSampling: true, seed: 7, ...CPU });
    assert.deepEqual(again.rows, sampled.rows, 'seeded sampling reproduces the file');
    assert.notDeepEqual(sampled.rows.map((r) => r.exact_answer), result.rows.map((r) => r.exact_answer));

    // judge, on the same answers with the judged columns removed and the same extraction model, writes
    // the same rows: greedy, and sampled too (a row's draws are seeded by its row index in both).
    for (const [run, sampling] of [[result, false], [sampled, true]] as const) {
      const input = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-judge-extract-')), 'answers.jsonl');
      const strip = ({ automatic_correctness: _c, exact_answer: _e, valid_exact_answer: _v, exact_answer_source: _s, ...rest }: (typeof run.rows)[number]) => rest;
      fs.writeFileSync(input, run.rows.map((row) => JSON.stringify(strip(row))).join('\n') + '\n');
      const judged = await judgeAnswersFile({ answersFile: input, modelKind: 'base', extractionModel: extractionDir, extractionSampling: sampling, seed: 7, ...CPU });
      assert.deepEqual(judged.rows, run.rows, sampling ? 'sampled' : 'greedy');
      assert.equal(judged.exactAnswers, run.exactAnswers);
      assert.equal(judged.sources.extraction, run.rows.filter((r) => r.exact_answer_source === 'extraction').length);
    }
  });
});

describe('generate: the default extraction model', () => {
  it('is the probed model itself when it is an instruct model with a template of its own', async () => {
    const dir = instructFixture('tiny-mistral-instruct');
    const logs: string[] = [];
    const outFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-gen-self-')), 'answers.jsonl');
    const result = await generateAnswers({
      questionsFile: fixtureDataset('toy-facts', 'facts_questions_only.jsonl'),
      modelDir: dir,
      limit: 3,
      maxNewTokens: 8,
      outFile,
      log: (line) => logs.push(line),
      ...CPU,
    });
    assert.equal(result.modelKind, 'instruct');
    assert.equal(result.exactAnswers, 'correct rows: the gold found in the answer; wrong rows: extraction model tiny-mistral-instruct, greedy');
    assert.ok(logs.some((l) => /extraction model tiny-mistral-instruct, greedy \(the answering model, an instruct model with a chat template of its own; mistral post-processing\)/.test(l)), logs.join('\n'));
    // A random model answers nothing right: every row went to the extraction model.
    assert.deepEqual(result.rows.map((r) => r.exact_answer_source), ['extraction', 'extraction', 'extraction']);
    assert.deepEqual(result.extraction, { extracted: 3, tooLong: 0 });
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });
});
