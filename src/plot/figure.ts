/** A figure: a Vega-Lite spec and its data table, saved as SVG, PNG, CSV and spec JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { toCsv, type Row } from './csv.js';
import { specToSvg, svgToPng } from './render.js';
import { BASE_CONFIG } from './theme.js';

export interface Figure {
  /** File stem, e.g. `fig1-rate`. */
  readonly name: string;
  /** One-line title for the index page. */
  readonly title: string;
  /** What the figure shows and how to read it (HTML allowed: plain text is safest). */
  readonly caption: string;
  /** The command that regenerates it. */
  readonly command: string;
  /** A Vega-Lite spec without `data`: the rows are bound as its top-level data. */
  readonly spec: Record<string, unknown>;
  /** The data, one object per row (long format). */
  readonly rows: readonly Row[];
  /** Column order of the CSV (default: keys in order of appearance). */
  readonly columns?: readonly string[];
}

export interface SavedFigure {
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly command: string;
  /** File names in the output folder; `seeds` is the per-seed (per-run) data behind the figure's medians and bands, when given. */
  readonly files: { readonly svg: string; readonly png: string; readonly csv: string; readonly spec: string; readonly seeds?: string };
}

/** The per-seed data saved beside a figure: one row per run and evaluated point, in its own CSV. */
export interface SeedData {
  /** File name in the output folder, e.g. `rates-seeds.csv` (figures built from the same runs share it). */
  readonly file: string;
  readonly rows: readonly Row[];
  readonly columns?: readonly string[];
}

/** The full spec with the rows inline (what is rendered). */
export function inlineSpec(fig: Figure): TopLevelSpec {
  const config = { ...BASE_CONFIG, ...((fig.spec['config'] as Record<string, unknown> | undefined) ?? {}) };
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...fig.spec, config, data: { values: fig.rows as Row[] } } as unknown as TopLevelSpec;
}

/** The spec as saved: data read from the figure's CSV beside it. */
export function fileSpec(fig: Figure): Record<string, unknown> {
  const config = { ...BASE_CONFIG, ...((fig.spec['config'] as Record<string, unknown> | undefined) ?? {}) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...fig.spec,
    config,
    data: { url: `${fig.name}.csv`, format: { type: 'csv', parse: 'auto' } },
  };
}

/** Render and write `name.svg`, `name.png`, `name.csv`, `name.vl.json` (and the per-seed CSV, when given) into dir. */
export async function saveFigure(dir: string, fig: Figure, opts: { pngScale?: number; seeds?: SeedData } = {}): Promise<SavedFigure> {
  mkdirSync(dir, { recursive: true });
  const svg = await specToSvg(inlineSpec(fig));
  const files = {
    svg: `${fig.name}.svg`, png: `${fig.name}.png`, csv: `${fig.name}.csv`, spec: `${fig.name}.vl.json`,
    ...(opts.seeds !== undefined ? { seeds: opts.seeds.file } : {}),
  };
  writeFileSync(join(dir, files.csv), toCsv(fig.rows, fig.columns));
  if (opts.seeds !== undefined) writeFileSync(join(dir, opts.seeds.file), toCsv(opts.seeds.rows, opts.seeds.columns));
  writeFileSync(join(dir, files.spec), `${JSON.stringify(fileSpec(fig), null, 2)}\n`);
  writeFileSync(join(dir, files.svg), svg);
  writeFileSync(join(dir, files.png), svgToPng(svg, opts.pngScale ?? 2));
  return { name: fig.name, title: fig.title, caption: fig.caption, command: fig.command, files };
}
