/**
 * Fonts for figures. The PNG renderer (resvg) draws text only with a font file it
 * is given, and vega lays text out with widths it measures: both use DejaVu Sans
 * from the npm package `dejavu-fonts-ttf` (installed by `npm ci`, no system font
 * needed), falling back to Debian's fonts-dejavu-core. Widths come from the
 * font's own advance table (cmap + hmtx), so legends and axis titles are laid out
 * as they are drawn.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The family name written into specs and SVG. */
export const FONT_FAMILY = 'DejaVu Sans';

const SYSTEM_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/TTF', '/usr/share/fonts/dejavu'];

/** Paths of DejaVuSans.ttf and DejaVuSans-Bold.ttf, or null when neither the npm package nor a system copy is there. */
export function fontFiles(): { regular: string; bold: string | null } | null {
  const dirs: string[] = [];
  try {
    const req = createRequire(import.meta.url);
    dirs.push(join(dirname(req.resolve('dejavu-fonts-ttf/package.json')), 'ttf'));
  } catch {
    // not installed: try the system fonts
  }
  dirs.push(...SYSTEM_DIRS);
  for (const d of dirs) {
    const regular = join(d, 'DejaVuSans.ttf');
    if (existsSync(regular)) {
      const bold = join(d, 'DejaVuSans-Bold.ttf');
      return { regular, bold: existsSync(bold) ? bold : null };
    }
  }
  return null;
}

/** Advance widths of a TrueType font, in units of the em. */
export interface FontMetrics {
  /** Width of `text` at `size` px. */
  width(text: string, size: number): number;
}

/** Parse the cmap (format 4 or 12) and hmtx tables of a TrueType file. */
export function parseTtfMetrics(buf: Uint8Array): FontMetrics {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const numTables = dv.getUint16(4);
  const tables = new Map<string, number>();
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    const tag = String.fromCharCode(dv.getUint8(rec), dv.getUint8(rec + 1), dv.getUint8(rec + 2), dv.getUint8(rec + 3));
    tables.set(tag, dv.getUint32(rec + 8));
  }
  const need = (t: string): number => {
    const o = tables.get(t);
    if (o === undefined) throw new Error(`font: no '${t}' table`);
    return o;
  };
  const unitsPerEm = dv.getUint16(need('head') + 18);
  const numHMetrics = dv.getUint16(need('hhea') + 34);
  const hmtx = need('hmtx');
  const advance = (glyph: number): number => dv.getUint16(hmtx + 4 * Math.min(glyph, numHMetrics - 1));

  // cmap: prefer format 12 (full Unicode), else format 4 (BMP).
  const cmap = need('cmap');
  const nSub = dv.getUint16(cmap + 2);
  let f4 = -1;
  let f12 = -1;
  for (let i = 0; i < nSub; i++) {
    const platform = dv.getUint16(cmap + 4 + 8 * i);
    const enc = dv.getUint16(cmap + 6 + 8 * i);
    const off = cmap + dv.getUint32(cmap + 8 + 8 * i);
    const format = dv.getUint16(off);
    if (platform === 3 || platform === 0) {
      if (format === 12) f12 = off;
      else if (format === 4 && (platform === 0 || enc === 1)) f4 = off;
    }
  }
  let glyphOf: (cp: number) => number;
  if (f12 >= 0) {
    const nGroups = dv.getUint32(f12 + 12);
    glyphOf = (cp) => {
      let lo = 0;
      let hi = nGroups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = f12 + 16 + 12 * mid;
        const start = dv.getUint32(g);
        const end = dv.getUint32(g + 4);
        if (cp < start) hi = mid - 1;
        else if (cp > end) lo = mid + 1;
        else return dv.getUint32(g + 8) + (cp - start);
      }
      return 0;
    };
  } else if (f4 >= 0) {
    const segX2 = dv.getUint16(f4 + 6);
    const ends = f4 + 14;
    const starts = ends + segX2 + 2;
    const deltas = starts + segX2;
    const ranges = deltas + segX2;
    glyphOf = (cp) => {
      if (cp > 0xffff) return 0;
      for (let s = 0; s < segX2; s += 2) {
        if (cp > dv.getUint16(ends + s)) continue;
        const start = dv.getUint16(starts + s);
        if (cp < start) return 0;
        const delta = dv.getInt16(deltas + s);
        const ro = dv.getUint16(ranges + s);
        if (ro === 0) return (cp + delta) & 0xffff;
        const gi = dv.getUint16(ranges + s + ro + 2 * (cp - start));
        return gi === 0 ? 0 : (gi + delta) & 0xffff;
      }
      return 0;
    };
  } else {
    throw new Error('font: no Unicode cmap subtable');
  }
  const cache = new Map<number, number>();
  const em = (cp: number): number => {
    let w = cache.get(cp);
    if (w === undefined) {
      w = advance(glyphOf(cp)) / unitsPerEm;
      cache.set(cp, w);
    }
    return w;
  };
  return {
    width(text: string, size: number): number {
      let w = 0;
      for (const ch of text) w += em(ch.codePointAt(0)!);
      return w * size;
    },
  };
}

let loaded: { files: { regular: string; bold: string | null } | null; regular: FontMetrics | null; bold: FontMetrics | null } | null = null;

/** The fonts and their metrics, loaded once. */
export function fonts(): { files: { regular: string; bold: string | null } | null; regular: FontMetrics | null; bold: FontMetrics | null } {
  if (loaded === null) {
    const files = fontFiles();
    const regular = files === null ? null : parseTtfMetrics(readFileSync(files.regular));
    const bold = files?.bold ? parseTtfMetrics(readFileSync(files.bold)) : null;
    loaded = { files, regular, bold };
  }
  return loaded;
}
