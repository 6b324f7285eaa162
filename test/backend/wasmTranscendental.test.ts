// The wasm backend's threaded transcendental ops (tanh, exp, log, log1p on arrays of at least
// 2^15 elements): the same bits on 1 and 2 threads, within 4 ulp of V8's Math (the js reference; musl and V8 are each within about 2 ulp
// of the true value, on opposite sides at times: tanh(−0.5453170580608582) is 1.4 and 1.7 ulp off).
// float64 tanh is the two-lane kernel of assembly/kernels.ts (tanhF64x2): within 2 ulp of V8 on
// ranges that straddle its split at |x| = 0.625 and its clamp at 20, with the sign of zero kept;
// float32 tanh the four-lane float32 kernel (tanhF32x4): within 1.25 float32 ulp of the exact value.
import { describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/index.js';
import type { UnaryOp } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { key, split, uniform, type Key } from '../../src/rng/index.js';

const SEED = 20261203;
const N = 70_001; // above the threaded size, not a multiple of the chunk
const OPS = ['tanh', 'exp', 'log', 'log1p'] as const satisfies readonly UnaryOp[];
const EDGE = [0, -0, 1e-300, -1e-300, 1e-9, -1e-9, 20, -20, 700, -700, 800, -800, Infinity, -Infinity, NaN];

/** Inputs of op: uniform on its domain, edge values at the start and at a chunk boundary. */
function inputs(op: (typeof OPS)[number], k: Key, f32: boolean): Float64Array | Float32Array {
  const lo = op === 'log' ? 1e-6 : op === 'log1p' ? -0.999 : op === 'exp' ? -40 : -8;
  const raw = Float64Array.from(uniform(k, N, lo, op === 'exp' ? 40 : 8));
  EDGE.forEach((v, i) => {
    raw[i] = v;
    raw[8191 + i] = v; // across the end of the first chunk (2^13 elements)
  });
  return f32 ? Float32Array.from(raw) : raw;
}

const ulp = (v: number, f32: boolean): number => {
  const a = Math.max(Math.abs(v), f32 ? 1.2e-38 : 2.3e-308);
  return 2 ** (Math.floor(Math.log2(a)) - (f32 ? 23 : 52));
};

describe('wasm transcendental unary ops', () => {
  const w1 = createWasmBackend({ threads: 1 });
  const w2 = createWasmBackend({ threads: 2 });
  const keys = split(key(SEED), OPS.length * 2);
  for (const [oi, op] of OPS.entries()) {
    for (const f32 of [false, true]) {
      it(`${op} ${f32 ? 'float32' : 'float64'}: 1 and 2 threads the same bits, within 4 ulp of js (seed ${SEED})`, () => {
        const x = inputs(op, keys[oi * 2 + (f32 ? 1 : 0)]!, f32);
        const mk = () => (f32 ? new Float32Array(N) : new Float64Array(N));
        const [o1, o2, ref] = [mk(), mk(), mk()];
        w1.unary(op, x, o1);
        w2.unary(op, x, o2);
        jsBackend.unary(op, x, ref);
        let worst = 0;
        for (let i = 0; i < N; i++) {
          const same = Object.is(o1[i], o2[i]) || (Number.isNaN(o1[i]!) && Number.isNaN(o2[i]!));
          if (!same) expect.fail(`${op} entry ${i} (x = ${x[i]}): 1 thread ${o1[i]}, 2 threads ${o2[i]}`);
          const r = ref[i]!;
          if (Object.is(o1[i], r) || (Number.isNaN(r) && Number.isNaN(o1[i]!))) continue;
          const err = Math.abs(o1[i]! - r) / ulp(r, f32);
          if (!(err <= 4)) expect.fail(`${op} entry ${i} (x = ${x[i]}): wasm ${o1[i]} vs js ${r} (${err} ulp)`);
          worst = Math.max(worst, err);
        }
        expect(worst).toBeLessThanOrEqual(4);
      });
    }
  }

  it(`float64 tanh (two lanes): within 2 ulp of js across its two ranges and the clamp, ±0 kept, odd (seed ${SEED})`, () => {
    const ranges: [number, number][] = [[-1e-6, 1e-6], [-0.3, 0.3], [0.6, 0.65], [-0.65, -0.6], [0.3, 3], [-19.5, -18.5], [15, 25]];
    const ks = split(key(SEED + 1), ranges.length);
    for (const [ri, [lo, hi]] of ranges.entries()) {
      const x = Float64Array.from(uniform(ks[ri]!, 40_001, lo, hi));
      x[0] = 0;
      x[1] = -0;
      const got = new Float64Array(x.length);
      const neg = new Float64Array(x.length);
      w2.unary('tanh', x, got);
      w2.unary('tanh', x.map((v) => -v), neg);
      expect(Object.is(got[0], 0) && Object.is(got[1], -0)).toBe(true);
      for (let i = 0; i < x.length; i++) {
        const r = Math.tanh(x[i]!);
        const err = Math.abs(got[i]! - r) / ulp(r, false);
        if (!(err <= 2)) expect.fail(`tanh(${x[i]}) = ${got[i]} against js ${r}: ${err} ulp (range [${lo}, ${hi}], seed ${SEED})`);
        if (!Object.is(neg[i], -got[i]!)) expect.fail(`tanh(−${x[i]}) = ${neg[i]} is not −tanh(${x[i]}) = ${-got[i]!}`);
      }
    }
  });

  it(`float32 tanh (four lanes, in float32): within 1.25 ulp of the exact tanh, the float32 rounding of js's in at least 70% of entries of every range, odd, all lengths mod 4 (seed ${SEED})`, () => {
    // its split at |x| = 0.7 and its clamp at 9.5 inside ranges; measured (scratch check): at most 1.05 ulp, and 76% (just
    // above the split) to 100% of entries the float32 rounding of Math.tanh
    const ranges: [number, number][] = [[-1e-6, 1e-6], [-0.3, 0.3], [0.6, 0.75], [-0.75, -0.6], [0.7, 1], [0.3, 3], [2, 6], [-9.6, -8.5], [15, 25]];
    const ks = split(key(SEED + 2), ranges.length);
    for (const [ri, [lo, hi]] of ranges.entries()) {
      for (const n of [40_001, 40_002, 40_003, 40_004]) {
        const x = Float32Array.from(uniform(ks[ri]!, n, lo, hi));
        x[0] = 0;
        x[1] = -0;
        const got = new Float32Array(n);
        const neg = new Float32Array(n);
        w2.unary('tanh', x, got);
        w2.unary('tanh', x.map((v) => -v), neg);
        expect(Object.is(got[0], 0) && Object.is(got[1], -0)).toBe(true);
        let rounded = 0;
        for (let i = 0; i < n; i++) {
          const exact = Math.tanh(x[i]!);
          const r = Math.fround(exact);
          if (got[i] === r) rounded++;
          const err = Math.abs(got[i]! - exact) / ulp(r, true);
          if (!(err <= 1.25)) expect.fail(`tanh(${x[i]}) = ${got[i]} against ${exact}: ${err} ulp (range [${lo}, ${hi}], entry ${i} of ${n}, seed ${SEED})`);
          if (!Object.is(neg[i], -got[i]!)) expect.fail(`tanh(−${x[i]}) = ${neg[i]} is not −tanh(${x[i]}) = ${-got[i]!}`);
        }
        expect(rounded / n, `range [${lo}, ${hi}], n = ${n}: share of entries equal to the float32 rounding`).toBeGreaterThanOrEqual(0.7);
      }
    }
  });
});
