// Small dense float64 linear algebra for building problems: Gram matrices, symmetric eigenvalues, QR, Cholesky.

/**
 * (1/n) XᵀX for a row-major n × d matrix X (a d × d row-major result).
 *
 * @example
 * gram(new Float64Array([1, 0, 0, 2]), 2, 2); // returns [0.5, 0, 0, 2]
 */
export function gram(X: Float64Array, n: number, d: number, weights?: Float64Array): Float64Array {
  const G = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    if (w === 0) continue;
    const off = i * d;
    for (let a = 0; a < d; a++) {
      const xa = X[off + a]! * w;
      if (xa === 0) continue;
      const row = a * d;
      for (let c = a; c < d; c++) G[row + c]! += xa * X[off + c]!;
    }
  }
  for (let a = 0; a < d; a++) {
    for (let c = a; c < d; c++) {
      const v = G[a * d + c]! / n;
      G[a * d + c] = v;
      G[c * d + a] = v;
    }
  }
  return G;
}

/**
 * Eigenvalues of a symmetric d × d matrix (row-major), ascending, by the cyclic
 * Jacobi method. Accurate to a few ulps of the largest |eigenvalue|; O(d³) per
 * sweep, fine for d up to a few hundred.
 *
 * @example
 * symEigenvalues(new Float64Array([2, 1, 1, 2]), 2); // returns [1, 3]
 */
export function symEigenvalues(S: Float64Array, d: number): Float64Array {
  const A = Float64Array.from(S);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < d; p++) {
      diag += A[p * d + p]! * A[p * d + p]!;
      for (let q = p + 1; q < d; q++) off += A[p * d + q]! * A[p * d + q]!;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = A[p * d + q]!;
        if (apq === 0) continue;
        const app = A[p * d + p]!;
        const aqq = A[q * d + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = A[k * d + p]!;
          const akq = A[k * d + q]!;
          A[k * d + p] = c * akp - s * akq;
          A[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = A[p * d + k]!;
          const aqk = A[q * d + k]!;
          A[p * d + k] = c * apk - s * aqk;
          A[q * d + k] = s * apk + c * aqk;
        }
        A[p * d + q] = 0;
        A[q * d + p] = 0;
      }
    }
  }
  const ev = new Float64Array(d);
  for (let p = 0; p < d; p++) ev[p] = A[p * d + p]!;
  return ev.sort();
}

/** The largest eigenvalue of a symmetric matrix (see {@link symEigenvalues}). */
export function lambdaMax(S: Float64Array, d: number): number {
  const ev = symEigenvalues(S, d);
  return ev[d - 1]!;
}

/**
 * Orthonormalise the columns of a row-major d × d matrix (modified Gram–Schmidt,
 * applied twice for stability), fixing signs so that the QR factor R has a
 * positive diagonal: with Gaussian input the result is Haar-distributed.
 */
export function orthonormalColumns(G: Float64Array, d: number): Float64Array {
  const Q = Float64Array.from(G);
  for (let c = 0; c < d; c++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let r = 0; r < d; r++) dot += Q[r * d + p]! * Q[r * d + c]!;
        for (let r = 0; r < d; r++) Q[r * d + c]! -= dot * Q[r * d + p]!;
      }
    }
    let nrm = 0;
    for (let r = 0; r < d; r++) nrm += Q[r * d + c]! * Q[r * d + c]!;
    nrm = Math.sqrt(nrm);
    if (!(nrm > 0)) throw new Error('orthonormalColumns: matrix is singular');
    for (let r = 0; r < d; r++) Q[r * d + c]! /= nrm;
  }
  return Q;
}

/**
 * Solve the symmetric positive definite system A z = rhs (row-major d × d) by
 * Cholesky. Throws when A is not numerically positive definite.
 */
export function choleskySolve(A: Float64Array, rhs: Float64Array, d: number): Float64Array {
  const Lc = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j]!;
      for (let k = 0; k < j; k++) s -= Lc[i * d + k]! * Lc[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error('choleskySolve: matrix is not positive definite');
        Lc[i * d + i] = Math.sqrt(s);
      } else {
        Lc[i * d + j] = s / Lc[j * d + j]!;
      }
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = rhs[i]!;
    for (let k = 0; k < i; k++) s -= Lc[i * d + k]! * y[k]!;
    y[i] = s / Lc[i * d + i]!;
  }
  const z = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < d; k++) s -= Lc[k * d + i]! * z[k]!;
    z[i] = s / Lc[i * d + i]!;
  }
  return z;
}

/** Row i of a row-major n × d matrix dotted with w. */
export function rowDot(X: Float64Array, i: number, d: number, w: Float64Array): number {
  let s = 0;
  const off = i * d;
  for (let j = 0; j < d; j++) s += X[off + j]! * w[j]!;
  return s;
}

/** Euclidean norm. */
export function norm2(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j]! * v[j]!;
  return Math.sqrt(s);
}

/**
 * Round a computed bound up so that rounding in its computation cannot make it
 * too small: multiply by (1 + 1e-9).
 */
export function roundUp(bound: number): number {
  return bound * (1 + 1e-9);
}
