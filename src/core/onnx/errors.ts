import { LayerProbeError } from '../../contract/errors';

/** Bad or unsupported ONNX model content; the message names the file and the node or tensor. */
export class OnnxGraphError extends LayerProbeError {
  override name = 'OnnxGraphError';
}

/** The graph is readable but its transformer blocks cannot be found or do not add up. */
export class LayerStructureError extends OnnxGraphError {
  override name = 'LayerStructureError';
}
