import assert from 'node:assert/strict';
import { test } from 'node:test';

import { float32ArrayToHalfBits } from '../../../src/core/cache/float16';
import { float32ToHalfBits, halfBitsToFloat32 } from '../../../src/core/onnx/half';

test('float32 → float16 rounds to nearest, ties to even, like the scalar reference', () => {
  const one = 1;
  const ulp = 2 ** -10; // float16 spacing at 1
  const cases = new Float32Array([
    0, -0, 1, -1, 65504, -65504, 65519.99, 65520, 1e-8, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -14, 0.1, -3.14159,
    one + ulp / 2, // tie between 1 and 1+ulp: even mantissa (1) wins
    one + (3 * ulp) / 2, // tie between 1+ulp and 1+2ulp: 1+2ulp is even
    one + ulp / 2 + 2 ** -20, // just above the tie: rounds up
    Infinity, -Infinity, NaN,
  ]);
  const { bits, overflows, firstOverflow } = float32ArrayToHalfBits(cases);
  cases.forEach((v, i) => assert.equal(bits[i], float32ToHalfBits(v), `value ${v}`));
  const back = halfBitsToFloat32(bits);
  assert.equal(back[15], 1);
  assert.equal(back[16], 1 + 2 * ulp);
  assert.equal(back[17], 1 + ulp);
  assert.equal(back[5], -65504);
  // 65520 is the first value that rounds past the largest half: counted, not silently Inf.
  assert.equal(overflows, 1);
  assert.equal(firstOverflow, 65520);

  // A million random bit patterns (every exponent, subnormals, NaN payloads) agree with the scalar version.
  const words = new Uint32Array(1_000_000);
  let s = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[i] = s >>> 0;
  }
  const floats = new Float32Array(words.buffer);
  const bulk = float32ArrayToHalfBits(floats).bits;
  for (let i = 0; i < floats.length; i++) {
    if (bulk[i] !== float32ToHalfBits(floats[i])) assert.fail(`bits ${words[i].toString(16)}: ${bulk[i]} vs ${float32ToHalfBits(floats[i])}`);
  }
});
