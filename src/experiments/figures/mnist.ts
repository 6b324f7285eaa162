/**
 * Figure 6: the MNIST experiment of the official AdAdaGrad code (`expt.sh`,
 * logistic regression): softmax regression 784 → 10, diagonal AdaGrad with
 * lr 8e-3, the norm test with η = 0.1 growing the batch from 2 up to n, budget
 * in epochs — beside constant small and full batches and the official
 * stagewise ramp-up baseline (`main.py`, `--stagewise_ramp_up`: the sizes
 * 512, 1024, …, 32768, 60000, each stage max_samples/8 samples).
 *
 * `--full` is the official run of `expt.sh`: 60 000 training images, b₀ = 2,
 * b_max = 60 000, η = 0.1, a test at every step on the whole batch (one device),
 * AdaGrad lr 8·10⁻³ (accumulator 0, ε = 10⁻¹⁰), no learning-rate decay,
 * 6 000 000 samples (100 epochs). Differences, labelled in the caption: float64
 * instead of float32, our random generator (the seeds cannot match PyTorch's),
 * the budget stops before a step that would overshoot it and counts a short batch as its own size, an epoch continues when the batch size changes (the official code starts a fresh epoch, as it rebuilds its DataLoader), the test never shrinks the batch after a short batch (the official rule can; offered as an option), and the loss is
 * evaluated at checkpoints rather than at every step.
 */
import type { Figure } from '../../plot/figure.js';
import { linearAxis, logAxis, methodScales } from '../../plot/theme.js';
import { SETTINGS } from '../settings.js';
import type { Mode, RunJob, RunOutput } from '../types.js';
import { failures, reproduceCommand, type Method } from './common.js';
import type { FigureFamily } from './family.js';

const LR = 8e-3;

function nOf(id: string): number {
  return Number(/_n(\d+)_/.exec(id)![1]);
}

/** The settings of `--full`, as the caption lists them (the official `expt.sh` run and the labelled differences). */
export const OFFICIAL_SETTINGS = `Settings of \`--full\` (the official \`expt.sh\` logistic-regression run): 60 000 training images scaled to [0, 1], softmax regression with bias and PyTorch's default initialisation, one device (the test on the whole batch), b₀ = 2, b_max = 60 000, η = 0.1, a test at every step while b < b_max, AdaGrad lr 8·10⁻³ with accumulator 0 and ε = 10⁻¹⁰, no learning-rate decay, 6 000 000 samples. Labelled differences: float64 (official float32), our own random generator, the budget stops before a step that would overshoot it and counts a short batch as its own size, an epoch continues when the batch size changes (the official code starts a fresh epoch, as it rebuilds its DataLoader), the test never shrinks the batch after a short batch (the official rule can; offered as an option), and the loss and accuracy are evaluated at checkpoints (officially every step).`;

/** The official stagewise ramp-up sizes (`main.py`'s default `global_batch_sizes`). */
export const OFFICIAL_RAMP_SIZES: readonly number[] = [512, 1024, 2048, 4096, 8192, 16384, 32768, 60000];

/**
 * The stagewise ramp-up of the official code for a budget of `epochs` epochs of
 * n samples: 8 stages of ⌊max_samples/8⌋ samples each (12.5 epochs per stage at
 * 100 epochs, reaching n near epoch 87.5), sizes 512·2^s capped at n (so the
 * official list on the full data set).
 */
export function rampHyper(n: number, epochs: number): { lr: number; b0: number; rho: number; stages: number; perStage: number; bMax: number } {
  const stages = OFFICIAL_RAMP_SIZES.length;
  return { lr: LR, b0: OFFICIAL_RAMP_SIZES[0]!, rho: 2, stages, perStage: Math.floor((epochs * n) / stages), bMax: n };
}

function methods(mode: Mode): Method[] {
  const s = SETTINGS[mode].mnist;
  const n = nOf(s.problem);
  const ramp = rampHyper(n, s.epochs);
  return [
    { key: 'norm', label: 'AdAdaGrad: AdaGrad + norm test (η = 0.1), b₀ = 2, b_max = n', optimizer: 'adagrad', controller: 'norm', hyper: { lr: LR, eta: 0.1, b0: 2, bMax: n } },
    { key: 'b128', label: 'AdaGrad, constant b = 128', optimizer: 'adagrad', controller: 'constant', hyper: { lr: LR, b0: 128 } },
    { key: 'ramp', label: `AdaGrad, stagewise ramp-up: b = 512 doubling every ${(ramp.perStage / n).toLocaleString('en-US', { maximumFractionDigits: 3 })} epochs (8 stages), up to n`, optimizer: 'adagrad', controller: 'sebs-samples', hyper: ramp },
    { key: 'full', label: `AdaGrad, full batch b = n = ${n}`, optimizer: 'adagrad', controller: 'constant', hyper: { lr: LR, b0: n } },
  ];
}

/** Evaluation points in epochs: a few early ones, then every `every` epochs. */
export function epochCheckpoints(epochs: number, every: number): number[] {
  const pts = new Set<number>([0.01, 0.02, 0.05, 0.1].filter((e) => e < epochs));
  for (let e = every; e <= epochs + 1e-9; e += every) pts.add(Math.round(e * 1000) / 1000);
  return [...pts].sort((a, b) => a - b);
}

function jobs(mode: Mode): RunJob[] {
  const s = SETTINGS[mode].mnist;
  const n = nOf(s.problem);
  const samples = epochCheckpoints(s.epochs, s.evalEvery).map((e) => Math.round(e * n));
  return methods(mode).map((m) => ({
    label: `mnist: ${m.key} on ${s.problem}, ${s.epochs} epochs`,
    problem: s.problem,
    optimizer: m.optimizer,
    controller: m.controller,
    hyper: m.hyper,
    budget: { epochs: s.epochs },
    seed: 0,
    replace: false,
    sampler: 'epoch-short',
    evals: { samples, gradient: false, test: true },
  }));
}

function build(mode: Mode, outputs: readonly RunOutput[]): Figure[] {
  const s = SETTINGS[mode].mnist;
  const n = nOf(s.problem);
  const ms = methods(mode);
  const rows: Record<string, string | number | null>[] = [];
  ms.forEach((m, i) => {
    const o = outputs[i]!;
    for (const e of o.evals) {
      const acc = e.testAccuracy === null || e.testAccuracy === undefined ? null : 100 * e.testAccuracy;
      rows.push({ panel: 'loss', method: m.label, epoch: e.samples / n, step: e.step, value: e.F });
      rows.push({ panel: 'acc', method: m.label, epoch: e.samples / n, step: e.step, value: acc });
      if (e.step > 0) rows.push({ panel: 'accSteps', method: m.label, epoch: e.samples / n, step: e.step, value: acc });
    }
    const t = o.trace!;
    // the samples before step k are the previous step's count, not samples[k] − b_k: an epoch's last batch is short (b_k is what was asked for)
    t.b.forEach((b, k) => {
      const before = k === 0 ? 0 : t.samples[k - 1]!;
      rows.push({ panel: 'batch', method: m.label, epoch: before / n, value: b });
      rows.push({ panel: 'batch', method: m.label, epoch: t.samples[k]! / n, value: b });
    });
  });
  const labels = ms.map((m) => m.label);
  const scales = methodScales(labels);
  const X = {
    field: 'epoch',
    type: 'quantitative',
    title: `samples processed (epochs of ${n.toLocaleString('en-US')})`,
    scale: { domain: [0, s.epochs], nice: false },
    axis: linearAxis({ tickCount: Math.min(6, Math.max(2, s.epochs * 2)) }),
  };
  const maxStep = Math.max(1, ...outputs.map((o) => o.steps));
  const xSteps = logAxis(1, maxStep, 'steps taken (updates)', { exact: true });
  const Xsteps = { field: 'step', type: 'quantitative', scale: xSteps.scale, axis: xSteps.axis };
  const accVals = rows.filter((r) => r['panel'] === 'acc' && r['value'] !== null).map((r) => r['value'] as number);
  const accLo = Math.max(0, Math.floor(Math.min(...accVals, 80) / 10) * 10);
  const yB = logAxis(1, Math.pow(10, Math.ceil(Math.log10(n))), 'batch size bₖ');
  const line = (panel: string, y: Record<string, unknown>, legend: boolean, point: boolean, x: Record<string, unknown> = X): Record<string, unknown> => ({
    width: 330,
    height: 230,
    transform: [{ filter: `datum.panel == '${panel}' && isValid(datum.value)` }],
    mark: { type: 'line', strokeWidth: 2, clip: true, point: point ? { size: 18, filled: true } : false, interpolate: 'linear' },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', ...y },
      color: { field: 'method', type: 'nominal', scale: scales.color, legend: legend ? { title: null, orient: 'bottom', direction: 'vertical', columns: 2, symbolType: 'stroke', symbolSize: 500, symbolStrokeWidth: 2.2, labelLimit: 500 } : null },
      strokeDash: { field: 'method', type: 'nominal', scale: scales.strokeDash, legend: legend ? { title: null, orient: 'bottom', direction: 'vertical', columns: 2, symbolType: 'stroke', symbolSize: 500, labelLimit: 500 } : null },
    },
  });
  const finals = ms.map((m, i) => {
    const ev = outputs[i]!.evals;
    const last = ev[ev.length - 1];
    return `${m.key === 'norm' ? 'AdAdaGrad' : m.label.replace('AdaGrad, ', 'AdaGrad ')}: loss ${last?.F?.toFixed(3) ?? '–'}, test accuracy ${last?.testAccuracy !== null && last?.testAccuracy !== undefined ? (100 * last.testAccuracy).toFixed(2) : '–'}%, ${outputs[i]!.steps} steps, final b = ${outputs[i]!.finalB}`;
  });
  const normOut = outputs[0]!;
  const kFull = normOut.trace!.b.findIndex((b) => b >= n);
  const reach =
    kFull < 0
      ? `The norm test kept the batch below n (final b = ${normOut.finalB}) within the budget.`
      : `With η = 0.1 the norm test asks for a large batch almost at once: AdAdaGrad reached b = n at step ${kFull} after ${((normOut.trace!.samples[kFull]! - n) / n).toFixed(2)} epochs, and from there takes full-gradient steps, so at equal samples it makes far fewer updates than the small constant batch.`;
  const bad = failures(outputs);
  return [
    {
      name: 'fig6-mnist',
      title: `Figure 6 — MNIST softmax regression (official AdAdaGrad setting), ${s.epochs} epochs`,
      caption: `The MNIST experiment of the official AdAdaGrad code: softmax regression 784 → 10 (${s.problem}), diagonal AdaGrad with learning rate 8·10⁻³ (accumulator from 0, ε = 10⁻¹⁰, as PyTorch), the norm test with η = 0.1 growing the batch from 2 up to n, budget ${s.epochs} epochs (${(s.epochs * n).toLocaleString('en-US')} samples; the official run uses 100 epochs — \`adadagrad reproduce fig6-mnist --full\`). Beside it: a constant small batch (128), the official stagewise ramp-up baseline (sizes 512, 1024, …, 32768, then n, each of its 8 stages ⌊budget/8⌋ = ${rampHyper(n, s.epochs).perStage.toLocaleString('en-US')} samples, so it reaches n after 7/8 of the budget) and full-batch AdaGrad. Top: training loss over the whole training set and test accuracy on the 10 000 test images, against the samples processed; bottom left: the batch size; bottom right: test accuracy against the number of updates (log axis), where large batches pay off. Batches come from the official sampler: a fresh random order every epoch, served as consecutive batches, the last batch of an epoch short (PyTorch's DataLoader with shuffle); one seed. ${OFFICIAL_SETTINGS} ${reach}\n\nFinal values — ${finals.join('; ')}.${bad.length > 0 ? ` ${bad.length} runs did not complete (${bad[0]}).` : ''}`,
      command: reproduceCommand('fig6-mnist', mode),
      spec: {
        title: { text: 'MNIST, softmax regression, AdaGrad (lr 8·10⁻³)', subtitle: `${s.problem}, ${s.epochs} epochs, one seed` },
        vconcat: [
          {
            hconcat: [
              line('loss', { title: 'training loss F(x) (full pass)', scale: { zero: false } }, true, false),
              line('acc', { title: 'test accuracy (%)', scale: { domain: [accLo, 100], nice: false, clamp: true } }, false, false),
            ],
          },
          {
            hconcat: [
              line('batch', { scale: yB.scale, axis: yB.axis }, false, false),
              line('accSteps', { title: 'test accuracy (%)', scale: { domain: [accLo, 100], nice: false, clamp: true } }, false, true, Xsteps),
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

export const mnistFamily: FigureFamily = {
  id: 'mnist',
  figures: [{ name: 'fig6-mnist', title: 'Figure 6 — MNIST (official setting)' }],
  jobs,
  build,
};
