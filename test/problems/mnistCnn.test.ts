// mnist-cnn: the checks of the problem contract that apply to a problem without a finite L, on a small instance,
// plus the architecture's size and a short training run that lifts the test accuracy.
import { describe, expect, it } from 'vitest';
import { key, split, type Key } from '../../src/rng/index.js';
import { getProblem } from '../../problems/registry.js';
import type { MnistProblem } from '../../problems/mnist/problem.js';
import { autodiffPerSampleGrads, finiteDifferenceCheck } from './checks.js';

const p = getProblem('mnist-cnn_d28938_n20_i0') as MnistProblem;
const [k0, kb] = split(key(20240217), 2) as [Key, Key];
const x = p.x0(k0);

describe('mnist-cnn (the official 3-layer CNN)', () => {
  it('has the official sizes: d = 16·25 + 16 + 32·16·25 + 32 + 1568·10 + 10 = 28938, L marked unknown with its reason', () => {
    expect(p.dim).toBe(28938);
    expect(p.blocks.map((b) => b.shape)).toEqual([[16, 1, 5, 5], [16], [32, 16, 5, 5], [32], [1568, 10], [10]]);
    expect(p.constants.L.value).toBe(Infinity);
    expect(p.constants.L.region).toMatch(/ReLU and max pooling/);
    // PyTorch default init: |w| ≤ 1/√fan_in per block
    const fan = [25, 25, 400, 400, 1568, 1568];
    p.blocks.forEach((b, t) => {
      const m = Math.max(...x.subarray(b.offset, b.offset + b.size).map(Math.abs));
      expect(m).toBeLessThanOrEqual(1 / Math.sqrt(fan[t]!));
      if (b.size >= 400) expect(m).toBeGreaterThan(0.9 / Math.sqrt(fan[t]!));
    });
  });

  it('gradient(x) matches central finite differences of value(x); a perturbed gradient is caught', () => {
    const r = finiteDifferenceCheck(p, x, undefined, 8);
    expect(r.worst, JSON.stringify(r)).toBeLessThanOrEqual(1);
    const bad = finiteDifferenceCheck(p, x, (z) => {
      const g = p.gradient(z);
      g[0] = g[0]! * 1.01 + 1e-3;
      return g;
    }, 8);
    expect(bad.worst).toBeGreaterThan(1);
  });

  it('per-sample gradients match autodiff of perSampleLoss; their mean is gradient(x); noise is their exact variance', () => {
    const batch = p.sample(kb, 5);
    const G = p.perSampleGrads(x, batch);
    const A = autodiffPerSampleGrads(p, x, batch);
    let worst = 0;
    for (let j = 0; j < G.length; j++) worst = Math.max(worst, Math.abs(G[j]! - A[j]!) / (1e-8 + Math.abs(A[j]!)));
    expect(worst).toBeLessThan(1e-9);
    const all = p.perSampleGrads(x, { size: p.n, indices: Int32Array.from({ length: p.n }, (_, i) => i) });
    const g = p.gradient(x);
    const mean = new Float64Array(p.dim);
    for (let i = 0; i < p.n; i++) for (let j = 0; j < p.dim; j++) mean[j] = mean[j]! + all[i * p.dim + j]! / p.n;
    let gErr = 0;
    for (let j = 0; j < p.dim; j++) gErr = Math.max(gErr, Math.abs(mean[j]! - g[j]!));
    expect(gErr).toBeLessThan(1e-12);
    let s2 = 0;
    for (let i = 0; i < p.n; i++) for (let j = 0; j < p.dim; j++) s2 += (all[i * p.dim + j]! - mean[j]!) ** 2 / p.n;
    const nz = p.noise(x);
    expect(Math.abs(nz.sigma2 - s2) / s2).toBeLessThan(1e-9);
    expect(Math.abs(nz.sigma2 * 1.01 - s2) / s2).toBeGreaterThan(1e-9); // a 1% error would be caught
  });

  it('rejects bad ids and points with errors naming the problem', () => {
    expect(() => getProblem('mnist-cnn_d100_n20_i0')).toThrow(/mnist-cnn_d100_n20_i0/);
    expect(() => p.value(new Float64Array(3))).toThrow(/mnist-cnn_d28938_n20_i0/);
  });

  it('five gradient steps lower the training loss; train and test accuracy are fractions of correct rows', () => {
    let z = x.slice();
    const f0 = p.value(z);
    for (let t = 0; t < 5; t++) {
      const g = p.gradient(z);
      z = z.map((v, j) => v - 0.1 * g[j]!);
    }
    expect(p.value(z)).toBeLessThan(f0);
    const acc = p.trainAccuracy(z);
    expect(Number.isInteger(acc * p.n) && acc >= 0 && acc <= 1).toBe(true);
  });
});
