// IEEE 754 half-precision (fp16) and bfloat16 bit patterns → float32.
// onnxruntime-node on Node 20 hands fp16 tensors back as raw Uint16Array bits (there is no global
// Float16Array), and fp16 weights are stored as raw bits too, so both paths need this conversion.

let halfTable: Float32Array | undefined;

/** Exact float32 value of every one of the 65,536 half bit patterns (256 KB, built once). */
function table(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) t[h] = sign * mantissa * 2 ** -24; // subnormal (and ±0)
    else if (exponent === 31) t[h] = mantissa === 0 ? sign * Infinity : NaN;
    else t[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  halfTable = t;
  return t;
}

export function halfBitsToFloat32(bits: Uint16Array): Float32Array {
  const t = table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]];
  return out;
}

/** bfloat16 is the top half of a float32: shifting the bits back is exact. */
export function bfloat16BitsToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const asInt = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) asInt[i] = bits[i] << 16;
  return out;
}
