// Eigen-decomposition of a small symmetric matrix (the ℓ×ℓ core of a Nyström sketch, ℓ ≈ 32).
// Cyclic Jacobi: a dozen lines, accurate to working precision, and at ℓ ≈ 32 far cheaper than anything
// else in a probe. Hand-written because the dependencies hold no linear-algebra library.

/**
 * Eigenvalues (descending) and eigenvectors (columns of `vectors`, row-major m×m) of the symmetric m×m
 * row-major matrix A. A is not modified.
 */
export function symmetricEigen(A: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  let scale = 0;
  for (let i = 0; i < m * m; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += a[p * m + q] * a[p * m + q];
    // Off-diagonal mass at rounding level (‖off‖ ≤ 1e-13·‖A‖): rotations cannot reduce it further.
    if (!(off > 1e-26 * scale)) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (apq === 0) continue;
        // Rotation zeroing a[p][q] (Golub & Van Loan, Algorithm 8.5.1).
        const theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p];
          const akq = a[k * m + q];
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k];
          const aqk = a[q * m + k];
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p];
          const vkq = v[k * m + q];
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => a[j * m + j] - a[i * m + i] || i - j);
  const values = Float64Array.from(order, (i) => a[i * m + i]);
  const vectors = new Float64Array(m * m);
  for (let k = 0; k < m; k++) for (let c = 0; c < m; c++) vectors[k * m + c] = v[k * m + order[c]];
  return { values, vectors };
}
