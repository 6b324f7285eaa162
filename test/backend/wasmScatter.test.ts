// The wasm sparse Aᵀ·B (A kept dense, mostly zeros: the scatter kernel): its stored rows go in
// parts fixed by the shapes alone, so the product is the same bits on 1 and 2 threads; from
// 128 stored rows there are at least two parts, so that the second thread takes a share.
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { wasmRuntime } from '../../src/backend/wasm/runtime.js';
import { bernoulli, key, normal, split, type Key } from '../../src/rng/index.js';

const SEED = 20261205;

describe('wasm sparse Aᵀ·B by parts', () => {
  const one = createWasmBackend({ threads: 1 });
  const two = createWasmBackend({ threads: 2 });
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: the same bits on 1 and 2 threads, and a share for the second thread from 128 stored rows`, () => {
      const rt = wasmRuntime();
      for (const [t, k] of [16, 127, 128, 256, 700, 1100].entries()) {
        const m = 200;
        const n = 64; // m·n·128 ≥ 2^20 multiply-adds: two threads from 127 rows on
        const [ka, km, kb] = split(key(SEED + t), 3) as [Key, Key, Key];
        const dense = normal(ka, k * m);
        const keep = bernoulli(km, k * m, 0.2);
        const make = (src: ArrayLike<number>): Float64Array | Float32Array => (dtype === 'float64' ? Float64Array.from(src) : Float32Array.from(src));
        const A = make(Float64Array.from(dense, (v, i) => (keep[i] ? v : 0))); // stored [k, m]
        const B = make(normal(kb, k * n));
        const c1 = make(new Float64Array(m * n));
        const c2 = make(new Float64Array(m * n));
        one.matmul(A, B, m, k, n, c1, true, false);
        const before = rt.shares.byWorkers + rt.shares.takenBack;
        two.matmul(A, B, m, k, n, c2, true, false);
        const shares = rt.shares.byWorkers + rt.shares.takenBack - before;
        const i = c1.findIndex((v, j) => !Object.is(v, c2[j]));
        if (i >= 0) expect.fail(`${dtype} k = ${k}: C[${i}] = ${c1[i]} on 1 thread, ${c2[i]} on 2 (seed ${SEED + t})`);
        // the product itself, against a plain float64 sum (the parts change only the rounding)
        let worst = 0;
        for (let r = 0; r < m; r++) {
          for (let c = 0; c < n; c++) {
            let s = 0;
            let scale = 0;
            for (let q = 0; q < k; q++) {
              s += A[q * m + r]! * B[q * n + c]!;
              scale += Math.abs(A[q * m + r]! * B[q * n + c]!);
            }
            worst = Math.max(worst, Math.abs(c1[r * n + c]! - s) / (scale + 1e-300));
          }
        }
        expect(worst, `${dtype} k = ${k}`).toBeLessThan(dtype === 'float64' ? 1e-14 : 1e-6);
        // 16 rows: below the parallel threshold; 127: one part, so one thread; from 128: two or more parts
        expect(shares, `${dtype} k = ${k}: shares run besides the caller's`).toBe(k >= 128 ? 1 : 0);
      }
    });
  }
});
