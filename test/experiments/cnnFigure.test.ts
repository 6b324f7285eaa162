/**
 * Figure 6b (the official MNIST CNN): `--full` has the settings of the official `expt.sh` CNN run, the ramp-up
 * follows `main.py`, and a quick build runs the three methods and turns their outputs into the figure.
 *
 * Near misses: reading the official `--batch_size=8` as the global initial batch (it is per device, on 4 devices),
 * a ramp whose stages last n samples instead of budget/8, and a caption whose final accuracy is one test image off.
 */
import { describe, expect, it } from 'vitest';
import { OFFICIAL_CNN_SETTINGS, cnnFamily, cnnMethods, cnnOfficialPooling, cnnRampHyper, cnnRampSizes, sizesOf } from '../../src/experiments/figures/cnn.js';
import { OFFICIAL_RAMP_SIZES } from '../../src/experiments/figures/mnist.js';
import { FAMILIES } from '../../src/experiments/figures/index.js';

import { SETTINGS } from '../../src/experiments/settings.js';
import { makeController, makeOptimizer, run } from '../../src/run/index.js';
import { epochSampler } from '../../src/run/samplers/epoch.js';
import { executeJob, problemById } from '../../src/experiments/execute.js';
import { key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import type { RunJob, RunOutput } from '../../src/experiments/types.js';

/** The sizes a controller serves until `budget` samples, stage by stage. */
function stageSizes(hyper: Record<string, number>, n: number, budget: number): { b: number; samples: number }[] {
  const problem = { id: `fake_n${n}`, family: 'fake', dim: 1, n, tags: [], blocks: [] } as unknown as Problem;
  const c = makeController('sebs-samples', hyper, problem);
  const base = { x: new Float64Array(1), problem, loss: 0 };
  const d0: any = c.init({ ...base, step: -1, samples: 0, n, exact: null } as any);
  let b: number = d0.b;
  let st: any = 'state' in d0 ? d0.state : d0;
  let samples = 0;
  const out: { b: number; samples: number }[] = [];
  for (let k = 0; samples < budget; k++) {
    if (out.length === 0 || out[out.length - 1]!.b !== b) out.push({ b, samples: 0 });
    out[out.length - 1]!.samples += b;
    samples += b;
    const r: any = c.next(null, st, { ...base, step: k, samples, b, n, exact: null } as any);
    if (Array.isArray(r)) [b, st] = r;
    else ({ b, state: st } = r);
  }
  return out;
}

describe('fig6b-cnn --full has the settings of the official expt.sh CNN run', () => {
  // expt.sh: fabric run main.py --devices=4 --optimizer=adagrad --batch_size=8 --max_test_micro_batch_size=15000
  //   --max_batch_size=60000 --learning_rate=8e-3 --max_lr=8e-3 --decay_lr=False --max_samples=6000000
  //   --model=cnn --dataset=mnist --test_type=norm --eta=1e-1
  // main.py: global_batch_size = micro_batch_size * fabric.world_size * gradient_accumulation_steps = 8 · 4 · 1
  const jobs = cnnFamily.jobs('full');

  it('AdAdaGrad: AdaGrad lr 8e-3, norm test η = 0.1, b₀ = 8 per device × 4 devices, b_max = 60 000, 6·10⁶ samples, on all 60 000 images', () => {
    const [norm] = jobs;
    expect(norm!.problem).toBe('mnist-cnn_d28938_n60000_i0');
    expect(sizesOf(norm!.problem)).toEqual({ n: 60000, t: 10000 });
    expect(norm!.optimizer).toBe('adagrad');
    expect(norm!.controller).toBe('norm');
    const perDevice = 8;
    const devices = 4;
    expect(norm!.hyper).toEqual({ lr: 8e-3, eta: 0.1, b0: perDevice * devices, bMax: 60000 });
    expect(norm!.hyper['b0']).not.toBe(perDevice); // the near miss: the per-device flag read as the global batch
    for (const j of jobs) {
      expect(j.budget).toEqual({ samples: 6_000_000 });
      expect(j.sampler, j.label).toBe('epoch-short');
      expect(j.hyper['lr'], j.label).toBe(8e-3);
      expect(j.evals.test, j.label).toBe(true);
    }
  });

  it('the ramp-up is the official one: 512, 1024, …, 32768, 60000, each stage 750 000 samples; a near miss is caught', () => {
    const h = cnnRampHyper(60000, 6e6);
    expect(cnnRampSizes(60000, 6e6)).toEqual([...OFFICIAL_RAMP_SIZES]);
    const s = stageSizes(h, 60000, 6e6);
    expect(s.map((t) => t.b)).toEqual([...OFFICIAL_RAMP_SIZES]);
    s.slice(0, -1).forEach((t) => expect(Math.abs(t.samples - 750000), `b = ${t.b}`).toBeLessThan(t.b));
    const bad = stageSizes({ ...h, perStage: 60000 }, 60000, 6e6);
    expect(Math.abs(bad[0]!.samples - 750000)).toBeGreaterThan(bad[0]!.b);
    expect(jobs.find((j) => j.label.startsWith('cnn: ramp '))!.hyper).toEqual(h);
  });

  it('a second AdAdaGrad series computes the test as the official code does: 4 devices, micro-batches of at most 15 000', () => {
    const [norm, official] = jobs;
    expect(official!.label.startsWith('cnn: norm-official ')).toBe(true);
    expect(official!.testPooling).toEqual({ devices: 4, microBatch: 15000, form: 'official' });
    expect(norm!.testPooling).toBeUndefined(); // our default: the whole batch
    expect({ ...official!, label: norm!.label, testPooling: undefined }).toEqual({ ...norm!, testPooling: undefined }); // otherwise the same run
    // the default and quick sizes scale the micro-batch with n and keep 2 samples per device
    expect(cnnOfficialPooling('default')).toEqual({ devices: 4, microBatch: 32, form: 'official' });
    expect(cnnOfficialPooling('quick')).toEqual({ devices: 2, microBatch: 5, form: 'official' });
  });

  it('the caption lists them', () => {
    for (const s of ['lr 8·10⁻³', 'η = 0.1', 'b₀ = 32', '`--batch_size=8` is per device', '`--devices=4`', 'b_max = 60 000', '6 000 000 samples', '15 000', 'no learning-rate decay', '10 000 test images']) {
      expect(OFFICIAL_CNN_SETTINGS, s).toContain(s);
    }
  });

  it('is in the family table after fig6-mnist', () => {
    const names = FAMILIES.flatMap((f) => f.figures.map((g) => g.name));
    expect(names.indexOf('fig6b-cnn')).toBe(names.indexOf('fig6-mnist') + 1);
  });
});

describe('fig6b-cnn quick build', () => {
  const s = SETTINGS.quick.cnn;
  const { n, t } = sizesOf(s.problem);
  let outs: RunOutput[] = [];

  it('runs the four methods on the same samples and builds the figure from their test accuracy', async () => {
    outs = await Promise.all(cnnFamily.jobs('quick').map((j) => executeJob(j)));
    for (const o of outs) expect(o.status, o.message).toBe('completed');
    const [fig] = cnnFamily.build('quick', outs);
    expect(fig!.name).toBe('fig6b-cnn');
    const ms = cnnMethods('quick');
    // AdAdaGrad starts at b₀ and grows by the norm test, never past n; the constant batch stays put
    expect(outs[0]!.trace!.b[0]).toBe(s.b0);
    expect(Math.max(...outs[0]!.trace!.b)).toBeLessThanOrEqual(n);
    expect(outs[ms.findIndex((m) => m.key === 'const')]!.trace!.b.every((b) => b === s.constB)).toBe(true); // n is a multiple of it: no short batch
    ms.forEach((m, i) => {
      const acc = fig!.rows.filter((r) => r['panel'] === 'acc' && r['method'] === m.label);
      // x₀ and every checkpoint, in multiples of one test image
      expect(acc.length, m.key).toBe(outs[i]!.evals.length);
      for (const r of acc) expect(Math.abs(((r['value'] as number) * t) / 100 - Math.round(((r['value'] as number) * t) / 100)), m.key).toBeLessThan(1e-9);
      // the same x₀ (seed 0) for every method: the same accuracy before the first step
      expect(acc[0]!['value']).toBe(fig!.rows.find((r) => r['panel'] === 'acc' && r['step'] === 0)!['value']);
      // one batch point per step plus the end of the last
      expect(fig!.rows.filter((r) => r['panel'] === 'batch' && r['method'] === m.label).length).toBe(outs[i]!.steps + 1);
    });
    const final = (o: RunOutput) => 100 * o.evals[o.evals.length - 1]!.testAccuracy!;
    expect(fig!.caption).toContain(`AdAdaGrad: test accuracy ${final(outs[0]!).toFixed(1)}%, ${outs[0]!.steps} steps`);
    // near miss: one test image more
    expect(fig!.caption).not.toContain(`AdAdaGrad: test accuracy ${(final(outs[0]!) + 100 / t).toFixed(1)}%, ${outs[0]!.steps} steps`);
    expect(fig!.caption).toContain('reduced size');
    expect(fig!.command).toBe('adadagrad reproduce fig6b-cnn --quick');
  }, 300_000);
});

describe('the job field testPooling reaches run()', () => {
  // The figure's official series is only as good as this wiring: the same job with and without the field must
  // give different batches where the pooled statistics differ (official form at M = 4, b_m = 2: S_norm × ≈ 1.375).
  const base: RunJob = {
    label: 'pooling wiring',
    problem: 'lsq-noisy_d20_n2000_i0',
    optimizer: 'adagrad-norm',
    controller: 'norm',
    hyper: { lr: 0.5, beta0: 1, eta: 0.5, b0: 8, bMax: 2000 },
    budget: { steps: 12 },
    seed: 3,
    replace: false,
    sampler: 'epoch-short',
    evals: { steps: [], gradient: false, value: false },
  };
  it('the official series equals run() with testPooling, and differs from the whole-batch run (near miss: the field dropped)', async () => {
    const pooling = { devices: 4, microBatch: 1000, form: 'official' as const };
    const [official, whole] = await Promise.all([executeJob({ ...base, testPooling: pooling }), executeJob(base)]);
    expect(official.status, official.message).toBe('completed');
    const problem = await problemById(base.problem);
    const direct = run({
      problem, optimizer: makeOptimizer(base.optimizer, base.hyper), controller: makeController(base.controller, base.hyper, problem),
      budget: base.budget, key: key(base.seed), replace: false, sampler: epochSampler('short'), testPooling: pooling, evaluate: false,
    });
    expect(official.trace!.b).toEqual(direct.trace.columns.b);
    expect(official.trace!.b).not.toEqual(whole.trace!.b);
  });
  it('is refused on a local-method job', async () => {
    await expect(executeJob({ ...base, testPooling: { devices: 2, form: 'official' }, local: { workers: 2, localSteps: 2, estimator: 'pooled' } })).rejects.toThrow(/testPooling are not options of a local-method job/);
  });
});
