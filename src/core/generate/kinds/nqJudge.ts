// natural_questions' LLM judge (compute_correctness_natual_questions), for a caller that has an
// instruct model to run it; judgeAnswer itself never runs a model (llmsknow-pipeline.md §4.3).
// The reference: Mistral-7B-Instruct-v0.2 through its chat template, sampled (T = 1.0, top_k = 50,
// max_new_tokens 100) while the verdict is unreadable, then 0. Its loop reads `while retries < 5` but
// adds 1 to `retries` twice per unreadable verdict, so it makes at most 3 tries, not 5.

import { firstLine, pyStrip, pyStripChars } from './pythonText';

/** The judge's two-shot prompt, character for character (16-space indentation, indented blank lines). */
export function naturalQuestionsJudgePrompt(question: string, label: string, modelAnswer: string): string {
  const indent = '                ';
  const lines = [
    '',
    'Evaluate the following answers to questions. For each question you would be given a model answer and the correct answer.',
    "You would have to determine if the model answer is correct or not. If the model answer is correct, write '1' and if it is not correct, write '0'.",
    'For example:',
    '',
    'Question: who is the young guitarist who played with buddy guy?',
    'Ground Truth: Quinn Sullivan',
    'Model Answer: Ronnie Earl Explanation: Ronnie Earl is an American blues guitarist and singer who has played with many famous blues musicians, including Buddy Guy. He is known for his soulful and melodic playing style, and has released many albums that blend blues, jazz, and rock music. Earl has also been a member of the Buddy Guy Blues Band and has played with other notable blues musicians such as B.B. King, Eric Clapton, and Stevie Ray Vaughan. He is considered one of the most',
    'Correctness: 0',
    '',
    'Question: name of the first episode of stranger things ',
    'Ground Truth: Chapter One : The Vanishing of Will Byers',
    'Model Answer:  The disappearance of Will Byers. Explanation: The first episode of the first season of Stranger Things is titled "The Vanishing of Will Byers". The episode introduces the main characters and sets the tone for the rest of the series. It follows the story of Will Byers, a young boy who goes missing in the fictional town of Hawkins, Indiana, and the subsequent search for him by his mother Joyce and his friends Mike, Dustin, and Lucas. The episode sets the stage for the supernatural',
    'Correctness: 1',
    '',
    `Question: ${question}`,
    `Ground Truth: ${label}`,
    `Model Answer: ${modelAnswer}`,
    'Correctness:',
    '',
  ];
  // The f-string's first line is empty (it opens with a newline); every later line has the indent.
  return lines.map((line, i) => (i === 0 ? line : indent + line)).join('\n');
}

/**
 * One judge decode → 1, 0, or undefined (unreadable: the reference retries). Cleaned like the
 * extraction output (".</s>" and "</s>" removed, first line, stripped, "." stripped); then whichever
 * of "1" and "0" occurs first decides.
 */
export function parseJudgeVerdict(raw: string): 0 | 1 | undefined {
  const text = pyStripChars(pyStrip(firstLine(raw.replaceAll('.</s>', '').replaceAll('</s>', ''))), '.');
  const one = text.indexOf('1');
  const zero = text.indexOf('0');
  if (one !== -1 && (zero === -1 || one < zero)) return 1;
  if (zero !== -1) return 0;
  return undefined;
}
