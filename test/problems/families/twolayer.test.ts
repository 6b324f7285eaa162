// Family 4 (two-layer teacher–student): the realisable optimum and the local smoothness bound.
import { describe, expect, it } from 'vitest';
import { key, normal } from '../../../src/rng/index.js';
import { twoLayer } from '../../../problems/families/twolayer.js';
import { norm } from '../checks.js';

/** Largest |eigenvalue| of ∇²F(x) by power iteration on finite-difference Hessian–vector products. */
function curvatureAt(p: { gradient(x: Float64Array): Float64Array; dim: number }, x: Float64Array): number {
  let v = normal(key(5), p.dim);
  let r = 0;
  const g0 = p.gradient(x);
  for (let it = 0; it < 60; it++) {
    const nv = norm(v);
    v = v.map((c) => c / nv);
    const eps = 1e-6;
    const g1 = p.gradient(x.map((c, j) => c + eps * v[j]!));
    v = g1.map((c, j) => (c - g0[j]!) / eps);
    r = norm(v);
  }
  return r;
}

for (const activation of ['tanh', 'softplus'] as const) {
  describe(`twolayer-${activation} (family 4)`, () => {
    const d = 6;
    const h = 4;
    const p = twoLayer({ activation, d, h, n: 600, instance: 0 });
    const info = p.info as { thetaStar: Float64Array; radius: number };

    it('the teacher is a global minimum: F(θ★) = 0, ∇F(θ★) = 0 and σ²(θ★) = 0', () => {
      expect(p.value(info.thetaStar)).toBe(0);
      expect(norm(p.gradient(info.thetaStar))).toBe(0);
      expect(p.noise(info.thetaStar).sigma2).toBe(0);
      expect(p.constants.F_star).toBe(0);
      expect(p.value(p.x0(key(1)))).toBeGreaterThan(1e-4);
    });

    it('L is labelled local on a ball that holds θ★ and the default initialisation', () => {
      const L = p.constants.L;
      expect(L.kind).toBe('local');
      expect(L.ball?.radius).toBe(info.radius);
      expect(L.region).toContain(String(info.radius));
      expect(norm(info.thetaStar)).toBeLessThanOrEqual(info.radius / 2 + 1e-12);
      for (let s = 0; s < 5; s++) expect(norm(p.x0(key(s)))).toBeLessThan(info.radius);
    });

    it('the local L bounds the curvature at structured points on the ball (rank-one W aligned with a)', () => {
      const R = 0.99 * info.radius;
      let worst = 0;
      for (let s = 0; s < 6; s++) {
        for (const frac of [0.2, 0.5, 0.8]) {
          const w = normal(key(10 + s), d);
          const c = normal(key(20 + s), h).map(Math.abs);
          const A = R * Math.sqrt(frac);
          const B = R * Math.sqrt(1 - frac);
          const x = new Float64Array(d * h + h);
          for (let j = 0; j < d; j++) for (let k = 0; k < h; k++) x[j * h + k] = (B * w[j]! * c[k]!) / (norm(w) * norm(c));
          for (let k = 0; k < h; k++) x[d * h + k] = (A * c[k]!) / norm(c);
          worst = Math.max(worst, curvatureAt(p, x));
        }
      }
      expect(worst).toBeLessThanOrEqual(p.constants.L.value);
      // The bound is not vacuous: within a factor 20 of what these points reach.
      expect(worst).toBeGreaterThan(p.constants.L.value / 20);
    });

    it('the bound is genuinely local: far outside the ball the curvature exceeds it', () => {
      // Output weights of norm 4R (hidden weights small): the Gauss–Newton term alone is ≈ ||a||² λ_max(XᵀX/n).
      const x = normal(key(7), d * h + h, 0, 0.01);
      const c = normal(key(8), h);
      for (let k = 0; k < h; k++) x[d * h + k] = (4 * info.radius * c[k]!) / norm(c);
      expect(norm(x)).toBeGreaterThan(info.radius);
      expect(curvatureAt(p, x)).toBeGreaterThan(p.constants.L.value);
    });
  });
}
