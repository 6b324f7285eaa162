/**
 * Figures from run traces (the JSON Lines of `adadagrad run` and `sweep --traces`):
 * per problem, min_{j≤k} ||∇F(x_j)||² against steps and against samples, and the
 * batch size against steps; median and 10–90% band over the runs of each method.
 */
import type { TraceRow } from '../run/trace.js';
import type { Figure } from './figure.js';
import { BAND_RESOLVE, bandLayers, bandRows, geomGrid, geomInts, stepLookup } from './layers.js';
import { logAxis, methodScales, positiveExtent } from './theme.js';

/** One traced run: what it ran (labels) and its rows. */
export interface TracedRun {
  readonly problem: string;
  /** Legend label: a variant name, or `optimizer / controller`. */
  readonly method: string;
  readonly rows: readonly TraceRow[];
}

/** A file-name-safe stem. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The best ||∇F||² so far at each evaluated step: points (k, samples before step k, value). */
function evaluated(rows: readonly TraceRow[]): { k: number; samples: number; G: number }[] {
  const out: { k: number; samples: number; G: number }[] = [];
  let m = Infinity;
  for (const r of rows) {
    if (r.gradFNormSq === null || !Number.isFinite(r.gradFNormSq)) continue;
    m = Math.min(m, r.gradFNormSq);
    out.push({ k: r.k, samples: r.samples - r.b, G: m });
  }
  return out;
}

/** One figure per problem (at most `maxProblems`, in order of first appearance). */
export function traceFigures(runs: readonly TracedRun[], opts: { command: string; maxProblems?: number }): Figure[] {
  const problems = [...new Set(runs.map((r) => r.problem))].slice(0, opts.maxProblems ?? 24);
  const figs: Figure[] = [];
  for (const problem of problems) {
    const mine = runs.filter((r) => r.problem === problem && r.rows.length > 0);
    if (mine.length === 0) continue;
    const methods = [...new Set(mine.map((r) => r.method))];
    const maxK = Math.max(...mine.map((r) => r.rows[r.rows.length - 1]!.k + 1));
    const maxS = Math.max(...mine.map((r) => r.rows[r.rows.length - 1]!.samples));
    const kGrid = geomInts(1, Math.max(1, maxK), 40);
    const sGrid = geomGrid(1, Math.max(2, maxS), 30);
    const rows: Record<string, string | number | null>[] = [];
    for (const method of methods) {
      const rs = mine.filter((r) => r.method === method);
      const ev = rs.map((r) => evaluated(r.rows));
      // min over evaluated j < K (x axis K = steps), and over iterates reached with ≤ S samples.
      const byK = ev.map((e) => stepLookup(e.map((p) => ({ x: p.k + 1, y: p.G }))));
      const byS = ev.map((e) => stepLookup(e.map((p) => ({ x: Math.max(1, p.samples), y: p.G }))));
      const bK = rs.map((r) => stepLookup(r.rows.map((row) => ({ x: row.k + 1, y: row.b }))));
      const n = rs.length;
      for (const r of bandRows(method, kGrid, byK)) rows.push({ panel: 'steps', method, x: r.x, median: r.median, lo: n > 1 ? r.lo : null, hi: n > 1 ? r.hi : null, runs: r.n });
      for (const r of bandRows(method, sGrid, byS)) rows.push({ panel: 'samples', method, x: r.x, median: r.median, lo: n > 1 ? r.lo : null, hi: n > 1 ? r.hi : null, runs: r.n });
      for (const r of bandRows(method, kGrid, bK)) rows.push({ panel: 'batch', method, x: r.x, median: r.median, lo: n > 1 ? r.lo : null, hi: n > 1 ? r.hi : null, runs: r.n });
    }
    const scales = methodScales(methods);
    const gExt = positiveExtent(rows.filter((r) => r['panel'] !== 'batch').flatMap((r) => [r['median'] as number, r['lo'] as number, r['hi'] as number]));
    const bExt = positiveExtent(rows.filter((r) => r['panel'] === 'batch').flatMap((r) => [r['median'] as number, r['lo'] as number, r['hi'] as number]));
    const xK = logAxis(1, Math.max(2, maxK), 'K (steps)', { exact: true });
    const xS = logAxis(1, Math.max(2, maxS), 'samples processed', { exact: true });
    const yG = logAxis(gExt?.[0] ?? 1e-6, gExt?.[1] ?? 1, 'min over k < K of ‖∇F(xₖ)‖²');
    const yB = logAxis(1, Math.max(10, bExt?.[1] ?? 10), 'batch size bₖ');
    const Yg = { type: 'quantitative', scale: yG.scale, axis: yG.axis };
    const legend = { title: null, orient: 'bottom', direction: 'vertical', columns: 2, symbolType: 'stroke', symbolSize: 500, symbolStrokeWidth: 2.2, labelLimit: 400 };
    const panel = (which: string, x: Record<string, unknown>, y: Record<string, unknown>, title: string, withLegend: boolean): Record<string, unknown> => ({
      width: 300,
      height: 240,
      title: { text: title, fontSize: 12 },
      resolve: BAND_RESOLVE,
      layer: bandLayers({ x: { field: 'x', type: 'quantitative', ...x }, y, scales, filter: `datum.panel == '${which}'`, legend: withLegend ? legend : null }),
    });
    const perMethod = methods.map((m) => mine.filter((r) => r.method === m).length);
    const counts = methods.map((m, i) => `${m}: ${perMethod[i]}`).join('; ');
    // The band needs at least two runs of a method; with one run per method there is only the line.
    const banded = perMethod.some((c) => c > 1);
    const summary = !banded
      ? 'one run per method, so each line is that run'
      : perMethod.every((c) => c > 1)
        ? "median and 10–90% band over a method's runs"
        : "median and 10–90% band over a method's runs (a method with one run has its line only)";
    const noEval = gExt === null;
    figs.push({
      name: `${slug(problem)}-trace`,
      title: `${problem}: stationarity and batch sizes`,
      caption: `${mine.length === 1 ? 'One run' : `${mine.length} runs`} on ${problem}, grouped by method (runs per method — ${counts}); ${summary}. Left: min over evaluated k < K of ‖∇F(xₖ)‖² against steps; middle: the same against the samples processed; right: the batch size bₖ.${noEval ? ' No run evaluated ‖∇F‖² (use --eval-every to record it): the first two panels are empty.' : ' Only steps on the evaluation schedule (--eval-every) count in the minimum.'}`,
      command: opts.command,
      spec: {
        title: { text: problem, subtitle: banded ? 'median and 10–90% band over runs' : mine.length === 1 ? 'one run' : 'one run per method' },
        hconcat: [
          panel('steps', { scale: xK.scale, axis: xK.axis }, Yg, 'best ‖∇F‖² against steps', true),
          panel('samples', { scale: xS.scale, axis: xS.axis }, Yg, 'against samples', false),
          panel('batch', { scale: xK.scale, axis: { ...xK.axis, title: 'step k' } }, { type: 'quantitative', scale: yB.scale, axis: yB.axis }, 'batch size', false),
        ],
      },
      rows,
      columns: ['panel', 'method', 'x', 'median', 'lo', 'hi', 'runs'],
    });
  }
  return figs;
}
