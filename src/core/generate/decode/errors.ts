// The error raised on purpose by greedy decoding (re-exported by ../greedy.ts, where callers import it).

import { LayerProbeError } from '../../../contract/errors';

export class GenerationError extends LayerProbeError {
  override name = 'GenerationError';
}
