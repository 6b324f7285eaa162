/**
 * Vega-Lite spec → SVG (vega's View in Node, headless) → PNG (resvg), with text
 * measured and drawn in DejaVu Sans (see fonts.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, fonts } from './fonts.js';

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');

let libs: Promise<{ vega: Vega; vl: VegaLite }> | null = null;

/**
 * vega and vega-lite, imported on first use: vega's Node build has a top-level
 * await (it probes for node-canvas), so a static import would stop CommonJS
 * hosts (the tslab Jupyter kernel) from loading this module with require().
 */
function load(): Promise<{ vega: Vega; vl: VegaLite }> {
  libs ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return libs;
}

let metricsInstalled = false;

/** Make vega measure text with the font's own advance widths (once per process). */
export async function installTextMetrics(): Promise<boolean> {
  if (metricsInstalled) return true;
  const { vega } = await load();
  const f = fonts();
  if (f.regular === null) return false;
  const regular = f.regular;
  const bold = f.bold ?? f.regular;
  const tm = (vega as unknown as { textMetrics: { width: (item: Record<string, unknown>, text?: unknown) => number } }).textMetrics;
  tm.width = (item, text) => {
    const s = text === undefined || text === null ? '' : String(text).trim();
    const size = item['fontSize'] != null ? Number(item['fontSize']) || 0 : 11;
    const w = item['fontWeight'];
    const isBold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
    return (isBold ? bold : regular).width(s, size);
  };
  metricsInstalled = true;
  return true;
}

/** Compile a Vega-Lite spec and render it to an SVG string. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, vl } = await load();
  await installTextMetrics();
  // Vega-Lite warns when merged legends of concatenated panels differ only in being hidden: nothing to act on.
  const vg = vl.compile(spec, { logger: vega.logger(vega.None) }).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise an SVG with resvg at `scale` × its size (default 2, for print). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const f = fonts();
  const font =
    f.files !== null
      ? { loadSystemFonts: false, fontFiles: [f.files.regular, ...(f.files.bold ? [f.files.bold] : [])], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY }
      : { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY };
  const r = new Resvg(svg, { font, fitTo: { mode: 'zoom', value: scale }, background: 'white' });
  return r.render().asPng();
}

/** The 8-byte PNG signature. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
