/** `adadagrad plot`: figures from run traces (`run --out`, `sweep --traces`), one per problem, with an index.html. */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveFigure, type SavedFigure } from '../plot/figure.js';
import { indexHtml } from '../plot/html.js';
import { traceFigures, type TracedRun } from '../plot/traces.js';
import { readJsonl } from '../run/jsonl.js';
import { ensureDir, type CliIO } from './io.js';

export interface PlotOptions {
  readonly inputs: readonly string[];
  readonly out?: string;
  readonly json?: boolean;
}

/** Trace files under the inputs: .jsonl files given directly, DIR/*.jsonl and DIR/runs/*.jsonl (not results.jsonl). */
export function traceFiles(inputs: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const addDir = (d: string): void => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (f.endsWith('.jsonl') && f !== 'results.jsonl' && statSync(p).isFile()) files.push(p);
    }
  };
  for (const inp of inputs) {
    if (!existsSync(inp)) {
      missing.push(inp);
      continue;
    }
    if (statSync(inp).isDirectory()) {
      addDir(inp);
      if (existsSync(join(inp, 'runs')) && statSync(join(inp, 'runs')).isDirectory()) addDir(join(inp, 'runs'));
    } else files.push(inp);
  }
  return { files: [...new Set(files)], missing };
}

function methodOf(meta: { optimizer?: string; controller?: string; config?: unknown } | null): string {
  const c = (meta?.config ?? {}) as { variant?: string; optimizer?: string; controller?: string };
  if (typeof c.variant === 'string') return c.variant;
  const o = c.optimizer ?? meta?.optimizer ?? '?';
  const k = c.controller ?? meta?.controller ?? '?';
  return `${o} / ${k}`;
}

/**
 * Read the traces and write one figure per problem (SVG, PNG, CSV, spec) and an
 * index.html into --out (default `figures`). Exit codes: 0 done; 2 no input, a
 * missing path or no trace in the inputs.
 */
export async function plotCommand(opts: PlotOptions, io: CliIO): Promise<number> {
  if (opts.inputs.length === 0) {
    io.err('adadagrad plot: give result directories or trace files (.jsonl), e.g. adadagrad plot results/sweep-small --out figures/\n');
    return 2;
  }
  const out = opts.out ?? 'figures';
  ensureDir(out, { create: false }); // a bad --out fails here, before any work; nothing is created for bad input
  const { files, missing } = traceFiles(opts.inputs);
  if (missing.length > 0) {
    io.err(`adadagrad plot: no such file or directory: ${missing.join(', ')}\n`);
    return 2;
  }
  const runs: TracedRun[] = [];
  const skipped: string[] = [];
  for (const f of files) {
    try {
      const t = readJsonl(f);
      if (t.meta === null || t.rows.length === 0) {
        skipped.push(f);
        continue;
      }
      runs.push({ problem: t.meta.problem, method: methodOf(t.meta), rows: t.rows });
    } catch {
      skipped.push(f);
    }
  }
  if (runs.length === 0) {
    io.err(`adadagrad plot: no run traces found in ${opts.inputs.join(', ')} (a sweep writes them with --traces; a run with --out FILE.jsonl)\n`);
    return 2;
  }
  ensureDir(out);
  const command = `adadagrad plot ${opts.inputs.join(' ')} --out ${out}`;
  const saved: SavedFigure[] = [];
  for (const fig of traceFigures(runs, { command })) saved.push(await saveFigure(out, fig));
  writeFileSync(
    join(out, 'index.html'),
    indexHtml({
      title: 'adadagrad — figures from run traces',
      intro: [`${runs.length} traced runs from ${opts.inputs.join(', ')}.`],
      figures: saved,
      ...(skipped.length > 0 ? { notes: [`Skipped (not a run trace or empty): ${skipped.join(', ')}`] } : {}),
    }),
  );
  if (opts.json === true) io.out(`${JSON.stringify({ out, runs: runs.length, skipped, figures: saved.map((f) => ({ name: f.name, ...f.files })) })}\n`);
  else io.out(`${saved.length} figure(s) from ${runs.length} runs in ${out}/; open ${out}/index.html\n`);
  return 0;
}
