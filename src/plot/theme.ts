/** Shared look of the figures: font, sizes, one colour and dash per method, log axes labelled 10ⁿ. */
import { FONT_FAMILY } from './fonts.js';

/** Vega-Lite `config` for every figure. */
export const BASE_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 8,
  view: { stroke: '#888', strokeWidth: 0.8 },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    grid: true,
    gridColor: '#e6e6e6',
    domainColor: '#555',
    tickColor: '#555',
    labelColor: '#222',
    titleColor: '#222',
    titlePadding: 6,
  },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 'bold',
    symbolStrokeWidth: 2.5,
    symbolSize: 220,
    labelLimit: 320,
    rowPadding: 3,
  },
  title: { fontSize: 13, fontWeight: 'bold', anchor: 'start', offset: 8, subtitleFontSize: 11, subtitleColor: '#444' },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
  line: { strokeWidth: 2 },
  concat: { spacing: 28 },
} as const;

/** Colour-blind-safe palette (Okabe–Ito, with black last). */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'] as const;

/** Dash patterns in the same order, so curves stay distinct in grey print. */
export const DASHES: readonly (readonly number[])[] = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 2], [1, 3], [10, 4], [3, 6]];

/** Greys and dots of reference lines (power laws, caps), listed after the methods in a legend. */
export const REF_COLORS = ['#222222', '#555555', '#888888'] as const;
export const REF_DASHES: readonly (readonly number[])[] = [[2, 3], [7, 3], [1, 2]];

/**
 * A colour and dash for each of `labels`, in order, then grey dotted styles for
 * the reference lines `refs` (for `scale.domain/range` of color and strokeDash).
 */
export function methodScales(
  labels: readonly string[],
  refs: readonly string[] = [],
): {
  color: { domain: string[]; range: string[] };
  strokeDash: { domain: string[]; range: number[][] };
} {
  return {
    color: { domain: [...labels, ...refs], range: [...labels.map((_, i) => PALETTE[i % PALETTE.length]!), ...refs.map((_, i) => REF_COLORS[i % REF_COLORS.length]!)] },
    strokeDash: {
      domain: [...labels, ...refs],
      range: [...labels.map((_, i) => [...DASHES[i % DASHES.length]!]), ...refs.map((_, i) => [...REF_DASHES[i % REF_DASHES.length]!])],
    },
  };
}

const SUP: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 10ⁿ written with superscripts ("1" for n = 0, "10" for n = 1). */
export function powerLabel(n: number): string {
  if (n === 0) return '1';
  if (n === 1) return '10';
  return `10${String(n).split('').map((c) => SUP[c] ?? c).join('')}`;
}

/** A Vega expression giving powerLabel(round(log10(datum.value))). */
export function powerLabelExpr(): string {
  let e = "format(round(log(datum.value) / LN10), 'd')";
  for (const [c, s] of Object.entries(SUP)) e = `replace(${e}, regexp('${c}', 'g'), '${s}')`;
  return `datum.value == 1 ? '1' : datum.value == 10 ? '10' : '10' + ${e}`;
}

/** Powers of ten inside [lo, hi], thinned to at most `maxTicks` (every 2nd, 3rd… exponent). */
export function decades(lo: number, hi: number, maxTicks = 9): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  const step = Math.max(1, Math.ceil((b - a + 1) / maxTicks));
  const out: number[] = [];
  for (let e = a; e <= b; e++) if ((e - a) % step === 0) out.push(Math.pow(10, e));
  return out;
}

/** Scale and axis of a log-scaled position channel over [lo, hi] (rounded out to decades unless `exact`), ticks and labels at 10ⁿ. */
export function logAxis(
  lo: number,
  hi: number,
  title: string | string[],
  opts: { maxTicks?: number; exact?: boolean } = {},
): { scale: Record<string, unknown>; axis: Record<string, unknown> } {
  const maxTicks = opts.maxTicks ?? 9;
  const a = opts.exact === true ? lo : Math.pow(10, Math.floor(Math.log10(lo) + 1e-9));
  const b = opts.exact === true ? hi : Math.pow(10, Math.ceil(Math.log10(hi) - 1e-9));
  return {
    scale: { type: 'log', domain: [a, b], nice: false },
    axis: { title, values: decades(a, b, maxTicks), labelExpr: powerLabelExpr(), labelFlush: true },
  };
}

/** The finite positive extent of values (null when there is none). */
export function positiveExtent(values: Iterable<number | null | undefined>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !(v > 0) || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Axis of a linear position channel whose ticks read as plain numbers (20, 40, … 100; 0.5, 1,
 * 1.5), as a paper prints them. The format is `~f`, not `~g`: Vega gives `g` a precision from
 * the tick step, so `~g` turns 20 … 100 into 2e+1 … 1e+2.
 */
export function linearAxis(opts: { tickCount: number; title?: string | string[] }): Record<string, unknown> {
  return { ...(opts.title !== undefined ? { title: opts.title } : {}), tickCount: opts.tickCount, format: '~f', labelFlush: true };
}
