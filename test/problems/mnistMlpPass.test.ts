// The MNIST MLP's full pass through the wasm backend (problems/mnist/backendMlpPass.ts)
// against the js pass (kernels.ts mlpPass): F and ∇F to 1e-12, the same count of correct rows.
import { describe, expect, it } from 'vitest';
import { key, normal } from '../../src/rng/index.js';
import { loadMnist, subsetImages } from '../../problems/data/mnist.js';
import { mlpLayout, mlpPass } from '../../problems/mnist/kernels.js';
import { backendMlpPass } from '../../problems/mnist/backendMlpPass.js';
import { getBackend, setBackend } from '../../src/backend/index.js';

const H = 32;

describe('the MLP full pass through the wasm backend', () => {
  it('agrees with the js pass on the training set to 1e-12; js and the test set keep the js pass', () => {
    const train = loadMnist('train');
    const dim = mlpLayout(784, H, 10).dim;
    const x = normal(key(7), dim, 0, 0.08);
    expect(backendMlpPass(train, x, H, true)).toBeNull(); // js backend (the suite pins it)
    const want = mlpPass(train, x, H, { gradient: true });
    const prev = getBackend();
    try {
      for (const threads of [1, 2]) {
        setBackend('wasm', { threads });
        expect(backendMlpPass(loadMnist('test'), x, H, false)).toBeNull();
        const got = backendMlpPass(train, x, H, true)!;
        expect(Math.abs(got.value - want.value) / want.value, `F, ${threads} threads`).toBeLessThanOrEqual(1e-12);
        let num = 0;
        let den = 0;
        for (let j = 0; j < dim; j++) {
          num += (got.gradient![j]! - want.gradient![j]!) ** 2;
          den += want.gradient![j]! ** 2;
        }
        expect(Math.sqrt(num / den), `∇F, ${threads} threads`).toBeLessThanOrEqual(1e-12);
        expect(got.correct).toBe(want.correct);
        expect(backendMlpPass(train, x, H, false)!.gradient).toBeNull();
      }
    } finally {
      setBackend(prev.name);
    }
  });

  it("takes a smaller set only as the resident one (a problem's training rows), and agrees there to 1e-12", () => {
    const sub = subsetImages(loadMnist('train'), Int32Array.from({ length: 6000 }, (_, i) => (i * 7919) % 60000));
    const dim = mlpLayout(784, H, 10).dim;
    const x = normal(key(8), dim, 0, 0.08);
    const want = mlpPass(sub, x, H, { gradient: true });
    const prev = getBackend();
    try {
      setBackend('wasm', { threads: 2 });
      expect(backendMlpPass(sub, x, H, true)).toBeNull();
      const got = backendMlpPass(sub, x, H, true, true)!;
      expect(Math.abs(got.value - want.value) / want.value).toBeLessThanOrEqual(1e-12);
      let num = 0;
      let den = 0;
      for (let j = 0; j < dim; j++) {
        num += (got.gradient![j]! - want.gradient![j]!) ** 2;
        den += want.gradient![j]! ** 2;
      }
      expect(Math.sqrt(num / den)).toBeLessThanOrEqual(1e-12);
      expect(got.correct).toBe(want.correct);
    } finally {
      setBackend(prev.name);
    }
  });
});
