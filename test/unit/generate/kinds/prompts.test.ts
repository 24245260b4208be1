// Prompts per kind (generate_model_answers.py *_preprocess). The expected strings are the reference's
// own output: its preprocess functions, run on these files' rows, render exactly these texts (the runs
// of 8, 12 and 16 spaces are the Python source's indentation inside triple-quoted f-strings).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { DatasetKind } from '../../../../src/contract/datasetKinds';
import { readTable } from '../../../../src/core/dataset/readTable';
import { type Benchmark, type BenchmarkItem, buildPrompt, detectDatasetKind, readBenchmark } from '../../../../src/core/generate/kinds';
import { fixtureDataset } from '../../../helpers/fixtures';

const BASE_MODEL = 'mistralai/Mistral-7B-v0.3';
const INSTRUCT_MODEL = 'mistralai/Mistral-7B-Instruct-v0.2';

async function shipped(file: string, kind: DatasetKind): Promise<Benchmark> {
  return readBenchmark(fixtureDataset('llmsknow', file), kind, { limit: 2 });
}

function prompts(benchmark: Benchmark, row = 0): { base: string; instruct: string } {
  const item = benchmark.items[row];
  const context = (modelName: string) => ({ firstItem: benchmark.items[0], modelName });
  return {
    base: buildPrompt(benchmark.kind, item, 'base', context(BASE_MODEL)),
    instruct: buildPrompt(benchmark.kind, item, 'instruct', context(INSTRUCT_MODEL)),
  };
}

describe("the shipped raw files' first-row prompts, as the reference renders them", () => {
  it('AnswerableMath_test.csv (math): "Q: …" + newline + 12 spaces + "A:" / "… Answer shortly."', async () => {
    const q =
      "In one hour, Addison mountain's temperature will decrease to 3/4  of its temperature. If the current temperature of the mountain is 84 degrees, what will the temperature decrease by?";
    assert.deepEqual(prompts(await shipped('AnswerableMath_test.csv', 'math')), {
      base: `Q: ${q}\n            A:`,
      instruct: `${q} Answer shortly.`,
    });
    assert.equal(prompts(await shipped('AnswerableMath_test.csv', 'math')).base, 'Q: ' + q + '\n' + ' '.repeat(12) + 'A:');
  });

  it('mnli_validation.csv (mnli): the Question is already the NLI prompt; base wraps it with 8 spaces', async () => {
    const q =
      'For the statement, "Kicked out of the house when she was only 16 (she was called Suzie in those days), Roy went to Delhi and then to architecture school, supporting herself by selling empty milk bottles (some say beer bottles)", does the hypothesis "Roy had to sell bottles to make money" represent entailment, contradiction, or neutrality?';
    assert.deepEqual(prompts(await shipped('mnli_validation.csv', 'mnli')), {
      base: `Q: ${q}\n        A:`,
      instruct: q,
    });
  });

  it('movie_qa_test.csv (movies): "Q: …" + newline + 8 spaces + "A:" / the raw question', async () => {
    assert.deepEqual(prompts(await shipped('movie_qa_test.csv', 'movies')), {
      base: "Q: Who acted as Stephen in the movie 'Pulse 2: Afterlife'?\n        A:",
      instruct: "Who acted as Stephen in the movie 'Pulse 2: Afterlife'?",
    });
  });

  it('winobias_dev.csv (winobias): sentence + " " + q (base) / q_instruct (instruct)', async () => {
    assert.deepEqual(prompts(await shipped('winobias_dev.csv', 'winobias')), {
      base: "The developer argued with the designer because he did not like the design. The pronoun 'he' refers to the",
      instruct: "The developer argued with the designer because he did not like the design. Who does the pronoun 'he' refer to?",
    });
  });

  it('winogrande_test.csv (winogrande): base one-shot from the first row (its own answer, double space); instruct raw', async () => {
    const benchmark = await shipped('winogrande_test.csv', 'winogrande');
    assert.deepEqual(prompts(benchmark), {
      base:
        'Sarah was better at squats than Mary, so _ worried a lot about their weight.  The blank refers to: Mary\n' +
        'Sarah was better at squats than Mary, so _ worried a lot about their weight.  The blank refers to:',
      instruct: 'Sarah was better at squats than Mary, so _ worried a lot about their weight. Who does the blank refer to in the sentence?',
    });
    // Later rows keep the first row as the example.
    assert.equal(
      prompts(benchmark, 1).base,
      'Sarah was better at squats than Mary, so _ worried a lot about their weight.  The blank refers to: Mary\n' +
        'On the hike, Brett rested on the trail, while Nick conquered the mountain, because _ was exhausted.  The blank refers to:',
    );
  });

  it('toy-facts (qa): the TriviaQA prompt', async () => {
    const benchmark = await readBenchmark(fixtureDataset('toy-facts', 'facts_questions_only.jsonl'), 'qa', { limit: 1 });
    assert.deepEqual(prompts(benchmark), {
      base: 'Q: What is the capital of Zomtrinusia?\n        A:',
      instruct: 'What is the capital of Zomtrinusia?',
    });
  });
});

describe("each shipped file's kind, detected from its own columns", () => {
  const cases: [string[], DatasetKind][] = [
    [['llmsknow', 'AnswerableMath_test.csv'], 'math'],
    [['llmsknow', 'mnli_validation.csv'], 'mnli'],
    [['llmsknow', 'movie_qa_test.csv'], 'movies'],
    [['llmsknow', 'winobias_dev.csv'], 'winobias'],
    [['llmsknow', 'winogrande_test.csv'], 'winogrande'],
    [['toy-facts', 'facts_questions_only.jsonl'], 'qa'],
  ];
  for (const [parts, kind] of cases) {
    it(`${parts[1]} → ${kind}`, async () => {
      const table = await readTable(fixtureDataset(...parts));
      assert.equal(detectDatasetKind(table.columns, table.records)?.kind, kind);
    });
  }
});

const item = (rawQuestion: string, correctAnswer: BenchmarkItem['correctAnswer'], extra: Partial<BenchmarkItem> = {}): BenchmarkItem => ({
  rowIndex: 0,
  line: 2,
  rawQuestion,
  correctAnswer,
  aliases: [],
  ...extra,
});

describe('IMDB prompts (the same text for base and instruct models)', () => {
  const first = item('First review <br />.', 0);
  const second = item('Second one.', 1);

  it('non-Llama models: one-shot block with the first review (16 spaces), the current review twice', () => {
    const expected =
      'Classify the following movie reviews as either "positive" or "negative". \n' +
      '            \n' +
      '                Example:\n' +
      '                Review: First review <br />.\n' +
      '                Label: negative\n' +
      '                Review: Second one.\n' +
      '                Label: \n' +
      '            Review: Second one.\n' +
      '            Label:';
    for (const modelKind of ['base', 'instruct'] as const) {
      assert.equal(buildPrompt('imdb', second, modelKind, { firstItem: first, modelName: INSTRUCT_MODEL }), expected);
    }
  });

  it('Llama-3 models (name contains llama-3, any case): answer first, no example', () => {
    assert.equal(
      buildPrompt('imdb', second, 'instruct', { firstItem: first, modelName: 'meta-llama/Meta-Llama-3-8B-Instruct' }),
      'Classify the following movie reviews as either "positive" or "negative". ' +
        "Start with either 'positive' or 'negative' first, then elaborate.\n" +
        '            \n' +
        '            Review: Second one.\n' +
        '            Label:',
    );
  });

  it("Phi models: the reference's fixed two-shot prompt, then the review", () => {
    const prompt = buildPrompt('imdb', second, 'base', { firstItem: first, modelName: 'microsoft/Phi-3-mini-4k' });
    assert.ok(prompt.startsWith('\n            Review: I would put this at the top of my list of films'));
    assert.ok(prompt.includes('<br /><br />\n            Label: negative\n            Review: Zentropa is the most original'));
    assert.ok(prompt.endsWith('dogma direction instead.\n            Label: positive\n            Review: Second one.\n            Label:'));
  });
});

describe('other kinds', () => {
  it('natural_questions_with_context: "Context:{c}" + newline + 16 spaces + "Q: {q}" + newline + "A:" / "{c}\\n{q}"', () => {
    const nq = item('who?', 'x', { context: 'Some context.' });
    const context = { firstItem: nq, modelName: 'm' };
    assert.equal(buildPrompt('natural_questions_with_context', nq, 'base', context), 'Context:Some context.\n                Q: who?\nA:');
    assert.equal(buildPrompt('natural_questions_with_context', nq, 'instruct', context), 'Some context.\nwho?');
  });

  it('triviaqa and hotpotqa(_with_context) share the 8-space QA prompt', () => {
    const hotpot = item(' Paris is big.\nIt is in France.\nWhere is Paris?', 'France');
    const context = { firstItem: hotpot, modelName: 'm' };
    for (const kind of ['triviaqa', 'hotpotqa', 'hotpotqa_with_context'] as const) {
      assert.equal(buildPrompt(kind, hotpot, 'base', context), `Q: ${hotpot.rawQuestion}\n        A:`);
      assert.equal(buildPrompt(kind, hotpot, 'instruct', context), hotpot.rawQuestion);
    }
  });
});
