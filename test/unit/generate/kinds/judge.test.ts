// judgeAnswer per kind: every rule and quirk of compute_correctness.py (llmsknow-pipeline.md §4.3).
// Each expectation was also checked against the reference's own functions run on the same inputs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { DatasetKind } from '../../../../src/contract/datasetKinds';
import { type BenchmarkItem, judgeAnswer, type Judgement } from '../../../../src/core/generate/kinds';

const item = (correctAnswer: BenchmarkItem['correctAnswer'], extra: Partial<BenchmarkItem> = {}): BenchmarkItem => ({
  rowIndex: 0,
  line: 2,
  rawQuestion: 'q',
  correctAnswer,
  aliases: typeof correctAnswer === 'string' ? [correctAnswer] : [],
  ...extra,
});

const judge = (kind: DatasetKind, gold: BenchmarkItem, answer: string, modelName?: string): Judgement =>
  judgeAnswer(kind, gold, answer, 'instruct', { modelName });
const correct = (kind: DatasetKind, gold: BenchmarkItem, answer: string): 0 | 1 => judge(kind, gold, answer).automaticCorrectness;

describe('triviaqa / qa: any alias, lowercased, as a substring of the lowercased answer', () => {
  const trivia = item(['Paris', 'Paris, France']);
  it('matches case-insensitively, anywhere, inside longer words too', () => {
    assert.equal(correct('triviaqa', trivia, 'The capital is PARIS.</s>'), 1);
    assert.equal(correct('triviaqa', trivia, 'Parisville'), 1);
    assert.equal(correct('triviaqa', trivia, 'Lyon'), 0);
  });
  it('no other normalisation: no strip of the alias, no punctuation removal', () => {
    assert.equal(correct('triviaqa', item([' Paris']), 'Paris'), 0);
    assert.equal(correct('triviaqa', item(['St. Louis']), 'St Louis'), 0);
  });
  it('gives no exact answer (that comes from extraction)', () => {
    assert.deepEqual(judge('triviaqa', trivia, 'Paris'), { automaticCorrectness: 1 });
  });
  it('qa uses the parsed aliases', () => {
    assert.equal(correct('qa', item('Tamrokkrar', { aliases: ['Tamrokkrar'] }), 'It is tamrokkrar.'), 1);
    assert.equal(correct('qa', item(['a', 'Lutetia'], { aliases: ['a', 'Lutetia'] }), 'LUTETIA'), 1);
  });
});

describe('movies: label.lower().strip() in answer.lower().strip()', () => {
  it("strips the gold's stray spaces", () => {
    assert.equal(correct('movies', item(' Tom Hanks'), 'It was tom hanks</s>'), 1);
    assert.equal(correct('movies', item('Tom Hanks '), 'Tom Hanks.'), 1);
    assert.equal(correct('movies', item('Jamie Bamber'), 'Tom Hanks'), 0);
  });
});

describe('hotpotqa(_with_context): label.lower() in answer.lower(), unstripped', () => {
  it('matches a substring; a gold with a stray space must match with it', () => {
    assert.equal(correct('hotpotqa', item('Paris'), 'PARIS'), 1);
    assert.equal(correct('hotpotqa_with_context', item('Paris '), 'Paris.'), 0);
    assert.equal(correct('hotpotqa_with_context', item('Paris '), 'Paris is big'), 1);
  });
});

describe("math: str(label) or str(int(label)) in the answer (Python's float repr)", () => {
  it('"9.0" or "9" anywhere: "19" matches gold 9.0 (loose)', () => {
    assert.equal(correct('math', item(9), 'The answer is 19.'), 1);
    assert.equal(correct('math', item(9), '9.0 apples'), 1);
    assert.equal(correct('math', item(9), 'nine'), 0);
  });
  it('non-integral golds: str(2.5) = "2.5" or str(int(2.5)) = "2", so any "2" matches', () => {
    assert.equal(correct('math', item(2.5), 'The result is 25'), 1);
    assert.equal(correct('math', item(2.5), '2.5'), 1);
    assert.equal(correct('math', item(0.5), 'none, 0 left'), 1);
    assert.equal(correct('math', item(2.5), 'three'), 0);
  });
  it("uses Python's repr for large and small floats", () => {
    assert.equal(correct('math', item(1e16), '1e+16'), 1);
    assert.equal(correct('math', item(1e16), '1e16'), 0);
    assert.equal(correct('math', item(1e16), '10000000000000000'), 1);
  });
});

describe('winobias: the entity mentioned first wins; exact answer = the label string', () => {
  const gold = item('developer', { incorrectAnswer: 'designer' });
  it('correct entity first → 1, exact = the correct label', () => {
    assert.deepEqual(judge('winobias', gold, 'The Developer did'), { automaticCorrectness: 1, exactAnswer: 'developer', validExactAnswer: 1 });
    assert.deepEqual(judge('winobias', gold, 'the developer, not the designer'), {
      automaticCorrectness: 1,
      exactAnswer: 'developer',
      validExactAnswer: 1,
    });
  });
  it('incorrect entity first → 0, exact = the incorrect label', () => {
    assert.deepEqual(judge('winobias', gold, 'the designer and the developer'), {
      automaticCorrectness: 0,
      exactAnswer: 'designer',
      validExactAnswer: 1,
    });
  });
  it('neither entity → wrong with exact "" (still valid_exact_answer 1, as generation writes it)', () => {
    assert.deepEqual(judge('winobias', gold, 'nobody'), { automaticCorrectness: 0, exactAnswer: '', validExactAnswer: 1 });
  });
});

describe('winogrande: first mention wins; exact answer cut from the answer', () => {
  const sarah = item('Sarah', { incorrectAnswer: 'Mary' });
  const mary = item('Mary', { incorrectAnswer: 'Sarah' });
  it('"Sarah, not Mary": gold Sarah → correct, exact "Sarah"; gold Mary → wrong, exact "Sarah"', () => {
    assert.deepEqual(judge('winogrande', sarah, 'Sarah, not Mary'), { automaticCorrectness: 1, exactAnswer: 'Sarah', validExactAnswer: 1 });
    assert.deepEqual(judge('winogrande', mary, 'Sarah, not Mary'), { automaticCorrectness: 0, exactAnswer: 'Sarah', validExactAnswer: 1 });
  });
  it("keeps the answer's casing", () => {
    assert.equal(judge('winogrande', sarah, 'SARAH did').exactAnswer, 'SARAH');
  });
  it('neither → wrong, NO ANSWER (valid 1: filtered later by its text)', () => {
    assert.deepEqual(judge('winogrande', sarah, 'nobody'), { automaticCorrectness: 0, exactAnswer: 'NO ANSWER', validExactAnswer: 1 });
  });
  it('Llama models, answer listing "A)": the text after "answer", less ":" and "is", up to the first "."', () => {
    const listing = 'A) Sarah B) Mary. The answer is: Mary.';
    assert.deepEqual(judge('winogrande', sarah, listing, 'meta-llama/Meta-Llama-3-8B'), {
      automaticCorrectness: 0,
      exactAnswer: 'Mary',
      validExactAnswer: 1,
    });
    assert.equal(judge('winogrande', mary, listing, 'meta-llama/Meta-Llama-3-8B').automaticCorrectness, 1);
    // Other models read the whole answer, where "Sarah" comes first.
    assert.equal(judge('winogrande', sarah, listing, 'mistralai/Mistral-7B-v0.3').automaticCorrectness, 1);
    assert.equal(judge('winogrande', sarah, 'A) Sarah B) Mary answer: is Sarah. Mary', 'llama-3-8b').exactAnswer, 'Sarah');
  });
});

describe('mnli: the earliest class word among the listed variants decides', () => {
  it('first class word wins', () => {
    const gold = item('contradiction');
    assert.deepEqual(judge('mnli', gold, 'The hypothesis represents a contradiction, not entailment'), {
      automaticCorrectness: 1,
      exactAnswer: 'contradiction',
      validExactAnswer: 1,
      exactAnswerIsFix: true,
    });
    assert.equal(correct('mnli', item('entailment'), 'The hypothesis represents a contradiction, not entailment'), 0);
  });
  it('variants: entail, contradict, neutrality and the misspelt neutality; case-insensitive', () => {
    assert.equal(judge('mnli', item('entailment'), 'It does entail it').exactAnswer, 'entail');
    assert.equal(judge('mnli', item('neutral'), 'neutality or neutrality').exactAnswer, 'neutality');
    assert.equal(correct('mnli', item('neutral'), 'NEUTRAL'), 1);
    assert.equal(judge('mnli', item('contradiction'), 'they contradict').exactAnswer, 'contradict');
  });
  it('on the same position the first word searched wins ("entailment" over "entail")', () => {
    assert.equal(judge('mnli', item('entailment'), 'Entailment.').exactAnswer, 'entailment');
  });
  it('no class word: wrong, exact "" invalid; a gold outside the classes is always wrong', () => {
    assert.deepEqual(judge('mnli', item('neutral'), 'I cannot tell'), {
      automaticCorrectness: 0,
      exactAnswer: '',
      validExactAnswer: 0,
      exactAnswerIsFix: true,
    });
    assert.equal(correct('mnli', item('other'), 'other'), 0);
  });
});

describe('imdb: first-token parsing, then the earlier of negative/positive', () => {
  const positive = item(1);
  const negative = item(0);
  it('"Label: positive.</s>" → positive (".</s>" characters stripped)', () => {
    assert.deepEqual(judge('imdb', positive, 'Label: positive.</s>'), { automaticCorrectness: 1, exactAnswer: 'positive', validExactAnswer: 1 });
    assert.equal(correct('imdb', negative, 'Label: positive.</s>'), 0);
  });
  it('strips a character set, not a suffix: "ssspositivesss" → positive; "<s>negative" → negative', () => {
    assert.equal(judge('imdb', positive, 'ssspositivesss').exactAnswer, 'positive');
    assert.equal(judge('imdb', negative, '<s>negative').automaticCorrectness, 1);
  });
  it('a first token that is not exactly a label: the earlier word in the lowercased answer', () => {
    assert.deepEqual(judge('imdb', negative, 'It is negative, not positive'), { automaticCorrectness: 1, exactAnswer: 'negative', validExactAnswer: 1 });
    assert.equal(judge('imdb', positive, 'Label: Positive').exactAnswer, 'positive');
    assert.equal(judge('imdb', positive, 'Label:positive').automaticCorrectness, 1);
  });
  it('"Label: " keeps only the text up to a second "Label: "', () => {
    assert.equal(judge('imdb', negative, 'Label: negative Label: positive').exactAnswer, 'negative');
  });
  it('neutral is a prediction (-1), never correct; no word: NO ANSWER', () => {
    assert.deepEqual(judge('imdb', positive, 'neutral.'), { automaticCorrectness: 0, exactAnswer: 'neutral', validExactAnswer: 1 });
    assert.deepEqual(judge('imdb', positive, 'I liked it'), { automaticCorrectness: 0, exactAnswer: 'NO ANSWER', validExactAnswer: 1 });
    assert.deepEqual(judge('imdb', positive, ''), { automaticCorrectness: 0, exactAnswer: 'NO ANSWER', validExactAnswer: 1 });
  });
  it('whitespace-only answers (an IndexError in the reference) are NO ANSWER', () => {
    assert.equal(judge('imdb', positive, '   ').exactAnswer, 'NO ANSWER');
    assert.equal(judge('imdb', positive, 'Label: ').exactAnswer, 'NO ANSWER');
  });
});

describe('natural_questions_with_context: the substring test only', () => {
  const gold = item('Quinn Sullivan', { context: 'c' });
  it('a hit is correct; a miss is 0 and says the LLM judge did not run', () => {
    assert.deepEqual(judge('natural_questions_with_context', gold, 'It was quinn sullivan'), { automaticCorrectness: 1 });
    assert.deepEqual(judge('natural_questions_with_context', gold, 'Ronnie Earl'), { automaticCorrectness: 0, llmJudgeNotRun: true });
  });
});
