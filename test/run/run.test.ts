/**
 * The training loop: full-batch equivalence of AdAdaGrad-Norm, bitwise determinism,
 * divergence handling and JSON Lines, sample accounting and budgets.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/index.js';
import { constant, geometric, normTest, testDriven } from '../../src/batching/index.js';
import { adagradNorm, sgd, type GradientTransformation } from '../../src/optim/index.js';
import type { Problem } from '../../src/problem/types.js';
import { key } from '../../src/rng/index.js';
import { TRACE_COLUMNS, jsonlObserver, parseJsonlLines, readJsonl, run, type Trace } from '../../src/run/index.js';

const dir = mkdtempSync(join(tmpdir(), 'adadagrad-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Wrap a transformation so that it records the iterate x_k and gradient g_k it is given (test-only side effect). */
function recording(t: GradientTransformation<any>): { opt: GradientTransformation<any>; xs: Float64Array[]; gs: Float64Array[] } {
  const xs: Float64Array[] = [];
  const gs: Float64Array[] = [];
  return {
    xs,
    gs,
    opt: {
      ...t,
      update(g, s, p, c) {
        xs.push(Float64Array.from(p));
        gs.push(Float64Array.from(g));
        return t.update(g, s, p, c);
      },
    },
  };
}

/** Column-by-column comparison with Object.is (so −0 ≠ 0 and NaN = NaN); returns the first difference. */
function firstDifference(a: Trace, b: Trace): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (const c of TRACE_COLUMNS) {
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a.columns[c][i], b.columns[c][i])) return `column ${c}, row ${i}: ${a.columns[c][i]} vs ${b.columns[c][i]}`;
    }
  }
  return null;
}

function relDiff(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-300);
}

describe('AdAdaGrad-Norm with b = n without replacement is full-batch AdaGrad-Norm', () => {
  it.each(['nclogreg_d5_n50_i0', 'lsq-interp_d5_n40_i0'])('%s: same x_k sequence to 1e-10 relative', (id) => {
    const p = getProblem(id);
    const n = p.n!;
    const alpha = 0.5;
    const beta0 = 0.7;
    const K = 40;
    const rec = recording(adagradNorm(alpha, beta0));
    const res = run({
      problem: p, optimizer: rec.opt, controller: testDriven(normTest(0.5), { b0: n, bMax: n }),
      budget: { steps: K }, key: key(3), replace: false,
    });
    expect(res.summary.status).toBe('completed');
    expect([...res.trace.columns.b]).toEqual(Array(K).fill(n));
    // Independent full-batch AdaGrad-Norm from the problem's exact gradient:
    // v_k = v_{k−1} + ||∇F(x_k)||², v_{−1} = β₀²; x_{k+1} = x_k − α ∇F(x_k)/√v_k.
    // Equality is to rounding only, not bitwise: the batch gradient sums the n per-sample
    // gradients in the order of a random permutation (and through the statistics engine),
    // ∇F(x) in index order, and floating-point addition is not associative.
    let x = Float64Array.from(rec.xs[0]!);
    let v = beta0 * beta0;
    let worst = 0;
    for (let k = 0; k < K; k++) {
      worst = Math.max(worst, relDiff(rec.xs[k]!, x));
      const g = p.gradient(x);
      let sq = 0;
      for (const gi of g) sq += gi * gi;
      v += sq;
      x = x.map((xi, j) => xi - (alpha * g[j]!) / Math.sqrt(v));
      // the accumulator column is v_k
      const acc = res.trace.columns.accumulator[k]!;
      expect(Math.abs(acc - v)).toBeLessThanOrEqual(1e-10 * v);
    }
    worst = Math.max(worst, relDiff(res.x, x));
    expect(worst).toBeLessThanOrEqual(1e-10);
    // and the run moved: the comparison is not between two constant sequences
    expect(relDiff(res.x, rec.xs[0]!)).toBeGreaterThan(1e-3);
  });
});

describe('determinism', () => {
  const config = (seed: number) => ({
    problem: getProblem('nqm_d10_i0'),
    optimizer: adagradNorm(0.5),
    controller: testDriven(normTest(0.5), { b0: 2, bMax: 256 }),
    budget: { steps: 40 },
    key: key(seed),
    evalEvery: 3,
  });

  it('same configuration and seed ⇒ the same trace, bit for bit (Object.is on every column)', () => {
    const a = run(config(11));
    const b = run(config(11));
    expect(firstDifference(a.trace, b.trace)).toBeNull();
    expect(a.x.every((v, i) => Object.is(v, b.x[i]))).toBe(true);
    // the batch sizes did adapt, so the comparison covers the controller too
    expect(new Set(a.trace.columns.b).size).toBeGreaterThan(2);
  });

  it('a different seed ⇒ a different trace', () => {
    const a = run(config(11));
    const b = run(config(12));
    expect(firstDifference(a.trace, b.trace)).not.toBeNull();
    expect(a.trace.columns.loss[0]).not.toBe(b.trace.columns.loss[0]);
  });
});

describe('divergence', () => {
  it('SGD with a huge learning rate on a quadratic stops with status diverged, keeps its rows, writes no NaN', () => {
    const path = join(dir, 'diverged.jsonl');
    const res = run({
      problem: getProblem('nqm_d10_i0'), optimizer: sgd(1e3), controller: constant(4), budget: { steps: 10_000 },
      key: key(1), observers: [jsonlObserver(path)],
    });
    expect(res.summary.status).toBe('diverged');
    expect(res.summary.message).toMatch(/non-finite/);
    expect(res.trace.length).toBeGreaterThan(5);
    expect(res.trace.length).toBeLessThan(10_000);
    expect(res.summary.steps).toBe(res.trace.length);
    // every kept row is finite (or null off the schedule), and the returned iterate is the last finite one
    for (const c of TRACE_COLUMNS) for (const v of res.trace.columns[c]) expect(v === null || Number.isFinite(v)).toBe(true);
    expect(res.x.every(Number.isFinite)).toBe(true);

    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/NaN|Infinity/);
    const lines = text.trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as { type: string; status?: string });
    expect(records[0]!.type).toBe('meta');
    expect(records.at(-1)).toMatchObject({ type: 'summary', status: 'diverged' });
    const back = readJsonl(path);
    expect(back.rows.length).toBe(res.trace.length);
    expect(back.rows).toEqual(res.trace.rows());
    expect(back.summary!.status).toBe('diverged');
    expect(back.tornLastLine).toBe(false);
  });
});

describe('JSON Lines', () => {
  const path = join(dir, 'ok.jsonl');
  const res = run({
    problem: getProblem('nqm_d10_i0'), optimizer: adagradNorm(0.5), controller: testDriven(normTest(0.5), { b0: 2, bMax: 64 }),
    budget: { steps: 12 }, key: key(5), evalEvery: 4, observers: [jsonlObserver(path)],
  });

  it('round-trips meta, rows and summary (nulls off the evaluation schedule)', () => {
    const back = readJsonl(path);
    expect(back.meta).toMatchObject({ type: 'meta', problem: 'nqm_d10_i0', optimizer: 'adagrad-norm', controller: 'test-norm' });
    expect(back.rows).toEqual(res.trace.rows());
    expect(back.rows.map((r) => r.F === null)).toEqual(Array.from({ length: 12 }, (_, k) => k % 4 !== 0));
    expect(back.summary).toMatchObject({ type: 'summary', status: 'completed', steps: 12 });
  });

  it('a torn last line (a crash mid-write) is skipped and reported', () => {
    const text = readFileSync(path, 'utf8');
    const torn = join(dir, 'torn.jsonl');
    writeFileSync(torn, text.slice(0, text.length - 40)); // cut into the summary line
    const back = readJsonl(torn);
    expect(back.tornLastLine).toBe(true);
    expect(back.warnings.join('\n')).toMatch(/torn last line/);
    expect(back.summary).toBeNull();
    expect(back.rows).toEqual(res.trace.rows());
  });

  it('a broken line that is not the last is an error naming the line', () => {
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[2] = lines[2]!.slice(0, 10);
    expect(() => parseJsonlLines(lines.join('\n'), 'f.jsonl')).toThrow(/line 3/);
  });
});

/** A view of a problem that counts the samples it hands out and the exact evaluations. */
function counting(p: Problem) {
  const counts = { sampled: 0, values: 0, gradients: 0 };
  const q: Problem = {
    ...p,
    sample(k, b, o) {
      counts.sampled += b;
      return p.sample(k, b, o);
    },
    value(x) {
      counts.values++;
      return p.value(x);
    },
    gradient(x) {
      counts.gradients++;
      return p.gradient(x);
    },
  };
  return { q, counts };
}

describe('sample accounting: exact F/∇F evaluations are not samples', () => {
  it('samples column = Σ_{j≤k} b_j; the evaluation schedule changes neither samples nor iterates', () => {
    const base = getProblem('lsq-interp_d5_n40_i0');
    const go = (evalEvery: number) => {
      const { q, counts } = counting(base);
      const res = run({ problem: q, optimizer: adagradNorm(0.5), controller: geometric({ b0: 2, rho: 1.5, bMax: 40 }), budget: { steps: 15 }, key: key(2), evalEvery });
      return { res, counts };
    };
    const a = go(1);
    const b = go(5);
    let cum = 0;
    const expected = a.res.trace.columns.b.map((bk) => (cum += bk!));
    expect(a.res.trace.columns.samples).toEqual(expected);
    expect(a.res.summary.samples).toBe(cum);
    expect(a.counts.sampled).toBe(cum); // only the batches were drawn
    // 15 scheduled evaluations + the final one, against 3 + 1 with evalEvery = 5
    expect(a.counts.values).toBe(16);
    expect(b.counts.values).toBe(4);
    expect(b.res.trace.columns.samples).toEqual(expected);
    expect(b.res.x).toEqual(a.res.x);
  });
});

describe('budgets', () => {
  const p = getProblem('lsq-interp_d5_n40_i0');
  const go = (budget: { steps?: number; samples?: number; epochs?: number }, b = 8) =>
    run({ problem: p, optimizer: sgd(0.01), controller: constant(b), budget, key: key(0), evalEvery: 100 });

  it('steps', () => {
    expect(go({ steps: 7 }).summary).toMatchObject({ steps: 7, samples: 56, status: 'completed' });
  });
  it('samples: a step is taken only if it fits (30 samples, b = 8: three steps, 24 samples)', () => {
    expect(go({ samples: 30 }).summary).toMatchObject({ steps: 3, samples: 24 });
    expect(go({ samples: 32 }).summary).toMatchObject({ steps: 4, samples: 32 });
  });
  it('epochs of the finite sum (n = 40): 1.5 epochs = 60 samples → 7 steps of 8', () => {
    expect(go({ epochs: 1.5 }).summary).toMatchObject({ steps: 7, samples: 56 });
  });
  it('the tightest of several budgets wins', () => {
    expect(go({ steps: 2, samples: 1000 }).summary.steps).toBe(2);
    expect(go({ steps: 100, samples: 40 }).summary.steps).toBe(5);
  });
  it('a budget smaller than the first batch throws', () => {
    expect(() => go({ samples: 7 })).toThrow(/smaller than the first batch/);
  });
  it('a missing or malformed budget throws, naming it', () => {
    expect(() => go({})).toThrow(/budget/);
    expect(() => go({ steps: 0 })).toThrow(/budget\.steps/);
    expect(() => go({ samples: 0 })).toThrow(/budget\.samples/);
    expect(() => run({ problem: getProblem('nqm_d10_i0'), optimizer: sgd(0.1), controller: constant(2), budget: { epochs: 1 }, key: key(0) })).toThrow(/epochs/);
  });
  it('sampling without replacement rejects b > n before any work', () => {
    expect(() => run({ problem: p, optimizer: sgd(0.1), controller: constant(41), budget: { steps: 1 }, key: key(0), replace: false })).toThrow(/exceeds n = 40/);
  });
});
