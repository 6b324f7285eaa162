/** Batch-size tests of SPEC §3 against hand values, in the sample form and the exact form. */
import { describe, expect, it } from 'vitest';
import {
  augIpTest, blockIpTest, blockOrthTest, coordNormTest, exactQuantities, ipTest, normTest, orthTest,
  statistics, statsFromPerSampleGrads, type BatchSizeTest, type BatchStatistics, type TestDecision,
} from '../../src/batching/index.js';
import type { Problem } from '../../src/problem/types.js';

function close(a: number, e: number, rel = 1e-13): void {
  if (!(Math.abs(a - e) <= rel * Math.max(1, Math.abs(e)))) throw new Error(`got ${a}, expected ${e} (tolerance ${rel} relative)`);
}

function expectDecision(d: TestDecision, T: number, statistic: number, holds: boolean): void {
  expect(d.noInfo).toBe(false);
  close(d.T, T);
  close(d.statistic, statistic);
  expect(d.holds).toBe(holds);
}

/** Synthetic statistics (only the fields a test reads need to be right). */
function synth(p: Partial<BatchStatistics> & { b: number; gradNormSq: number }): BatchStatistics {
  return {
    meanGrad: new Float64Array(0), S_norm: 0, S_ip: 0, S_orth: 0, S_j: new Float64Array(0), B_simple: 0,
    blockwise: { S_ip: 0, S_orth: 0 }, ...p,
  };
}

// Example A (b = 4, d = 2): g = (1,1), (3,1), (1,3), (3,3).
//   ḡ = (2, 2), ||ḡ||² = 8; deviations (−1,−1), (1,−1), (−1,1), (1,1), each of squared norm 2:
//   S_norm = 8/3. ⟨g_i − ḡ, ḡ⟩ = (−4, 0, 0, 4): S_ip = 32/3.
//   S_orth = (Σ||g_i − ḡ||² − Σ⟨g_i − ḡ, ḡ⟩²/||ḡ||²)/(b − 1) = (8 − 32/8)/3 = 4/3.
//   S_j: each coordinate deviates by ±1: S_1 = S_2 = 4/3.
const A = statistics(statsFromPerSampleGrads([[1, 1], [3, 1], [1, 3], [3, 3]]));

describe('the statistics of example A (the inputs of the hand values below)', () => {
  it('S_norm = 8/3, S_ip = 32/3, S_orth = 4/3, S_j = 4/3, ||ḡ||² = 8', () => {
    close(A.gradNormSq, 8);
    close(A.S_norm, 8 / 3);
    close(A.S_ip, 32 / 3);
    close(A.S_orth, 4 / 3);
    close(A.S_j[0]!, 4 / 3);
    close(A.S_j[1]!, 4 / 3);
  });
});

describe('sample forms against hand values', () => {
  it('norm(η): T = S_norm/(η²||ḡ||²), statistic = (S_norm/b)/(η²||ḡ||²)', () => {
    // η = 0.5: η²||ḡ||² = 2; T = (8/3)/2 = 4/3; statistic = (2/3)/2 = 1/3: holds at b = 4
    expectDecision(normTest(0.5).sample(A), 4 / 3, 1 / 3, true);
    // η = 0.1: η²||ḡ||² = 0.08; T = (8/3)/0.08 = 100/3; statistic = (2/3)/0.08 = 25/3: fails
    expectDecision(normTest(0.1).sample(A), 100 / 3, 25 / 3, false);
  });

  it('the docstring example: b = 4, S_norm = 2, ||ḡ||² = 1, η = 0.5 gives T = 8', () => {
    expectDecision(normTest(0.5).sample(synth({ b: 4, S_norm: 2, gradNormSq: 1 })), 8, 2, false);
  });

  it('ip(θ): T = S_ip/(θ²||ḡ||⁴)', () => {
    // θ = 0.5: θ²||ḡ||⁴ = 0.25·64 = 16; T = (32/3)/16 = 2/3; statistic = (8/3)/16 = 1/6
    expectDecision(ipTest(0.5).sample(A), 2 / 3, 1 / 6, true);
  });

  it('orth(ν): T = S_orth/(ν²||ḡ||²)', () => {
    // ν = 0.5: ν²||ḡ||² = 2; T = (4/3)/2 = 2/3; statistic = (1/3)/2 = 1/6
    expectDecision(orthTest(0.5).sample(A), 2 / 3, 1 / 6, true);
    // ν = 0.1: 0.08; T = (4/3)/0.08 = 50/3; statistic = (1/3)/0.08 = 25/6
    expectDecision(orthTest(0.1).sample(A), 50 / 3, 25 / 6, false);
  });

  it('augmented ip(θ, ν): both must hold, T = max(T_ip, T_orth)', () => {
    // θ = 0.5: T_ip = 2/3 (statistic 1/6); ν = 0.25: ν²||ḡ||² = 0.5, T_orth = (4/3)/0.5 = 8/3 (statistic (1/3)/0.5 = 2/3)
    expectDecision(augIpTest(0.5, 0.25).sample(A), 8 / 3, 2 / 3, true);
    // θ = 0.1: θ²||ḡ||⁴ = 0.64, T_ip = (32/3)/0.64 = 50/3, statistic (8/3)/0.64 = 25/6 > 1: fails although orth holds
    expectDecision(augIpTest(0.1, 0.25).sample(A), 50 / 3, 25 / 6, false);
  });

  it('coordinate-wise norm(η): T = max_j S_j/(η²ḡ_j²), statistic = T/b', () => {
    // η = 0.5: each ratio (4/3)/(0.25·4) = 4/3; T = 4/3, statistic 1/3, nothing skipped
    const d = coordNormTest(0.5).sample(A);
    expectDecision(d, 4 / 3, 1 / 3, true);
    expect(d.skipped).toBe(0);
    // unequal coordinates: ḡ = (2, 1), S_j = (1, 2), η = 1: ratios 1/4 and 2/1 = 2 → T = 2, statistic 2/4
    const e = coordNormTest(1).sample(synth({ b: 4, gradNormSq: 5, meanGrad: Float64Array.of(2, 1), S_j: Float64Array.of(1, 2) }));
    expectDecision(e, 2, 0.5, true);
  });

  it('coordinate-wise: the near-zero rule skips ḡ_j² ≤ coordFloor·max ḡ² and counts them', () => {
    // g = (1, 1), (3, −1): ḡ = (2, 0). Coordinate 2 has ḡ_2 = 0 (T would be ∞): skipped.
    // coordinate 1: deviations ±1, S_1 = 2/1 = 2; η = 0.5: T = 2/(0.25·4) = 2, statistic = 2/2 = 1 (holds, ≤)
    const B = statistics(statsFromPerSampleGrads([[1, 1], [3, -1]]));
    const d = coordNormTest(0.5).sample(B);
    expectDecision(d, 2, 1, true);
    expect(d.skipped).toBe(1);
    // ḡ = (2, 1e-5): ḡ_2² = 1e-10 > 1e-12·4, so with the default floor it counts: T = 2/(0.25·1e-10) = 8e10
    const s = synth({ b: 2, gradNormSq: 4 + 1e-10, meanGrad: Float64Array.of(2, 1e-5), S_j: Float64Array.of(2, 2) });
    const dflt = coordNormTest(0.5).sample(s);
    close(dflt.T, 8e10, 1e-9);
    expect(dflt.skipped).toBe(0);
    // with coordFloor = 1e-9: 1e-10 ≤ 4e-9, skipped: T = 2/(0.25·4) = 2
    const floored = coordNormTest(0.5, { coordFloor: 1e-9 }).sample(s);
    expectDecision(floored, 2, 1, true);
    expect(floored.skipped).toBe(1);
  });

  it('coordinate-wise: a quantile replaces the max (position ⌈q·n⌉ − 1 of the sorted ratios)', () => {
    // η = 1, ḡ_j = 1: ratios = S_j = (4, 1, 3, 2); sorted (1, 2, 3, 4)
    const s = synth({ b: 8, gradNormSq: 4, meanGrad: Float64Array.of(1, 1, 1, 1), S_j: Float64Array.of(4, 1, 3, 2) });
    expect(coordNormTest(1).sample(s).T).toBe(4);
    expect(coordNormTest(1, { quantile: 0.75 }).sample(s).T).toBe(3);
    expect(coordNormTest(1, { quantile: 0.5 }).sample(s).T).toBe(2);
    expect(coordNormTest(1, { quantile: 0.1 }).sample(s).T).toBe(1);
  });

  // Example B (b = 2, d = 2, blocks [0,1) and [1,2)): g = (1, 1), (3, 3); ḡ = (2, 2), ||ḡ||² = 8.
  //   Global: ⟨g_i − ḡ, ḡ⟩ = (−4, 4): S_ip = 32; the g_i are parallel to ḡ: S_orth = 0.
  //   Block p (one coordinate, ḡ^p = 2): ⟨g_i^p − ḡ^p, ḡ^p⟩ = (−2, 2): Var = 8 per block, S_ip^blk = 16
  //   (the cross-block covariance 8 is dropped).
  //   S_orth^blk: each block is projected on its OWN mean (official tests.py); a one-coordinate
  //   block is parallel to its mean, so o_i^p = 0 and S_orth^blk = 0 (a two-dimensional example with
  //   S_orth^blk > 0 is in blockwise.test.ts).
  const B = statistics(statsFromPerSampleGrads([[1, 1], [3, 3]], [[0, 1], [1, 2]]));

  it('block-wise ip and orth (labelled: they drop cross-block covariance)', () => {
    close(B.S_ip, 32);
    close(B.S_orth, 0);
    close(B.blockwise.S_ip, 16);
    close(B.blockwise.S_orth, 0);
    // θ = 1: T = S_ip^blk/||ḡ||⁴ = 16/64 = 1/4 (the global ip test asks for 32/64 = 1/2)
    expectDecision(blockIpTest(1).sample(B), 0.25, 0.125, true);
    expectDecision(ipTest(1).sample(B), 0.5, 0.25, true);
    // ν = 1: T = S_orth^blk/||ḡ||² = 0, as the global orth test
    expectDecision(blockOrthTest(1).sample(B), 0, 0, true);
    expectDecision(orthTest(1).sample(B), 0, 0, true);
    expect(blockIpTest(1).name).toBe('block-ip');
    expect(blockOrthTest(1).name).toBe('block-orth');
  });
});

describe('||ḡ||² = 0 (or at the floor) gives no information', () => {
  const zero = synth({ b: 4, gradNormSq: 0, S_norm: 1, S_ip: 1, S_orth: 1, meanGrad: Float64Array.of(0, 0), S_j: Float64Array.of(1, 1) });
  const TESTS: [string, BatchSizeTest][] = [
    ['norm', normTest(0.5)], ['ip', ipTest(0.5)], ['orth', orthTest(0.5)], ['aug-ip', augIpTest(0.5, 0.5)],
    ['coord-norm', coordNormTest(0.5)], ['block-ip', blockIpTest(0.5)], ['block-orth', blockOrthTest(0.5)],
  ];
  it.each(TESTS)('%s: noInfo, T = 0, holds', (_n, t) => {
    const d = t.sample(zero);
    expect(d.noInfo).toBe(true);
    expect(d.T).toBe(0);
    expect(d.holds).toBe(true);
  });
  it('gradFloor: ||ḡ||² at or below the floor is no information, above it is', () => {
    const tiny = synth({ b: 4, gradNormSq: 1e-20, S_norm: 1 });
    expect(normTest(0.5).sample(tiny).noInfo).toBe(false);
    expect(normTest(0.5, { gradFloor: 1e-20 }).sample(tiny).noInfo).toBe(true);
    expect(normTest(0.5, { gradFloor: 1e-21 }).sample(tiny).noInfo).toBe(false);
  });
  it('exact forms: ∇F = 0 gives noInfo', () => {
    const q = { grad: Float64Array.of(0, 0), sigma2: 1, sigma2PerCoord: Float64Array.of(1, 0), alongGrad: 0 };
    for (const [, t] of TESTS.slice(0, 5)) expect(t.exact(q, 4).noInfo).toBe(true);
  });
});

describe('exact (population) forms against hand values', () => {
  // ∇F = (1, 2): ||∇F||² = 5; σ² = 10; σ_j² = (1, 8); E⟨∇f − ∇F, ∇F⟩² = 25
  const q = { grad: Float64Array.of(1, 2), sigma2: 10, sigma2PerCoord: Float64Array.of(1, 8), alongGrad: 25 };
  it('norm: σ²/b ≤ η²||∇F||², T = σ²/(η²||∇F||²)', () => {
    // η = 0.5: η²||∇F||² = 1.25, T = 8; b = 4: statistic 2.5/1.25 = 2 (fails); b = 8: statistic 1 (holds)
    expectDecision(normTest(0.5).exact(q, 4), 8, 2, false);
    expectDecision(normTest(0.5).exact(q, 8), 8, 1, true);
  });
  it('ip: v/b ≤ θ²||∇F||⁴ with v = E⟨∇f − ∇F, ∇F⟩²', () => {
    // θ = 0.5: θ²||∇F||⁴ = 6.25, T = 25/6.25 = 4; b = 2: statistic 12.5/6.25 = 2
    expectDecision(ipTest(0.5).exact(q, 2), 4, 2, false);
  });
  it('orth: (σ² − v/||∇F||²)/b ≤ ν²||∇F||²', () => {
    // orthogonal variance 10 − 25/5 = 5; ν = 0.5: 1.25, T = 4; b = 4: statistic (5/4)/1.25 = 1
    expectDecision(orthTest(0.5).exact(q, 4), 4, 1, true);
  });
  it('augmented ip: max of the two', () => {
    // θ = 1: T_ip = 25/25 = 1; ν = 0.5: T_orth = 4 → T = 4; at b = 2 orth fails (statistic 2)
    expectDecision(augIpTest(1, 0.5).exact(q, 2), 4, 2, false);
  });
  it('coordinate-wise: σ_j²/b ≤ η²(∂_jF)² for every j', () => {
    // η = 0.5: ratios 1/(0.25·1) = 4 and 8/(0.25·4) = 8 → T = 8; b = 8: statistic 1, holds
    expectDecision(coordNormTest(0.5).exact(q, 8), 8, 1, true);
  });
  it('a missing exact quantity throws; block-wise tests have no exact form', () => {
    const bare = { grad: Float64Array.of(1, 2), sigma2: 10 };
    expect(() => ipTest(0.5).exact(bare, 2)).toThrow(/ipTest/);
    expect(() => orthTest(0.5).exact(bare, 2)).toThrow(/orthTest/);
    expect(() => coordNormTest(0.5).exact(bare, 2)).toThrow(/coordNormTest/);
    expect(() => blockIpTest(0.5).exact(q, 2)).toThrow(/no exact form/);
    expect(() => blockOrthTest(0.5).exact(q, 2)).toThrow(/no exact form/);
  });
});

describe('exactQuantities reads the problem', () => {
  const fake = (withAlong: boolean, withNoise = true): Problem =>
    ({
      id: 'fake', dim: 2, n: null,
      gradient: (x: Float64Array) => Float64Array.of(x[0]!, 2 * x[1]!),
      ...(withNoise ? { noise: () => ({ sigma2: 3, sigma2PerCoord: Float64Array.of(1, 2) }) } : {}),
      ...(withAlong ? { noiseAlong: (_x: Float64Array, v: Float64Array) => v[0]! * v[0]! + 2 * v[1]! * v[1]! } : {}),
    }) as unknown as Problem;
  it('∇F, σ², σ_j² and, when asked, the noise along ∇F', () => {
    const x = Float64Array.of(1, 1);
    const q = exactQuantities(fake(true), x, { alongGrad: true });
    expect([...q.grad]).toEqual([1, 2]);
    expect(q.sigma2).toBe(3);
    expect(q.alongGrad).toBe(1 + 2 * 4);
    expect(exactQuantities(fake(false), x, {}).alongGrad).toBeUndefined();
  });
  it('names what is missing', () => {
    expect(() => exactQuantities(fake(false), Float64Array.of(1, 1), { alongGrad: true })).toThrow(/noiseAlong/);
    expect(() => exactQuantities(fake(false, false), Float64Array.of(1, 1), {})).toThrow(/noise/);
  });
});

describe('invalid test parameters are rejected, naming the field', () => {
  it.each([0, -1, NaN, Infinity])('η = %s', (v) => {
    expect(() => normTest(v)).toThrow(/eta/);
    expect(() => coordNormTest(v)).toThrow(/eta/);
    expect(() => ipTest(v)).toThrow(/theta/);
    expect(() => orthTest(v)).toThrow(/nu/);
    expect(() => augIpTest(0.5, v)).toThrow(/nu/);
  });
  it('quantile outside (0, 1]', () => {
    expect(() => coordNormTest(0.5, { quantile: 0 })).toThrow(/quantile/);
    expect(() => coordNormTest(0.5, { quantile: 1.5 })).toThrow(/quantile/);
  });
});
