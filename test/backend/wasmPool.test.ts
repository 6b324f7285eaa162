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
    // small calls (the worker usually still asleep when the caller is done) and large ones
    // (shares of a millisecond or more, which the worker wakes up in time for), interleaved;
    // measured: 33–40 of the 390 shares run by the worker on a quiet machine, 181–211 with
    // one or two other busy processes
    const sizes = Array.from({ length: 390 }, (_, t) => (t % 13 === 6 ? 300_000 : 5));
    for (const [t, rows] of sizes.map((r, t) => [t, r] as const)) {
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

  it('job numbers wrap before int32 does (a worker near 2³¹ jobs keeps working)', () => {
    const rt = wasmRuntime();
    rt.parallel('csc_count', [[0, 0, 0, 0, 0, 0, rt.alloc(0)], [0, 0, 0, 0, 0, 0, rt.alloc(0)]]); // a worker exists
    const pool = (rt as unknown as { workers: { seq: number }[] }).workers; // internal: the pool's job counters
    for (const w of pool) w.seq = 0x7ffffffa;
    const k = 8;
    for (let t = 0; t < 12; t++) {
      rt.reset();
      const rp = rt.alloc(3 * 4);
      const co = rt.alloc(2 * 4);
      const idx = rt.alloc(2 * 4);
      const cnt = rt.alloc(2 * k * 4);
      rt.i32.set([0, 1, 2], rp >> 2);
      rt.i32.set([t % k, (t + 3) % k], co >> 2);
      rt.i32.set([0, 1], idx >> 2);
      rt.parallel('csc_count', [[rp, co, idx, 0, 1, k, cnt], [rp, co, idx, 1, 2, k, cnt + k * 4]]);
      const got = Array.from(rt.i32.subarray(cnt >> 2, (cnt >> 2) + 2 * k));
      const want = new Array<number>(2 * k).fill(0);
      want[t % k] = 1;
      want[k + ((t + 3) % k)] = 1;
      expect(got, `call ${t}`).toEqual(want);
    }
    for (const w of pool) expect(w.seq).toBeLessThan(0x40000000);
  });
});
