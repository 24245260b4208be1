// The extraction model's answers put in place of the heuristic's, for the rows that ask for one.

import { type JudgedAnswer, withExtractedAnswer } from '../judgeText';
import type { ExactAnswerExtractor, ExtractionRequest } from './exactAnswerExtractor';

export interface ExtractionRound {
  judged: JudgedAnswer[];
  /** Rows whose exact answer now comes from the extraction model. */
  extracted: number;
  /** Rows whose extraction prompt outgrew the model's position table: they keep the heuristic. */
  tooLong: number;
}

/** `rows[k]` is judged[k]'s row index in the file (it seeds the row's sampling). Without an extractor, nothing changes. */
export async function applyExtraction(
  extractor: ExactAnswerExtractor | undefined,
  rows: readonly number[],
  judged: readonly JudgedAnswer[],
): Promise<ExtractionRound> {
  const asking = judged.flatMap((j, k) => (extractor !== undefined && j.extraction !== undefined ? [k] : []));
  if (extractor === undefined || asking.length === 0) return { judged: [...judged], extracted: 0, tooLong: 0 };
  const requests: ExtractionRequest[] = asking.map((k) => ({ row: rows[k], ...judged[k].extraction! }));
  const outcomes = await extractor.extract(requests);
  const out = [...judged];
  let tooLong = 0;
  asking.forEach((k, i) => {
    const outcome = outcomes[i];
    if ('tooLong' in outcome) tooLong++;
    else out[k] = withExtractedAnswer(judged[k], outcome.exact);
  });
  return { judged: out, extracted: asking.length - tooLong, tooLong };
}
