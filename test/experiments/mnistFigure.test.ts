/**
 * The MNIST figure's stagewise ramp-up follows the official code (`main.py`,
 * `--stagewise_ramp_up`): 8 stages with sizes 512, 1024, …, 32768, 60000, each
 * ⌊max_samples/8⌋ samples, so at 100 epochs of 60 000 every stage lasts about
 * 12.5 epochs and the batch reaches n near epoch 87.5. The controller is driven
 * step by step through the registry, as the figure's runs build it.
 *
 * Near misses: the former rule (doubling every epoch) reaches n at epoch 7, and
 * a 7-stage list ends at 32768; both fail the assertions below.
 */
import { describe, expect, it } from 'vitest';
import { OFFICIAL_RAMP_SIZES, OFFICIAL_SETTINGS, mnistFamily, rampHyper } from '../../src/experiments/figures/mnist.js';
import { makeController } from '../../src/run/index.js';
import type { Problem } from '../../src/problem/types.js';

/** Drive a controller until `budget` samples; returns the stages as (size, samples served). */
function stages(hyper: Record<string, number>, n: number, budget: number): { b: number; samples: number; startEpoch: number }[] {
  const problem = { id: `fake_n${n}`, family: 'fake', dim: 1, n, tags: [], blocks: [] } as unknown as Problem;
  const c = makeController('sebs-samples', hyper, problem);
  const x = new Float64Array(1);
  const base = { x, problem, loss: 0 };
  const d0: any = c.init({ ...base, step: -1, samples: 0, n, exact: null } as any);
  let b: number = d0.b;
  let st: any = 'state' in d0 ? d0.state : d0;
  let samples = 0;
  const out: { b: number; samples: number; startEpoch: number }[] = [];
  for (let k = 0; samples < budget; k++) {
    if (out.length === 0 || out[out.length - 1]!.b !== b) out.push({ b, samples: 0, startEpoch: samples / n });
    out[out.length - 1]!.samples += b;
    samples += b;
    const r: any = c.next(null, st, { ...base, step: k, samples, b, n, exact: null } as any);
    // both controller shapes: [b, state] or { b, state }
    if (Array.isArray(r)) [b, st] = r;
    else ({ b, state: st } = r);
  }
  return out;
}

describe('MNIST stagewise ramp-up (official)', () => {
  it('100 epochs of 60 000: 8 stages 512 … 60000 of ≈ 750 000 samples each, n reached near epoch 87.5', () => {
    const n = 60000;
    const h = rampHyper(n, 100);
    expect(h.perStage).toBe(750000);
    const s = stages(h, n, 100 * n);
    expect(s.map((t) => t.b)).toEqual([...OFFICIAL_RAMP_SIZES]);
    // stage s ends (as officially) at the first step whose cumulative samples reach (s + 1)·750 000
    let end = 0;
    s.slice(0, -1).forEach((t, i) => {
      end += t.samples;
      expect(end, `stage ${i}, b = ${t.b}`).toBeGreaterThanOrEqual((i + 1) * 750000);
      expect(end, `stage ${i}, b = ${t.b}`).toBeLessThan((i + 1) * 750000 + t.b);
      expect(Math.abs(t.samples / n - 12.5), `stage ${i}: 12.5 epochs`).toBeLessThan(0.6);
    });
    const last = s[s.length - 1]!;
    // at epoch 87.5, plus at most one batch of overshoot per stage (Σ b_s = 65 024 samples ≈ 1.08 epochs)
    expect(last.startEpoch).toBeGreaterThanOrEqual(87.5);
    expect(last.startEpoch).toBeLessThan(87.5 + 65024 / n);
  });

  it('near miss: doubling every epoch (perStage = n) reaches n at epoch 7', () => {
    const n = 60000;
    const s = stages({ ...rampHyper(n, 100), perStage: n }, n, 100 * n);
    expect(s[s.length - 1]!.startEpoch).toBeLessThan(8);
  });

  it('a subset of 6000 (quick mode, 2 epochs): the sizes are capped at n, stages of 1500 samples', () => {
    const n = 6000;
    const h = rampHyper(n, 2);
    expect(h.perStage).toBe(1500);
    const s = stages(h, n, 2 * n);
    expect(s.map((t) => t.b)).toEqual([512, 1024, 2048, 4096, 6000]);
  });
});

describe('fig6-mnist --full has the settings of the official expt.sh logistic-regression run', () => {
  // expt.sh: --devices=1 --optimizer=adagrad --batch_size=2 --max_test_micro_batch_size=60000
  //   --max_batch_size=60000 --learning_rate=8e-3 --max_lr=8e-3 --decay_lr=False --max_samples=6000000
  //   --model=logistic --dataset=mnist --test_type=norm --eta=1e-1 (test_interval 1, shuffle True by default)
  it('the AdAdaGrad job', () => {
    const job = mnistFamily.jobs('full')[0]!;
    expect(job.problem).toBe('mnist-softmax_d7850_n60000_i0');
    expect(job.optimizer).toBe('adagrad');
    expect(job.controller).toBe('norm');
    expect(job.hyper).toEqual({ lr: 8e-3, eta: 0.1, b0: 2, bMax: 60000 });
    expect(job.budget.epochs! * 60000).toBe(6_000_000);
    // shuffle = True with PyTorch's DataLoader: a new order every epoch, consecutive batches, a short last batch
    for (const j of mnistFamily.jobs('full')) expect(j.sampler, j.label).toBe('epoch-short');
  });

  it('the caption lists them', () => {
    const caption = OFFICIAL_SETTINGS;
    for (const s of ['b₀ = 2', 'b_max = 60 000', 'η = 0.1', 'lr 8·10⁻³', 'ε = 10⁻¹⁰', '6 000 000 samples', 'one device', 'no learning-rate decay']) {
      expect(caption, s).toContain(s);
    }
  });
});

describe('fig6-mnist batch panel after a short last batch', () => {
  it('each step starts where the previous one ended (near miss: samples[k] − b_k goes back after a short batch)', () => {
    const n = 60000;
    // step 0 asks for 40 000, step 1 asks for 40 000 and the epoch serves 20 000, step 2 serves 40 000
    const trace = { b: [40000, 40000, 40000], samples: [40000, 60000, 100000], loss: [1, 1, 1] };
    const methods = mnistFamily.jobs('full');
    const outputs = methods.map(() => ({ status: 'completed' as const, message: '', steps: 3, samples: 100000, finalB: 40000, wallMs: 0, evals: [], trace }));
    const [fig] = mnistFamily.build('full', outputs);
    const label = fig!.rows.find((r) => r['panel'] === 'batch')!['method'];
    const xs = fig!.rows.filter((r) => r['panel'] === 'batch' && r['method'] === label).map((r) => (r['epoch'] as number) * n);
    expect(xs).toEqual([0, 40000, 40000, 60000, 60000, 100000]);
  });
});
