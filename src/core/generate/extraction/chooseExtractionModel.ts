// Which model extracts exact answers (layerProbe.extractionModel / --extraction-model): a folder named
// by the user, or by default the answering model itself when it is an instruct model with a chat
// template of its own; otherwise none, and the short-answer heuristic stands in.

import * as path from 'node:path';

import type { ModelTokenizer } from '../../tokenize/modelTokenizer';

export type ExtractionModelChoice = { dir: string; reason: string } | { dir?: undefined; reason: string };

/**
 * `option` is the run option's value ('' = the default rule); `answering` the model that wrote the
 * answers, with its tokenizer as the run resolved it (a --model-kind base override makes it base).
 */
export function chooseExtractionModel(option: string, answering?: { dir: string; tok?: Pick<ModelTokenizer, 'kind' | 'chatTemplate'> }): ExtractionModelChoice {
  if (option !== '') return { dir: path.resolve(option), reason: 'given' };
  if (answering === undefined) return { reason: 'no extraction model given and no answering model named' };
  if (answering.tok?.kind === 'instruct' && answering.tok.chatTemplate !== undefined) {
    return { dir: path.resolve(answering.dir), reason: 'the answering model, an instruct model with a chat template of its own' };
  }
  return { reason: 'no extraction model given, and the answering model is not an instruct model with a chat template of its own' };
}
