import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readEscapes } from '../../../src/cli/generateCommand';
import { DatasetError } from '../../../src/core/dataset/errors';
import { goldAliases, GoldAnswerError, parseListLiteral } from '../../../src/core/generate/goldAnswers';
import { checkPromptTemplate, PromptTemplateError, renderPrompt } from '../../../src/core/generate/promptTemplate';
import { readQuestions } from '../../../src/core/generate/questionFile';
import { fixtureDataset } from '../../helpers/fixtures';
import { pandasCsv, writeTemp } from '../dataset/tempFiles';

describe('goldAliases', () => {
  it('a plain string is one alias; a JSON array is a list', () => {
    assert.deepEqual(goldAliases('Tamrokkrar'), ['Tamrokkrar']);
    assert.deepEqual(goldAliases(['Paris', 'Lutetia', 7]), ['Paris', 'Lutetia', '7']);
  });

  it("reads the reference's Python repr of an alias list, both quote styles and escapes", () => {
    assert.deepEqual(goldAliases(`['Paris', "O'Hare", 'it\\'s']`), ['Paris', "O'Hare", "it's"]);
    assert.deepEqual(goldAliases('["a", "b"]'), ['a', 'b']);
  });

  it('keeps numbers of a list literal as written (math golds like [9.0])', () => {
    assert.deepEqual(parseListLiteral('[9.0]'), ['9.0']);
    assert.deepEqual(parseListLiteral('[ 1 , "x" ]'), ['1', 'x']);
  });

  it('drops blank aliases and refuses malformed lists', () => {
    assert.deepEqual(goldAliases(['Paris', ' ']), ['Paris']);
    assert.throws(() => parseListLiteral("['Paris"), GoldAnswerError);
    assert.throws(() => parseListLiteral("['a' 'b']"), GoldAnswerError);
    assert.throws(() => goldAliases({ a: 1 }), GoldAnswerError);
  });
});

describe('prompt template', () => {
  it('replaces every {question}; the question text is not re-scanned', () => {
    assert.equal(renderPrompt('Q: {question}\nA:', 'Who founded {question}?'), 'Q: Who founded {question}?\nA:');
    assert.equal(renderPrompt('{question} / {question}', 'x'), 'x / x');
  });

  it('refuses a template without the placeholder', () => {
    assert.throws(() => checkPromptTemplate('Q: A:'), PromptTemplateError);
  });

  it('CLI --template reads \\n and \\t escapes', () => {
    assert.equal(readEscapes('Q: {question}\\n        A:'), 'Q: {question}\n        A:');
    assert.equal(readEscapes('a\\tb\\\\n'), 'a\tb\\n');
  });
});

describe('readQuestions', () => {
  it('toy-facts: question / gold_answer columns, ids kept, limit applied', async () => {
    const file = fixtureDataset('toy-facts', 'facts_questions_only.jsonl');
    const read = await readQuestions(file, { limit: 3 });
    assert.equal(read.questionColumn, 'question');
    assert.equal(read.goldColumn, 'gold_answer');
    assert.deepEqual(read.questions[0], {
      question: 'What is the capital of Zomtrinusia?',
      gold: 'Tamrokkrar',
      aliases: ['Tamrokkrar'],
      id: 'facts-0000',
    });
    assert.equal(read.questions.length, 3);
  });

  it('LLMsKnow movies CSV: Question / Answer columns', async () => {
    const read = await readQuestions(fixtureDataset('llmsknow', 'movie_qa_test.csv'), { limit: 2 });
    assert.equal(read.questionColumn, 'Question');
    assert.equal(read.goldColumn, 'Answer');
    assert.match(read.questions[0].question, /^Who acted as .* in the movie/);
    assert.equal(read.questions[0].id, undefined);
  });

  it('names the row of an empty question or gold, and a missing column', async () => {
    const csv = writeTemp('q.csv', pandasCsv(['question', 'answer'], [['Who?', 'Me'], ['', 'You']]));
    await assert.rejects(readQuestions(csv), (err: unknown) => err instanceof DatasetError && /row 1 .*question/.test(err.message));
    const noGold = writeTemp('q.jsonl', '{"question":"Who?"}\n');
    await assert.rejects(readQuestions(noGold), /no gold answer column/);
    await assert.rejects(readQuestions(noGold, { goldColumn: 'gold' }), /no column "gold"/);
  });
});
