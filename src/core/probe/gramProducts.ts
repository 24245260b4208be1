// Products with the n×n Gram matrix K for dualNewton.ts, through onnxruntime: several vectors at a time
// (one pass over K for all of them), in float64 for the Newton iteration itself and in float32 for the
// conjugate-gradient steps — K's entries are float32 values already (a float32 Gram), those solves are
// inexact by design, and half the bytes make the memory-bound products faster.
import type { OrtKernels } from './ortKernels';

export class GramProducts {
  /** K's float32 twin: the very values K was widened from (OrtKernels.centredGram), or K narrowed. */
  private readonly K32: Float32Array;

  constructor(
    readonly K: Float64Array,
    readonly n: number,
    private readonly kernels: OrtKernels,
    K32?: Float32Array,
  ) {
    // new Float32Array(K) converts natively; Float32Array.from iterates in JS (~3 ms at n = 800).
    this.K32 = K32 ?? new Float32Array(K);
  }

  /** K·v for each v, float64. */
  async times(vs: Float64Array[]): Promise<Float64Array[]> {
    const r = vs.length;
    const out = await this.kernels.matmul(this.K, this.n, this.n, this.pack(vs, new Float64Array(this.n * r)), r);
    return this.unpack(out, r);
  }

  /** K·v for each v, float32 products (relative accuracy ~1e-6). */
  async times32(vs: Float64Array[]): Promise<Float64Array[]> {
    const r = vs.length;
    const out = await this.kernels.matmul32(this.K32, this.n, this.n, this.pack(vs, new Float32Array(this.n * r)), r);
    return this.unpack(out, r);
  }

  /** K·Ω for a row-major n×cols Ω, float64. */
  timesMatrix(omega: Float64Array, cols: number): Promise<Float64Array> {
    return this.kernels.matmul(this.K, this.n, this.n, omega, cols);
  }

  /** The vectors as the columns of a row-major n×r matrix. */
  private pack<T extends Float32Array | Float64Array>(vs: Float64Array[], packed: T): T {
    const r = vs.length;
    for (let c = 0; c < r; c++) {
      const v = vs[c];
      for (let i = 0; i < this.n; i++) packed[i * r + c] = v[i];
    }
    return packed;
  }

  private unpack(out: Float32Array | Float64Array, r: number): Float64Array[] {
    const results: Float64Array[] = [];
    for (let c = 0; c < r; c++) {
      const kv = new Float64Array(this.n);
      for (let i = 0; i < this.n; i++) kv[i] = out[i * r + c];
      results.push(kv);
    }
    return results;
  }
}
