// Lazy gathers (rows written only on demand) reuse the ring's two all-zero buffers, and drop a
// buffer once a view of it had its rows written: a handed-out array is all zeros until its own
// rows are asked for, and then holds exactly them.
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../problems/data/mnist.js';
import { D, gatherPixels, gatherRing } from '../../problems/mnist/data.js';
import { ensureDense, sparseRowsOf } from '../../src/backend/sparseRows.js';

const zeros = (x: Float64Array): boolean => {
  for (let t = 0; t < x.length; t++) if (x[t] !== 0) return false;
  return true;
};
const rows = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, t) => a + t);

describe('lazy MNIST gathers', () => {
  it('reuse an unwritten buffer, drop a written one; every array is zeros, then its own rows', () => {
    const set = loadMnist('train');
    const ring = gatherRing();
    const A = gatherPixels(set, rows(0, 5000), ring, true);
    const B = gatherPixels(set, rows(5000, 10000), ring, true);
    const C = gatherPixels(set, rows(10000, 14500), ring, true); // slot of A, A never written: reused
    expect(C.buffer === A.buffer).toBe(true);
    expect(sparseRowsOf(C)!.indices[0]).toBe(10000);
    expect(zeros(C)).toBe(true);
    ensureDense(C);
    const dense = gatherPixels(set, rows(10000, 14500)); // the eager gather of the same rows
    let diff = 0;
    for (let t = 0; t < dense.length; t++) if (C[t] !== dense[t]) diff++;
    expect(diff).toBe(0);
    const E = gatherPixels(set, rows(20000, 25000), ring, true); // slot of B: reused
    expect(E.buffer === B.buffer).toBe(true);
    const F = gatherPixels(set, rows(30000, 34500), ring, true); // slot of C, which was written: a fresh buffer
    expect(F.buffer === C.buffer).toBe(false);
    expect(zeros(F)).toBe(true);
    expect(F.length).toBe(4500 * D);
  });
});
