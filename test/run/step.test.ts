/**
 * The one training step and run's layer on it: statistics only when needed, the
 * gradient sources ('sampled', 'exact', custom), the sampler hook, observers with x,
 * divergence on any non-finite quantity, the evaluation schedule in samples and the
 * sample budget actually used.
 */
import { describe, expect, it } from 'vitest';
import { getProblem } from '../../problems/index.js';
import { constant, normTest, oracle, testDriven } from '../../src/batching/index.js';
import { adagradNorm, sgd } from '../../src/optim/index.js';
import type { Batch, Problem } from '../../src/problem/types.js';
import { foldIn, key, split, type Key } from '../../src/rng/index.js';
import { TRACE_COLUMNS, run, type Observer } from '../../src/run/index.js';
import { batchMeanAt, batchStatsAt, iidSampler, initStep, step, type BatchSampler, type GradientSource, type StepRecord } from '../../src/run/step.js';
import { sqNorm } from '../../src/run/vec.js';

const lsq = (): Problem => getProblem('lsq-noisy_d5_n40_i0');

describe('statistics only when needed', () => {
  // lsq: a linear block (ḡ from one reverse sweep); nqm and rosenbrock: other blocks (ḡ from per-sample gradients)
  for (const id of ['lsq-noisy_d5_n40_i0', 'nqm_d4_i0', 'rosenbrock_d2_i0']) {
    it(`a constant run leaves S_norm null and is otherwise bit-identical to a run that computes the statistics (${id})`, () => {
      const base = { problem: getProblem(id), optimizer: sgd(0.01), controller: constant(4), budget: { steps: 20 }, key: key(1) } as const;
      const auto = run(base);
      const always = run({ ...base, statistics: 'always' });
      expect(auto.trace.columns.S_norm.every((v) => v === null)).toBe(true);
      expect(always.trace.columns.S_norm.every((v) => typeof v === 'number' && v >= 0)).toBe(true);
      const bits = (xs: readonly (number | null)[]) => xs.map((v) => (v === null ? 'null' : Object.is(v, -0) ? '-0' : v.toString(16)));
      for (const c of TRACE_COLUMNS) if (c !== 'S_norm') expect(bits(auto.trace.columns[c]), c).toEqual(bits(always.trace.columns[c]));
      expect(bits(Array.from(auto.x))).toEqual(bits(Array.from(always.x)));
    });
  }

  // every kind of block: linear (lsq, the MLP's weights), materialised add (nqm, the MLP's biases),
  // conv weight and conv bias (cnn-teacher), per-sample reverse sweeps (rosenbrock)
  for (const id of ['lsq-noisy_d5_n40_i0', 'nqm_d4_i0', 'rosenbrock_d2_i0', 'cnn-teacher_c2_s6_n200_i0', 'mnist-mlp_d25450_h32_n6000_i0']) {
    it(`the mean-only pass gives ḡ and the loss bit for bit as the statistics pass does (${id})`, () => {
      const p = getProblem(id);
      const x = p.x0(key(0));
      for (let k = 0; k < 12; k++) {
        const bt = p.sample(foldIn(key(3), k), 32, { replace: false });
        const full = batchStatsAt(p, x, bt);
        const mean = batchMeanAt(p, x, bt);
        expect(Array.from(mean.meanGrad, (v) => v.toString(16)), `${id}, batch ${k}`).toEqual(Array.from(full.meanGrad, (v) => v.toString(16)));
        expect(mean.loss.toString(16), `${id}, batch ${k}`).toBe(full.loss.toString(16));
      }
    });
  }

  it('the step computes the per-sample summary exactly when the controller needs statistics (b ≥ 2)', () => {
    const p = lsq();
    const [, kData] = split(key(2), 2) as [Key, Key];
    const records = (controller: Parameters<typeof step>[0]['controller']): StepRecord => {
      const env = { problem: p, optimizer: sgd(0.05), controller, key: kData };
      const out = step(env, initStep(env, p.x0(key(0))).state, 0);
      if (out.record === null) throw new Error('no record');
      return out.record;
    };
    expect(records(constant(4)).summary).toBeNull();
    expect(records(constant(4)).stats).toBeNull();
    expect(records(testDriven(normTest(0.5), { b0: 4, bMax: 40 })).stats?.S_norm).toBeGreaterThan(0);
    expect(records(testDriven(normTest(0.5), { b0: 4, bMax: 40 })).decision).not.toBeNull();
  });
});

describe('gradient sources', () => {
  it("'exact': g_k = ∇F(x_k), so ||g_k||² is the evaluated ||∇F(x_k)||² at every step", () => {
    const res = run({ problem: lsq(), optimizer: adagradNorm(0.5, 0.1), controller: constant(40), budget: { steps: 15 }, key: key(3), gradient: 'exact' });
    expect(res.summary.status).toBe('completed');
    expect(res.trace.columns.gradNormSq).toEqual(res.trace.columns.gradFNormSq);
    expect(res.trace.columns.loss).toEqual(res.trace.columns.F);
  });

  it('a custom source replaces the gradient and sees x_k, k, b_k and the samples so far', () => {
    const seen: [number, number, number][] = [];
    const src: GradientSource = {
      name: 'half-gradient',
      gradient: (r) => {
        seen.push([r.step, r.b, r.samples]);
        return { g: r.problem.gradient(r.x).map((v) => v / 2), loss: null, summary: null, batch: null };
      },
    };
    const p = lsq();
    const res = run({ problem: p, optimizer: sgd(0.1), controller: constant(5), budget: { steps: 4 }, key: key(4), gradient: src });
    expect(seen).toEqual([[0, 5, 0], [1, 5, 5], [2, 5, 10], [3, 5, 15]]);
    expect(res.trace.columns.gradNormSq[0]).toBe(sqNorm(p.gradient(p.x0(split(key(4), 2)[0] as Key)).map((v) => v / 2)));
    expect(res.trace.columns.loss.every((v) => Number.isNaN(v))).toBe(true);
  });
});

describe('the sampler hook', () => {
  it('receives the step index and the samples drawn so far; a sampler that draws like the default reproduces the run', () => {
    const calls: [number, number, number][] = [];
    const recording: BatchSampler = { name: 'recording', draw: (r) => (calls.push([r.step, r.samples, r.b]), iidSampler.draw(r)) };
    const base = { problem: getProblem('nqm_d10_i0'), optimizer: adagradNorm(0.5, 0.1), controller: testDriven(normTest(0.5), { b0: 2, bMax: 64 }), budget: { steps: 12 }, key: key(5) };
    const a = run(base);
    const b = run({ ...base, sampler: recording });
    expect(b.trace.rows()).toEqual(a.trace.rows());
    const bs = a.trace.columns.b as number[];
    expect(calls.map((c) => c[0])).toEqual(bs.map((_, k) => k));
    expect(calls.map((c) => c[1])).toEqual(bs.map((_, k) => bs.slice(0, k).reduce((s, v) => s + v, 0)));
    expect(calls.map((c) => c[2])).toEqual(bs);
  });

  it('is enough for an epoch sampler: consecutive batches of one permutation cover every sample once per epoch', () => {
    const p = lsq();
    const n = p.n!;
    const order = Array.from({ length: n }, (_, i) => (i * 7) % n); // a fixed permutation (7 is prime to 40)
    const epoch: BatchSampler = {
      name: 'epoch',
      draw: (r) => {
        const idx = Int32Array.from({ length: r.b }, (_, j) => order[(r.samples + j) % n]!);
        return { size: r.b, indices: idx } as Batch;
      },
    };
    const drawn: number[] = [];
    const obs: Observer = { onStep: (_row, rec) => drawn.push(...Array.from((rec!.batch as Batch & { indices: Int32Array }).indices)) };
    const res = run({ problem: p, optimizer: sgd(0.05), controller: constant(8), budget: { epochs: 2 }, key: key(6), sampler: epoch, observers: [obs] });
    expect(res.summary.samples).toBe(2 * n);
    expect(drawn.slice(0, n).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(drawn.slice(n).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});

describe('observers see x', () => {
  it('onIterate gets x_0 and every x_{k+1}; onStep gets the record with x_k and x_{k+1}', () => {
    const its: { x: Float64Array; steps: number; samples: number }[] = [];
    const recs: StepRecord[] = [];
    const res = run({
      problem: getProblem('nqm_d10_i0'), optimizer: sgd(0.1), controller: oracle(normTest(0.5), { b0: 2, bMax: 64 }), budget: { steps: 6 }, key: key(7),
      observers: [{ onIterate: (x, steps, samples) => its.push({ x, steps, samples }), onStep: (_r, rec) => recs.push(rec!) }],
    });
    expect(its.map((i) => i.steps)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(its.map((i) => i.samples)).toEqual([0, ...res.trace.columns.samples]);
    recs.forEach((r, k) => {
      expect(r.x).toBe(its[k]!.x);
      expect(r.xNext).toBe(its[k + 1]!.x);
    });
    expect(its.at(-1)!.x).toBe(res.x);
  });
});

describe('divergence: any non-finite quantity stops the run at that step', () => {
  const source = (g: (k: number) => number): GradientSource => ({
    name: 'fixed', gradient: (r) => ({ g: new Float64Array(r.x.length).fill(g(r.step)), loss: 1, summary: null, batch: null }),
  });

  it('an overflowing ||g||² (finite g) stops before the update, with no row', () => {
    // 5 · (6.0e153)² = 1.80e308 overflows; the near miss 5 · (5.9e153)² = 1.74e308 does not and runs on
    const res = run({ problem: lsq(), optimizer: sgd(1e-200), controller: constant(2), budget: { steps: 5 }, key: key(8), gradient: source((k) => (k < 3 ? 1 : 6.0e153)), evalEvery: 1 << 20 });
    expect(res.summary.status).toBe('diverged');
    expect(res.summary.message).toBe('non-finite ||g||² at step 3');
    expect(res.trace.length).toBe(3);
    const near = run({ problem: lsq(), optimizer: sgd(1e-200), controller: constant(2), budget: { steps: 5 }, key: key(8), gradient: source((k) => (k < 3 ? 1 : 5.9e153)), evalEvery: 1 << 20 });
    expect(near.summary.status).toBe('completed');
  });

  it('an overflowing accumulator stops after the update, keeping the row', () => {
    // ||g||² = 5 · (5.8e153)² ≈ 1.68e308 per step: finite once, the AdaGrad-Norm accumulator overflows at step 1
    const res = run({ problem: lsq(), optimizer: adagradNorm(1e-300, 1), controller: constant(2), budget: { steps: 5 }, key: key(9), gradient: source(() => 5.8e153), evalEvery: 1 << 20 });
    expect(res.summary.status).toBe('diverged');
    expect(res.summary.message).toBe('non-finite accumulator after step 1');
    expect(res.trace.length).toBe(2);
    expect(res.trace.columns.accumulator[1]).toBe(Infinity);
  });

  it('an overflowing ||∇F(x_k)||² at an evaluation is a divergence, not a null', () => {
    const p = lsq();
    let calls = 0;
    const wrapped: Problem = { ...p, gradient: (x) => (++calls > 3 ? new Float64Array(x.length).fill(1e200) : p.gradient(x)) };
    const res = run({ problem: wrapped, optimizer: sgd(0.05), controller: constant(4), budget: { steps: 10 }, key: key(10) });
    expect(res.summary.status).toBe('diverged');
    expect(res.summary.message).toBe('non-finite ||∇F||² at step 3');
    expect(res.trace.length).toBe(3);
    expect(res.trace.columns.gradFNormSq.every((v) => v !== null && Number.isFinite(v))).toBe(true);
  });
});

describe('evaluation schedule in samples', () => {
  it('evaluates at k = 0 and at the first step after each multiple of evalEverySamples', () => {
    // b = 3: samples before step k are 3k; multiples of 10 are first reached at k = 4 (12), 7 (21), 10 (30), 14 (42)
    const res = run({ problem: lsq(), optimizer: sgd(0.05), controller: constant(3), budget: { steps: 15 }, key: key(11), evalEverySamples: 10 });
    const evaluated = res.trace.columns.F.flatMap((v, k) => (v === null ? [] : [k]));
    expect(evaluated).toEqual([0, 4, 7, 10, 14]);
  });

  it('rejects both schedules at once and a non-positive one', () => {
    const base = { problem: lsq(), optimizer: sgd(0.05), controller: constant(3), budget: { steps: 2 }, key: key(0) };
    expect(() => run({ ...base, evalEvery: 2, evalEverySamples: 10 })).toThrow(/not both/);
    expect(() => run({ ...base, evalEverySamples: 0 })).toThrow(/evalEverySamples/);
  });
});

describe('the sample budget', () => {
  it('stops before overshooting and records the budget in force next to the samples used', () => {
    const res = run({ problem: lsq(), optimizer: sgd(0.05), controller: constant(7), budget: { samples: 100 }, key: key(12) });
    expect(res.summary.samples).toBe(98);
    expect(res.summary.sampleBudget).toBe(100);
    expect(res.summary.steps).toBe(14);
    const steps = run({ problem: lsq(), optimizer: sgd(0.05), controller: constant(7), budget: { steps: 3 }, key: key(12) });
    expect(steps.summary.sampleBudget).toBeUndefined();
  });
});

describe('the step is pure', () => {
  it('the same (env, state, k) gives the same record and does not touch its input state', () => {
    const p = getProblem('nqm_d10_i0');
    const [, kData] = split(key(13), 2) as [Key, Key];
    const env = { problem: p, optimizer: adagradNorm(0.5, 0.1), controller: testDriven(normTest(0.5), { b0: 2, bMax: 64 }), key: kData };
    const s0 = initStep(env, p.x0(key(0))).state;
    const x0 = Float64Array.from(s0.x);
    const a = step(env, s0, 3);
    const b = step(env, s0, 3);
    expect(Array.from(s0.x)).toEqual(Array.from(x0));
    expect(a.record!.xNext).toEqual(b.record!.xNext);
    expect(a.state.b).toBe(b.state.b);
    // a different k draws a different batch (foldIn(kData, k))
    expect(Array.from(step(env, s0, 4).record!.g)).not.toEqual(Array.from(a.record!.g));
    expect(foldIn(kData, 3)).toEqual(foldIn(kData, 3));
  });
});
