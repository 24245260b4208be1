// Output tensors of onnxruntime-node as float32, whatever their element type.

import type { Tensor } from 'onnxruntime-node';

import { LayerProbeError } from '../../contract/errors';
import { bfloat16BitsToFloat32, halfBitsToFloat32 } from '../onnx/half';

export class TensorTypeError extends LayerProbeError {
  override name = 'TensorTypeError';
}

/**
 * float32 view or copy of a floating-point output. On Node 20 fp16 outputs arrive as raw half bits in
 * a Uint16Array (there is no global Float16Array); float32 data is returned without copying.
 */
export function tensorToFloat32(tensor: Tensor, label: string): Float32Array {
  const data = tensor.data;
  switch (tensor.type) {
    case 'float32':
      return data as Float32Array;
    case 'float16':
      return data instanceof Uint16Array ? halfBitsToFloat32(data) : Float32Array.from(data as ArrayLike<number>);
    case 'bfloat16' as Tensor.Type:
      return bfloat16BitsToFloat32(data as Uint16Array);
    case 'float64':
      return Float32Array.from(data as Float64Array);
    default:
      throw new TensorTypeError(`${label}: expected a floating-point tensor, got ${tensor.type}`);
  }
}
