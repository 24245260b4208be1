/** Bad or unsupported ONNX model content; the message names the file and the node or tensor. */
export class OnnxGraphError extends Error {
  override name = 'OnnxGraphError';
}
