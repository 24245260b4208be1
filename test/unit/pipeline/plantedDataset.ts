import * as fs from 'node:fs';
import * as path from 'node:path';

/** Correctness planted in the exact-answer word only; every word is one LLaMA token, so -k positions align. */
export function plantedDataset(dir: string, rows = 240): string {
  const right = ['▁Paris', '▁London', '▁Berlin'].map((w) => w.slice(1));
  const wrong = ['▁Rome', '▁Madrid', '▁Tokyo'].map((w) => w.slice(1));
  // Prompt number and label drawn independently (an LCG), so nothing before the answer predicts the label.
  let state = 12345;
  const rand = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const correct = rand() < 0.5 ? 1 : 0;
    const pool = correct ? right : wrong;
    const word = pool[Math.floor(rand() * pool.length)];
    lines.push(
      JSON.stringify({
        prompt: `Q: Which city did traveller ${Math.floor(rand() * 1000)} visit?\nA:`,
        model_answer: ` The answer is ${word}.\n`,
        correct,
        exact_answer: word,
      }),
    );
  }
  // One row whose exact answer is invalid, as the reference marks them: dropped and counted.
  lines.push(JSON.stringify({ prompt: 'Q: ?\nA:', model_answer: ' I do not know.\n', correct: 0, exact_answer: 'NO ANSWER' }));
  const file = path.join(dir, 'planted.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
