// Exact answers (extract_exact_answer.py; llmsknow-pipeline.md §5): correct rows without a model, and
// the extraction model's prompt and post-processing. Expectations were checked against the
// reference's function run on the same inputs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  type BenchmarkItem,
  exactAnswerForCorrectRow,
  extractionAnswerText,
  extractionPrompt,
  extractorFamily,
  naturalQuestionsJudgePrompt,
  parseJudgeVerdict,
  postprocessExtraction,
  usesExtractionModel,
} from '../../../../src/core/generate/kinds';

const item = (correctAnswer: BenchmarkItem['correctAnswer']): BenchmarkItem => ({ rowIndex: 0, line: 2, rawQuestion: 'q', correctAnswer, aliases: [] });

describe('exactAnswerForCorrectRow', () => {
  it('an alias list: the alias found earliest (lowercase find), cut from the answer with its casing', () => {
    const gold = item(['France', 'Paris']);
    assert.deepEqual(exactAnswerForCorrectRow('triviaqa', gold, 'It is PARIS, France', 'instruct'), { exactAnswer: 'PARIS', valid: 1, found: true });
    // On a tie, the first listed alias.
    assert.equal(exactAnswerForCorrectRow('triviaqa', item(['Paris', 'Paris, France']), 'Paris, France', 'instruct').exactAnswer, 'Paris');
    assert.equal(exactAnswerForCorrectRow('triviaqa', item(['Paris, France', 'Paris']), 'Paris, France', 'instruct').exactAnswer, 'Paris, France');
  });

  it("a Python list literal gold is eval'd to a list (the CSV's repr of TriviaQA aliases)", () => {
    assert.equal(exactAnswerForCorrectRow('qa', item("['Lutetia', 'Paris']"), 'Paris or lutetia', 'instruct').exactAnswer, 'Paris');
  });

  it('a number: str(round(x)) first (half to even), then str(x)', () => {
    assert.deepEqual(exactAnswerForCorrectRow('math', item(9), 'So 9.0 apples', 'instruct'), { exactAnswer: '9', valid: 1, found: true });
    assert.equal(exactAnswerForCorrectRow('math', item(2.5), 'It is 2.5', 'instruct').exactAnswer, '2');
    assert.equal(exactAnswerForCorrectRow('math', item(3.5), 'It is 3.5 or 4', 'instruct').exactAnswer, '4');
    assert.equal(exactAnswerForCorrectRow('math', item(2.5), 'two and a half: 2.5', 'instruct').exactAnswer, '2');
    assert.equal(exactAnswerForCorrectRow('math', item(0.5), 'half: .5, i.e. 0.5', 'instruct').exactAnswer, '0');
  });

  it('a string: itself, unstripped', () => {
    assert.equal(exactAnswerForCorrectRow('movies', item('Tom Hanks'), 'It was TOM HANKS.</s>', 'instruct').exactAnswer, 'TOM HANKS');
    assert.equal(exactAnswerForCorrectRow('movies', item(' Tom Hanks'), 'It was Tom Hanks', 'instruct').exactAnswer, ' Tom Hanks');
  });

  it('base models: the answer is cut to its first line first', () => {
    assert.equal(extractionAnswerText('Paris\nLyon', 'base'), 'Paris');
    assert.equal(extractionAnswerText('Paris\nLyon', 'instruct'), 'Paris\nLyon');
    assert.equal(exactAnswerForCorrectRow('movies', item('Lyon'), 'Lyon\nParis', 'base').exactAnswer, 'Lyon');
  });

  it('quirk: gold not in the first line → a list gives "", a string the garbage slice at -1, both valid 1', () => {
    assert.deepEqual(exactAnswerForCorrectRow('triviaqa', item(['Paris']), 'I think\nParis', 'base'), { exactAnswer: '', valid: 1, found: false });
    // model_answer[-1], then model_answer[0], …, model_answer[len(gold) - 2]: "o" + "I think "
    assert.deepEqual(exactAnswerForCorrectRow('movies', item('Tom Hanks'), 'I think so\nTom Hanks', 'base'), {
      exactAnswer: 'oI think ',
      valid: 1,
      found: false,
    });
    assert.equal(exactAnswerForCorrectRow('movies', item('Tom Hanks'), 'negatives', 'instruct').exactAnswer, 'snegative');
  });

  it('where the garbage slice runs past the end (IndexError in the reference): "" and valid 0', () => {
    assert.deepEqual(exactAnswerForCorrectRow('movies', item('Tom Hanks'), 'I think\nTom Hanks', 'base'), { exactAnswer: '', valid: 0, found: false });
    assert.deepEqual(exactAnswerForCorrectRow('math', item(123), '', 'instruct'), { exactAnswer: '', valid: 0, found: false });
  });

  it('indexes by code point, as Python does', () => {
    assert.equal(exactAnswerForCorrectRow('hotpotqa', item('Paris'), '😀 PARIS 😀', 'instruct').exactAnswer, 'PARIS');
  });

  it('refuses the kinds whose exact answer comes from correctness', () => {
    assert.throws(() => exactAnswerForCorrectRow('winobias', item('x'), 'x', 'instruct'), TypeError);
  });
});

describe('which rows go to the extraction model', () => {
  it('incorrect rows of the extraction kinds, every natural_questions row, never the correctness kinds', () => {
    assert.equal(usesExtractionModel('triviaqa', 0), true);
    assert.equal(usesExtractionModel('triviaqa', 1), false);
    assert.equal(usesExtractionModel('math', 0), true);
    assert.equal(usesExtractionModel('natural_questions_with_context', 1), true);
    for (const kind of ['winobias', 'winogrande', 'imdb', 'mnli'] as const) assert.equal(usesExtractionModel(kind, 0), false);
  });
});

describe('extraction prompt and post-processing', () => {
  it("the reference's two-shot prompt, character for character", () => {
    const expected =
      '\n        Extract from the following long answer the short answer, only the relevant tokens. If the long answer does not answer the question, output NO ANSWER.\n' +
      '\n        Q: Which musical featured the song The Street Where You Live?\n' +
      '        A: The song "The Street Where You Live" is from the Lerner and Loewe musical "My Fair Lady." It is one of the most famous songs from the show, and it is sung by Professor Henry Higgins as he reflects on the transformation of Eliza Doolittle and the memories they have shared together.\n' +
      '        Exact answer: My Fair Lady\n' +
      '\n        Q: Which Swedish actress won the Best Supporting Actress Oscar for Murder on the Orient Express?\n' +
      '        A: I\'m glad you asked about a Swedish actress who won an Oscar for "Murder on the Orient Express," but I must clarify that there seems to be a misunderstanding here. No Swedish actress has won an Oscar for Best Supporting Actress for that film. The 1974 "Murder on the Orient Express" was an American production, and the cast was predominantly British and American. If you have any other questions or if there\'s another\n' +
      '        Exact answer: NO ANSWER\n' +
      '\n        Q: Who wrote "Hamlet"?\n' +
      '        A: It was {Shakespeare}\n' +
      '        Exact answer:\n' +
      '        ';
    assert.equal(extractionPrompt('Who wrote "Hamlet"?', 'It was {Shakespeare}'), expected);
  });

  it('mistral: drop .</s> and </s>, first line, cut at "(", strip, strip "."', () => {
    assert.deepEqual(postprocessExtraction('My Fair Lady.</s>', 'mistral', 'It is My Fair Lady.'), { exactAnswer: 'My Fair Lady', valid: 1 });
    assert.deepEqual(postprocessExtraction(' Paris (France).</s>', 'mistral', 'paris, france'), { exactAnswer: 'Paris', valid: 1 });
    assert.deepEqual(postprocessExtraction('  ...Lyon...  \nmore', 'mistral', 'LYON'), { exactAnswer: 'Lyon', valid: 1 });
  });

  it('llama: drop <|eot_id|> and "Exact answer:", keep the LAST line', () => {
    assert.deepEqual(postprocessExtraction('A\nB\nExact answer: Rome.<|eot_id|>', 'llama', 'rome'), { exactAnswer: 'Rome', valid: 1 });
  });

  it('validity: a substring of the answer (lowercased), or exactly NO ANSWER; "" is valid; NaN answer → NO ANSWER 0', () => {
    assert.deepEqual(postprocessExtraction('Lyon</s>', 'mistral', 'It is Paris'), { exactAnswer: 'Lyon', valid: 0 });
    assert.deepEqual(postprocessExtraction('NO ANSWER</s>', 'mistral', 'I cannot say'), { exactAnswer: 'NO ANSWER', valid: 1 });
    assert.deepEqual(postprocessExtraction('no answer</s>', 'mistral', 'I cannot say'), { exactAnswer: 'no answer', valid: 0 });
    assert.deepEqual(postprocessExtraction('(none)</s>', 'mistral', 'I cannot say'), { exactAnswer: '', valid: 1 });
    assert.deepEqual(postprocessExtraction('Paris</s>', 'mistral', undefined), { exactAnswer: 'NO ANSWER', valid: 0 });
  });

  it('the family follows the extraction model name', () => {
    assert.equal(extractorFamily('mistralai/Mistral-7B-Instruct-v0.2'), 'mistral');
    assert.equal(extractorFamily('meta-llama/Meta-Llama-3-8B-Instruct'), 'llama');
    assert.equal(extractorFamily('Qwen/Qwen2-7B'), 'other');
  });
});

describe("natural_questions' LLM judge (for a caller with a model)", () => {
  it('prompt: 16-space indented lines, indented blank lines, a leading newline', () => {
    const prompt = naturalQuestionsJudgePrompt('who?', 'Quinn Sullivan', 'Ronnie Earl');
    assert.ok(prompt.startsWith('\n                Evaluate the following answers to questions.'));
    assert.ok(prompt.includes("write '0'.\n                For example:\n                \n                Question: who is the young guitarist"));
    assert.ok(
      prompt.endsWith('\n                Question: who?\n                Ground Truth: Quinn Sullivan\n                Model Answer: Ronnie Earl\n                Correctness:\n                '),
    );
  });

  it('verdict: the first of "1" / "0" in the cleaned first line; neither → undefined (retry)', () => {
    assert.equal(parseJudgeVerdict(' 1.</s>'), 1);
    assert.equal(parseJudgeVerdict('0, not 1'), 0);
    assert.equal(parseJudgeVerdict('yes\n1'), undefined);
  });
});
