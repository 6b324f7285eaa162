/**
 * The epoch sampler serves every sample exactly once per epoch, for both
 * last-batch rules and batch sizes that change along the way; it is a pure
 * function of (key, epoch, position, b). Near miss: sampling without
 * replacement within each step (what `Problem.sample` does) repeats and skips
 * samples within an epoch, and the check sees it.
 */
import { describe, expect, it } from 'vitest';
import { cursorAfter, epochBatch, epochBatchAfter, epochOrder, type LastBatchRule } from '../../src/run/samplers/epoch.js';
import { choice } from '../../src/rng/random.js';
import { foldIn, integers, key } from '../../src/rng/index.js';

/** Serve batches (sizes from `sizes`) until `epochs` epochs are complete; returns the served indices per epoch. */
function serve(n: number, sizes: (k: number) => number, rule: LastBatchRule, epochs: number, seed: number): { perEpoch: number[][]; lengths: number[] } {
  const k = key(seed);
  const perEpoch: number[][] = Array.from({ length: epochs }, () => []);
  const lengths: number[] = [];
  let samples = 0;
  for (let step = 0; samples < epochs * n; step++) {
    const { indices, next } = epochBatchAfter(k, n, samples, sizes(step), rule);
    indices.forEach((v, t) => {
      const e = Math.floor((samples + t) / n);
      if (e < epochs) perEpoch[e]!.push(v);
    });
    samples += indices.length;
    expect(next).toEqual(cursorAfter(samples, n));
    lengths.push(indices.length);
  }
  return { perEpoch, lengths };
}

function exactlyOnce(xs: readonly number[], n: number): boolean {
  if (xs.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const v of xs) {
    if (seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

describe('epoch sampler', () => {
  for (const rule of ['short', 'span'] as const) {
    it(`'${rule}': every sample exactly once per epoch, constant and growing b (seeds 2100–2107)`, () => {
      for (let s = 0; s < 8; s++) {
        const seed = 2100 + s;
        const n = 5 + 7 * s;
        const bs = integers(foldIn(key(seed), 9), 200, 1, n + 3);
        const growing = (k: number): number => Math.min(n + 3, 1 + Math.floor(k / 3));
        for (const [what, size] of [['constant 3', () => 3], ['growing', growing], ['random', (k: number) => bs[k % 200]!]] as const) {
          const { perEpoch } = serve(n, size, rule, 4, seed);
          perEpoch.forEach((xs, e) => expect(exactlyOnce(xs, n), `seed ${seed}, n = ${n}, ${what}, epoch ${e}`).toBe(true));
          // reshuffled every epoch
          expect(perEpoch[1], `seed ${seed}, n = ${n}, ${what}: epoch 1 repeats epoch 0's order`).not.toEqual(perEpoch[0]);
        }
      }
    });
  }

  it("'short' (the official DataLoader): n = 10, b = 4 serves 4, 4, 2 per epoch; 'span' always serves b", () => {
    expect(serve(10, () => 4, 'short', 2, 1).lengths).toEqual([4, 4, 2, 4, 4, 2]);
    expect(serve(10, () => 4, 'span', 2, 1).lengths).toEqual([4, 4, 4, 4, 4]);
  });

  it('is pure: the same (key, epoch, position, b) gives the same batch; epochs and keys give new orders', () => {
    const a = epochBatch(key(3), 50, { epoch: 2, position: 10 }, 7);
    const b = epochBatch(key(3), 50, { epoch: 2, position: 10 }, 7);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.indices)).toEqual(Array.from(epochOrder(key(3), 2, 50).subarray(10, 17)));
    expect(Array.from(epochOrder(key(3), 2, 50))).not.toEqual(Array.from(epochOrder(key(3), 3, 50)));
    expect(Array.from(epochOrder(key(3), 2, 50))).not.toEqual(Array.from(epochOrder(key(4), 2, 50)));
  });

  it('near miss: without replacement within each step only, an epoch repeats samples (the check rejects it)', () => {
    const n = 30;
    const served: number[] = [];
    for (let step = 0; step < 10; step++) served.push(...choice(foldIn(key(2200), step), n, 3, { replace: false }));
    expect(exactlyOnce(served, n)).toBe(false);
  });

  it('rejects bad input', () => {
    expect(() => epochBatch(key(1), 5, { epoch: 0, position: 5 }, 2)).toThrow(/position/);
    expect(() => epochBatch(key(1), 5, { epoch: 0, position: 0 }, 0)).toThrow(/b must be/);
    expect(() => epochBatch(key(1), 5, { epoch: 0, position: 0 }, 2, 'drop' as never)).toThrow(/rule/);
    expect(() => cursorAfter(-1, 5)).toThrow(/samples/);
  });
});
