// Whole-array float32 → float16 conversion for the activation cache. `float32ToHalfBits` in onnx/half.ts
// does one number at a time through a scratch Float32Array; a chunk holds millions of values, so this
// reads the float32 bit patterns through a Uint32Array view instead (same rounding: nearest, ties to even).

import { halfBitsToFloat32 } from '../onnx/half';

export interface HalfConversion {
  bits: Uint16Array;
  /** Finite inputs that became ±Inf (|x| ≥ 65520 rounds past float16's largest value, 65504). */
  overflows: number;
  /** The first such input, for the error message. */
  firstOverflow?: number;
}

export function float32ArrayToHalfBits(src: Float32Array): HalfConversion {
  const words = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const bits = new Uint16Array(src.length);
  let overflows = 0;
  let firstOverflow: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const x = words[i];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    const mantissa = x & 0x7fffff;
    let h: number;
    if (exponent === 0xff) {
      h = sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // Inf stays Inf, NaN stays (quiet) NaN
    } else {
      const e = exponent - 112; // rebias 127 → 15
      if (e >= 0x1f) {
        h = sign | 0x7c00;
      } else if (e <= 0) {
        // Subnormal (or zero) half: the value in units of 2^-24, rounded half to even.
        const shift = 14 - e;
        if (shift > 24) {
          h = sign;
        } else {
          const full = mantissa | 0x800000;
          let m = full >>> shift;
          const rest = full & ((1 << shift) - 1);
          const halfway = 1 << (shift - 1);
          if (rest > halfway || (rest === halfway && (m & 1) === 1)) m++;
          h = sign | m;
        }
      } else {
        h = (e << 10) | (mantissa >>> 13);
        const rest = mantissa & 0x1fff;
        // A carry out of the mantissa bumps the exponent, up to Inf: that is the correct rounding.
        if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
        h |= sign;
      }
      if ((h & 0x7fff) === 0x7c00) {
        overflows++;
        firstOverflow ??= src[i];
      }
    }
    bits[i] = h;
  }
  return { bits, overflows, firstOverflow };
}

/** Exact float32 values of float16 bit patterns (every half is representable in float32). */
export function halfBitsToFloat32Array(bits: Uint16Array): Float32Array {
  return halfBitsToFloat32(bits);
}
