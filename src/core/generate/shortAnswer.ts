// The exact answer of a wrong row when no extraction model runs: the reference's extract_exact_answer.py
// asks an instruct LLM (Mistral-7B-Instruct, sampled) for the short answer; without one, this heuristic.

import { firstLine } from './kinds/pythonText';

/**
 * Deliberate difference: the reference asks an LLM (Mistral-7B-Instruct, sampled) to extract the short
 * answer of an incorrect row; a local tool has no such model. For short-answer datasets the answer's
 * first line, less trailing end tokens and full stops, is that short answer ("Paris.</s>" → "Paris").
 * Long, chatty answers would need the extractor; their rows get a poorer exact answer.
 */
export function shortAnswerOf(answer: string, endTokens: readonly string[]): string {
  let text = firstLine(answer).trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const token of endTokens) {
      if (token !== '' && text.endsWith(token)) {
        text = text.slice(0, -token.length).trimEnd();
        changed = true;
      }
    }
    const withoutStops = text.replace(/\.+$/, '').trimEnd();
    if (withoutStops !== text) {
      text = withoutStops;
      changed = true;
    }
  }
  return text;
}
