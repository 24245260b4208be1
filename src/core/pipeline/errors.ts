import { LayerProbeError } from '../../contract/errors';

/** A run that cannot go on because of its input; the message names the file and row/column or graph node. */
export class PipelineError extends LayerProbeError {
  override name = 'PipelineError';
}
