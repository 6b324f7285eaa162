// Families 7 (noisy quadratic) and 9 (zero chain): closed forms and the properties of the constructions.
import { describe, expect, it } from 'vitest';
import { key, normal, split, uniform } from '../../../src/rng/index.js';
import { noisyQuadratic } from '../../../problems/families/nqm.js';
import {
  CHAIN_L1,
  chainGradient,
  chainPhi,
  chainPhiPrime,
  chainPsi,
  chainPsiPrime,
  chainValue,
  hardChain,
} from '../../../problems/families/chain.js';
import { norm } from '../checks.js';

describe('nqm (family 7)', () => {
  const p = noisyQuadratic({ d: 30, instance: 0, alpha: 1.5 });
  const info = p.info as { xStar: Float64Array; spectrum: Float64Array; traceH: number };
  it('has the power-law spectrum, F★ = d/2 at x★, and noise independent of x equal to diag(H)', () => {
    expect(p.id).toBe('nqm_d30_i0_a1.5');
    info.spectrum.forEach((h, j) => expect(h).toBeCloseTo((j + 1) ** -1.5, 15));
    expect(p.value(info.xStar)).toBe(15);
    expect(norm(p.gradient(info.xStar))).toBe(0);
    const n1 = p.noise(info.xStar);
    const n2 = p.noise(normal(key(1), 30, 0, 5));
    expect(Array.from(n2.sigma2PerCoord)).toEqual(Array.from(n1.sigma2PerCoord));
    expect(n1.sigma2).toBeCloseTo(info.traceH, 14);
    expect(p.constants.F_star).toBe(15);
  });
  it('F(x) − F★ = ½ (x − x★)ᵀH(x − x★) and L = max h = 1 is attained along e_1', () => {
    const x = info.xStar.slice();
    x[0]! += 2;
    expect(p.value(x) - 15).toBeCloseTo(2, 14);
    const y = x.slice();
    y[0]! += 1;
    expect(norm(p.gradient(y).map((g, j) => g - p.gradient(x)[j]!))).toBeCloseTo(1, 14);
  });
});

describe('chain (family 9)', () => {
  it('Ψ, Φ and their derivatives agree with finite differences; Ψ(1) = 1, Ψ = 0 on (−∞, 1/2]', () => {
    expect(chainPsi(1)).toBe(1);
    expect(chainPsi(0.5)).toBe(0);
    expect(chainPsi(-3)).toBe(0);
    for (const t of [-2, -0.3, 0.2, 0.51, 0.6, 0.8, 1.3, 3]) {
      const h = 1e-6;
      expect(chainPsiPrime(t)).toBeCloseTo((chainPsi(t + h) - chainPsi(t - h)) / (2 * h), 7);
      expect(chainPhiPrime(t)).toBeCloseTo((chainPhi(t + h) - chainPhi(t - h)) / (2 * h), 7);
    }
    expect(chainPhi(0)).toBeCloseTo(Math.sqrt((Math.PI * Math.E) / 2), 14);
  });

  it('zero chain: at x = 0 only one coordinate has a nonzero gradient; one more appears after it moves', () => {
    const p = hardChain({ T: 12, instance: 3 });
    const info = p.info as { perm: Int32Array; sign: Float64Array };
    const g = p.gradient(new Float64Array(12));
    const support = Array.from(g.keys()).filter((j) => g[j] !== 0);
    expect(support).toEqual([info.perm[0]]);
    const x = new Float64Array(12);
    x[info.perm[0]!] = info.sign[0]! * 1; // z_1 = 1
    const g2 = p.gradient(x);
    const support2 = Array.from(g2.keys()).filter((j) => g2[j] !== 0).sort((a, b) => a - b);
    expect(support2).toEqual([info.perm[0]!, info.perm[1]!].sort((a, b) => a - b));
  });

  it('the oracle reveals the next coordinate with probability p and hides it otherwise', () => {
    const p = hardChain({ T: 10, instance: 0, p: 0.3 });
    const info = p.info as { perm: Int32Array };
    const x = new Float64Array(10);
    const m = 20000;
    const G = p.perSampleGrads(x, p.sample(key(4), m));
    let revealed = 0;
    for (let t = 0; t < m; t++) if (G[t * 10 + info.perm[0]!] !== 0) revealed++;
    const freq = revealed / m;
    expect(Math.abs(freq - 0.3)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / m));
  });

  it('the unscaled chain has ||∇F̄||∞ ≤ 23, and ||∇F̄|| > 1 whenever |z_T| < 1 (the large-gradient property)', () => {
    const T = 15;
    const keys = split(key(9), 400);
    for (const k of keys) {
      const z = uniform(k, T, -3, 3);
      const g = chainGradient(z);
      expect(Math.max(...g.map(Math.abs))).toBeLessThanOrEqual(23);
      if (Math.abs(z[T - 1]!) < 1) expect(norm(g)).toBeGreaterThan(1);
    }
  });

  it('F_low is a tight lower bound: z = 100·1 comes within 0.1% of it', () => {
    const T = 20;
    const p = hardChain({ T, instance: 0 });
    const z = new Float64Array(T).fill(100);
    const v = chainValue(z) / CHAIN_L1;
    expect(v).toBeGreaterThan(p.constants.F_low);
    expect(v - p.constants.F_low).toBeLessThan(1e-3 * Math.abs(p.constants.F_low));
  });

  it('σ² ≤ ((1 − p)/p)||∇F||² ≤ 23²T(1 − p)/(p ℓ₁²), so the noise vanishes at stationary points', () => {
    const p = hardChain({ T: 20, instance: 1, p: 0.2 });
    for (const k of split(key(11), 50)) {
      const x = uniform(k, 20, -2, 2);
      const s2 = p.noise(x).sigma2;
      const g2 = norm(p.gradient(x)) ** 2;
      expect(s2).toBeLessThanOrEqual((0.8 / 0.2) * g2 * (1 + 1e-12));
      expect(s2).toBeLessThanOrEqual((23 ** 2 * 0.8) / (0.2 * CHAIN_L1 ** 2));
    }
    expect(p.constants.noiseVanishesAtStationary).toBe(true);
  });
});
