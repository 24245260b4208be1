// Dense float64 kernels for the probe solvers: Gram matrix, matrix–vector products, Cholesky.
// Hand-written: no maintained pure-JS BLAS/LAPACK gives float64 results from float32 row-major data;
// these few loops are all the solvers need, and the Gram loop is blocked 4×4 because it dominates.

/**
 * K = X·Xᵀ (n×n, row-major, full symmetric) for row-major X (n×d), accumulated in float64.
 * float32·float32 products are exact in float64, so only the sums round.
 */
export function gram(X: Float32Array, n: number, d: number): Float64Array {
  const K = new Float64Array(n * n);
  const n4 = n - (n % 4);
  for (let i0 = 0; i0 < n4; i0 += 4) {
    const a0 = i0 * d, a1 = a0 + d, a2 = a1 + d, a3 = a2 + d;
    for (let j0 = 0; j0 <= i0; j0 += 4) {
      const b0 = j0 * d, b1 = b0 + d, b2 = b1 + d, b3 = b2 + d;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let k = 0; k < d; k++) {
        const x0 = X[a0 + k], x1 = X[a1 + k], x2 = X[a2 + k], x3 = X[a3 + k];
        const y0 = X[b0 + k], y1 = X[b1 + k], y2 = X[b2 + k], y3 = X[b3 + k];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      let o = i0 * n + j0;
      K[o] = s00; K[o + 1] = s01; K[o + 2] = s02; K[o + 3] = s03; o += n;
      K[o] = s10; K[o + 1] = s11; K[o + 2] = s12; K[o + 3] = s13; o += n;
      K[o] = s20; K[o + 1] = s21; K[o + 2] = s22; K[o + 3] = s23; o += n;
      K[o] = s30; K[o + 1] = s31; K[o + 2] = s32; K[o + 3] = s33;
    }
  }
  // Rows left over by the 4×4 blocking, against every row up to themselves.
  for (let i = n4; i < n; i++) {
    for (let j = 0; j <= i; j++) K[i * n + j] = dotRows(X, i * d, j * d, d);
  }
  // Mirror the lower triangle (the blocks on the diagonal wrote both halves already; harmless).
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) K[j * n + i] = K[i * n + j];
  return K;
}

function dotRows(X: Float32Array, a: number, b: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += X[a + k] * X[b + k];
  return s;
}

/**
 * out = X·v for row-major X (rows×cols). Four rows per sweep: each v[k] loaded serves four independent
 * accumulators, about twice the speed of one dot product at a time in V8.
 */
export function matVec(X: ArrayLike<number>, rows: number, cols: number, v: Float64Array, out: Float64Array): Float64Array {
  const rows4 = rows - (rows % 4);
  for (let i = 0; i < rows4; i += 4) {
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0; k < cols; k++) {
      const vk = v[k];
      s0 += X[o0 + k] * vk;
      s1 += X[o1 + k] * vk;
      s2 += X[o2 + k] * vk;
      s3 += X[o3 + k] * vk;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (let i = rows4; i < rows; i++) {
    const o = i * cols;
    let s = 0;
    for (let k = 0; k < cols; k++) s += X[o + k] * v[k];
    out[i] = s;
  }
  return out;
}

/**
 * out = Xᵀ·u for row-major X (rows×cols): one pass over X, eight rows per sweep of out (each load and
 * store of out[k] then serves eight multiply-adds).
 */
export function matTVec(X: ArrayLike<number>, rows: number, cols: number, u: Float64Array, out: Float64Array): Float64Array {
  out.fill(0);
  const rows8 = rows - (rows % 8);
  for (let i = 0; i < rows8; i += 8) {
    const u0 = u[i], u1 = u[i + 1], u2 = u[i + 2], u3 = u[i + 3], u4 = u[i + 4], u5 = u[i + 5], u6 = u[i + 6], u7 = u[i + 7];
    const o0 = i * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols, o4 = o3 + cols, o5 = o4 + cols, o6 = o5 + cols, o7 = o6 + cols;
    for (let k = 0; k < cols; k++) {
      out[k] +=
        u0 * X[o0 + k] + u1 * X[o1 + k] + u2 * X[o2 + k] + u3 * X[o3 + k] + u4 * X[o4 + k] + u5 * X[o5 + k] + u6 * X[o6 + k] + u7 * X[o7 + k];
    }
  }
  for (let i = rows8; i < rows; i++) {
    const ui = u[i];
    if (ui === 0) continue;
    const o = i * cols;
    for (let k = 0; k < cols; k++) out[k] += ui * X[o + k];
  }
  return out;
}

/**
 * In-place Cholesky A = L·Lᵀ of a symmetric positive-definite row-major n×n matrix; the lower
 * triangle of A becomes L (the upper triangle is left untouched). Returns false if a pivot is not
 * positive (A not numerically PD). Row-oriented (every inner loop a contiguous dot product), four
 * columns at a time so each L[i][k] loaded serves four dot products; the arithmetic order is that of
 * the plain one-column loop, so results are bit-identical to it.
 */
export function choleskyInPlace(A: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let j = 0;
    for (; j + 4 <= i; j += 4) {
      const r0 = j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = A[ri + j], s1 = A[ri + j + 1], s2 = A[ri + j + 2], s3 = A[ri + j + 3];
      for (let k = 0; k < j; k++) {
        const l = A[ri + k];
        s0 -= l * A[r0 + k];
        s1 -= l * A[r1 + k];
        s2 -= l * A[r2 + k];
        s3 -= l * A[r3 + k];
      }
      // The four columns depend on each other through the entries just computed.
      const l0 = (A[ri + j] = s0 / A[r0 + j]);
      s1 -= l0 * A[r1 + j];
      s2 -= l0 * A[r2 + j];
      s3 -= l0 * A[r3 + j];
      const l1 = (A[ri + j + 1] = s1 / A[r1 + j + 1]);
      s2 -= l1 * A[r2 + j + 1];
      s3 -= l1 * A[r3 + j + 1];
      const l2 = (A[ri + j + 2] = s2 / A[r2 + j + 2]);
      s3 -= l2 * A[r3 + j + 2];
      A[ri + j + 3] = s3 / A[r3 + j + 3];
    }
    for (; j < i; j++) {
      const rj = j * n;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= A[ri + k] * A[rj + k];
      A[ri + j] = s / A[rj + j];
    }
    let s = A[ri + i];
    for (let k = 0; k < i; k++) s -= A[ri + k] * A[ri + k];
    if (!(s > 0)) return false;
    A[ri + i] = Math.sqrt(s);
  }
  return true;
}

/** Solves L·x = b in place (b becomes x) for the lower-triangular L stored by choleskyInPlace. */
export function forwardSolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * b[k];
    b[i] = s / L[ri + i];
  }
  return b;
}

/** Solves Lᵀ·x = b in place (b becomes x): column sweep so L is still read row by row. */
export function backwardSolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = (b[i] /= L[ri + i]);
    for (let k = 0; k < i; k++) b[k] -= L[ri + k] * xi;
  }
  return b;
}

/** Solves (L·Lᵀ)·x = b in place. */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  return backwardSolve(L, n, forwardSolve(L, n, b));
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}
