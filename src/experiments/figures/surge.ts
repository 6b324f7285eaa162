/**
 * Figure 11: the optimal learning rate against batch size for sign-like optimizers (Adam,
 * sign-SGD) and for SGD: the surge.
 *
 * The claim (Li et al., "Surge Phenomenon in Optimal Learning Rate and Batch Size
 * Scaling", NeurIPS 2024, arXiv:2405.14578): for SGD the optimal learning rate grows with
 * the batch and levels off; for sign-like updates it first rises and then falls (a surge),
 * with the peak near the noise scale B_noise, which grows as the gradient shrinks, so the
 * peak moves to larger batches as training proceeds. Their analysis of the fall assumes
 * coordinate-independent noise and a Hessian whose off-diagonal part makes sᵀHs grow once
 * the signs s agree (see problems/families/cquad.ts).
 *
 * Runs: constant batch b, constant α from a grid of factor 2, K steps; the optimal α at a
 * stage k ∈ {K/16, K/4, K} is the grid value with the lowest F(x_k) (per seed, refined by a
 * parabola in log α through the best grid value and its neighbours; the same seed's runs
 * share their batches across α). Instance: the coupled quadratic cquad_d20_i0_s10 (ρ = 0.5,
 * noise N(0, 10² I), so that the noise scale B_noise is above b = 1 for most of the run);
 * control: its separable twin cquad_d20_i0_r0_s10 (H = I, same x★ and noise),
 * where the curvature term of a sign step is α² d/2 at every batch and the analysis predicts
 * no fall. Optimizers: SGD α ∈ 2^j/L (j = −3…1), sign-SGD and Adam α ∈ 2^j (j = −6…−2); sign-SGD (Bernstein et al. 2018, as Adam with β₁ = β₂ = 0); Adam (β₁ = 0.9,
 * β₂ = 0.999, ε = 1e-8).
 */
import { problemById } from '../../../problems/registry.js';
import type { Figure } from '../../plot/figure.js';
import { quantiles } from '../../plot/stats.js';
import { logAxis, methodScales, positiveExtent } from '../../plot/theme.js';
import { SETTINGS } from '../settings.js';
import type { Mode, RunJob, RunOutput } from '../types.js';
import { BAND_RESOLVE, bandLayers, failures, reproduceCommand, formatSpread, spread, type Spread } from './common.js';
import type { FigureFamily } from './family.js';

export const SURGE_PROBLEMS = [
  { key: 'coupled', id: 'cquad_d20_i0_s10', label: 'coupled quadratic (ρ = 0.5)', control: false },
  { key: 'separable', id: 'cquad_d20_i0_r0_s10', label: 'control: separable twin (ρ = 0)', control: true },
] as const;

const pow2 = (lo: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo * 2 ** i);

/**
 * The optimizers: registry name, fixed hyperparameters, α grid. sign-SGD is the registry's
 * Adam with β₁ = β₂ = 0 and ε = 1e-150: m = g, √v = |g|, so u_j = g_j/(|g_j| + ε) = sign(g_j) exactly for |g_j| > 1e-134 (and |u_j| < 1 below; ε keeps g² underflow from blowing it up)
 * (0 where g_j = 0), the update x ← x − α sign(g) of Bernstein et al. 2018.
 */
export const SURGE_OPTIMIZERS = [
  { key: 'sgd', label: 'SGD', optimizer: 'sgd', hyper: {}, grid: (L: number) => pow2(1 / 8, 5).map((c) => c / L) },
  { key: 'sign-sgd', label: 'sign-SGD', optimizer: 'adam', hyper: { b1: 0, b2: 0, eps: 1e-150 }, grid: () => pow2(1 / 64, 5) },
  { key: 'adam', label: 'Adam', optimizer: 'adam', hyper: {}, grid: () => pow2(1 / 64, 5) },
] as const;

type Opt = (typeof SURGE_OPTIMIZERS)[number];

function gridOf(o: Opt, problem: string): number[] {
  return o.grid(problemById(problem).constants.L.value);
}

/** The stages k at which the optimal α is read. */
export function surgeStages(K: number): number[] {
  return [Math.round(K / 16), Math.round(K / 4), K];
}

function jobs(mode: Mode): RunJob[] {
  const s = SETTINGS[mode].surge;
  const out: RunJob[] = [];
  for (const p of SURGE_PROBLEMS) {
    for (const o of SURGE_OPTIMIZERS) {
      for (const b of s.batches) {
        for (const lr of gridOf(o, p.id)) {
          for (let seed = 0; seed < s.seeds; seed++) {
            out.push({
              label: `surge: ${o.key} b=${b} lr=${lr.toPrecision(3)} on ${p.id}, seed ${seed}`,
              problem: p.id,
              optimizer: o.optimizer,
              controller: 'constant',
              hyper: { ...o.hyper, lr, b0: b },
              budget: { steps: s.K },
              seed,
              replace: true,
              trace: false,
              evals: { steps: surgeStages(s.K), gradient: false },
            });
          }
        }
      }
    }
  }
  return out;
}

/**
 * The optimal α of one seed at one stage from its F(x_k) over the grid: the best grid
 * value, moved by the vertex of the parabola in (log₂ α, log F) through it and its two
 * neighbours (kept at the grid value at an end of the grid or when the three points are
 * not convex). Diverged or missing runs count as +∞.
 */
export function optimalLr(grid: readonly number[], F: readonly number[]): { lr: number; edge: boolean } {
  const y = F.map((v) => (Number.isFinite(v) && v > 0 ? Math.log(v) : Infinity));
  let j = 0;
  for (let i = 1; i < y.length; i++) if (y[i]! < y[j]!) j = i;
  if (j === 0 || j === y.length - 1) return { lr: grid[j]!, edge: true };
  const [a, b, c] = [y[j - 1]!, y[j]!, y[j + 1]!];
  const den = a - 2 * b + c;
  const off = Number.isFinite(den) && den > 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
  return { lr: grid[j]! * 2 ** off, edge: false };
}

/** Per problem, optimizer, stage and batch: the optimal α of each seed. */
export interface SurgePoint {
  readonly problem: string;
  readonly optimizer: string;
  readonly stage: number;
  readonly b: number;
  readonly lr: readonly number[];
  readonly edges: number;
}

export function surgePoints(mode: Mode, outputs: readonly RunOutput[]): SurgePoint[] {
  const s = SETTINGS[mode].surge;
  const stages = surgeStages(s.K);
  const res: SurgePoint[] = [];
  let i = 0;
  for (const p of SURGE_PROBLEMS) {
    for (const o of SURGE_OPTIMIZERS) {
      const grid = gridOf(o, p.id);
      for (const b of s.batches) {
        // F[lr][seed][stage]
        const F = grid.map(() => {
          const outs = outputs.slice(i, i + s.seeds);
          i += s.seeds;
          return outs.map((out) => stages.map((k) => (out.status === 'completed' ? (out.evals.find((e) => e.step === k)?.F ?? NaN) : NaN)));
        });
        stages.forEach((k, ki) => {
          const opt = Array.from({ length: s.seeds }, (_, r) => optimalLr(grid, F.map((row) => row[r]![ki]!)));
          res.push({ problem: p.key, optimizer: o.key, stage: k, b, lr: opt.map((q) => q.lr), edges: opt.filter((q) => q.edge).length });
        });
      }
    }
  }
  return res;
}

export type { Spread } from './common.js';

/** The surge measures of one problem, optimizer and stage. */
export interface SurgeEffect {
  /** The batch where the median optimal α peaks. */
  readonly peakB: number;
  /** Per seed: max_b α★(b) / α★(b_max) (1: no fall after the peak). */
  readonly fall: Spread;
  /** Per seed: max_b α★(b) / α★(b_min) (1: no rise before the peak). */
  readonly rise: Spread;
}

export function surgeEffects(mode: Mode, outputs: readonly RunOutput[]): Record<string, Record<string, Record<number, SurgeEffect>>> {
  const s = SETTINGS[mode].surge;
  const pts = surgePoints(mode, outputs);
  const out: Record<string, Record<string, Record<number, SurgeEffect>>> = {};
  for (const p of SURGE_PROBLEMS) {
    out[p.key] = {};
    for (const o of SURGE_OPTIMIZERS) {
      out[p.key]![o.key] = {};
      for (const k of surgeStages(s.K)) {
        const row = s.batches.map((b) => pts.find((q) => q.problem === p.key && q.optimizer === o.key && q.stage === k && q.b === b)!);
        const med = row.map((q) => quantiles(q.lr, [0.5])[0]!);
        let pk = 0;
        med.forEach((v, i) => {
          if (v > med[pk]!) pk = i;
        });
        const perSeed = Array.from({ length: s.seeds }, (_, r) => row.map((q) => q.lr[r]!));
        out[p.key]![o.key]![k] = {
          peakB: s.batches[pk]!,
          fall: spread(perSeed.map((v) => Math.max(...v) / v[v.length - 1]!)),
          rise: spread(perSeed.map((v) => Math.max(...v) / v[0]!)),
        };
      }
    }
  }
  return out;
}

const fmt = formatSpread;

function build(mode: Mode, outputs: readonly RunOutput[]): Figure[] {
  const s = SETTINGS[mode].surge;
  const stages = surgeStages(s.K);
  const pts = surgePoints(mode, outputs);
  const eff = surgeEffects(mode, outputs);
  const label = (o: string, k: number): string => `${SURGE_OPTIMIZERS.find((q) => q.key === o)!.label}, k = ${k}`;
  const rows: Record<string, string | number | null>[] = pts.map((q) => {
    const [median, lo, hi] = quantiles(q.lr, [0.5, 0, 1]);
    return { problem: q.problem, optimizer: q.optimizer, stage: q.stage, method: label(q.optimizer, q.stage), x: q.b, median: median!, lo: lo!, hi: hi!, seedsAtGridEnd: q.edges };
  });
  const labels = SURGE_OPTIMIZERS.flatMap((o) => stages.map((k) => label(o.key, k)));
  const scales = methodScales(labels);
  const bMin = s.batches[0]!;
  const bMax = s.batches[s.batches.length - 1]!;
  const xA = logAxis(bMin, bMax, 'batch size b', { exact: true });
  const legend = { title: null, orient: 'bottom', direction: 'vertical', symbolType: 'stroke', symbolSize: 400, symbolStrokeWidth: 2.2, labelLimit: 400 };
  const panel = (p: (typeof SURGE_PROBLEMS)[number], o: Opt, withLegend: boolean): Record<string, unknown> => {
    const sel = rows.filter((r) => r['problem'] === p.key && r['optimizer'] === o.key);
    const ext = positiveExtent(sel.flatMap((r) => [r['lo'] as number, r['hi'] as number])) ?? [1e-3, 1];
    const yA = logAxis(ext[0], ext[1], 'optimal α (grid, refined)');
    return {
      width: 200,
      height: 170,
      title: { text: `${o.label}: ${p.label}`, fontSize: 11 },
      resolve: BAND_RESOLVE,
      layer: [
        ...bandLayers({
          x: { field: 'x', type: 'quantitative', scale: xA.scale, axis: xA.axis },
          y: { type: 'quantitative', scale: yA.scale, axis: yA.axis },
          scales,
          filter: `datum.problem == '${p.key}' && datum.optimizer == '${o.key}'`,
          legend: withLegend ? legend : null,
        }),
        {
          transform: [{ filter: `datum.problem == '${p.key}' && datum.optimizer == '${o.key}'` }],
          mark: { type: 'point', filled: true, size: 25 },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: xA.scale },
            y: { field: 'median', type: 'quantitative', scale: yA.scale },
            color: { field: 'method', type: 'nominal', scale: scales.color, legend: null },
          },
        },
      ],
    };
  };
  const describe = (pk: string): string =>
    SURGE_OPTIMIZERS.map((o) => {
      const st = stages.map((k) => {
        const e = eff[pk]![o.key]![k]!;
        return `k = ${k}: peak at b = ${e.peakB}, fall ${fmt(e.fall)}×, rise ${fmt(e.rise)}×`;
      });
      return `${o.label} (${st.join('; ')})`;
    }).join('; ');
  const edges = pts.reduce((n, q) => n + q.edges, 0);
  const last = stages[stages.length - 1]!;
  const verdict = (['sign-sgd', 'adam'] as const)
    .map((o) => {
      const c = eff['coupled']![o]![last]!;
      const r = eff['separable']![o]![last]!;
      const name = SURGE_OPTIMIZERS.find((q) => q.key === o)!.label;
      return `${name}'s fall at k = ${last} is ${fmt(c.fall)}× on the coupled instance against ${fmt(r.fall)}× on the separable control (${c.fall.min > r.fall.max ? 'larger on every seed: the coupling effect the analysis predicts' : 'not larger on every seed: no surge attributable to the coupling here'})`;
    })
    .join('; ');
  const sgdFalls = SURGE_PROBLEMS.map((p) => eff[p.key]!['sgd']![last]!.fall.max);
  const bad = failures(outputs).filter((m) => !m.startsWith('diverged'));
  return [
    {
      name: 'fig11-surge',
      title: 'Figure 11 — the optimal learning rate against batch size: the surge',
      caption:
        `Optimal constant learning rate (lowest F(x_k) over a factor-2 grid, refined by a parabola in log α) against the batch size, at three stages k of ${s.K}-step runs, for SGD, sign-SGD and Adam (median and range over ${s.seeds} seeds). ` +
        `A surge is an optimal α that rises and then falls with b; "fall" is max_b α★(b)/α★(b = ${bMax}) per seed (1: no fall), "rise" max_b α★(b)/α★(b = ${bMin}). ` +
        `Coupled quadratic ${SURGE_PROBLEMS[0].id}: ${describe('coupled')}. ` +
        `Control, the separable twin ${SURGE_PROBLEMS[1].id}: ${describe('separable')}. ` +
        `Read-out: ${verdict}; SGD's largest fall at k = ${last} over both problems and seeds is ${Math.max(...sgdFalls).toPrecision(3)}×.` +
        `\n\nGrids: SGD α = 2^j/L, j = −3…1; sign-SGD and Adam α = 2^j, j = −6…−2; ${edges} of the per-seed optima sit at a grid end (kept there). Batches with replacement; a diverged run counts as F = +∞.` +
        (bad.length > 0 ? ` ${bad.length} runs did not complete (${bad[0]}).` : ''),
      command: reproduceCommand('fig11-surge', mode),
      spec: {
        title: { text: 'Optimal learning rate against batch size', subtitle: `median and range over ${s.seeds} seeds; one line per stage k` },
        vconcat: SURGE_PROBLEMS.map((p, pi) => ({ hconcat: SURGE_OPTIMIZERS.map((o) => panel(p, o, pi === SURGE_PROBLEMS.length - 1)) })),
      },
      rows,
      columns: ['problem', 'optimizer', 'stage', 'method', 'x', 'median', 'lo', 'hi', 'seedsAtGridEnd'],
    },
  ];
}

export const surgeFamily: FigureFamily = {
  id: 'surge',
  figures: [{ name: 'fig11-surge', title: 'Figure 11 — the learning-rate surge' }],
  jobs,
  build,
};
