/**
 * Figures 7a and 7b: the benchmark set. For every problem of `suite()` (minus the
 * slow families in quick and default mode), every method and seed, the samples
 * needed to reach ||∇F(x)||² ≤ ε · ||∇F(x₀)||²; shown as COCO-style ECDFs per ε
 * and as Dolan–Moré performance profiles.
 */
import { suite } from '../../../problems/index.js';
import type { Problem } from '../../problem/types.js';
import type { Figure } from '../../plot/figure.js';
import { ecdfCurve, performanceProfile } from '../../plot/stats.js';
import { logAxis, methodScales } from '../../plot/theme.js';
import { SETTINGS } from '../settings.js';
import type { Mode, RunJob, RunOutput } from '../types.js';
import { failures, geomGrid, reproduceCommand, runningMinBySamples, type Method } from './common.js';
import type { FigureFamily } from './family.js';

/** Relative targets ε (of ||∇F(x₀)||²). */
export const TARGETS = [1e-1, 1e-2, 1e-3, 1e-4] as const;
/** Targets of the performance profiles. */
const PROFILE_TARGETS = [1e-2, 1e-3] as const;
const POP_BMAX = 1 << 16;

/** The methods, with the step of SGD and SEBS set to 1/L of each problem. */
export function benchMethods(problem: Problem, samples: number): Method[] {
  const L = problem.constants.L.value;
  const alpha = Number((1 / L).toPrecision(3));
  const bMax = problem.n ?? POP_BMAX;
  const perStage = Math.max(1, Math.floor(samples / (8 * 255)));
  return [
    { key: 'adadagrad-norm', label: 'AdAdaGrad-Norm (norm test)', optimizer: 'adagrad-norm', controller: 'norm', hyper: { lr: 1, beta0: 1, eta: 0.5, b0: 2, bMax } },
    { key: 'adadagrad', label: 'AdAdaGrad (coordinate-wise test)', optimizer: 'adagrad', controller: 'coord-norm', hyper: { lr: 0.1, eta: 0.5, b0: 2, bMax } },
    { key: 'adagrad-norm-b32', label: 'AdaGrad-Norm, b = 32', optimizer: 'adagrad-norm', controller: 'constant', hyper: { lr: 1, beta0: 1, b0: 32 } },
    { key: 'adagrad-b32', label: 'AdaGrad, b = 32', optimizer: 'adagrad', controller: 'constant', hyper: { lr: 0.1, b0: 32 } },
    { key: 'sgd-b32', label: 'SGD, b = 32, α = 1/L', optimizer: 'sgd', controller: 'constant', hyper: { lr: alpha, b0: 32 } },
    { key: 'sebs', label: 'SEBS (SGD, α = 1/L, b = 8 doubling, 8 stages)', optimizer: 'sgd', controller: 'sebs', hyper: { lr: alpha, b0: 8, rho: 2, stages: 8, perStage, bMax } },
  ];
}

export const METHOD_LABELS = [
  'AdAdaGrad-Norm (norm test)',
  'AdAdaGrad (coordinate-wise test)',
  'AdaGrad-Norm, b = 32',
  'AdaGrad, b = 32',
  'SGD, b = 32, α = 1/L',
  'SEBS (SGD, α = 1/L, b = 8 doubling, 8 stages)',
];

function problems(mode: Mode): Problem[] {
  const ex = new Set(SETTINGS[mode].bench.excludeFamilies);
  return suite()
    .filter((e) => !ex.has(e.family))
    .map((e) => e.problem);
}

function excludedIds(mode: Mode): string[] {
  const ex = new Set(SETTINGS[mode].bench.excludeFamilies);
  return suite()
    .filter((e) => ex.has(e.family))
    .map((e) => e.id);
}

function jobs(mode: Mode): RunJob[] {
  const s = SETTINGS[mode].bench;
  const checkpoints = geomGrid(1, s.samples, 8).map((v) => Math.round(v));
  const out: RunJob[] = [];
  for (const p of problems(mode)) {
    for (const m of benchMethods(p, s.samples)) {
      for (let r = 0; r < s.seeds; r++) {
        out.push({
          label: `bench: ${m.key} on ${p.id}, seed ${r}`,
          problem: p.id,
          optimizer: m.optimizer,
          controller: m.controller,
          hyper: m.hyper,
          budget: { samples: s.samples },
          seed: r,
          replace: p.n === null,
          evals: { samples: checkpoints, value: false },
          trace: false,
        });
      }
    }
  }
  return out;
}

/** Samples to reach each relative target, per (problem, seed) and method: cost[target][instance][method] (null: not reached). */
export function hittingCosts(mode: Mode, outputs: readonly RunOutput[]): { instances: string[]; cost: Map<number, (number | null)[][]> } {
  const s = SETTINGS[mode].bench;
  const ps = problems(mode);
  const M = METHOD_LABELS.length;
  const instances: string[] = [];
  const cost = new Map<number, (number | null)[][]>(TARGETS.map((t) => [t, []]));
  let i = 0;
  for (const p of ps) {
    const block = outputs.slice(i, i + M * s.seeds);
    i += M * s.seeds;
    for (let r = 0; r < s.seeds; r++) {
      instances.push(`${p.id} seed ${r}`);
      for (const t of TARGETS) {
        const row: (number | null)[] = [];
        for (let m = 0; m < M; m++) {
          const o = block[m * s.seeds + r]!;
          const g0 = o.evals.find((e) => e.step === 0)?.G ?? null;
          if (g0 === null || o.status === 'error') {
            row.push(null);
            continue;
          }
          const hit = runningMinBySamples(o.evals).find((q) => q.G <= t * g0);
          row.push(hit === undefined ? null : Math.max(1, hit.samples));
        }
        cost.get(t)!.push(row);
      }
    }
  }
  return { instances, cost };
}

function build(mode: Mode, outputs: readonly RunOutput[]): Figure[] {
  const s = SETTINGS[mode].bench;
  const { instances, cost } = hittingCosts(mode, outputs);
  const nProb = problems(mode).length;
  const excluded = excludedIds(mode);
  const scales = methodScales(METHOD_LABELS);
  const legend = { title: null, orient: 'bottom', direction: 'vertical', columns: 3, symbolType: 'stroke', symbolSize: 500, symbolStrokeWidth: 2.2, labelLimit: 400 };
  const bad = failures(outputs);
  const setup = `${nProb} problems of the benchmark set (${problems(mode).map((p) => p.id).join(', ')})${excluded.length > 0 ? `; left out in this mode as too slow: ${excluded.join(', ')} (run with --full to include them)` : ''}. ${s.seeds} seed(s) each, budget ${s.samples.toExponential(0)} samples per run, ‖∇F‖² evaluated at 8 sample counts per decade. Hyperparameters are fixed across problems: AdaGrad-Norm α = 1, β₀ = 1; AdaGrad α = 0.1; tests η = 0.5, b₀ = 2, b_max = n (population problems: 65 536); SGD and SEBS use α = 1/L from each problem's constants. Finite sums are sampled without replacement within a batch, population problems with replacement.${bad.length > 0 ? ` ${bad.length} runs stopped early (diverged or error) and count as not reaching the targets.` : ''}`;

  // 7a: ECDFs
  const rowsA: Record<string, string | number | null>[] = [];
  TARGETS.forEach((t) => {
    const table = cost.get(t)!;
    METHOD_LABELS.forEach((label, m) => {
      for (const pt of ecdfCurve(table.map((row) => row[m] ?? null), 1, s.samples)) rowsA.push({ target: `ε = 10${sup(Math.round(Math.log10(t)))}`, method: label, samples: pt.x, fraction: pt.frac });
    });
  });
  const xA = logAxis(1, s.samples, 'samples', { exact: true, maxTicks: 4 });
  const figA: Figure = {
    name: 'fig7a-ecdf',
    title: 'Figure 7a — benchmark ECDFs: fraction of problems solved against samples',
    caption: `COCO-style runtime distributions over the benchmark set: for each target ε (relative to each run's ‖∇F(x₀)‖²), the fraction of (problem, seed) instances on which a method has reached ‖∇F(x)‖² ≤ ε · ‖∇F(x₀)‖² after a given number of samples. Higher and further left is better; the height at the right edge is the fraction solved within the budget.\n\n${setup}`,
    command: reproduceCommand('fig7a-ecdf', mode),
    spec: {
      title: { text: 'Benchmark: fraction of instances solved', subtitle: `${instances.length} instances (${nProb} problems × ${s.seeds} seed${s.seeds > 1 ? 's' : ''}), target ‖∇F‖² ≤ ε·‖∇F(x₀)‖²` },
      facet: { column: { field: 'target', type: 'nominal', title: null, sort: TARGETS.map((t) => `ε = 10${sup(Math.round(Math.log10(t)))}`) } },
      spec: {
        width: 200,
        height: 220,
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear', clip: true },
        encoding: {
          x: { field: 'samples', type: 'quantitative', scale: xA.scale, axis: xA.axis },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of instances solved', scale: { domain: [0, 1] } },
          color: { field: 'method', type: 'nominal', scale: scales.color, legend },
          strokeDash: { field: 'method', type: 'nominal', scale: scales.strokeDash, legend },
          order: { field: 'samples', type: 'quantitative' },
        },
      },
      resolve: { scale: { x: 'shared', y: 'shared' } },
    },
    rows: rowsA,
    columns: ['target', 'method', 'samples', 'fraction'],
  };

  // 7b: performance profiles
  const rowsB: Record<string, string | number | null>[] = [];
  let tauMax = 2;
  const curvesByTarget = PROFILE_TARGETS.map((t) => {
    const curves = performanceProfile(cost.get(t)!, METHOD_LABELS);
    for (const c of curves) for (const p of c.points) tauMax = Math.max(tauMax, p.tau);
    return { t, curves };
  });
  tauMax = Math.pow(2, Math.ceil(Math.log2(tauMax)));
  for (const { t, curves } of curvesByTarget) {
    for (const c of curves) {
      const pts = c.points.map((p, j) => (j === c.points.length - 1 ? { ...p, tau: tauMax } : p));
      for (const p of pts) rowsB.push({ target: `ε = 10${sup(Math.round(Math.log10(t)))}`, method: c.solver, tau: p.tau, fraction: p.rho });
    }
  }
  const figB: Figure = {
    name: 'fig7b-profile',
    title: 'Figure 7b — benchmark performance profiles (Dolan–Moré)',
    caption: `Dolan–Moré performance profiles over the same runs as figure 7a: for each instance the cost of a method is the samples it needs to reach the target, divided by the least cost of any method on that instance; the curve is the fraction of instances with ratio ≤ τ. The value at τ = 1 is the fraction of instances on which a method is the cheapest; the height at the right edge is the fraction it solves at all. Instances no method solves count against every method.\n\n${setup}`,
    command: reproduceCommand('fig7b-profile', mode),
    spec: {
      title: { text: 'Benchmark: performance profiles (samples to reach ε)', subtitle: `${instances.length} instances, target ‖∇F‖² ≤ ε·‖∇F(x₀)‖²` },
      facet: { column: { field: 'target', type: 'nominal', title: null, sort: PROFILE_TARGETS.map((t) => `ε = 10${sup(Math.round(Math.log10(t)))}`) } },
      spec: {
        width: 300,
        height: 240,
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear', clip: true },
        encoding: {
          x: { field: 'tau', type: 'quantitative', title: 'τ (cost ratio to the best method)', scale: { type: 'log', base: 2, domain: [1, tauMax], nice: false }, axis: { format: '~g', values: pow2(tauMax) } },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of instances with ratio ≤ τ', scale: { domain: [0, 1] } },
          color: { field: 'method', type: 'nominal', scale: scales.color, legend },
          strokeDash: { field: 'method', type: 'nominal', scale: scales.strokeDash, legend },
          order: { field: 'tau', type: 'quantitative' },
        },
      },
    },
    rows: rowsB,
    columns: ['target', 'method', 'tau', 'fraction'],
  };
  return [figA, figB];
}

function pow2(max: number): number[] {
  const out: number[] = [];
  const n = Math.ceil(Math.log2(max));
  const step = Math.max(1, Math.ceil(n / 7));
  for (let e = 0; e <= n; e += step) out.push(Math.pow(2, e));
  return out;
}

const SUP: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
function sup(n: number): string {
  return String(n).split('').map((c) => SUP[c] ?? c).join('');
}

export const benchFamily: FigureFamily = {
  id: 'bench',
  figures: [
    { name: 'fig7a-ecdf', title: 'Figure 7a — benchmark ECDFs' },
    { name: 'fig7b-profile', title: 'Figure 7b — performance profiles' },
  ],
  jobs,
  build,
};
