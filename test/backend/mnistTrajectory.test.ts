// The MNIST softmax run of the benchmark (AdaGrad 8e-3 + norm test η = 0.1, b from 2) on the
// wasm backend (sparse resident rows, sorted row order, 2 threads) against the js reference:
// the same batch size at every step, losses and the final point equal to float tolerance.
// The first 1.5 epochs on the full training set (the batch size grows from 2 to about 10⁴ in
// them), so that the suite stays fast; `npm run bench` checks all 100 epochs the same way.
import { describe, expect, it } from 'vitest';
import { adagrad, getBackend, key, normTest, run, setBackend, testDriven } from '../../src/index.js';
import { getProblem } from '../../problems/index.js';

const SEED = 20240331;

function mnistRun(backend: 'js' | 'wasm') {
  const prev = getBackend();
  try {
    setBackend(backend, backend === 'wasm' ? { threads: 2 } : undefined);
    const problem = getProblem('mnist-softmax_d7850_n60000_i0');
    const res = run({
      problem, optimizer: adagrad(8e-3), controller: testDriven(normTest(0.1), { b0: 2, bMax: 60000 }),
      budget: { epochs: 1.5 }, key: key(SEED), evalEvery: 1_000_000,
    });
    return { b: res.trace.columns.b as number[], loss: res.trace.columns.loss as number[], x: res.x, mode: res.meta.backendMode };
  } finally {
    setBackend(prev.name);
  }
}

describe('MNIST softmax run: wasm against the js reference', () => {
  it('the same batch sizes in every step; losses and the final point within 1e-12 relative', () => {
    const ref = mnistRun('js');
    const got = mnistRun('wasm');
    expect(got.mode).toBe('2-threads');
    expect(ref.b.length).toBeGreaterThan(8);
    expect(ref.b[ref.b.length - 1]).toBeGreaterThan(1000); // the batch size grew: the sparse paths ran
    expect(got.b).toEqual(ref.b);
    let worstLoss = 0;
    ref.loss.forEach((l, t) => {
      worstLoss = Math.max(worstLoss, Math.abs(got.loss[t]! - l) / Math.abs(l));
    });
    expect(worstLoss).toBeLessThanOrEqual(1e-12);
    let num = 0;
    let den = 0;
    for (let j = 0; j < ref.x.length; j++) {
      num += (got.x[j]! - ref.x[j]!) ** 2;
      den += ref.x[j]! ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThanOrEqual(1e-12);
  });
});
