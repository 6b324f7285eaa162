// The fused softmax cross-entropy of the MNIST models against the library's composite:
// the same bits for the losses, the logits' cotangents and the engine's statistics (js backend).
import { describe, expect, it } from 'vitest';
import { add, fromArray, matmul, mul, softmaxCrossEntropy, sum, valueAndGrad, type Tensor } from '../../src/index.js';
import { batchGradStats, statistics } from '../../src/batching/index.js';
import { integers, key, normal, split, uniform } from '../../src/rng/index.js';
import { fusedSoftmaxCrossEntropy } from '../../problems/mnist/crossEntropy.js';

/** Logits with rows of every kind: ordinary, large (±700), tied maxima, one huge gap. */
function logitCases(seed: number, b: number, c: number): Float64Array {
  const [k1, k2, k3] = split(key(seed), 3);
  const z = normal(k1!, b * c, 0, 3);
  const scale = uniform(k2!, b, -700, 700);
  const kind = integers(k3!, b, 0, 4);
  for (let i = 0; i < b; i++) {
    const o = i * c;
    if (kind[i] === 1) for (let j = 0; j < c; j++) z[o + j] = z[o + j]! + scale[i]!;
    if (kind[i] === 2) for (let j = 0; j < c; j += 2) z[o + j] = z[o]!;
    if (kind[i] === 3) z[o + (i % c)] = z[o + (i % c)]! + 60;
  }
  return z;
}

function bits(a: ArrayLike<number>): string[] {
  const f = new Float64Array(1);
  const u = new BigUint64Array(f.buffer);
  return Array.from(a, (v) => {
    f[0] = v;
    return u[0]!.toString(16);
  });
}

describe('fusedSoftmaxCrossEntropy (problems/mnist/crossEntropy.ts)', () => {
  for (const [b, c, seed] of [[64, 10, 1], [257, 10, 2], [33, 3, 3], [5, 1, 4]] as const) {
    it(`equals the composite bit for bit: losses and the logits' cotangent, b = ${b}, c = ${c}`, () => {
      const z = fromArray(logitCases(seed, b, c), [b, c]);
      const labels = integers(key(seed + 100), b, 0, c);
      const w = fromArray(normal(key(seed + 200), b), [b]); // a cotangent other than ones
      expect(bits(fusedSoftmaxCrossEntropy(z, labels).contiguous())).toEqual(bits(softmaxCrossEntropy(z, labels).contiguous()));
      const weighted = (f: (t: Tensor, y: Int32Array) => Tensor) => (t: Tensor) => sum(mul(f(t, labels), w));
      const [vf, gf] = valueAndGrad(weighted(fusedSoftmaxCrossEntropy))(z);
      const [vc, gc] = valueAndGrad(weighted(softmaxCrossEntropy))(z);
      expect(bits([vf.item()])).toEqual(bits([vc.item()]));
      expect(bits((gf as Tensor).contiguous())).toEqual(bits((gc as Tensor).contiguous()));
    });
  }

  it('gives the engine the same statistics as the composite (linear layer with bias, b = 300)', () => {
    const b = 300;
    const X = fromArray(uniform(key(7), b * 20), [b, 20]);
    const labels = integers(key(8), b, 0, 10);
    const params = [fromArray(normal(key(9), 200, 0, 0.3), [20, 10]), fromArray(normal(key(10), 10), [10])];
    const run = (f: (t: Tensor, y: Int32Array) => Tensor) => batchGradStats((ps) => f(add(matmul(X, ps[0]!), ps[1]!), labels), params, null);
    const sf = run(fusedSoftmaxCrossEntropy);
    const sc = run(softmaxCrossEntropy);
    expect(bits(sf.meanGrad)).toEqual(bits(sc.meanGrad));
    const [a, e] = [statistics(sf), statistics(sc)];
    expect(bits([a.S_norm, a.S_ip, a.S_orth, sf.loss])).toEqual(bits([e.S_norm, e.S_ip, e.S_orth, sc.loss]));
    expect(sf.blocks.map((blk) => blk.method)).toEqual(['linear', 'materialized']);
  });

  it('rejects bad labels and shapes, naming them', () => {
    const z = fromArray(new Float64Array(6), [2, 3]);
    expect(() => fusedSoftmaxCrossEntropy(z, Int32Array.from([0, 3]))).toThrow(/label 3 at position 1/);
    expect(() => fusedSoftmaxCrossEntropy(z, Int32Array.from([0]))).toThrow(/1 labels for logits of shape \[2, 3\]/);
    expect(() => fusedSoftmaxCrossEntropy(fromArray(new Float64Array(6), [6]), Int32Array.from([0]))).toThrow(/must be \[b, c\]/);
  });
});
