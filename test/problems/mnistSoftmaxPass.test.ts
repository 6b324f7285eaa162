// The unrolled ten-class full pass of MNIST softmax regression against its generic loop:
// the same bits for F, ∇F, δ and the count of correct rows.
import { describe, expect, it } from 'vitest';
import { key, normal } from '../../src/rng/index.js';
import { loadMnist, subsetImages } from '../../problems/data/mnist.js';
import { softmaxPass, softmaxPassC } from '../../problems/mnist/kernels.js';
import { backendSoftmaxPass } from '../../problems/mnist/backendPass.js';
import { getBackend, setBackend } from '../../src/backend/index.js';

function bits(a: ArrayLike<number>): string {
  const f = new Float64Array(a.length);
  f.set(Array.from(a));
  return Buffer.from(f.buffer).toString('hex');
}

describe('softmaxPass on ten classes (problems/mnist/kernels.ts)', () => {
  const train = loadMnist('train');
  const set = subsetImages(train, Int32Array.from({ length: 3000 }, (_, i) => (i * 7919) % train.n));
  for (const [seed, scale] of [[1, 0.05], [2, 3]] as const) {
    it(`equals the generic loop bit for bit (x ~ N(0, ${scale}²))`, () => {
      const x = normal(key(seed), 7850, 0, scale);
      const a = softmaxPass(set, x, { gradient: true, delta: true });
      const b = softmaxPassC(set, x, { gradient: true, delta: true });
      expect(bits([a.value, a.correct])).toBe(bits([b.value, b.correct]));
      expect(bits(a.gradient!)).toBe(bits(b.gradient!));
      expect(bits(a.delta!)).toBe(bits(b.delta!));
      expect(a.correct).toBeGreaterThan(0);
      const v = softmaxPass(set, x);
      expect([v.gradient, v.delta, bits([v.value])]).toEqual([null, null, bits([b.value])]);
    });
  }
});

describe('the full pass through the wasm backend (problems/mnist/backendPass.ts)', () => {
  it('agrees with the js pass on the training set to 1e-12; js, small sets and the test set keep the js pass', () => {
    const train = loadMnist('train');
    const x = normal(key(5), 7850, 0, 0.05);
    expect(backendSoftmaxPass(train, x, true)).toBeNull(); // js backend (the suite pins it)
    const want = softmaxPass(train, x, { gradient: true });
    const prev = getBackend();
    try {
      setBackend('wasm', { threads: 2 });
      expect(backendSoftmaxPass(loadMnist('test'), x, false)).toBeNull();
      const got = backendSoftmaxPass(train, x, true)!;
      expect(Math.abs(got.value - want.value) / want.value).toBeLessThanOrEqual(1e-12);
      let num = 0;
      let den = 0;
      for (let j = 0; j < 7850; j++) {
        num += (got.gradient![j]! - want.gradient![j]!) ** 2;
        den += want.gradient![j]! ** 2;
      }
      expect(Math.sqrt(num / den)).toBeLessThanOrEqual(1e-12);
      expect(got.correct).toBe(want.correct);
      expect(backendSoftmaxPass(train, x, false)!.gradient).toBeNull();
    } finally {
      setBackend(prev.name);
    }
  });
});
