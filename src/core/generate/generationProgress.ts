// The generation stage's progress line, shared by the worker (VS Code notification) and the CLI; the
// time left is added by timedProgress like every other stage's.
import { formatCount, formatRate } from '../progress/formatTiming';
import type { GenerationProgress } from './generateAnswers';

export function generationMessage(p: GenerationProgress): string {
  const tokensPerSecond = p.seconds > 0 ? p.tokens / p.seconds : 0;
  return `Generating answers ${formatCount(p.done)}/${formatCount(p.total)}${tokensPerSecond > 0 ? ` · ${formatRate(tokensPerSecond, 'tokens')}` : ''}`;
}
