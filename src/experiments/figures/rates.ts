/**
 * Figures 1 and 2: min_{k<K} ||∇F(x_k)||² against K (docs/MATH.md §7 C1–C4 and the
 * negative controls), and K · min_{k<K} ||∇F(x_k)||², which is flat or falling
 * for an O(1/K) rate and rises like √K for an O(1/√K) one.
 */
import type { Figure } from '../../plot/figure.js';
import { prefixMin } from '../../plot/stats.js';
import { logAxis, methodScales, positiveExtent } from '../../plot/theme.js';
import { SETTINGS } from '../settings.js';
import type { Mode, RunJob, RunOutput } from '../types.js';
import { BAND_RESOLVE, bandLayers, bandRows, bySeedBlocks, failures, geomInts, medianStart, refSeries, reproduceCommand, seedJobs, type Method } from './common.js';
import type { FigureFamily } from './family.js';

/** The methods of figures 1–2 (b₀ = 2 for all; the tests cap at b_max = n). */
export const RATE_METHODS: readonly Method[] = [
  { key: 'adadagrad-norm', label: 'AdAdaGrad-Norm (norm test)', optimizer: 'adagrad-norm', controller: 'norm', hyper: { lr: 1, beta0: 1, eta: 0.5, b0: 2 } },
  { key: 'adadagrad', label: 'AdAdaGrad (coordinate-wise test)', optimizer: 'adagrad', controller: 'coord-norm', hyper: { lr: 0.1, eta: 0.5, b0: 2 } },
  { key: 'adagrad-norm-b2', label: 'AdaGrad-Norm, constant b = 2', optimizer: 'adagrad-norm', controller: 'constant', hyper: { lr: 1, beta0: 1, b0: 2 } },
  { key: 'adagrad-b2', label: 'AdaGrad, constant b = 2', optimizer: 'adagrad', controller: 'constant', hyper: { lr: 0.1, b0: 2 } },
  { key: 'sgd-b2', label: 'SGD, constant b = 2, α = 0.5', optimizer: 'sgd', controller: 'constant', hyper: { lr: 0.5, b0: 2 } },
  { key: 'sebs', label: 'SEBS (SGD, α = 0.5, b doubles every K/10 steps)', optimizer: 'sgd', controller: 'sebs', hyper: { lr: 0.5, b0: 2, rho: 2, stages: 10 } },
];

function problemN(id: string): number {
  const m = /_n(\d+)_/.exec(id);
  if (m === null) throw new Error(`rates: ${id} is not a finite sum with n in its id`);
  return Number(m[1]);
}

function jobs(mode: Mode): RunJob[] {
  const s = SETTINGS[mode].rates;
  const n = problemN(s.problem);
  return RATE_METHODS.flatMap((m) =>
    seedJobs('rates', m, {
      problem: s.problem,
      budget: { steps: s.K },
      seeds: s.seeds,
      replace: false,
      evals: { steps: 'all', value: false },
      hyper: m.controller === 'constant' ? {} : { bMax: n, ...(m.controller === 'sebs' ? { perStage: Math.max(1, Math.round(s.K / 10)) } : {}) },
      trace: false,
    }),
  );
}

function build(mode: Mode, outputs: readonly RunOutput[]): Figure[] {
  const s = SETTINGS[mode].rates;
  const n = problemN(s.problem);
  const groups = bySeedBlocks(outputs, RATE_METHODS.map((m) => ({ key: m.key, seeds: s.seeds })));
  const G0 = medianStart(outputs, 'G');
  const floor = G0 * 1e-10;
  const Ks = geomInts(1, s.K, 40);
  const labels = RATE_METHODS.map((m) => m.label);
  const REF1 = ['reference ∝ 1/K', 'reference ∝ 1/√K'];
  const REF2 = ['reference: flat (a 1/K rate)', 'reference ∝ √K (a 1/√K rate)'];

  const rows1: Record<string, string | number | null>[] = [];
  const rows2: Record<string, string | number | null>[] = [];
  for (const m of RATE_METHODS) {
    const outs = groups.get(m.key)!;
    const mins = outs.map((o) => {
      const g = Float64Array.from(o.evals.filter((e) => e.step < s.K).sort((a, b) => a.step - b.step), (e) => e.G ?? NaN);
      return prefixMin(g);
    });
    // min_{k<K}: iterates x_0 … x_{K−1}, i.e. prefix index K − 1.
    const at = mins.map((pm) => (K: number) => (K - 1 < pm.length ? pm[K - 1]! : NaN));
    for (const r of bandRows(m.label, Ks, at)) {
      const cut = (v: number): number | null => (Number.isFinite(v) && v >= floor ? v : null);
      rows1.push({ layer: 'band', method: r.method, K: r.x, median: cut(r.median), lo: cut(r.lo), hi: cut(r.hi), seeds: r.n });
      rows2.push({ layer: 'band', method: r.method, K: r.x, median: cut(r.median) === null ? null : r.x * r.median, lo: cut(r.lo) === null ? null : r.x * r.lo, hi: cut(r.hi) === null ? null : r.x * r.hi, seeds: r.n });
    }
  }
  rows1.push(...refSeries(REF1[0]!, 1, s.K, G0, -1, 'K'), ...refSeries(REF1[1]!, 1, s.K, G0, -0.5, 'K'));
  rows2.push(...refSeries(REF2[0]!, 1, s.K, G0, 0, 'K'), ...refSeries(REF2[1]!, 1, s.K, G0, 0.5, 'K'));

  const ext1 = positiveExtent(rows1.flatMap((r) => [r['lo'] as number, r['hi'] as number, r['median'] as number]))!;
  const ext2 = positiveExtent(rows2.flatMap((r) => [r['lo'] as number, r['hi'] as number, r['median'] as number]))!;
  const xAxis = logAxis(1, s.K, 'K (steps)', { exact: true });
  const x = { field: 'K', type: 'quantitative', scale: xAxis.scale, axis: xAxis.axis };
  const y1 = logAxis(Math.max(ext1[0], floor), ext1[1], 'min over k < K of ‖∇F(xₖ)‖²');
  // Figure 2 is about flat against rising: curves that fall faster than 1/K leave through the bottom.
  const y2 = logAxis(Math.max(ext2[0], G0 * 1e-3), ext2[1], 'K · min over k < K of ‖∇F(xₖ)‖²');
  const Y1 = { type: 'quantitative', scale: y1.scale, axis: y1.axis };
  const Y2 = { type: 'quantitative', scale: y2.scale, axis: y2.axis };
  // How K·min changes over the last decade of K, per method (median over seeds): ≤ 1 is consistent with O(1/K).
  const lastDecade = RATE_METHODS.map((m) => {
    const at = (K: number): number => {
      const r = rows2.find((q) => q['method'] === m.label && q['K'] === K && q['layer'] === 'band');
      return r === undefined || r['median'] === null ? NaN : (r['median'] as number);
    };
    const K1 = Ks[Ks.length - 1]!;
    const K0 = Ks.find((K) => K >= K1 / 10) ?? 1;
    const ratio = at(K1) / at(K0);
    return `${m.label} ×${Number.isFinite(ratio) ? ratio.toPrecision(2) : '→0 (below the plot)'}`;
  });
  const lastSlopes = RATE_METHODS.map((m) => {
    const at = (K: number): number => {
      const r = rows1.find((q) => q['method'] === m.label && q['K'] === K && q['layer'] === 'band');
      return r === undefined || r['median'] === null ? NaN : (r['median'] as number);
    };
    const K1 = Ks[Ks.length - 1]!;
    const K0 = Ks.find((K) => K >= K1 / 10) ?? 1;
    const slope = Math.log(at(K1) / at(K0)) / Math.log(K1 / K0);
    return `${m.label} ${Number.isFinite(slope) ? slope.toFixed(2).replace('-', '−') : '−∞'}`;
  });
  const bad = failures(outputs);
  const setup = `Problem ${s.problem} (nonconvex logistic regression, n = ${n}, noise does not vanish at stationary points); ${s.seeds} seeds, median line and 10–90% band over seeds; K up to ${s.K}. Batches are drawn without replacement and the tests cap b at b_max = n, where a step becomes a full-gradient step. AdaGrad-Norm α = 1, β₀ = 1; AdaGrad α = 0.1; tests η = 0.5, b₀ = 2.${bad.length > 0 ? ` ${bad.length} runs did not complete (${bad[0]}).` : ''}`;
  const common = { width: 520, height: 340 };
  const fig1: Figure = {
    name: 'fig1-rate',
    title: 'Figure 1 — stationarity rate: min_{k<K} ||∇F(x_k)||² against K',
    caption: `The O(1/K) claims (docs/MATH.md §7 C1–C4): with an adaptive batch-size test, AdaGrad-Norm and diagonal AdaGrad should drive min_{k<K} ‖∇F(xₖ)‖² down at least as fast as 1/K; with a constant batch, where the noise does not vanish at stationary points, AdaGrad-Norm is only guaranteed 1/√K (the negative control of docs/MATH.md §7), and SGD with a constant step and batch stalls at a noise floor. Log-log axes: a rate K^(−p) is a straight line of slope −p; the references start at the median ‖∇F(x₀)‖². Median log-log slope over the last decade of K (from K/10 to K): ${lastSlopes.join('; ')} (−∞: the curve reached the floor of the plot).\n\n${setup} Curves end where they fall below 10⁻¹⁰ · ‖∇F(x₀)‖²; once a test reaches b = n its steps are exact, and the descent becomes linear (the problem is locally strongly convex at its minimisers), which is faster than any power of K.`,
    command: reproduceCommand('fig1-rate', mode),
    spec: { ...common, title: { text: 'Stationarity rate', subtitle: `${s.problem}, median and 10–90% band over ${s.seeds} seeds` }, resolve: BAND_RESOLVE, layer: bandLayers({ x, y: Y1, scales: methodScales(labels, REF1) }) },
    rows: rows1,
    columns: ['layer', 'method', 'K', 'median', 'lo', 'hi', 'seeds'],
  };
  const fig2: Figure = {
    name: 'fig2-krate',
    title: 'Figure 2 — K · min_{k<K} ||∇F(x_k)||² against K',
    caption: `The same runs as figure 1, multiplied by K: an O(1/K) rate is a curve that stays flat or falls; an O(1/√K) rate rises like √K (dashed line) once the noise dominates, and a plateau (SGD with a constant step) rises like K. Change of the median K · min over the last decade of K (from K/10 to K; ≤ 1 is consistent with O(1/K), √10 ≈ 3.2 is the 1/√K rate): ${lastDecade.join('; ')}. Curves that fall below 10⁻³ · ‖∇F(x₀)‖² leave through the bottom of the plot.\n\n${setup}`,
    command: reproduceCommand('fig2-krate', mode),
    spec: { ...common, title: { text: 'K × best squared gradient norm', subtitle: `${s.problem}, median and 10–90% band over ${s.seeds} seeds` }, resolve: BAND_RESOLVE, layer: bandLayers({ x, y: Y2, scales: methodScales(labels, REF2) }) },
    rows: rows2,
    columns: ['layer', 'method', 'K', 'median', 'lo', 'hi', 'seeds'],
  };
  return [fig1, fig2];
}

export const ratesFamily: FigureFamily = {
  id: 'rates',
  figures: [
    { name: 'fig1-rate', title: 'Figure 1 — stationarity rate' },
    { name: 'fig2-krate', title: 'Figure 2 — K · min ||∇F||²' },
  ],
  jobs,
  build,
};
