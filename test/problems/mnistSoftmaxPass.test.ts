// The unrolled ten-class full pass of MNIST softmax regression against its generic loop:
// the same bits for F, ∇F, δ and the count of correct rows.
import { describe, expect, it } from 'vitest';
import { key, normal } from '../../src/rng/index.js';
import { loadMnist, subsetImages } from '../../problems/data/mnist.js';
import { softmaxPass, softmaxPassC } from '../../problems/mnist/kernels.js';

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
