// Declared batch statistics (src/batching/needs.ts): a reader that declares only some gets
// them with the same values as the full computation, the others are absent (never 0),
// an undeclared read is refused, and the kernels' partial outputs are the same bits.
import { describe, expect, it } from 'vitest';
import {
  adagrad, augIpTest, availableStatistics, blockAugIpTest, coordNormTest, constant, getBackend, key, normTest, run, setBackend,
  statistics, statisticsView, testDriven, UndeclaredStatisticError, type BatchSizeTest, type BatchStat,
} from '../../src/index.js';
import { batchStatsAt, unflatten } from '../../src/run/step.js';
import { batchGradStats } from '../../src/batching/engine.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { linearStatsSparse } from '../../src/backend/linearStatsSparse.js';
import { attachSparseRows, type SparseDataset } from '../../src/backend/sparseRows.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { bernoulli, normal, split, type Key } from '../../src/rng/index.js';
import { getProblem } from '../../problems/index.js';
import type { Batch, Problem } from '../../src/problem/types.js';

const SEED = 20261203;

function onBackend<T>(name: 'js' | 'wasm', f: () => T): T {
  const prev = getBackend();
  try {
    setBackend(name, name === 'wasm' ? { threads: 2 } : undefined);
    return f();
  } finally {
    setBackend(prev.name);
  }
}

/** Full and partial statistics of one batch of `problem` at its x0. */
function both(problem: Problem, b: number, reads: readonly BatchStat[], seed: number) {
  const [kx, kb] = split(key(seed), 2) as [Key, Key];
  const x = problem.x0(kx);
  const batch = problem.sample(kb, b);
  const full = statistics(batchStatsAt(problem, x, batch));
  const part = availableStatistics(batchStatsAt(problem, x, batch, reads));
  return { full, part };
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('declared statistics: the partial computation against the full one', () => {
  // the MNIST softmax model (real pixels; on wasm the sparse resident path) and a dense MLP
  const cases: [string, 'js' | 'wasm', number][] = [
    ['mnist-softmax_d7850_n60000_i0', 'wasm', 4096],
    ['mnist-softmax_d7850_n60000_i0', 'js', 512],
    ['mnist-mlp_d25450_h32_n6000_i0', 'js', 256],
    ['mnist-mlp_d25450_h32_n6000_i0', 'wasm', 256],
  ];

  it.each(cases)('%s on %s, b = %i: S_norm alone gives the same ḡ and ||ḡ||² (bits) and S_norm (to rounding); the rest is absent', (id, be, b) => {
    const { full, part } = onBackend(be, () => both(getProblem(id), b, ['S_norm'], SEED + b));
    expect(part.meanGrad).toEqual(full.meanGrad);
    expect(part.gradNormSq).toBe(full.gradNormSq);
    expect(full.S_norm).toBeGreaterThan(0);
    // Σ||g_i||² − b||ḡ||² instead of Σ(||g_i||² − 2⟨g_i, ḡ⟩ + ||ḡ||²): equal up to rounding
    expect(rel(part.S_norm!, full.S_norm)).toBeLessThanOrEqual(1e-13);
    expect(rel(part.B_simple!, full.B_simple)).toBeLessThanOrEqual(1e-13);
    expect(part.S_ip).toBeUndefined();
    expect(part.S_orth).toBeUndefined();
    expect(part.S_j).toBeUndefined();
    expect(part.blockwise).toBeUndefined();
  });

  it.each(cases)('%s on %s, b = %i: S_ip and S_orth alone, and S_j alone, are the same bits as in the full computation', (id, be, b) => {
    const ip = onBackend(be, () => both(getProblem(id), b, ['S_ip', 'S_orth'], SEED + b));
    expect(ip.part.S_norm).toBe(ip.full.S_norm);
    expect(ip.part.S_ip).toBe(ip.full.S_ip);
    expect(ip.part.S_orth).toBe(ip.full.S_orth);
    expect(ip.part.blockwise).toEqual(ip.full.blockwise);
    expect(ip.part.S_j).toBeUndefined();
    const cj = onBackend(be, () => both(getProblem(id), b, ['S_j'], SEED + b));
    expect(cj.part.S_j).toEqual(cj.full.S_j);
    expect(cj.part.S_ip).toBeUndefined();
  });

  it('statistics() refuses a partial summary; a refined linear block forms every part', () => {
    const problem = getProblem('mnist-softmax_d7850_n6000_i0');
    const x = problem.x0(key(SEED));
    const batch = problem.sample(key(SEED + 1), 64);
    const part = batchStatsAt(problem, x, batch, ['S_norm']);
    expect(part.parts).toEqual({ dots: false, coord: false });
    expect(() => statistics(part)).toThrow(/holds only S_norm.*availableStatistics/);
    const loss = (ps: readonly Tensor[], bt: Batch) => problem.perSampleLoss(ps, bt);
    const refined = batchGradStats(loss, unflatten(problem, x), batch, { stats: ['S_norm'], refine: 'always' });
    // the refined linear block holds every part (the bias block, formed explicitly, only what was asked)
    expect(refined.blocks[0]!.method).toBe('linear-refined');
    expect(refined.blocks[0]!.parts).toBeUndefined();
    const fullRefined = statistics(batchGradStats(loss, unflatten(problem, x), batch, { refine: 'always' }));
    expect(availableStatistics(refined).S_norm).toBe(fullRefined.S_norm);
  });
});

describe('declared statistics: kernels', () => {
  function sparseCase(k: Key, rows: number, b: number, din: number, dout: number, density: number) {
    const [k1, k2, k3, k4, k5] = split(k, 5) as [Key, Key, Key, Key, Key];
    const keep = bernoulli(k1, rows * din, density);
    const dense = Float64Array.from(normal(k2, rows * din), (v, t) => (keep[t] ? v : 0));
    const rowPtr = new Int32Array(rows + 1);
    const col: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < din; j++) if (dense[i * din + j] !== 0) (col.push(j), val.push(dense[i * din + j]!));
      rowPtr[i + 1] = col.length;
    }
    const data: SparseDataset = { rows, cols: din, rowPtr, col: Int32Array.from(col), val: Float64Array.from(val) };
    const idx = Int32Array.from(normal(k3, b), (v) => Math.floor(Math.abs(v) * 1e6) % rows);
    const x = new Float64Array(b * din);
    idx.forEach((r, t) => x.set(dense.subarray(r * din, (r + 1) * din), t * din));
    return { x, data, idx, delta: normal(k4, b * dout), m: normal(k5, din * dout) };
  }
  const wants = [
    { dots: false, coordSumSq: false }, { dots: true, coordSumSq: false }, { dots: false, coordSumSq: true },
  ];
  // small (row-wise fused sweep) and large (column sweep) js paths, column remainders 13 % 8 = 5 and 10
  const shapes: [number, number, number, number, number][] = [[200, 150, 50, 13, 0.2], [300, 2100, 200, 170, 0.1], [500, 3000, 784, 10, 0.19]];

  it.each(shapes)('rows %i, b = %i, %i → %i, density %f: each output asked for is the same bits as with all (js, and wasm on 1 and 2 threads)', (rows, b, din, dout, dens) => {
    const c = sparseCase(key(SEED + din + dout), rows, b, din, dout, dens);
    const run1 = (f: (sq: Float64Array, dots: Float64Array, cs: Float64Array, w?: { dots: boolean; coordSumSq: boolean }) => void, w?: { dots: boolean; coordSumSq: boolean }) => {
      const sq = new Float64Array(b);
      const dots = new Float64Array(w === undefined || w.dots ? b : 0);
      const cs = new Float64Array(w === undefined || w.coordSumSq ? din * dout : 0);
      f(sq, dots, cs, w);
      return { sq, dots, cs };
    };
    const js = (sq: Float64Array, dots: Float64Array, cs: Float64Array, w?: { dots: boolean; coordSumSq: boolean }) =>
      linearStatsSparse(c.x, c.delta, c.m, b, din, dout, sq, dots, cs, w);
    const kernels = [js];
    for (const threads of [1, 2]) {
      const be = createWasmBackend({ threads });
      kernels.push((sq, dots, cs, w) => {
        const x = new Float64Array(c.x);
        attachSparseRows(x, c.data, c.idx);
        be.linearStats(x, c.delta, c.m, b, din, dout, sq, dots, cs, w);
      });
    }
    for (const f of kernels) {
      const all = run1(f);
      for (const w of wants) {
        const got = run1(f, w);
        expect(got.sq).toEqual(all.sq);
        if (w.dots) expect(got.dots).toEqual(all.dots);
        if (w.coordSumSq) expect(got.cs).toEqual(all.cs);
      }
    }
  });
});

describe('declared statistics: the step', () => {
  const base = () => ({
    problem: getProblem('mnist-softmax_d7850_n6000_i0'), optimizer: adagrad(8e-3), budget: { steps: 6 }, key: key(SEED), evalEvery: 1_000_000,
  });

  it('a test reading a statistic it did not declare is refused with a clear error', () => {
    const norm = normTest(0.1);
    const sneaky: BatchSizeTest = { ...norm, name: 'sneaky', reads: ['S_norm'], sample: (s) => (s.S_ip > 0 ? norm.sample(s) : norm.sample(s)) };
    const res = run({ ...base(), controller: testDriven(sneaky, { b0: 4, bMax: 6000 }) });
    expect(res.summary.status).toBe('error');
    expect(res.summary.message).toMatch(/controller test-sneaky read the batch statistic S_ip, which it did not declare \(it declares: S_norm\)/);
    // the same reads, declared: it runs
    const honest: BatchSizeTest = { ...sneaky, reads: ['S_norm', 'S_ip'] };
    expect(run({ ...base(), controller: testDriven(honest, { b0: 4, bMax: 6000 }) }).summary.status).toBe('completed');
    // the view directly: declared fields read through, JSON shows only them, B_simple goes with S_norm
    const st = statistics(batchStatsAt(base().problem, base().problem.x0(key(SEED)), base().problem.sample(key(SEED + 2), 16)));
    const view = statisticsView(st, ['S_norm'], 'reader r');
    expect(view.S_norm).toBe(st.S_norm);
    expect(view.B_simple).toBe(st.B_simple);
    expect(() => view.S_j).toThrow(UndeclaredStatisticError);
    expect(() => view.blockwise.S_orth).toThrow(/reader r read the batch statistic blockwise.S_orth/);
    expect(Object.keys(JSON.parse(JSON.stringify(view))).sort()).toEqual(['B_simple', 'S_norm', 'b', 'gradNormSq', 'meanGrad']);
    expect(() => statisticsView(st, [], 'reader q').B_simple).toThrow(/add 'S_norm'/);
  });

  it('controllers expose their tests\' reads; a norm-test run records only S_norm, and statistics: always records everything', () => {
    expect(testDriven(normTest(0.1), { b0: 2, bMax: 8 }).reads).toEqual(['S_norm']);
    expect(testDriven(augIpTest(0.9, 5.84), { b0: 2, bMax: 8 }).reads).toEqual(['S_ip', 'S_orth']);
    expect(testDriven(coordNormTest(0.1), { b0: 2, bMax: 8 }).reads).toEqual(['S_j']);
    expect(testDriven(blockAugIpTest(0.9, 5.84), { b0: 2, bMax: 8 }).reads).toEqual(['blockwise.S_ip', 'blockwise.S_orth']);
    const seen: { auto: unknown[]; always: unknown[] } = { auto: [], always: [] };
    const ctl = testDriven(normTest(0.1), { b0: 4, bMax: 6000 });
    const auto = run({ ...base(), controller: ctl, observers: [{ onStep: (_r, rec) => seen.auto.push(rec!.stats) }] });
    const always = run({ ...base(), controller: ctl, statistics: 'always', observers: [{ onStep: (_r, rec) => seen.always.push(rec!.stats) }] });
    expect(auto.trace.columns.b).toEqual(always.trace.columns.b);
    for (const s of seen.auto as { S_norm?: number; S_ip?: number; S_j?: unknown }[]) {
      expect(s.S_norm).toBeGreaterThan(0);
      expect(s.S_ip).toBeUndefined();
      expect(s.S_j).toBeUndefined();
    }
    for (const s of seen.always as { S_ip?: number; S_j?: unknown }[]) {
      expect(s.S_ip).toBeGreaterThan(0);
      expect(s.S_j).toBeDefined();
    }
    // a controller that needs nothing: statistics only with 'always', then all of them
    const c = run({ ...base(), controller: constant(8), statistics: 'always' });
    expect(c.trace.columns.S_norm.every((v) => typeof v === 'number' && v > 0)).toBe(true);
  });
});
