import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { detectDatasetKind } from '../../../../src/core/generate/kinds';

const kindOf = (columns: string[], records: Record<string, unknown>[] = []) => detectDatasetKind(columns, records)?.kind;

describe('detectDatasetKind', () => {
  it("the reference's data/*.csv layouts", () => {
    assert.equal(kindOf(['id', 'question', 'answer', 'answerable', 'category', 'relevant_ids', 'source']), 'math');
    assert.equal(kindOf(['Question', 'Answer', 'Origin']), 'mnli');
    assert.equal(kindOf(['Question', 'Answer']), 'movies');
    assert.equal(kindOf(['type', 'stereotype', 'pronoun', 'sentence', 'answer', 'incorrect_answer', 'q', 'q_instruct']), 'winobias');
    assert.equal(kindOf(['Question', 'Answer', 'Wrong_Answer']), 'winogrande');
    assert.equal(kindOf(['Question', 'Answer', 'Context'], [{ Question: 'q', Answer: 'a', Context: 'c' }]), 'natural_questions_with_context');
  });

  it("pandas' unnamed index column is ignored", () => {
    assert.equal(kindOf(['', 'Question', 'Answer']), 'movies');
    assert.equal(kindOf(['Unnamed: 0', 'Question', 'Answer', 'Wrong_Answer']), 'winogrande');
  });

  it('math also from one-number-list answers', () => {
    assert.equal(kindOf(['question', 'answer'], [{ question: 'q', answer: '[9.0]' }, { question: 'r', answer: '[2.5]' }]), 'math');
  });

  it('triviaqa from an alias list: Answer.Aliases objects, an aliases column, list values', () => {
    assert.equal(kindOf(['Question', 'Answer'], [{ Question: 'q', Answer: { Aliases: ['a'] } }]), 'triviaqa');
    assert.equal(kindOf(['question', 'answer'], [{ question: 'q', answer: { aliases: ['a'], value: 'a' } }]), 'triviaqa');
    assert.equal(kindOf(['question', 'aliases'], [{ question: 'q', aliases: ['a'] }]), 'triviaqa');
    assert.equal(kindOf(['question', 'gold_answer'], [{ question: 'q', gold_answer: "['Paris', 'Lutetia']" }]), 'triviaqa');
    assert.equal(kindOf(['Question', 'Answer'], [{ Question: 'q', Answer: ['a', 'b'] }]), 'triviaqa');
  });

  it('qa: a question and one gold string that is not the movies layout', () => {
    assert.equal(kindOf(['id', 'question', 'gold_answer'], [{ id: 'x', question: 'q', gold_answer: 'Tamrokkrar' }]), 'qa');
    assert.equal(kindOf(['question', 'answer'], [{ question: 'q', answer: 'Paris' }]), 'qa');
    assert.equal(kindOf(['Question', 'Answer', 'split'], [{ Question: 'q', Answer: 'a', split: 'train' }]), 'qa');
  });

  it('HotpotQA: structured context → with_context; supporting_facts without context → hotpotqa', () => {
    const context = { title: ['T'], sentences: [['s']] };
    assert.equal(kindOf(['id', 'question', 'answer', 'type', 'level', 'supporting_facts', 'context'], [{ question: 'q', answer: 'a', context }]), 'hotpotqa_with_context');
    assert.equal(kindOf(['question', 'answer', 'context'], [{ question: 'q', answer: 'a', context: [['T', ['s']]] }]), 'hotpotqa_with_context');
    assert.equal(kindOf(['_id', 'question', 'answer', 'supporting_facts']), 'hotpotqa');
  });

  it('IMDB: text + 0/1 label, or review + sentiment', () => {
    assert.equal(kindOf(['text', 'label'], [{ text: 'Great', label: 1 }]), 'imdb');
    assert.equal(kindOf(['review', 'sentiment'], [{ review: 'Great', sentiment: 'positive' }]), 'imdb');
  });

  it('undefined when nothing fits, or for a file that already holds model answers', () => {
    assert.equal(detectDatasetKind(['prompt', 'completion'], [{ prompt: 'p', completion: 'c' }]), undefined);
    assert.equal(detectDatasetKind(['raw_question', 'question', 'model_answer', 'correct_answer'], []), undefined);
  });

  it('gives a reason', () => {
    assert.match(detectDatasetKind(['Question', 'Answer', 'Wrong_Answer'], [])!.reason, /Wrong_Answer/);
  });
});
