/**
 * The epoch sampler inside the training loop (run's `sampler` option): every
 * sample is served exactly once per epoch, a short last batch counts its own
 * size, and the norm test keeps the batch from shrinking after a short batch
 * (our rule) while the official rule, offered as `officialTestDriven`, can
 * shrink it. Near miss for the counting: with samples counted as b_k instead of
 * the batch served, epochs drift and the once-per-epoch check fails (shown on
 * the pure sampler).
 */
import { describe, expect, it } from 'vitest';
import { normTest, officialTestDriven, testDriven } from '../../src/batching/index.js';
import { adagrad } from '../../src/optim/index.js';
import { key } from '../../src/rng/index.js';
import { run } from '../../src/run/index.js';
import { epochBatchAfter, epochSampler } from '../../src/run/samplers/epoch.js';
import { getProblem } from '../../problems/registry.js';

const ID = 'nclogreg_d3_n12_i0';

function served(controller: Parameters<typeof run>[0]['controller'], epochs: number, seed: number): { batches: number[][]; bs: number[] } {
  const problem = getProblem(ID);
  const batches: number[][] = [];
  const bs: number[] = [];
  run({
    problem, optimizer: adagrad(0.1), controller, budget: { epochs }, key: key(seed), sampler: epochSampler('short'),
    evaluate: false,
    observers: [{ onStep: (_row, rec) => { batches.push(Array.from(rec!.batch!.indices!)); bs.push(rec!.b); } }],
  });
  return { batches, bs };
}

function checkEpochs(batches: number[][], n: number, label: string): void {
  const flat = batches.flat();
  const full = Math.floor(flat.length / n);
  expect(full, label).toBeGreaterThan(0);
  for (let e = 0; e < full; e++) {
    const ep = flat.slice(e * n, (e + 1) * n).sort((a, b) => a - b);
    expect(ep, `${label}: epoch ${e}`).toEqual(Array.from({ length: n }, (_, i) => i));
  }
}

describe('the epoch sampler in run', () => {
  it("'short': every sample once per epoch with a constant b = 5 (n = 12: batches 5, 5, 2)", () => {
    const { batches } = served(testDriven(normTest(1e6), { b0: 5, bMax: 12 }), 4, 2300);
    checkEpochs(batches, 12, 'seed 2300');
    expect(batches.slice(0, 3).map((b) => b.length)).toEqual([5, 5, 2]);
  });

  it('with the norm test growing b: our rule never shrinks, the official rule shrinks after a short batch', () => {
    // η small: the test asks for more than any batch, so b grows to b_max = 12 at once unless a short batch caps it
    const ours = served(testDriven(normTest(0.01), { b0: 5, bMax: 11 }), 6, 2301);
    checkEpochs(ours.batches, 12, 'seed 2301, ours');
    for (let k = 1; k < ours.bs.length; k++) expect(ours.bs[k]!, `step ${k}`).toBeGreaterThanOrEqual(ours.bs[k - 1]!);
    // official: T is huge only when the gradient is small against the noise; with η large the test asks for less
    // than the batch, and after a short batch of r samples the next size is max(r, ⌈T⌉) < b
    const off = served(officialTestDriven(normTest(100), { b0: 5, bMax: 11 }), 4, 2302);
    checkEpochs(off.batches, 12, 'seed 2302, official');
    const shrank = off.bs.some((b, k) => k > 0 && b < off.bs[k - 1]!);
    expect(shrank, `official rule, sizes ${off.bs.join(',')}`).toBe(true);
    const oursSame = served(testDriven(normTest(100), { b0: 5, bMax: 11 }), 4, 2302);
    expect(oursSame.bs.every((b) => b === 5), `our rule, sizes ${oursSame.bs.join(',')}`).toBe(true);
  });

  it('near miss: counting b_k instead of the samples served shifts the epochs (a sample repeats)', () => {
    const k = key(2303);
    const n = 12;
    const seen: number[] = [];
    let counted = 0;
    for (let step = 0; step < 8; step++) {
      const { indices } = epochBatchAfter(k, n, counted, 5, 'short');
      seen.push(...indices);
      counted += 5; // the nominal size, not indices.length
    }
    // epoch 0 is served whole (5, 5, 2), but epoch 1 then starts at position 3: its first 12 are not a permutation
    const second = seen.slice(12, 24).sort((a, b) => a - b);
    expect(second).not.toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
