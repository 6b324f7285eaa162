/**
 * Gamma and chi-square variates from a seeded {@link RandomStream}.
 *
 * Marsaglia and Tsang's method ("A simple method for generating gamma variables",
 * ACM TOMS 26(3), 2000): for shape a ≥ 1, with d = a − 1/3 and c = 1/√(9d), draw
 * z ~ N(0, 1) and u ~ U(0, 1), v = (1 + cz)³, and accept d·v when v > 0 and
 * log u < z²/2 + d − d·v + d·log v (the acceptance rate is above 95% for every a).
 * For 0 < a < 1, Gamma(a) = Gamma(a + 1)·u^(1/a). χ²_ν = 2·Gamma(ν/2).
 */
import type { RandomStream } from './random.js';

/** One Gamma(shape, 1) variate (mean shape, variance shape). */
export function gammaVariate(s: RandomStream, shape: number): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new Error(`gammaVariate: shape must be a finite number > 0, got ${shape}`);
  if (shape < 1) {
    const g = gammaVariate(s, shape + 1);
    // u in (0, 1]: 1 − U[0, 1)
    return g * Math.pow(1 - s.nextUniform(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = s.nextNormal();
    const t = 1 + c * z;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - s.nextUniform(); // (0, 1]
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One χ²_ν variate (mean ν, variance 2ν), ν > 0 degrees of freedom. */
export function chiSquareVariate(s: RandomStream, nu: number): number {
  if (!(nu > 0) || !Number.isFinite(nu)) throw new Error(`chiSquareVariate: degrees of freedom must be a finite number > 0, got ${nu}`);
  return 2 * gammaVariate(s, nu / 2);
}
