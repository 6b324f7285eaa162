/**
 * The linear-layer statistics of Backend.linearStats written as the plain loops of
 * their definition, for checking the optimised kernels against: with g_i = x_i δ_iᵀ,
 *   sqNorms[i] = ||x_i||² ||δ_i||²,  dots[i] = Σ_{j,k} x_ij M_jk δ_ik,
 *   coordSumSq[j, k] = Σ_i x_ij² δ_ik².
 * O(b · din · dout), no skipping of zeros, no blocking.
 */
import type { Arr } from '../tensor/tensor.js';

export function linearStatsReference(
  x: Arr, delta: Arr, m: Arr, b: number, din: number, dout: number,
  sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array,
): void {
  coordSumSq.fill(0, 0, din * dout);
  for (let i = 0; i < b; i++) {
    let xn = 0;
    for (let j = 0; j < din; j++) xn += x[i * din + j]! * x[i * din + j]!;
    let dn = 0;
    for (let k = 0; k < dout; k++) dn += delta[i * dout + k]! * delta[i * dout + k]!;
    sqNorms[i] = xn * dn;
    let dot = 0;
    for (let j = 0; j < din; j++) {
      const xv = x[i * din + j]!;
      for (let k = 0; k < dout; k++) {
        const dv = delta[i * dout + k]!;
        dot += xv * m[j * dout + k]! * dv;
        coordSumSq[j * dout + k] = coordSumSq[j * dout + k]! + xv * xv * dv * dv;
      }
    }
    dots[i] = dot;
  }
}
