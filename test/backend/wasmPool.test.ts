// The wasm backend's thread pool: a worker's share of a parallel call is run exactly once,
// by the worker or, when the worker has not woken up by the time the calling thread is done
// with its own share, by the calling thread. Both ways must occur here and give the same counts.
import { describe, expect, it } from 'vitest';
import { wasmRuntime } from '../../src/backend/wasm/runtime.js';
import { integers, key, split, type Key } from '../../src/rng/index.js';

const SEED = 20261204;

describe('the wasm thread pool', () => {
  it('runs every share of a parallel call once, taken back or not (column counts of random rows)', () => {
    const rt = wasmRuntime();
    const k = 64;
    const before = { ...rt.shares };
    // small calls (the worker usually still asleep when the caller is done) and large ones (it is not)
    for (const [t, rows] of [5, 5, 5, 20000, 5, 5, 20000, 5, 5, 5, 20000, 5].flatMap((r, i) => Array.from({ length: 40 }, (_, j) => [i * 40 + j, r] as const))) {
      const [kc, ki] = split(key(SEED + t), 2) as [Key, Key];
      const perRow = 3;
      const co = integers(kc, rows * perRow, 0, k);
      const idx = integers(ki, rows, 0, rows);
      rt.reset();
      const pRp = rt.alloc((rows + 1) * 4);
      const pCo = rt.alloc(co.length * 4);
      const pIdx = rt.alloc(rows * 4);
      const pCnt = rt.alloc(2 * k * 4);
      for (let r = 0; r <= rows; r++) rt.i32[(pRp >> 2) + r] = r * perRow;
      rt.i32.set(co, pCo >> 2);
      rt.i32.set(idx, pIdx >> 2);
      const half = rows >> 1;
      rt.parallel('csc_count', [[pRp, pCo, pIdx, 0, half, k, pCnt], [pRp, pCo, pIdx, half, rows, k, pCnt + k * 4]]);
      const want = new Int32Array(2 * k);
      for (let i = 0; i < rows; i++) for (let e = idx[i]! * perRow; e < (idx[i]! + 1) * perRow; e++) want[(i < half ? 0 : k) + co[e]!]!++;
      const got = rt.i32.subarray(pCnt >> 2, (pCnt >> 2) + 2 * k);
      for (let c = 0; c < 2 * k; c++) if (got[c] !== want[c]) expect.fail(`call ${t} (${rows} rows): count ${c} is ${got[c]}, want ${want[c]} (seed ${SEED})`);
    }
    expect(rt.shares.takenBack - before.takenBack, 'shares taken back').toBeGreaterThan(0);
    expect(rt.shares.byWorkers - before.byWorkers, 'shares run by the worker').toBeGreaterThan(0);
  });
});
