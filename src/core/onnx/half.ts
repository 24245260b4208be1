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

/** Decodes bits[from … from+count) into out[at …): one row of a float16 cache tensor, no new array. */
export function halfBitsToFloat32Into(bits: Uint16Array, from: number, count: number, out: Float32Array, at: number): void {
  const t = table();
  for (let j = 0; j < count; j++) out[at + j] = t[bits[from + j]];
}

/** bfloat16 is the top half of a float32: shifting the bits back is exact. */
export function bfloat16BitsToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const asInt = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) asInt[i] = bits[i] << 16;
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Nearest half bit pattern to a number (round half to even), as a float16 tensor would store it. */
export function float32ToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // Inf, NaN
  const e = exponent - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    // Subnormal half: the value is full × 2^(e−14) units of 2^−24.
    const shift = 14 - e;
    if (shift > 24) return sign;
    const full = mantissa | 0x800000;
    let m = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (m & 1) === 1)) m++;
    return sign | m;
  }
  let bits = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  if (rest > 0x1000 || (rest === 0x1000 && (bits & 1) === 1)) bits++;
  return sign | bits;
}
