// mnist-cnn's test-set evaluations (testAccuracy, testLoss) against an independent forward pass: direct loops
// over PyTorch's definitions (cross-correlation, zero padding 2, 2×2 max pool, flatten in (channel, row, column)
// order), on the `_t<t>` subset of the test file (the first t/10 images of each digit).
// And the batch path on the wasm backend (which reads MNIST rows from their sparse companion where it can): the
// minibatch loss and mean gradient equal js's. Without MnistModel.denseInput the conv read unwritten (zero) pixels
// there: loss 2.2996 against 2.2976 on the batch below, ḡ off by 0.04 — a difference this test catches.
// Near misses: the forward with the kernels flipped (a true convolution) and with the flatten in (row, column,
// channel) order each move the test loss by far more than the tolerance; a subset of the first t images (not
// class-balanced) is not the one used.
import { describe, expect, it } from 'vitest';
import { key } from '../../src/rng/index.js';
import { setBackend } from '../../src/backend/index.js';
import { batchStatsAt } from '../../src/index.js';
import { getProblem } from '../../problems/registry.js';
import type { MnistProblem } from '../../problems/mnist/problem.js';
import { balancedRows, loadMnist } from '../../problems/data/mnist.js';

const T = 30;
const p = getProblem(`mnist-cnn_d28938_n50_i0_t${T}`) as MnistProblem;

/** Logits [10] of one 28×28 image by direct loops; `flip` and `hwc` are the near misses. */
function forward(x: Float64Array, img: Float64Array, o: { flip?: boolean; hwc?: boolean } = {}): Float64Array {
  const off = Object.fromEntries(p.blocks.map((b) => [b.name, b.offset])) as Record<string, number>;
  const conv = (inp: Float64Array, cin: number, side: number, cout: number, W: number, B: number): Float64Array => {
    const out = new Float64Array(cout * side * side);
    for (let co = 0; co < cout; co++) {
      for (let r = 0; r < side; r++) {
        for (let c = 0; c < side; c++) {
          let s = x[B + co]!;
          for (let ci = 0; ci < cin; ci++) {
            for (let u = 0; u < 5; u++) {
              for (let v = 0; v < 5; v++) {
                const rr = r + u - 2;
                const cc = c + v - 2;
                if (rr < 0 || rr >= side || cc < 0 || cc >= side) continue;
                const ku = o.flip ? 4 - u : u;
                const kv = o.flip ? 4 - v : v;
                s += x[W + ((co * cin + ci) * 5 + ku) * 5 + kv]! * inp[(ci * side + rr) * side + cc]!;
              }
            }
          }
          out[(co * side + r) * side + c] = Math.max(0, s); // ReLU
        }
      }
    }
    return out;
  };
  const pool = (inp: Float64Array, ch: number, side: number): Float64Array => {
    const h = side / 2;
    const out = new Float64Array(ch * h * h);
    for (let k = 0; k < ch; k++) {
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < h; c++) {
          let m = -Infinity;
          for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) m = Math.max(m, inp[(k * side + 2 * r + u) * side + 2 * c + v]!);
          out[(k * h + r) * h + c] = m;
        }
      }
    }
    return out;
  };
  const h1 = pool(conv(img, 1, 28, 16, off['W1']!, off['b1']!), 16, 28);
  const h2 = pool(conv(h1, 16, 14, 32, off['W2']!, off['b2']!), 32, 14);
  const flat = new Float64Array(1568);
  for (let k = 0; k < 32; k++) for (let q = 0; q < 49; q++) flat[o.hwc ? q * 32 + k : k * 49 + q] = h2[k * 49 + q]!;
  const z = new Float64Array(10);
  for (let c = 0; c < 10; c++) {
    let s = x[off['b3']! + c]!;
    for (let j = 0; j < 1568; j++) s += flat[j]! * x[off['W3']! + j * 10 + c]!;
    z[c] = s;
  }
  return z;
}

function reference(x: Float64Array, rows: Int32Array, o: { flip?: boolean; hwc?: boolean } = {}): { loss: number; correct: number } {
  const test = loadMnist('test');
  let loss = 0;
  let correct = 0;
  for (const i of rows) {
    const z = forward(x, test.pixels.subarray(i * 784, (i + 1) * 784), o);
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    const y = test.labels[i]!;
    loss += lse - z[y]!;
    let best = 0;
    for (let c = 1; c < 10; c++) if (z[c]! > z[best]!) best = c;
    if (best === y) correct++;
  }
  return { loss: loss / rows.length, correct };
}

describe('mnist-cnn test-set evaluations', () => {
  // a point away from x₀: 10 full-gradient AdaGrad steps (lr 8·10⁻³) on the 50 training rows, so the accuracy is
  // not the chance level of x₀
  let x = p.x0(key(7));
  const v = new Float64Array(p.dim);
  for (let t = 0; t < 10; t++) {
    const g = p.gradient(x);
    for (let j = 0; j < p.dim; j++) v[j] = v[j]! + g[j]! * g[j]!;
    x = x.map((xj, j) => xj - (8e-3 * g[j]!) / (Math.sqrt(v[j]!) + 1e-10));
  }
  const test = loadMnist('test');
  const rows = balancedRows(test.labels, 10, T);

  it(`_t${T} is the first ${T / 10} test images of each digit in file order`, () => {
    expect(p.testRows).toBe(T);
    for (let c = 0; c < 10; c++) {
      const first = [];
      for (let i = 0; i < test.n && first.length < T / 10; i++) if (test.labels[i] === c) first.push(i);
      expect([...rows].filter((i) => test.labels[i] === c)).toEqual(first);
    }
    // near miss: the first T images are not class-balanced
    const counts = new Array(10).fill(0);
    for (let i = 0; i < T; i++) counts[test.labels[i]!]++;
    expect(counts.some((k) => k !== T / 10)).toBe(true);
  });

  it('testAccuracy and testLoss equal a direct-loop forward pass over those images; near misses are caught', () => {
    const ref = reference(x, rows);
    const acc = p.testAccuracy(x);
    expect(acc * T).toBe(ref.correct);
    expect(ref.correct).toBeGreaterThan(T / 10 + 3); // above chance after training, so the count is informative
    const loss = p.testLoss(x);
    expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(1e-12);
    for (const o of [{ flip: true }, { hwc: true }]) {
      const bad = reference(x, rows, o);
      expect(Math.abs(loss - bad.loss) / ref.loss, JSON.stringify(o)).toBeGreaterThan(1e-3);
    }
  }, 120_000);

  it('the id field is checked: t in [10, 9999], and without it the whole test file', () => {
    expect(() => getProblem('mnist-cnn_d28938_n50_i0_t5')).toThrow(/field 't'/);
    expect(() => getProblem('mnist-cnn_d28938_n50_i0_t10000')).toThrow(/field 't'/);
    expect((getProblem('mnist-cnn_d28938_n50_i0') as MnistProblem).testRows).toBe(10000);
    expect(p.id).toBe(`mnist-cnn_d28938_n50_i0_t${T}`);
  });

  it('on the wasm backend a batch gives the same loss and ḡ as on js (the images are read densely)', () => {
    const batch = p.sample(key(2), 16);
    const z = p.x0(key(1));
    let js: ReturnType<typeof batchStatsAt>;
    let wasm: ReturnType<typeof batchStatsAt>;
    try {
      setBackend('js');
      js = batchStatsAt(p, z, batch);
      setBackend('wasm', { threads: 1 });
      wasm = batchStatsAt(p, z, batch);
    } finally {
      setBackend('js');
    }
    expect(Math.abs(wasm.loss - js.loss)).toBeLessThan(1e-12);
    let worst = 0;
    for (let j = 0; j < p.dim; j++) worst = Math.max(worst, Math.abs(wasm.meanGrad[j]! - js.meanGrad[j]!));
    expect(worst).toBeLessThan(1e-12);
  }, 120_000);
});
