// Synthetic data: Gaussian designs whose feature covariance has a chosen condition number.
import { normal, split, uniform, type Key } from '../../src/rng/index.js';
import { orthonormalColumns } from './linalg.js';

/**
 * Geometric covariance spectrum s_j = κ^(−j/(d−1)), j = 0..d−1: largest 1,
 * smallest 1/κ, so the condition number is exactly κ.
 */
export function geometricSpectrum(d: number, kappa: number): Float64Array {
  const s = new Float64Array(d);
  for (let j = 0; j < d; j++) s[j] = d === 1 ? 1 : Math.pow(kappa, -j / (d - 1));
  return s;
}

/** A Haar-random orthogonal d × d matrix (row-major) from a key. */
export function randomOrthogonal(k: Key, d: number): Float64Array {
  return orthonormalColumns(normal(k, d * d), d);
}

export interface Design {
  /** Row-major n × d features. */
  readonly X: Float64Array;
  /** Eigenvalues of the population covariance Σ = Q diag(s) Qᵀ. */
  readonly spectrum: Float64Array;
}

/**
 * n rows x_i ~ N(0, Σ) with Σ = Q diag(s) Qᵀ, s the geometric spectrum of
 * condition number κ and Q Haar-random: x_i = Q diag(√s) z_i, z_i ~ N(0, I).
 * The empirical XᵀX/n is close to Σ for n ≫ d but not equal to it; problems
 * compute their constants from the empirical matrix.
 *
 * @example
 * const { X } = conditionedDesign(key(0), 1000, 20, 100); // 1000 × 20, cond(Σ) = 100
 */
export function conditionedDesign(k: Key, n: number, d: number, kappa: number): Design {
  const [kQ, kZ] = split(k, 2) as [Key, Key];
  const Q = randomOrthogonal(kQ, d);
  const s = geometricSpectrum(d, kappa);
  const root = s.map(Math.sqrt);
  const Z = normal(kZ, n * d);
  const X = new Float64Array(n * d);
  const scaled = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) scaled[j] = root[j]! * Z[off + j]!;
    for (let r = 0; r < d; r++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += Q[r * d + j]! * scaled[j]!;
      X[off + r] = acc;
    }
  }
  return { X, spectrum: s };
}

/**
 * A teacher weight vector w★ ~ N(0, I), rescaled so that the margins x_iᵀw★
 * have empirical root mean square `rms` over the n rows of X.
 */
export function linearTeacher(k: Key, X: Float64Array, n: number, d: number, rms: number): Float64Array {
  const w = normal(k, d);
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += X[i * d + j]! * w[j]!;
    m2 += z * z;
  }
  const scale = rms / Math.sqrt(m2 / n);
  for (let j = 0; j < d; j++) w[j]! *= scale;
  return w;
}

/** Labels y_i = ±1 with P(y_i = 1) = σ(x_iᵀw★) (the logistic model), from a key. */
export function logisticLabels(k: Key, X: Float64Array, n: number, d: number, wStar: Float64Array): Float64Array {
  const u = uniform(k, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += X[i * d + j]! * wStar[j]!;
    const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    y[i] = u[i]! < p ? 1 : -1;
  }
  return y;
}
