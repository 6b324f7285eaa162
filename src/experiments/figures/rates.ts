/**
 * Figures 1 and 2: the window mean W(K) = mean_{K/2 ≤ k < K} ||∇F(x_k)||² against K
 * (docs/MATH.md §7 C1–C4 and the negative controls), and K · W(K), which is flat or
 * falling for an O(1/K) rate and rises like √K for an O(1/√K) one. The analyses bound
 * Σ_{k<K} ||∇F(x_k)||² (Lau, Liu, Kolar, "AdAdaGrad", arXiv 2402.11215, Thms 3–5), so
 * W(K) ≤ 2/K · Σ = O(1/K); it is the statistic of the rate check (src/testing/rate.ts).
 *
 * Instance (SETTINGS.rates, the regime of the rate check's separable instances,
 * src/testing/separable.ts): the rotated noisy quadratic nqm-rot with h_j = j^(−a) and
 * κ = d^a ≥ 2·K_max, a population problem started at x★ + s·z:
 * - the gradient noise (covariance H, σ² = tr H) does not vanish at x★, so a constant batch
 *   keeps a noise floor: AdaGrad-Norm's step α/√v_k with v_k ≈ kσ²/b gives W ∝ K^(−1/2),
 *   constant-step SGD a plateau ≈ α σ²/b;
 * - the directions with h_j < 1/(step·K_max) do not relax over the grid, so no method
 *   converges linearly: even the exact gradient method decays like a power of K;
 * - H is not diagonal, so diagonal AdaGrad cannot converge coordinate by coordinate (on the
 *   axis-aligned nqm it does, linearly);
 * - no batch reaches "the full data" (population); b_max = 2^24 is reported when reached.
 * The practical tests read batch statistics of b_k per-sample gradients, drawn exactly from
 * their Gaussian/Wishart law (gradient source 'gaussian-stats'), so b_k up to 2^24 costs O(d²)
 * per step.
 */
import type { Figure } from '../../plot/figure.js';
import { quantiles } from '../../plot/stats.js';
import { logAxis, methodScales, positiveExtent } from '../../plot/theme.js';
import { SETTINGS } from '../settings.js';
import type { Mode, RunJob, RunOutput } from '../types.js';
import { BAND_RESOLVE, bandLayers, bandRows, bySeedBlocks, failures, geomInts, refSeries, reproduceCommand, seedJobs, type Method } from './common.js';
import type { FigureFamily } from './family.js';
import { doublingGrid, formatSlope, logLogSlope, summariseSlopes, windowMean, type SlopeSummary } from './slopes.js';

/** The cap of the growing batches (the registry's largest b_max); a run that reaches it is reported in the captions. */
export const RATE_BMAX = 1 << 24;

/**
 * The methods of figures 1–2 (b₀ = 2 for all). The tests use η = 1, above the literature's
 * 0.1–0.5 (docs/MATH.md §3; the official code's default is 0.1) on purpose: b_k grows like
 * σ²/(η²‖∇F‖²), and with η = 0.5 the norm test's batch comes within a factor 2 of
 * b_max = 2^24 by K = 2048 (measured: 9.1·10⁶ and 1.3·10⁷ on seeds 0 and 3); the rate claims hold for any η.
 */
export const RATE_METHODS: readonly Method[] = [
  { key: 'adadagrad-norm', label: 'AdAdaGrad-Norm (norm test, η = 1)', optimizer: 'adagrad-norm', controller: 'norm', hyper: { lr: 1, beta0: 1, eta: 1, b0: 2, bMax: RATE_BMAX } },
  // The toolkit's near-zero rule skips coordinates with ḡ_j² ≤ 1e-2 · max ḡ² (SPEC §3); the default 1e-12 lets one noise-dominated coordinate ask for b beyond 2^24 within 32 steps (measured).
  { key: 'adadagrad', label: 'AdAdaGrad (coordinate-wise test, η = 1)', optimizer: 'adagrad', controller: 'coord-norm', hyper: { lr: 0.5, eta: 1, coordFloor: 1e-2, b0: 2, bMax: RATE_BMAX } },
  { key: 'sebs', label: 'SEBS (SGD, α = 0.5, b doubles every K_max/10 steps)', optimizer: 'sgd', controller: 'sebs', hyper: { lr: 0.5, b0: 2, rho: 2, stages: 10, bMax: RATE_BMAX } },
  { key: 'adagrad-norm-b2', label: 'AdaGrad-Norm, constant b = 2', optimizer: 'adagrad-norm', controller: 'constant', hyper: { lr: 1, beta0: 1, b0: 2 } },
  { key: 'adagrad-b2', label: 'AdaGrad, constant b = 2', optimizer: 'adagrad', controller: 'constant', hyper: { lr: 0.5, b0: 2 } },
  { key: 'sgd-b2', label: 'SGD, constant b = 2, α = 0.5', optimizer: 'sgd', controller: 'constant', hyper: { lr: 0.5, b0: 2 } },
];

/**
 * What figure 1 must show, checked by test/experiments/rateFigures.test.ts on a quick-mode build:
 * the median slope of log W(K) against log K is at most `adaptiveMax` for the methods that grow
 * their batch and at least `constantMin` for the constant-batch ones (1/K is −1, 1/√K is −0.5,
 * a plateau 0; the margins leave room for the seed spread of 4 quick-mode seeds).
 */
export const RATE_SEPARATION = {
  adaptive: ['adadagrad-norm', 'adadagrad', 'sebs'],
  constant: ['adagrad-norm-b2', 'adagrad-b2', 'sgd-b2'],
  adaptiveMax: -0.8,
  constantMin: -0.7,
} as const;

function jobs(mode: Mode): RunJob[] {
  const s = SETTINGS[mode].rates;
  return RATE_METHODS.flatMap((m) =>
    seedJobs('rates', m, {
      problem: s.problem,
      budget: { steps: s.K },
      seeds: s.seeds,
      replace: true,
      evals: { steps: 'all', value: false },
      hyper: m.controller === 'sebs' ? { perStage: Math.max(1, Math.round(s.K / 10)) } : {},
    }).map((j) => ({ ...j, gradientSource: 'gaussian-stats' as const, startNear: s.start })),
  );
}

/** ||∇F(x_k)||² for k < K of a run (NaN where not evaluated). */
function gradSeries(o: RunOutput, K: number): Float64Array {
  const g = new Float64Array(K).fill(NaN);
  for (const e of o.evals) if (e.step < K && e.G !== null) g[e.step] = e.G;
  return g;
}

/** Per method: the slope of log W(K) against log K on the doubling grid K_fit … K, per seed and summarised. */
export function rateSlopes(mode: Mode, outputs: readonly RunOutput[]): Map<string, SlopeSummary> {
  const s = SETTINGS[mode].rates;
  const groups = bySeedBlocks(outputs, RATE_METHODS.map((m) => ({ key: m.key, seeds: s.seeds })));
  const grid = doublingGrid(s.fitFrom, s.K);
  const out = new Map<string, SlopeSummary>();
  for (const m of RATE_METHODS) {
    out.set(m.key, summariseSlopes(groups.get(m.key)!.map((o) => (o.status === 'completed' ? logLogSlope(grid, windowMean(gradSeries(o, s.K))) : NaN))));
  }
  return out;
}

/** The ways a set of slopes misses {@link RATE_SEPARATION} (empty: figure 1 shows the separation). */
export function separationFailures(slopes: ReadonlyMap<string, SlopeSummary>): string[] {
  const bad: string[] = [];
  for (const k of RATE_SEPARATION.adaptive) {
    const v = slopes.get(k)?.median ?? NaN;
    if (!(v <= RATE_SEPARATION.adaptiveMax)) bad.push(`${k}: median slope ${v.toFixed(2)} > ${RATE_SEPARATION.adaptiveMax}`);
  }
  for (const k of RATE_SEPARATION.constant) {
    const v = slopes.get(k)?.median ?? NaN;
    if (!(v >= RATE_SEPARATION.constantMin)) bad.push(`${k}: median slope ${v.toFixed(2)} < ${RATE_SEPARATION.constantMin}`);
  }
  return bad;
}

/** The runs of a method whose batch reached b_max, and the median first step at which it did. */
function capReport(outs: readonly RunOutput[]): { runs: number; step: number } {
  const steps = outs.flatMap((o) => {
    const i = o.trace?.b.findIndex((b) => b >= RATE_BMAX) ?? (o.finalB >= RATE_BMAX ? o.steps : -1);
    return i !== undefined && i >= 0 ? [i] : [];
  });
  return { runs: steps.length, step: quantiles(steps, [0.5])[0]! };
}

function build(mode: Mode, outputs: readonly RunOutput[]): Figure[] {
  const s = SETTINGS[mode].rates;
  const groups = bySeedBlocks(outputs, RATE_METHODS.map((m) => ({ key: m.key, seeds: s.seeds })));
  const fitGrid = doublingGrid(s.fitFrom, s.K);
  const Ks = geomInts(2, s.K, 40);
  const labels = RATE_METHODS.map((m) => m.label);
  const REF1 = ['reference ∝ 1/K', 'reference ∝ 1/√K'];
  const REF2 = ['reference: flat (a 1/K rate)', 'reference ∝ √K (a 1/√K rate)'];

  const rows1: Record<string, string | number | null>[] = [];
  const rows2: Record<string, string | number | null>[] = [];
  const atFit0: number[] = [];
  for (const m of RATE_METHODS) {
    const Ws = groups.get(m.key)!.map((o) => windowMean(gradSeries(o, s.K)));
    for (const r of bandRows(m.label, Ks, Ws)) {
      const cut = (v: number): number | null => (Number.isFinite(v) && v > 0 ? v : null);
      rows1.push({ layer: 'band', method: r.method, K: r.x, median: cut(r.median), lo: cut(r.lo), hi: cut(r.hi), seeds: r.n });
      rows2.push({ layer: 'band', method: r.method, K: r.x, median: cut(r.median) === null ? null : r.x * r.median, lo: cut(r.lo) === null ? null : r.x * r.lo, hi: cut(r.hi) === null ? null : r.x * r.hi, seeds: r.n });
    }
    atFit0.push(quantiles(Ws.map((w) => w(s.fitFrom)), [0.5])[0]!);
  }
  // The references start at K_fit (the first grid point of the slopes), at the median over methods of their median W there.
  const y0 = quantiles(atFit0, [0.5])[0]!;
  rows1.push(...refSeries(REF1[0]!, s.fitFrom, s.K, y0, -1, 'K'), ...refSeries(REF1[1]!, s.fitFrom, s.K, y0, -0.5, 'K'));
  rows2.push(...refSeries(REF2[0]!, s.fitFrom, s.K, y0 * s.fitFrom, 0, 'K'), ...refSeries(REF2[1]!, s.fitFrom, s.K, y0 * s.fitFrom, 0.5, 'K'));

  const slopes = rateSlopes(mode, outputs);
  const slopeText = RATE_METHODS.map((m) => `${m.label} ${formatSlope(slopes.get(m.key)!)}`).join('; ');
  const kSlopeText = RATE_METHODS.map((m) => {
    const sl = slopes.get(m.key)!;
    return `${m.label} ${formatSlope(summariseSlopes(sl.perSeed.map((v) => v + 1)))}`;
  }).join('; ');
  const caps = RATE_METHODS.filter((m) => m.controller !== 'constant').map((m) => ({ m, c: capReport(groups.get(m.key)!) }));
  const capText = caps.some(({ c }) => c.runs > 0)
    ? `Runs whose batch reached b_max = 2^24 (from there the batch is constant at 2^24): ${caps.map(({ m, c }) => `${m.label} ${c.runs} of ${s.seeds}${c.runs > 0 ? `, median first step ${c.step}` : ''}`).join('; ')}.`
    : `No batch reached b_max = 2^24 before K = ${s.K}.`;

  const ext1 = positiveExtent(rows1.flatMap((r) => [r['lo'] as number, r['hi'] as number, r['median'] as number]))!;
  const ext2 = positiveExtent(rows2.flatMap((r) => [r['lo'] as number, r['hi'] as number, r['median'] as number]))!;
  const xAxis = logAxis(2, s.K, 'K (steps)', { exact: true });
  const x = { field: 'K', type: 'quantitative', scale: xAxis.scale, axis: xAxis.axis };
  const y1 = logAxis(ext1[0], ext1[1], 'W(K) = mean over K/2 ≤ k < K of ‖∇F(xₖ)‖²');
  const y2 = logAxis(ext2[0], ext2[1], 'K · W(K)');
  const Y1 = { type: 'quantitative', scale: y1.scale, axis: y1.axis };
  const Y2 = { type: 'quantitative', scale: y2.scale, axis: y2.axis };
  const bad = failures(outputs);
  const m0 = RATE_METHODS[0]!.hyper;
  const setup =
    `Problem ${s.problem} started at x★ + ${s.start}·z, z ~ N(0, I): the rotated noisy quadratic (population, h_j = j^(−a), κ = d^a = ${conditionOf(s.problem)} ≥ 2·K_max). ` +
    `It separates the rates over the grid: the gradient noise (covariance H) does not vanish at x★, so a constant batch keeps a noise floor; ` +
    `the directions with h_j < 1/(step·K) have not relaxed by K = ${s.K}, so no method converges linearly; H is not diagonal, so diagonal AdaGrad cannot converge coordinate by coordinate; ` +
    `it is a population, so no batch reaches the full data. ` +
    `The practical (lagged) tests read the statistics of b_k per-sample gradients drawn from their exact Gaussian/Wishart law (gradient source gaussian-stats, O(d²) per step whatever b_k is). ` +
    `${s.seeds} seeds, median line and 10–90% band over seeds; K up to ${s.K}. AdaGrad-Norm α = ${m0['lr']}, β₀ = ${m0['beta0']}; AdaGrad α = 0.5 (the coordinate-wise test skips coordinates with ḡ_j² ≤ 10⁻² · max ḡ²); b₀ = 2. ${capText}` +
    `${bad.length > 0 ? ` ${bad.length} runs did not complete (${bad[0]}).` : ''}`;
  const fitText = `fitted by least squares on K = ${fitGrid.join(', ')}`;
  const common = { width: 520, height: 340 };
  const fig1: Figure = {
    name: 'fig1-rate',
    title: 'Figure 1 — stationarity rate: W(K) = mean_{K/2≤k<K} ||∇F(x_k)||² against K',
    caption:
      `The O(1/K) claims (docs/MATH.md §7 C1–C4): with an adaptive batch-size test, AdaGrad-Norm and diagonal AdaGrad drive the window mean W(K) = mean over K/2 ≤ k < K of ‖∇F(xₖ)‖² down at least like 1/K (the analyses bound Σ_{k<K} ‖∇F(xₖ)‖², and W(K) ≤ 2/K times it); ` +
      `with a constant batch, where the noise does not vanish at stationary points, AdaGrad-Norm and AdaGrad are only guaranteed 1/√K (the negative control of docs/MATH.md §7), and SGD with a constant step and batch stalls at a noise floor. ` +
      `Log-log axes: a rate K^(−p) is a straight line of slope −p; the references start at the median W at K = ${s.fitFrom}. ` +
      `Measured slopes of log W(K) against log K, median [min, max] over seeds, ${fitText}: ${slopeText}. ` +
      `SEBS keeps a constant step, so each stage has its own noise floor ≈ ασ²/(2b): its curve is a staircase that falls as the batch doubles, steepest at the end. ` +
      `The coordinate-wise test asks for more than 1/‖∇F‖² (its T is set by the coordinate with the smallest ḡ_j² above the floor) and is the one that reaches b_max (below).\n\n${setup}`,
    command: reproduceCommand('fig1-rate', mode),
    spec: { ...common, title: { text: 'Stationarity rate (window mean)', subtitle: `${s.problem}, median and 10–90% band over ${s.seeds} seeds` }, resolve: BAND_RESOLVE, layer: bandLayers({ x, y: Y1, scales: methodScales(labels, REF1) }) },
    rows: rows1,
    columns: ['layer', 'method', 'K', 'median', 'lo', 'hi', 'seeds'],
  };
  const fig2: Figure = {
    name: 'fig2-krate',
    title: 'Figure 2 — K · W(K) against K',
    caption:
      `The same runs as figure 1, multiplied by K: an O(1/K) rate is a curve that stays flat or falls; an O(1/√K) rate rises like √K (dashed line), and a plateau (SGD with a constant step) rises like K. ` +
      `Measured slopes of log K·W(K) against log K (≤ 0 is consistent with O(1/K), 0.5 is the 1/√K rate, 1 a plateau), median [min, max] over seeds, ${fitText}: ${kSlopeText}.\n\n${setup}`,
    command: reproduceCommand('fig2-krate', mode),
    spec: { ...common, title: { text: 'K × window mean of the squared gradient norm', subtitle: `${s.problem}, median and 10–90% band over ${s.seeds} seeds` }, resolve: BAND_RESOLVE, layer: bandLayers({ x, y: Y2, scales: methodScales(labels, REF2) }) },
    rows: rows2,
    columns: ['layer', 'method', 'K', 'median', 'lo', 'hi', 'seeds'],
  };
  return [fig1, fig2];
}

/** κ = d^a of an nqm / nqm-rot id (for the captions). */
export function conditionOf(id: string): string {
  const m = /_d(\d+)_i\d+_a(\d+(?:\.\d+)?)$/.exec(id);
  if (m === null) throw new Error(`rates: ${id} is not an nqm/nqm-rot id with its exponent (…_d<d>_i<i>_a<a>)`);
  return String(Math.round(Math.pow(Number(m[1]), Number(m[2]))));
}

export const ratesFamily: FigureFamily = {
  id: 'rates',
  figures: [
    { name: 'fig1-rate', title: 'Figure 1 — stationarity rate' },
    { name: 'fig2-krate', title: 'Figure 2 — K · W(K)' },
  ],
  jobs,
  build,
};
