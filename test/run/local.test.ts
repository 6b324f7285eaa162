/** The local method of SPEC §6: estimators, reduction to run(), key derivation, determinism, sizes on known noise. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/index.js';
import { constant, normTest, statistics, statsFromPerSampleGrads, testDriven } from '../../src/batching/index.js';
import { adagradNorm, momentum, sgd } from '../../src/optim/index.js';
import type { Problem } from '../../src/problem/types.js';
import { foldIn, key, normal, split, type Key } from '../../src/rng/index.js';
import {
  ConfigError, TRACE_COLUMNS, jsonlObserver, pooledEstimate, readJsonl, run, runLocal, workerEstimate,
  type LocalOptions, type Trace, type WorkerFirstBatch,
} from '../../src/run/index.js';

const dir = mkdtempSync(join(tmpdir(), 'adadagrad-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function firstDifference(a: Trace, b: Trace): string | null {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (const c of TRACE_COLUMNS) {
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a.columns[c][i], b.columns[c][i])) return `column ${c}, row ${i}: ${a.columns[c][i]} vs ${b.columns[c][i]}`;
    }
  }
  return null;
}

const sameBits = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

function close(a: number, e: number, rel: number): void {
  if (!(Math.abs(a - e) <= rel * Math.max(1e-300, Math.abs(e)))) throw new Error(`got ${a}, expected ${e} (tolerance ${rel} relative)`);
}

/** A worker's first-batch report from an explicit b × d matrix of per-sample gradients. */
function report(rows: readonly (readonly number[])[] | { data: Float64Array; b: number; d: number }): WorkerFirstBatch {
  const s = statsFromPerSampleGrads(rows);
  return { b: s.b, meanGrad: s.meanGrad, sumSqDev: s.sumSqDev };
}

describe('the estimators against hand values', () => {
  // M = 2, b = 2, d = 1: worker 1 saw g = 1, 3 (ḡ¹ = 2, Σ(g − ḡ¹)² = 2); worker 2 saw 5, 7 (ḡ² = 6, 2).
  const ws = [report([[1], [3]]), report([[5], [7]])];

  it('pooled: SS = Σ_m [Σ_i ||g_i − ḡ^m||² + b||ḡ^m − ḡ||²], S = SS/(Mb − 1), T = S/(M η² ||ḡ||²)', () => {
    // ḡ = 4; SS = 2 + 2 + 2·4 + 2·4 = 20; S = 20/3; η = 1: T = (20/3)/(2·16) = 5/24
    // statistic = (S/(Mb))/(η²||ḡ||²) = (5/3)/16 = 5/48
    const e = pooledEstimate(ws, 1);
    close(e.sigma2, 20 / 3, 1e-15);
    close(e.gradNormSq, 16, 1e-15);
    close(e.T, 5 / 24, 1e-15);
    close(e.statistic, 5 / 48, 1e-15);
    expect(e.noInfo).toBe(false);
    // η = 0.1: T = (20/3)/(2·0.01·16) = 125/6
    close(pooledEstimate(ws, 0.1).T, 125 / 6, 1e-14);
  });

  it('worker-level: σ̂² = b (1/(M − 1)) Σ_m ||ḡ^m − ḡ||², T = σ̂²/(M η² ||ḡ||²)', () => {
    // σ̂² = 2 · (4 + 4)/1 = 16; η = 1: T = 16/(2·16) = 1/2; it ignores the per-sample sums
    const e = workerEstimate(ws.map((w) => ({ ...w, sumSqDev: NaN })), 1);
    close(e.sigma2, 16, 1e-15);
    close(e.T, 0.5, 1e-15);
  });

  it('pooled S is S_norm of the union of the workers’ batches (law of total variance)', () => {
    const [kA, kB] = split(key(21), 2) as [Key, Key];
    const M = 5;
    const b = 7;
    const d = 4;
    const all = normal(kA, M * b * d);
    const shift = normal(kB, M * d); // give the workers different means, so the between-worker term matters
    for (let m = 0; m < M; m++) for (let i = 0; i < b; i++) for (let j = 0; j < d; j++) all[(m * b + i) * d + j]! += 3 * shift[m * d + j]!;
    const parts = Array.from({ length: M }, (_, m) => report({ data: all.slice(m * b * d, (m + 1) * b * d), b, d }));
    const union = statistics(statsFromPerSampleGrads({ data: all, b: M * b, d }));
    const e = pooledEstimate(parts, 0.5);
    close(e.sigma2, union.S_norm, 1e-12);
    close(e.gradNormSq, union.gradNormSq, 1e-12);
    // the global size S/(η²||ḡ||²) is what normTest asks for on the union; the local size is that over M
    close(e.T * M, normTest(0.5).sample(union).T, 1e-12);
  });

  it('||ḡ||² = 0 gives no information', () => {
    const e = pooledEstimate([report([[1], [-1]]), report([[2], [-2]])], 1);
    expect(e.noInfo).toBe(true);
    expect(e.T).toBe(0);
    expect(workerEstimate([report([[1], [-1]]), report([[2], [-2]])], 1).noInfo).toBe(true);
  });

  it('the worker-level estimator needs M ≥ 2', () => {
    expect(() => workerEstimate([report([[1], [3]])], 1)).toThrow(ConfigError);
  });
});

describe('both estimators are unbiased for σ² at a fixed point (NQM, σ² = tr H known)', () => {
  // At a fixed x on nqm_d20, draw N = 200 independent rounds of M = 4 first batches of b = 2
  // (closed-form per-sample gradients) and average the estimates of σ² ≈ 3.60.
  // Per round, with Gaussian noise of covariance H (h_j = 1/j, Σh² ≈ 1.60): sd(σ̂²_worker) = √(2Σh²/(M − 1))
  // ≈ 1.03 (29% of σ²), sd(S_pooled) = √(2Σh²/(Mb − 1)) ≈ 0.68 (19%). Averages over 200 rounds: 2.0% and
  // 1.3%; the tolerances 10% and 5% are ≈ 5 and ≈ 3.8 sd (false-fail rates ≈ 1e-6 and 1.4e-4; the seed is fixed).
  // A biased estimator fails: dividing SS by Mb instead of Mb − 1 shifts the pooled mean by 12.5%, and
  // b·Σ||ḡ^m − ḡ||²/M instead of /(M − 1) shifts the worker-level one by 25%.
  const p = getProblem('nqm_d20_i0') as Problem & { perSampleGrads(x: Float64Array, batch: unknown): Float64Array };
  const sigma2 = p.noise!(new Float64Array(20)).sigma2;
  const x = normal(key(8), 20);
  const M = 4;
  const b = 2;
  const N = 200;
  let sumPooled = 0;
  let sumWorker = 0;
  for (let r = 0; r < N; r++) {
    const ws = Array.from({ length: M }, (_, m) => {
      const G = p.perSampleGrads(x, p.sample(foldIn(key(9), r * M + m), b));
      return report({ data: G, b, d: 20 });
    });
    sumPooled += pooledEstimate(ws, 1).sigma2;
    sumWorker += workerEstimate(ws, 1).sigma2;
  }
  it('pooled: mean within 5%', () => close(sumPooled / N, sigma2, 0.05));
  it('worker-level: mean within 10%', () => close(sumWorker / N, sigma2, 0.1));
});

describe('reduction to run() and the key derivation', () => {
  const nqm = getProblem('nqm_d10_i0');

  it.each([
    ['nqm_d10_i0', 0.5],
    ['lsq-noisy_d5_n40_i0', 0.3],
  ])('%s: M = 1, H = 1, pooled estimator equals run() with testDriven(normTest(η)) bit for bit', (id, eta) => {
    // Why exactly equal: with M = H = 1 the batch key is foldIn(kData, r), run's key at step r; the
    // worker's state is the optimizer state of run; the mean over one worker is the worker itself;
    // SS = Σ_i ||g_i − ḡ||² + b·0, so S = SS/(b − 1) is S_norm as statistics() computes it, and T = S/(η²||ḡ||²)/1.
    const p = getProblem(id);
    const cfg = { b0: 2, bMax: 40 };
    const a = run({ problem: p, optimizer: adagradNorm(0.5), controller: testDriven(normTest(eta), cfg), budget: { steps: 40 }, key: key(4), evalEvery: 3 });
    const b = runLocal({
      problem: p, localOptimizer: adagradNorm(0.5), workers: 1, localSteps: 1, ...cfg, eta, estimator: 'pooled',
      budget: { rounds: 40 }, key: key(4), evalEvery: 3,
    });
    expect(firstDifference(a.trace, b.trace)).toBeNull();
    expect(sameBits(a.x, b.x)).toBe(true);
    expect(b.summary).toMatchObject({ status: 'completed', steps: a.summary.steps, samples: a.summary.samples, finalB: a.summary.finalB });
    expect(new Set(a.trace.columns.b).size).toBeGreaterThan(2); // the test did act
  });

  it('M = 1, H = 3 with a fixed size equals run() with a constant batch for 3R steps (keys and per-worker state persist across rounds)', () => {
    const a = run({ problem: nqm, optimizer: adagradNorm(0.5), controller: constant(6), budget: { steps: 30 }, key: key(5) });
    const b = runLocal({
      problem: nqm, localOptimizer: adagradNorm(0.5), workers: 1, localSteps: 3, b0: 6, bMax: 6, eta: 0.5, estimator: 'pooled',
      budget: { rounds: 10 }, key: key(5),
    });
    expect(sameBits(a.x, b.x)).toBe(true);
    expect(b.summary.samples).toBe(a.summary.samples);
    // the local trace has one row per round: round r reports F at x̄_r = x_{3r}
    expect(b.trace.columns.F).toEqual(a.trace.columns.F.filter((_, k) => k % 3 === 0));
    // and the accumulator after round r is run's after step 3r + 2
    expect(b.trace.columns.accumulator).toEqual(a.trace.columns.accumulator.filter((_, k) => k % 3 === 2));
  });

  it('M = 2, H = 2: x̄_1 is the mean of two independent worker trajectories, batches from foldIn(kData, (r·M + m)·H + h)', () => {
    const p = nqm as Problem & { perSampleGrads(x: Float64Array, batch: unknown): Float64Array };
    const M = 2;
    const H = 2;
    const b = 5;
    const alpha = 0.3;
    const eta = 0.2;
    const res = runLocal({
      problem: p, localOptimizer: adagradNorm(alpha), workers: M, localSteps: H, b0: b, bMax: 1000, eta, estimator: 'pooled',
      budget: { rounds: 1 }, key: key(6),
    });
    // by hand: the same keys, closed-form per-sample gradients, AdaGrad-Norm per worker from v = 1
    const [kInit, kData] = split(key(6), 2) as [Key, Key];
    const x0 = p.x0(kInit);
    const finals: Float64Array[] = [];
    const firsts: WorkerFirstBatch[] = [];
    const accs: number[] = [];
    for (let m = 0; m < M; m++) {
      let x = Float64Array.from(x0);
      let v = 1;
      for (let h = 0; h < H; h++) {
        const G = p.perSampleGrads(x, p.sample(foldIn(kData, (0 * M + m) * H + h), b));
        const w = report({ data: G, b, d: 10 });
        if (h === 0) firsts.push(w);
        v += w.meanGrad.reduce((s, g) => s + g * g, 0);
        x = x.map((xi, j) => xi - (alpha * w.meanGrad[j]!) / Math.sqrt(v));
      }
      finals.push(x);
      accs.push(v);
    }
    const xbar = finals[0]!.map((v, j) => (v + finals[1]![j]!) / 2);
    xbar.forEach((v, j) => close(res.x[j]!, v, 1e-12));
    const row = res.trace.row(0);
    const est = pooledEstimate(firsts, eta);
    close(row.S_norm!, est.sigma2, 1e-12);
    close(row.T!, est.T, 1e-12);
    close(row.accumulator!, (accs[0]! + accs[1]!) / 2, 1e-12); // the mean of the workers' own accumulators
    expect(row.samples).toBe(M * H * b);
    expect(res.summary.finalB).toBe(Math.min(1000, Math.max(b, Math.ceil(est.T))));
    // the number of workers is part of the key index: M = 3 draws other batches for workers 1, 2 and averages three
    const three = runLocal({
      problem: p, localOptimizer: adagradNorm(alpha), workers: 3, localSteps: H, b0: b, bMax: 1000, eta, estimator: 'pooled',
      budget: { rounds: 1 }, key: key(6),
    });
    expect(sameBits(three.x, res.x)).toBe(false);
  });
});

describe('determinism', () => {
  const cfg = (seed: number, estimator: 'pooled' | 'worker'): LocalOptions => ({
    problem: getProblem('nqm_d10_i0'), localOptimizer: momentum(0.05, 0.5), workers: 3, localSteps: 4, b0: 2, bMax: 512, eta: 0.5,
    estimator, budget: { rounds: 25 }, key: key(seed), evalEvery: 2,
  });
  it.each(['pooled', 'worker'] as const)('%s: same seed ⇒ the same trace bit for bit; another seed ⇒ another trace', (est) => {
    const a = runLocal(cfg(31, est));
    const b = runLocal(cfg(31, est));
    const c = runLocal(cfg(32, est));
    expect(firstDifference(a.trace, b.trace)).toBeNull();
    expect(sameBits(a.x, b.x)).toBe(true);
    expect(firstDifference(a.trace, c.trace)).not.toBeNull();
    expect(new Set(a.trace.columns.b).size).toBeGreaterThan(2);
  });
  it('the two estimators see the same batches: identical first rows up to the estimate', () => {
    const a = runLocal(cfg(31, 'pooled')).trace.row(0);
    const b = runLocal(cfg(31, 'worker')).trace.row(0);
    expect(a.loss).toBe(b.loss);
    expect(a.gradNormSq).toBe(b.gradNormSq);
    expect(a.S_norm).not.toBe(b.S_norm);
  });
});

describe('sizes on a problem with known noise (NQM: σ²(x) = tr H everywhere)', () => {
  // nqm_d20: σ² = Σ_{j≤20} 1/j ≈ 3.60. M = 4 workers, H = 4 local SGD steps, η = 0.5, 25 rounds.
  // (1) The σ² estimates at the synchronisation points average to σ²: pooled (df = 4b − 1 ≥ 7 per round)
  //     within 10%, worker-level (df = 3 per round: sd ≈ 29% per round, ≈ 5.7% over 25) within 25% (≈ 4 sd).
  // (2) T_r against the oracle local size σ²/(M η² ||∇F(x̄_r)||²): the geometric mean of the ratio lies in
  //     [0.5, 1.5]. It is below 1 by design, not by error: E||ḡ||² = ||∇F||² + σ²/(M b_r) overestimates the
  //     denominator by the factor ≈ 1 + η² = 1.25 once the test binds, and the test is lagged.
  const p = getProblem('nqm_d20_i0');
  const sigma2 = p.noise!(new Float64Array(20)).sigma2;
  const M = 4;
  const eta = 0.5;
  it.each(['pooled', 'worker'] as const)('%s', (estimator) => {
    const res = runLocal({
      problem: p, localOptimizer: sgd(0.2), workers: M, localSteps: 4, b0: 2, bMax: 1 << 20, eta, estimator,
      budget: { rounds: 25 }, key: key(41),
    });
    const rows = res.trace.rows();
    const meanS = rows.reduce((s, r) => s + r.S_norm!, 0) / rows.length;
    close(meanS, sigma2, estimator === 'pooled' ? 0.1 : 0.25);
    const logs = rows.filter((r) => r.T !== null).map((r) => Math.log(r.T! / (sigma2 / (M * eta * eta * r.gradFNormSq!))));
    expect(logs.length).toBe(rows.length);
    const gm = Math.exp(logs.reduce((s, v) => s + v, 0) / logs.length);
    expect(gm).toBeGreaterThan(0.5);
    expect(gm).toBeLessThan(1.5);
    // the sizes grew as the gradient shrank, monotonically
    const bs = res.trace.columns.b as number[];
    bs.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(i > 0 ? bs[i - 1]! : 2));
    expect(bs.at(-1)!).toBeGreaterThan(50);
  });
});

describe('budgets, divergence, JSON Lines', () => {
  const p = getProblem('lsq-interp_d5_n40_i0');
  const base: LocalOptions = {
    problem: p, localOptimizer: sgd(0.01), workers: 2, localSteps: 3, b0: 4, bMax: 4, eta: 0.5, estimator: 'pooled', budget: { rounds: 5 }, key: key(0),
  };
  it('rounds; samples (M·H·b per round, a round only if it fits); epochs', () => {
    expect(runLocal(base).summary).toMatchObject({ steps: 5, samples: 120 });
    expect(runLocal({ ...base, budget: { samples: 100 } }).summary).toMatchObject({ steps: 4, samples: 96 });
    expect(runLocal({ ...base, budget: { epochs: 2 } }).summary).toMatchObject({ steps: 3, samples: 72 });
    expect(() => runLocal({ ...base, budget: { samples: 20 } })).toThrow(/smaller than the first round/);
  });

  it('a diverging local run stops with status diverged and keeps only finite rows', () => {
    const path = join(dir, 'local-diverged.jsonl');
    const res = runLocal({
      ...base, problem: getProblem('nqm_d10_i0'), localOptimizer: sgd(1e3), bMax: 64, budget: { rounds: 1000 }, observers: [jsonlObserver(path)],
    });
    expect(res.summary.status).toBe('diverged');
    expect(res.trace.length).toBeGreaterThan(2);
    for (const c of TRACE_COLUMNS) for (const v of res.trace.columns[c]) expect(v === null || Number.isFinite(v)).toBe(true);
    expect(res.x.every(Number.isFinite)).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/NaN|Infinity/);
    const back = readJsonl(path);
    expect(back.rows).toEqual(res.trace.rows());
    expect(back.summary!.status).toBe('diverged');
    expect(back.meta!.config).toMatchObject({ method: 'local', workers: 2, localSteps: 3, estimator: 'pooled', optimizerState: 'per-worker' });
  });
});

describe('invalid configurations are rejected, naming the field', () => {
  const p = getProblem('nqm_d10_i0');
  const ok: LocalOptions = {
    problem: p, localOptimizer: sgd(0.1), workers: 2, localSteps: 2, b0: 2, bMax: 8, eta: 0.5, estimator: 'pooled', budget: { rounds: 2 }, key: key(0),
  };
  it.each([
    ['workers', { workers: 0 }],
    ['workers', { workers: 1, estimator: 'worker' }],
    ['localSteps', { localSteps: 0 }],
    ['b0', { b0: 1 }],
    ['bMax', { b0: 8, bMax: 4 }],
    ['eta', { eta: 0 }],
    ['eta', { eta: -1 }],
    ['estimator', { estimator: 'global' }],
    ['evalEvery', { evalEvery: 0 }],
    ['budget', { budget: {} }],
    ['budget.rounds', { budget: { rounds: 1.5 } }],
    ['budget.epochs', { budget: { epochs: 1 } }],
  ] as [string, Partial<LocalOptions>][])('%s', (field, patch) => {
    let caught: unknown;
    try {
      runLocal({ ...ok, ...patch } as LocalOptions);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).field).toBe(field);
  });
  it('the valid configuration runs', () => {
    expect(runLocal(ok).summary.status).toBe('completed');
  });
});
