// The paper's p(True) baseline (LLMsKnow src/p_true_detection.py, llmsknow-pipeline.md §7.2): the model
// is asked whether its own answer is true, and p(True) is the softmax over the logits of the tokens
// `A` and `B` at the first generated position. Both option orders are scored; the reference reports the
// better one as `_max`.

/**
 * The reference's prompt, whitespace as in its source: the continuation lines are indented by 12 spaces
 * in the (A) True order and by 8 in the reversed one (two f-strings at different indentation).
 */
export function pTruePrompt(question: string, answer: string, reversed: boolean): string {
  const indent = ' '.repeat(reversed ? 8 : 12);
  const [a, b] = reversed ? ['False', 'True'] : ['True', 'False'];
  return [
    `Question: ${question}`,
    `${indent}Possible answer: ${answer}`,
    `${indent}Is the possible answer:`,
    `${indent}(A) ${a}`,
    `${indent}(B) ${b}`,
    `${indent}The possible answer is:`,
  ].join('\n');
}
