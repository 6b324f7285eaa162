// The js backend's optimised sparse statistics kernel against the plain loops of its definition.
import { describe, expect, it } from 'vitest';
import { linearStatsSparse } from '../../src/backend/linearStatsSparse.js';
import { linearStatsReference } from '../../src/backend/linearStatsReference.js';
import { bernoulli, key, normal, split, type Key } from '../../src/rng/index.js';

const SEED = 20261201;

type Out = [Float64Array, Float64Array, Float64Array];
const outs = (b: number, size: number): Out => [new Float64Array(b), new Float64Array(b), new Float64Array(size)];

/** |got − want| ≤ rtol · scale elementwise, scale = the same quantity computed from |inputs| (no cancellation). */
function expectClose(got: Float64Array, want: Float64Array, scale: Float64Array, what: string): void {
  for (let t = 0; t < want.length; t++) {
    const tol = 1e-13 * Math.max(scale[t]!, Number.MIN_VALUE);
    if (!(Math.abs(got[t]! - want[t]!) <= tol)) {
      throw new Error(`${what}[${t}]: got ${got[t]}, want ${want[t]} (tolerance ${tol}); seed ${SEED}`);
    }
  }
}

describe('linearStatsSparse (js backend kernel)', () => {
  // both code paths (coordSumSq accumulated in the row sweep when din·dout ≤ 32768, else a
  // column sweep), every remainder of the 8/4/2/1 column blocks, all-zero rows and dense rows
  const cases: [number, number, number, number][] = [
    [1, 1, 1, 1], [5, 3, 2, 0.5], [17, 9, 7, 0.3], [40, 784, 10, 0.19], [33, 100, 15, 0.2],
    [31, 300, 111, 0.1], [12, 200, 200, 0.05], [20, 50, 9, 0], [9, 64, 13, 1],
  ];
  it.each(cases)('b=%i din=%i dout=%i density %f equals the reference loops', (b, din, dout, density) => {
    const [k1, k2, k3, k4] = split(key(SEED + b * 7 + din + dout), 4) as [Key, Key, Key, Key];
    const keep = bernoulli(k1, b * din, density);
    const x = Float64Array.from(normal(k2, b * din), (v, t) => (keep[t] ? v : 0));
    // a row of zeros in every case with b > 2
    if (b > 2) x.fill(0, din, 2 * din);
    const delta = normal(k3, b * dout);
    const m = normal(k4, din * dout);
    const got = outs(b, din * dout);
    const want = outs(b, din * dout);
    const scale = outs(b, din * dout);
    got[2].fill(NaN); // the kernel must overwrite coordSumSq
    linearStatsSparse(x, delta, m, b, din, dout, ...got);
    linearStatsReference(x, delta, m, b, din, dout, ...want);
    linearStatsReference(x.map(Math.abs), delta.map(Math.abs), m.map(Math.abs), b, din, dout, ...scale);
    const what = `b=${b} din=${din} dout=${dout}`;
    expectClose(got[0], want[0], scale[0], `${what} sqNorms`);
    expectClose(got[1], want[1], scale[1], `${what} dots`);
    expectClose(got[2], want[2], scale[2], `${what} coordSumSq`);
    expect(got[1].length).toBe(b);
  });

  it('float32 inputs give the float64 statistics of the same values', () => {
    const [k1, k2, k3] = split(key(SEED), 3) as [Key, Key, Key];
    const b = 11, din = 30, dout = 5;
    const x = Float32Array.from(normal(k1, b * din));
    const d = Float32Array.from(normal(k2, b * dout));
    const m = normal(k3, din * dout);
    const got = outs(b, din * dout);
    const want = outs(b, din * dout);
    const scale = outs(b, din * dout);
    linearStatsSparse(x, d, m, b, din, dout, ...got);
    linearStatsReference(Float64Array.from(x), Float64Array.from(d), m, b, din, dout, ...want);
    linearStatsReference(Float64Array.from(x, Math.abs), Float64Array.from(d, Math.abs), m.map(Math.abs), b, din, dout, ...scale);
    expectClose(got[1], want[1], scale[1], 'float32 dots');
    expectClose(got[2], want[2], scale[2], 'float32 coordSumSq');
  });
});
