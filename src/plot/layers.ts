/** Reusable figure pieces: grids, median-and-band summaries over seeds, band and reference-line layers. */
import { quantiles } from './stats.js';

/** Geometric grid of integers from lo to hi (inclusive, deduplicated), `perDecade` points per factor 10. */
export function geomInts(lo: number, hi: number, perDecade: number): number[] {
  const out = new Set<number>();
  const n = Math.ceil(Math.log10(hi / lo) * perDecade);
  for (let i = 0; i <= n; i++) out.add(Math.min(hi, Math.round(lo * Math.pow(10, i / perDecade))));
  out.add(hi);
  return [...out].sort((a, b) => a - b);
}

/** Geometric grid of reals from lo to hi, `perDecade` points per factor 10. */
export function geomGrid(lo: number, hi: number, perDecade: number): number[] {
  const n = Math.ceil(Math.log10(hi / lo) * perDecade);
  return Array.from({ length: n + 1 }, (_, i) => Math.min(hi, lo * Math.pow(10, i / perDecade)));
}

/** Median and a quantile band across seeds at each x, from per-seed series (NaN = missing). */
export function bandRows(
  method: string,
  xs: readonly number[],
  perSeed: readonly ((x: number) => number)[],
  q: readonly [number, number] = [0.1, 0.9],
): { method: string; x: number; median: number; lo: number; hi: number; n: number }[] {
  return xs.map((x) => {
    const vals = perSeed.map((f) => f(x)).filter((v) => Number.isFinite(v));
    const [median, lo, hi] = quantiles(vals, [0.5, q[0], q[1]]);
    return { method, x, median: median!, lo: lo!, hi: hi!, n: vals.length };
  });
}

/** Step function lookup: the last value at or before x (NaN before the first point). */
export function stepLookup(pts: readonly { x: number; y: number }[]): (x: number) => number {
  return (x) => {
    let lo = 0;
    let hi = pts.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]!.x <= x) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans < 0 ? NaN : pts[ans]!.y;
  };
}

/** Keeps the bands' fill scale apart from the lines' colour legend (use on the spec holding bandLayers). */
export const BAND_RESOLVE = { scale: { fill: 'independent' }, legend: { fill: 'independent' } } as const;

/** Vega-Lite layers of a median line and a quantile band per method (fields x, median, lo, hi, method); one legend of coloured, dashed strokes. */
export function bandLayers(o: {
  x: Record<string, unknown>;
  y: Record<string, unknown>;
  scales: { color: unknown; strokeDash: unknown };
  filter?: string;
  legendTitle?: string | null;
  band?: boolean;
  legend?: Record<string, unknown> | null;
}): Record<string, unknown>[] {
  const legend = o.legend === undefined ? { title: o.legendTitle ?? null, orient: 'right', symbolType: 'stroke', symbolSize: 500, symbolStrokeWidth: 2.2 } : o.legend;
  const layers: Record<string, unknown>[] = [];
  const filter = o.filter !== undefined ? [{ filter: o.filter }] : [];
  if (o.band !== false) {
    layers.push({
      transform: [...filter, { filter: 'isValid(datum.lo) && isValid(datum.hi) && datum.lo > 0' }],
      mark: { type: 'area', opacity: 0.13, line: false, clip: true },
      encoding: { x: o.x, y: { ...o.y, field: 'lo' }, y2: { field: 'hi' }, fill: { field: 'method', type: 'nominal', scale: o.scales.color, legend: null } },
    });
  }
  layers.push({
    transform: [...filter, { filter: 'isValid(datum.median) && datum.median > 0' }],
    mark: { type: 'line', strokeWidth: 2, clip: true },
    encoding: {
      x: o.x,
      y: { ...o.y, field: 'median' },
      color: { field: 'method', type: 'nominal', scale: o.scales.color, legend },
      strokeDash: { field: 'method', type: 'nominal', scale: o.scales.strokeDash, legend },
    },
  });
  return layers;
}

/**
 * Rows of a power-law reference line y = y0 · (x/x0)^p from x0 to x1, drawn as a
 * series named `ref` by bandLayers (two points: straight on log-log axes).
 */
export function refSeries(ref: string, x0: number, x1: number, y0: number, p: number, xField = 'x', extra: Record<string, string | number> = {}): Record<string, string | number | null>[] {
  return [
    { layer: 'ref', method: ref, [xField]: x0, median: y0, ...extra },
    { layer: 'ref', method: ref, [xField]: x1, median: y0 * Math.pow(x1 / x0, p), ...extra },
  ];
}
