/**
 * Figure 6b: the CNN experiment of the official AdAdaGrad code (`expt.sh`, "CNN on
 * MNIST"): the 3-layer CNN of `modules.py` (problem `mnist-cnn`: conv 5×5 1→16,
 * ReLU, 2×2 max pool, conv 5×5 16→32, ReLU, 2×2 max pool, linear 1568→10), diagonal
 * AdaGrad with lr 8·10⁻³, the norm test with η = 0.1 growing the batch up to
 * b_max = 60 000, 6·10⁶ samples — beside the official baselines as fig6-mnist has them
 * for softmax regression (Lau, Liu, Kolar, arXiv:2402.11215, §5): a constant batch and
 * the stagewise ramp-up of `main.py` (`--stagewise_ramp_up`: 512, 1024, …, 32768,
 * 60000, each stage max_samples/8 samples).
 *
 * AdAdaGrad here is the optimizer AdaGrad with the (global) norm test
 *   b_{k+1} = min(b_max, ⌈max(b_k, S_norm/(η² ||ḡ||²))⌉),  S_norm = (1/(b−1)) Σ_i ||g_i − ḡ||²,
 * as the official `--test_type=norm` run (docs/MATH.md §3).
 *
 * `--full` is the official run of `expt.sh`, with these labelled differences: the
 * official `--batch_size=8` is per device and the run has `--devices=4`, so its initial
 * global batch is 32 (`main.py`: global_batch_size = micro_batch_size · world_size ·
 * accumulation steps); we start at b₀ = 32 on one device. The official test pools four
 * devices' statistics on micro-batches of at most 15 000 (`norm_test_distributed`): the
 * series `norm-official` computes it that way (job field `testPooling`, 4 devices, micro-
 * batches scaled to n like the ramp-up); the series `norm` is our whole-batch norm test. Float64 instead of float32; our random generator; the
 * budget stops before a step that would overshoot it; an epoch continues when the batch
 * size changes; the test never shrinks the batch; test accuracy at checkpoints.
 *
 * The default and quick modes are far smaller (a class-balanced subset of the training
 * images, a few epochs, test accuracy on a class-balanced subset of the test images):
 * the CNN costs about 2.4 ms per sample for a gradient with its statistics in float64
 * on one core of wasm (about 17 ms on js), so the official 6·10⁶ samples are about 4
 * hours of CPU per run (README, measured on one batch of 1024 and extrapolated); about
 * 16.4 MFLOP per sample, so even this CPU's float64 FMA peak on 2 cores could not run the
 * figure's four runs in 30 minutes (README, "What limits fig6b-cnn").
 */
import type { Figure } from '../../plot/figure.js';
import { linearAxis, logAxis, methodScales } from '../../plot/theme.js';
import { SETTINGS } from '../settings.js';
import type { Mode, RunJob, RunOutput } from '../types.js';
import { failures, reproduceCommand, type Method } from './common.js';
import type { FigureFamily } from './family.js';
import { OFFICIAL_RAMP_SIZES } from './mnist.js';

/** The official `expt.sh` CNN learning rate (AdaGrad, no decay). */
export const CNN_LR = 8e-3;
/** The official norm-test η of the CNN run. */
export const CNN_ETA = 0.1;

/** Training rows n and test images t of a `mnist-cnn` id. */
export function sizesOf(id: string): { n: number; t: number } {
  const m = /^mnist-cnn_d28938_n(\d+)_i\d+(?:_t(\d+))?$/.exec(id);
  if (m === null) throw new Error(`fig6b-cnn: not a mnist-cnn id: ${id}`);
  return { n: Number(m[1]), t: m[2] === undefined ? 10000 : Number(m[2]) };
}

/** The settings of `--full`, as the caption lists them (the official `expt.sh` CNN run and the labelled differences). */
export const OFFICIAL_CNN_SETTINGS = `Settings of \`--full\` (the official \`expt.sh\` CNN run): 60 000 training images scaled to [0, 1], the 3-layer CNN of the official \`modules.py\` with PyTorch's default initialisation, AdaGrad lr 8·10⁻³ with accumulator 0 and ε = 10⁻¹⁰, no learning-rate decay, norm test η = 0.1 at every step while b < b_max, b₀ = 32 (the official \`--batch_size=8\` is per device, on \`--devices=4\`), b_max = 60 000, 6 000 000 samples (100 epochs), test accuracy on the 10 000 test images. Labelled differences: one device (the official series reproduces the four devices' pooled statistics on micro-batches of at most 15 000; the default series tests the whole batch), float64 (official float32), our own random generator, the budget stops before a step that would overshoot it, an epoch continues when the batch size changes, the test never shrinks the batch, and accuracy is evaluated at checkpoints.`;

/** The stagewise ramp-up for n training rows and a budget: the official 8 sizes scaled by n/60 000 (the official list at n = 60 000), ⌊budget/8⌋ samples per stage. */
export function cnnRampHyper(n: number, samples: number): { lr: number; b0: number; rho: number; stages: number; perStage: number; bMax: number } {
  const stages = OFFICIAL_RAMP_SIZES.length;
  const b0 = Math.max(1, Math.round((OFFICIAL_RAMP_SIZES[0]! * n) / 60000));
  return { lr: CNN_LR, b0, rho: 2, stages, perStage: Math.floor(samples / stages), bMax: n };
}

/** The sizes of the ramp-up's stages: b₀ 2^s capped at n. */
export function cnnRampSizes(n: number, samples: number): number[] {
  const h = cnnRampHyper(n, samples);
  return Array.from({ length: h.stages }, (_, s) => Math.min(n, h.b0 * 2 ** s));
}

/** A method of the figure, with where its test statistics are computed (absent: the whole batch). */
export interface CnnMethod extends Method {
  readonly testPooling?: NonNullable<RunJob['testPooling']>;
}

/**
 * The official test's device split for a mode: 4 devices (the official `--devices=4`) with
 * micro-batches of at most 15 000 × n/60 000 samples (the official
 * `max_test_micro_batch_size`, scaled to n like the ramp-up; at least 3), fewer devices
 * when b₀ cannot give each device 2 samples (quick mode).
 */
export function cnnOfficialPooling(mode: Mode): NonNullable<RunJob['testPooling']> {
  const s = SETTINGS[mode].cnn;
  const { n } = sizesOf(s.problem);
  return { devices: Math.max(1, Math.min(4, Math.floor(s.b0 / 2))), microBatch: Math.max(3, Math.round((15000 * n) / 60000)), form: 'official' };
}

export function cnnMethods(mode: Mode): CnnMethod[] {
  const s = SETTINGS[mode].cnn;
  const { n } = sizesOf(s.problem);
  const ramp = cnnRampHyper(n, s.samples);
  const z = cnnRampSizes(n, s.samples);
  const pool = cnnOfficialPooling(mode);
  return [
    { key: 'norm', label: `AdAdaGrad: AdaGrad + norm test (η = 0.1), b₀ = ${s.b0}, b_max = n`, optimizer: 'adagrad', controller: 'norm', hyper: { lr: CNN_LR, eta: CNN_ETA, b0: s.b0, bMax: n } },
    {
      key: 'norm-official',
      label: `AdAdaGrad, the official test: pooled over ${pool.devices} devices, micro-batches ≤ ${pool.microBatch!.toLocaleString('en-US')}`,
      optimizer: 'adagrad',
      controller: 'norm',
      hyper: { lr: CNN_LR, eta: CNN_ETA, b0: s.b0, bMax: n },
      testPooling: pool,
    },
    { key: 'const', label: `AdaGrad, constant b = ${s.constB}`, optimizer: 'adagrad', controller: 'constant', hyper: { lr: CNN_LR, b0: s.constB } },
    { key: 'ramp', label: `AdaGrad, stagewise ramp-up: b = ${z[0]}, ${z[1]}, …, ${z[6]}, ${z[7]} (8 stages of ${ramp.perStage.toLocaleString('en-US')} samples)`, optimizer: 'adagrad', controller: 'sebs-samples', hyper: ramp },
  ];
}

/** Images per digit of a class-balanced subset of m (balancedRows: ⌊m/10⌋, the first m mod 10 digits one more). */
function perDigit(m: number): string {
  return m % 10 === 0 ? String(m / 10) : `${Math.floor(m / 10)}–${Math.ceil(m / 10)}`;
}

/** Test-accuracy checkpoints in samples: `evals` equally spaced points after x₀ (the last at the budget). */
export function cnnCheckpoints(samples: number, evals: number): number[] {
  return Array.from({ length: evals }, (_, i) => Math.round(((i + 1) * samples) / evals));
}

function jobs(mode: Mode): RunJob[] {
  const s = SETTINGS[mode].cnn;
  return cnnMethods(mode).map((m) => ({
    label: `cnn: ${m.key} on ${s.problem}, ${s.samples} samples`,
    problem: s.problem,
    optimizer: m.optimizer,
    controller: m.controller,
    hyper: m.hyper,
    budget: { samples: s.samples },
    seed: 0,
    replace: false,
    sampler: 'epoch-short',
    ...(m.testPooling !== undefined ? { testPooling: m.testPooling } : {}),
    evals: { samples: cnnCheckpoints(s.samples, s.evals), value: false, gradient: false, test: true },
  }));
}

function build(mode: Mode, outputs: readonly RunOutput[]): Figure[] {
  const s = SETTINGS[mode].cnn;
  const { n, t } = sizesOf(s.problem);
  const ms = cnnMethods(mode);
  const epochs = s.samples / n;
  const rows: Record<string, string | number | null>[] = [];
  ms.forEach((m, i) => {
    const o = outputs[i]!;
    for (const e of o.evals) {
      const acc = e.testAccuracy === null || e.testAccuracy === undefined ? null : 100 * e.testAccuracy;
      rows.push({ panel: 'acc', method: m.label, epoch: e.samples / n, step: e.step, value: acc });
      if (e.step > 0) rows.push({ panel: 'accSteps', method: m.label, epoch: e.samples / n, step: e.step, value: acc });
    }
    const tr = o.trace;
    if (tr !== null) {
      // one point per step at the samples before it, drawn as a step function, and the end of the last step
      // (the samples before step k from the previous step's count: the last batch of an epoch is short, b_k is what was asked for)
      tr.b.forEach((b, k) => {
        const before = k === 0 ? 0 : tr.samples[k - 1]!;
        rows.push({ panel: 'batch', method: m.label, epoch: before / n, step: k, value: b });
        const l = tr.loss[k];
        if (l !== null && l !== undefined) rows.push({ panel: 'loss', method: m.label, epoch: before / n, step: k, value: l });
      });
      const K = tr.b.length;
      if (K > 0) rows.push({ panel: 'batch', method: m.label, epoch: tr.samples[K - 1]! / n, step: K, value: tr.b[K - 1]! });
    }
  });
  const labels = ms.map((m) => m.label);
  const scales = methodScales(labels);
  const X = {
    field: 'epoch',
    type: 'quantitative',
    title: `samples processed (epochs of ${n.toLocaleString('en-US')})`,
    scale: { domain: [0, epochs], nice: false },
    axis: linearAxis({ tickCount: Math.min(6, Math.max(2, Math.round(epochs * 2))) }),
  };
  const maxStep = Math.max(2, ...outputs.map((o) => o.steps));
  const xSteps = logAxis(1, maxStep, 'steps taken (updates)', { exact: true });
  const Xsteps = { field: 'step', type: 'quantitative', scale: xSteps.scale, axis: xSteps.axis };
  const yB = logAxis(1, Math.pow(10, Math.ceil(Math.log10(n))), 'batch size bₖ');
  const line = (panel: string, y: Record<string, unknown>, legend: boolean, point: boolean, x: Record<string, unknown> = X, interpolate = 'linear'): Record<string, unknown> => ({
    width: 330,
    height: 230,
    transform: [{ filter: `datum.panel == '${panel}' && isValid(datum.value)` }],
    mark: { type: 'line', strokeWidth: 2, clip: true, point: point ? { size: 18, filled: true } : false, interpolate },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', ...y },
      color: { field: 'method', type: 'nominal', scale: scales.color, legend: legend ? { title: null, orient: 'bottom', direction: 'vertical', columns: 1, symbolType: 'stroke', symbolSize: 500, symbolStrokeWidth: 2.2, labelLimit: 600 } : null },
      strokeDash: { field: 'method', type: 'nominal', scale: scales.strokeDash, legend: legend ? { title: null, orient: 'bottom', direction: 'vertical', columns: 1, symbolType: 'stroke', symbolSize: 500, labelLimit: 600 } : null },
    },
  });
  const accOf = (o: RunOutput): number | null => {
    const last = o.evals[o.evals.length - 1];
    return last?.testAccuracy === null || last?.testAccuracy === undefined ? null : 100 * last.testAccuracy;
  };
  const finals = ms.map((m, i) => {
    const a = accOf(outputs[i]!);
    return `${m.key === 'norm' ? 'AdAdaGrad' : m.key === 'norm-official' ? 'AdAdaGrad with the official pooled test' : m.label.replace('AdaGrad, ', 'AdaGrad ').replace(/ \(8 stages.*\)$/, '')}: test accuracy ${a === null ? '–' : a.toFixed(1)}%, ${outputs[i]!.steps} steps, final b = ${outputs[i]!.finalB}`;
  });
  const out = (key: string): RunOutput => outputs[ms.findIndex((m) => m.key === key)]!;
  const reachOf = (o: RunOutput): string => {
    const kFull = o.trace === null ? -1 : o.trace.b.findIndex((b) => b >= n);
    return kFull < 0
      ? `kept the batch below n (final b = ${o.finalB}) within the budget`
      : `asked for b = n at step ${kFull} (after ${((kFull === 0 ? 0 : o.trace!.samples[kFull - 1]!) / n).toFixed(2)} epochs) and from there took full-batch steps, ${o.steps} updates in all`;
  };
  const pool = cnnOfficialPooling(mode);
  const reach = `With η = 0.1 the whole-batch norm test ${reachOf(out('norm'))}; the official pooled test ${reachOf(out('norm-official'))}; the constant batch took ${out('const').steps} updates at the same samples.`;
  const scale =
    mode === 'full'
      ? 'This is the official size.'
      : `This is a reduced size that fits the ${mode === 'quick' ? 'CI' : 'default'} run, not the official one: ${n.toLocaleString('en-US')} training images (the first ${perDigit(n)} of each digit in file order), ${epochs} epochs (${s.samples.toLocaleString('en-US')} samples), test accuracy on ${t.toLocaleString('en-US')} test images (the first ${perDigit(t)} of each digit, so one image is ${(100 / t).toFixed(1)} points), the constant batch and the ramp-up sizes scaled to n (the official list × n/60 000). The CNN costs about 2.4 ms per sample (gradient with its statistics, float64, one core of wasm), so the official run is \`adadagrad reproduce fig6b-cnn --full\` (about 4 CPU-hours per run, extrapolated).`;
  const bad = failures(outputs);
  return [
    {
      name: 'fig6b-cnn',
      title: `Figure 6b — MNIST 3-layer CNN (official AdAdaGrad setting), ${epochs} epochs`,
      caption: `The CNN experiment of the official AdAdaGrad code: the 3-layer CNN (conv 5×5 1→16, ReLU, 2×2 max pool, conv 5×5 16→32, ReLU, 2×2 max pool, linear 1568→10; ${s.problem}), diagonal AdaGrad with learning rate 8·10⁻³, the norm test with η = 0.1 growing the batch from b₀ = ${s.b0} up to n (AdAdaGrad), computed two ways: on the whole batch (our default, the unbiased estimator) and as the official code computes it (the batch split over ${pool.devices} devices, each device's micro-batches of at most ${pool.microBatch!.toLocaleString('en-US')} samples, pooled by the law of total variance with equal weights, biased upward by about 1 + (M − 1)/(M b_m)), beside a constant batch (${s.constB}) and the official stagewise ramp-up (8 sizes doubling, each stage ⌊budget/8⌋ samples, so it reaches its last size after 7/8 of the budget). ${scale} Top left: test accuracy against the samples processed; top right: test accuracy against the number of updates (log axis); bottom left: the batch size; bottom right: the training loss of the batch just used (one batch, so noisy; the full-pass loss is not evaluated, it costs a pass over the training set). Batches come from the official sampler (a fresh random order every epoch, consecutive batches, a short last batch); one seed. ${OFFICIAL_CNN_SETTINGS} ${reach}\n\nFinal values — ${finals.join('; ')}.${bad.length > 0 ? ` ${bad.length} runs did not complete (${bad[0]}).` : ''}`,
      command: reproduceCommand('fig6b-cnn', mode),
      spec: {
        title: { text: 'MNIST, 3-layer CNN, AdaGrad (lr 8·10⁻³)', subtitle: `${s.problem}, ${s.samples.toLocaleString('en-US')} samples, one seed` },
        vconcat: [
          {
            hconcat: [
              line('acc', { title: `test accuracy (%, ${t.toLocaleString('en-US')} images)`, scale: { domain: [0, 100], nice: false, clamp: true } }, true, true),
              line('accSteps', { title: `test accuracy (%, ${t.toLocaleString('en-US')} images)`, scale: { domain: [0, 100], nice: false, clamp: true } }, false, true, Xsteps),
            ],
          },
          {
            hconcat: [
              line('batch', { scale: yB.scale, axis: yB.axis }, false, false, X, 'step-after'),
              line('loss', { title: 'training loss of the batch just used', scale: { zero: false } }, false, false),
            ],
          },
        ],
        resolve: { legend: { color: 'shared', strokeDash: 'shared' } },
      },
      rows,
      columns: ['panel', 'method', 'epoch', 'step', 'value'],
    },
  ];
}

export const cnnFamily: FigureFamily = {
  id: 'cnn',
  figures: [{ name: 'fig6b-cnn', title: 'Figure 6b — MNIST 3-layer CNN (official setting)' }],
  jobs,
  build,
};
