// Family 8: the least-squares pair differs only in whether the noise vanishes at the minimiser.
import { describe, expect, it } from 'vitest';
import { key, normal } from '../../../src/rng/index.js';
import { lsqPair } from '../../../problems/families/interpolation.js';
import { norm } from '../checks.js';

describe('lsq-interp / lsq-noisy (family 8)', () => {
  const interp = lsqPair({ variant: 'interp', d: 12, n: 800, instance: 4 });
  const noisy = lsqPair({ variant: 'noisy', d: 12, n: 800, instance: 4 });
  type Info = { wStar: Float64Array; xStar: Float64Array; labelNoise: number };
  const ii = interp.info as Info;
  const ni = noisy.info as Info;

  it('shares the design and teacher: the two objectives differ by an affine function of w', () => {
    expect(Array.from(ni.wStar)).toEqual(Array.from(ii.wStar));
    const x = normal(key(1), 12);
    const v = normal(key(2), 12);
    const second = (p: typeof interp): number =>
      p.value(x.map((c, j) => c + v[j]!)) + p.value(x.map((c, j) => c - v[j]!)) - 2 * p.value(x);
    expect(second(noisy)).toBeCloseTo(second(interp), 10);
    expect(interp.constants.L.value).toBe(noisy.constants.L.value);
  });

  it('interpolation: every per-sample gradient vanishes at w★ (σ² = 0, F★ = 0)', () => {
    expect(interp.value(ii.wStar)).toBeLessThan(1e-28);
    expect(norm(interp.gradient(ii.wStar))).toBeLessThan(1e-14);
    expect(interp.noise(ii.wStar).sigma2).toBeLessThan(1e-28);
    expect(interp.constants.noiseVanishesAtStationary).toBe(true);
    expect(interp.tags).toContain('interpolation');
  });

  it('no interpolation: at the minimiser ŵ the gradient vanishes but σ²(ŵ) > 0, and F★ = F(ŵ)', () => {
    expect(norm(noisy.gradient(ni.xStar))).toBeLessThan(1e-12);
    expect(noisy.value(ni.xStar)).toBeCloseTo(noisy.constants.F_star!, 14);
    // Residual variance about s²(n − d)/n, so σ² is of order s² · λ(XᵀX/n).
    expect(noisy.noise(ni.xStar).sigma2).toBeGreaterThan(0.05 * ni.labelNoise ** 2);
    expect(noisy.constants.F_star!).toBeGreaterThan(0.4 * 0.5 * ni.labelNoise ** 2);
    expect(noisy.constants.noiseVanishesAtStationary).toBe(false);
    expect(noisy.tags).toContain('no-interpolation');
    // Any other point has a larger value (strict convexity, n ≥ d).
    expect(noisy.value(ni.xStar.map((c) => c + 1e-3))).toBeGreaterThan(noisy.constants.F_star!);
  });
});
