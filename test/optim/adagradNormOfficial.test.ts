/**
 * The official AdaGrad-Norm (`adagradnorm.py` of the official AdAdaGrad code)
 * against a hand-computed two-step example, with the near misses that a wrong
 * reading of the rule would produce: the theory's scalar accumulator, a bias
 * without its weight unit's norm, PyTorch's row layout applied to our [in, out]
 * weights, and ε inside instead of outside the root.
 */
import { describe, expect, it } from 'vitest';
import { adagradNorm, adagradNormOfficial, scaleByAdagradNormOfficial, type OfficialNormBlock } from '../../src/optim/index.js';
import type { StepContext } from '../../src/optim/index.js';

const ctx = (step: number): StepContext => ({ step, batchSize: 2, samples: 2 * step, loss: 0, lrScale: 1 });
const EPS = 1e-10;

/** W of shape [2 in, 2 out] (x·W, output units are columns) and a bias of 2. */
const BLOCKS: OfficialNormBlock[] = [
  { name: 'W', shape: [2, 2], offset: 0, size: 4 },
  { name: 'b', shape: [2], offset: 4, size: 2 },
];

function close(got: ArrayLike<number>, want: readonly number[], rel = 1e-14): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const e = want[i]!;
    if (!(Math.abs(got[i]! - e) <= rel * Math.max(1e-300, Math.abs(e)) || got[i] === e)) {
      throw new Error(`coordinate ${i}: got ${got[i]}, expected ${e} (relative tolerance ${rel})`);
    }
  }
}

function twoSteps(opt = adagradNormOfficial(0.5, BLOCKS)): Float64Array {
  let x = new Float64Array(6);
  let s = opt.init(x);
  // step 1: W = [[1, 2], [3, 0]] (row-major [in][out]), b = (1, 2)
  // step 2: W = [[0, 1], [0, 1]], b = (3, 0)
  for (const [k, g] of [Float64Array.of(1, 2, 3, 0, 1, 2), Float64Array.of(0, 1, 0, 1, 3, 0)].entries()) {
    const [u, s2] = opt.update(g, s, x, ctx(k));
    x = x.map((v, i) => v + u[i]!);
    s = s2;
  }
  return x;
}

describe('official AdaGrad-Norm: hand-computed two steps', () => {
  // Unit (column) 0 of W: g = (1, 3) then (0, 0); unit 1: (2, 0) then (1, 1).
  //   v_W0 = 0.01 + 10 = 10.01, then 10.01;  v_W1 = 0.01 + 4 = 4.01, then 4.01 + 2 = 6.01.
  // Bias j adds the squared norm of unit j of W and its own square:
  //   v_b0 = 0.01 + 10 + 1 = 11.01, then 11.01 + 0 + 9 = 20.01;
  //   v_b1 = 0.01 + 4 + 4 = 8.01, then 8.01 + 2 + 0 = 10.01.
  // x ← x − 0.5·g/(√v + 1e-10), from x = 0.
  const r = (v: number): number => Math.sqrt(v) + EPS;
  const want = [
    -0.5 * 1 / r(10.01) - 0,
    -0.5 * 2 / r(4.01) - 0.5 * 1 / r(6.01),
    -0.5 * 3 / r(10.01) - 0,
    -0 - 0.5 * 1 / r(6.01),
    -0.5 * 1 / r(11.01) - 0.5 * 3 / r(20.01),
    -0.5 * 2 / r(8.01) - 0,
  ];

  it('matches the hand values', () => {
    close(twoSteps(), want);
  });

  it('the near misses are all far outside the tolerance', () => {
    const far = (x: Float64Array): boolean => x.some((v, i) => Math.abs(v - want[i]!) > 1e-6 * Math.abs(want[i]!) + 1e-12);
    // the theory's single scalar accumulator with the same β₀ = 0.1
    expect(far(twoSteps(adagradNorm(0.5, 0.1)))).toBe(true);
    // the bias without its weight unit (each bias coordinate its own AdaGrad)
    expect(far(twoSteps(adagradNormOfficial(0.5, [BLOCKS[0]!, { ...BLOCKS[1]!, shape: [2, 1], outputAxis: 0 }])))).toBe(true);
    // PyTorch's row layout read on our [in, out] weight: units are rows
    expect(far(twoSteps(adagradNormOfficial(0.5, [{ ...BLOCKS[0]!, outputAxis: 0 }, BLOCKS[1]!])))).toBe(true);
  });

  it('ε is added to the root, not inside it: a gradient of 1e-10 from an empty accumulator moves by α/2', () => {
    const t = scaleByAdagradNormOfficial([{ shape: [1], offset: 0, size: 1 }], { initial: 0 });
    const [u] = t.update(Float64Array.of(1e-10), t.init(new Float64Array(1)), new Float64Array(1), ctx(0));
    // √(1e-20) + 1e-10 = 2e-10 → u = 0.5; ε inside the root would give ≈ 1e-5
    expect(u[0]).toBeCloseTo(0.5, 12);
  });

  it('the official bias rule: means over groups of weight units when the bias divides them, plain AdaGrad otherwise', () => {
    // W: [1 in, 4 out] with unit norms² (1, 4, 9, 16); a bias of 2 adds the means (2.5, 12.5); a bias of 3 adds nothing
    const W: OfficialNormBlock = { shape: [1, 4], offset: 0, size: 4 };
    const t2 = scaleByAdagradNormOfficial([W, { shape: [2], offset: 4, size: 2 }], { initial: 0, eps: 0 });
    const [u2, s2] = t2.update(Float64Array.of(1, 2, 3, 4, 1, 1), t2.init(new Float64Array(6)), new Float64Array(6), ctx(0));
    close(s2.v.subarray(4), [2.5 + 1, 12.5 + 1]);
    close(u2.subarray(4), [1 / Math.sqrt(3.5), 1 / Math.sqrt(13.5)]);
    const t3 = scaleByAdagradNormOfficial([W, { shape: [3], offset: 4, size: 3 }], { initial: 0, eps: 0 });
    const [, s3] = t3.update(Float64Array.of(1, 2, 3, 4, 1, 2, 3), t3.init(new Float64Array(7)), new Float64Array(7), ctx(0));
    close(s3.v.subarray(4), [1, 4, 9]);
    // a bias before any weight block is plain AdaGrad too
    const tb = scaleByAdagradNormOfficial([{ shape: [1], offset: 0, size: 1 }, { ...W, offset: 1 }], { initial: 0, eps: 0 });
    const [, sb] = tb.update(Float64Array.of(2, 1, 2, 3, 4), tb.init(new Float64Array(5)), new Float64Array(5), ctx(0));
    close(sb.v, [4, 1, 4, 9, 16]);
    // a rank-4 kernel in PyTorch's [out, in, h, w] layout: one unit per first index
    const tk = scaleByAdagradNormOfficial([{ shape: [2, 1, 1, 2], offset: 0, size: 4 }], { initial: 0, eps: 0 });
    const [, sk] = tk.update(Float64Array.of(1, 2, 3, 4), tk.init(new Float64Array(4)), new Float64Array(4), ctx(0));
    close(sk.v, [5, 25]);
  });

  it('without blocks the whole vector is one unit (the theory form with β₀ = 0.1 and ε); bad input is rejected', () => {
    const a = twoSteps(adagradNormOfficial(0.5, undefined, { eps: 0 }));
    close(a, Array.from(twoSteps(adagradNorm(0.5, 0.1))), 1e-14);
    expect(() => scaleByAdagradNormOfficial([{ shape: [2], offset: 0, size: 3 }])).not.toThrow();
    expect(() => scaleByAdagradNormOfficial([{ shape: [2], offset: 0, size: 3 }]).init(new Float64Array(3))).toThrow(/has 2 entries/);
    expect(() => scaleByAdagradNormOfficial(BLOCKS).init(new Float64Array(7))).toThrow(/cover 6 parameters/);
    expect(() => scaleByAdagradNormOfficial(BLOCKS, { initial: -1 })).toThrow(/initial accumulator/);
    expect(() => adagradNormOfficial(0, BLOCKS)).toThrow(/lr/);
  });
});
