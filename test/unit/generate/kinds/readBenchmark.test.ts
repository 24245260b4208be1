import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DatasetError } from '../../../../src/core/dataset/errors';
import { detectDatasetKind, readBenchmark } from '../../../../src/core/generate/kinds';
import { fixtureDataset } from '../../../helpers/fixtures';
import { pandasCsv, writeTemp } from '../../dataset/tempFiles';

const shipped = (file: string) => fixtureDataset('llmsknow', file);

describe('readBenchmark on the shipped raw files', () => {
  it('math: gold = eval(answer)[0] as a float; aliases str(x), str(int(x))', async () => {
    const { items, columnsUsed } = await readBenchmark(shipped('AnswerableMath_test.csv'), 'math', { limit: 2 });
    assert.equal(items.length, 2);
    assert.deepEqual(columnsUsed, { question: 'question', gold: 'answer' });
    assert.equal(items[0].correctAnswer, 21);
    assert.deepEqual(items[0].aliases, ['21.0', '21']);
    assert.deepEqual([items[0].rowIndex, items[0].line, items[1].line], [0, 2, 3]);
    assert.equal(items[0].id, '2357');
  });

  it('winobias: raw_question is the sentence; q, q_instruct, incorrect_answer, stereotype and type kept', async () => {
    const [first] = (await readBenchmark(shipped('winobias_dev.csv'), 'winobias', { limit: 1 })).items;
    assert.deepEqual(first, {
      rowIndex: 0,
      line: 2,
      rawQuestion: 'The developer argued with the designer because he did not like the design.',
      correctAnswer: 'developer',
      aliases: ['developer'],
      incorrectAnswer: 'designer',
      stereotype: 'pro',
      type: 1,
      q: "The pronoun 'he' refers to the",
      qInstruct: "Who does the pronoun 'he' refer to?",
    });
  });

  it('winogrande: Wrong_Answer is the incorrect answer; mnli: Origin kept; movies: the Answer string', async () => {
    const [wg] = (await readBenchmark(shipped('winogrande_test.csv'), 'winogrande', { limit: 1 })).items;
    assert.deepEqual([wg.correctAnswer, wg.incorrectAnswer], ['Mary', 'Sarah']);
    const [nli] = (await readBenchmark(shipped('mnli_validation.csv'), 'mnli', { limit: 1 })).items;
    assert.deepEqual([nli.correctAnswer, nli.origin], ['entailment', 'mnli']);
    const movies = await readBenchmark(shipped('movie_qa_test.csv'), 'movies');
    assert.equal(movies.items.length, 7856);
    assert.equal(movies.items[0].correctAnswer, 'Jamie Bamber');
  });
});

describe('readBenchmark on other layouts', () => {
  it("TriviaQA's unfiltered-web JSON: Question and Answer.Aliases", async () => {
    const file = writeTemp(
      'unfiltered-web-dev.json',
      JSON.stringify({
        Data: [{ Question: 'Capital of France?', Answer: { Aliases: ['Paris', "Paris's"], Value: 'Paris' }, QuestionId: 'tc_1' }],
        Version: 1,
      }),
    );
    const records = [{ Question: 'Capital of France?', Answer: { Aliases: ['Paris'] } }];
    assert.equal(detectDatasetKind(['Question', 'Answer', 'QuestionId'], records)?.kind, 'triviaqa');
    const [first] = (await readBenchmark(file, 'triviaqa')).items;
    assert.deepEqual(first.correctAnswer, ['Paris', "Paris's"]);
    assert.equal(first.rawQuestion, 'Capital of France?');
  });

  it('HotpotQA with context: raw_question = every sentence + newline, then the question', async () => {
    const record = {
      id: 'h1',
      question: 'Where is Paris?',
      answer: 'France',
      type: 'bridge',
      level: 'easy',
      supporting_facts: { title: ['Paris'], sent_id: [0] },
      context: { title: ['Paris', 'France'], sentences: [['Paris is big.', ' It is old.'], ['France is a country.']] },
    };
    const file = writeTemp('hotpot.jsonl', JSON.stringify(record) + '\n');
    assert.equal(detectDatasetKind(Object.keys(record), [record])?.kind, 'hotpotqa_with_context');
    const [item] = (await readBenchmark(file, 'hotpotqa_with_context')).items;
    assert.equal(item.rawQuestion, 'Paris is big.\n It is old.\nFrance is a country.\nWhere is Paris?');
    assert.equal(item.correctAnswer, 'France');
    const [plain] = (await readBenchmark(file, 'hotpotqa')).items;
    assert.equal(plain.rawQuestion, 'Where is Paris?');
  });

  it('IMDB text/label and NQ Question/Answer/Context', async () => {
    const imdb = writeTemp('imdb.jsonl', '{"text":"Great.","label":1}\n{"text":"Bad.","label":0}\n');
    const items = (await readBenchmark(imdb, 'imdb')).items;
    assert.deepEqual(
      items.map((i) => [i.rawQuestion, i.correctAnswer]),
      [
        ['Great.', 1],
        ['Bad.', 0],
      ],
    );
    const nq = writeTemp('nq_wc_dataset.csv', pandasCsv(['Question', 'Answer', 'Context'], [['who?', 'Quinn Sullivan', 'Some text.']]));
    const [q] = (await readBenchmark(nq, 'natural_questions_with_context')).items;
    assert.deepEqual([q.rawQuestion, q.correctAnswer, q.context], ['who?', 'Quinn Sullivan', 'Some text.']);
  });

  it('limit keeps the first rows', async () => {
    assert.equal((await readBenchmark(shipped('mnli_validation.csv'), 'mnli', { limit: 3 })).items.length, 3);
    await assert.rejects(readBenchmark(shipped('mnli_validation.csv'), 'mnli', { limit: -1 }), RangeError);
  });
});

describe('bad cells are DatasetErrors naming file, row, line and column', () => {
  it('a math answer that is not a one-number list', async () => {
    const file = writeTemp('math.csv', 'question,answer\nQ1,[1.0]\nQ2,nine\n');
    await assert.rejects(readBenchmark(file, 'math'), (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.deepEqual(err.location, { file, rowIndex: 1, line: 3, column: 'answer' });
      return true;
    });
  });

  it('an empty or NaN-like gold cell, a missing column, an unlabelled review', async () => {
    const empty = writeTemp('wg.csv', 'Question,Answer,Wrong_Answer\nq _ x,,Sarah\n');
    await assert.rejects(readBenchmark(empty, 'winogrande'), /row 0 \(line 2\), column "Answer": the cell is empty/);
    const na = writeTemp('movies.csv', 'Question,Answer\nWho?,NA\n');
    await assert.rejects(readBenchmark(na, 'movies'), /column "Answer": "NA" is read as NaN by pandas/);
    await assert.rejects(readBenchmark(na, 'winogrande'), /no wrong_answer column/);
    const imdb = writeTemp('imdb.jsonl', '{"text":"x","label":-1}\n');
    await assert.rejects(readBenchmark(imdb, 'imdb'), /unlabelled/);
  });
});
