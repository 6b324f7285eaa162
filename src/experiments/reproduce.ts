/**
 * `reproduce`: run what the selected figure families need (in parallel, cached
 * per run under OUT/runs/), build their figures, save each as SVG, PNG, CSV and
 * Vega-Lite spec, and write OUT/index.html listing every figure in OUT.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveFigure, type SavedFigure } from '../plot/figure.js';
import { seedData } from './seedData.js';
import { indexHtml } from '../plot/html.js';
import { RunCache } from './cache.js';
import { FAMILIES } from './figures/index.js';
import { describeBackend } from '../backend/index.js';
import type { FigureFamily } from './figures/family.js';
import { runJobs } from './pool.js';
import { SETTINGS } from './settings.js';
import type { Mode, RunJob, RunOutput } from './types.js';

export interface ReproduceOptions {
  readonly mode: Mode;
  /** Output directory (created). */
  readonly out: string;
  /** Figure names, name prefixes (`fig1`) or family ids (`rates`); all when absent. */
  readonly only?: readonly string[];
  /** Worker threads (default: available parallelism); 1 runs everything in this thread. */
  readonly workers?: number;
  /** Ignore cached run outputs. */
  readonly fresh?: boolean;
  /** One progress line (no newline). */
  readonly log?: (line: string) => void;
  /** Progress of runs: done of total (for a bar). */
  readonly onProgress?: (done: number, total: number, label: string, cached: boolean) => void;
}

export interface ReproduceResult {
  readonly out: string;
  readonly figures: readonly SavedFigure[];
  readonly runs: { readonly total: number; readonly cached: number; readonly failed: number };
  readonly seconds: number;
  /** Per figure family: runs, runs computed (not reused), their run time summed (s), time to build the figures (s). */
  readonly timing?: readonly { readonly family: string; readonly runs: number; readonly fresh: number; readonly runS: number; readonly buildS: number }[];
}

/** Families matching the selectors (all when none); an unknown selector throws, listing the known ones. */
export function selectFamilies(only: readonly string[] | undefined): FigureFamily[] {
  if (only === undefined || only.length === 0) return [...FAMILIES];
  const picked = new Set<FigureFamily>();
  for (const sel of only) {
    const s = sel.trim().toLowerCase();
    const hit = FAMILIES.filter((f) => f.id === s || f.figures.some((g) => g.name === s || g.name.startsWith(`${s}-`) || g.name.startsWith(s) && /^fig\d+[a-z]?$/.test(s) && !/^\d/.test(g.name.slice(s.length))));
    if (hit.length === 0) {
      const known = FAMILIES.flatMap((f) => [f.id, ...f.figures.map((g) => g.name)]);
      throw new Error(`unknown figure '${sel}'; known: ${known.join(', ')}`);
    }
    for (const f of hit) picked.add(f);
  }
  return FAMILIES.filter((f) => picked.has(f));
}

/** A rough cost of a job in samples-equivalents, to start long runs first. */
function jobCost(job: RunJob): number {
  const b = job.budget;
  const n = /_n(\d+)_/.exec(job.problem);
  const epochs = b.epochs !== undefined && n !== null ? b.epochs * Number(n[1]) : Infinity;
  const samples = Math.min(b.samples ?? Infinity, epochs, (b.steps ?? Infinity) * (job.hyper.bMax ?? job.hyper.b0 ?? 32));
  const dim = /_d(\d+)/.exec(job.problem);
  return (Number.isFinite(samples) ? samples : 1e5) * (dim !== null ? Number(dim[1]) : 10);
}

const MANIFEST = 'figures.json';

function readManifest(out: string): SavedFigure[] {
  const p = join(out, MANIFEST);
  if (!existsSync(p)) return [];
  try {
    const m = JSON.parse(readFileSync(p, 'utf8')) as { figures?: SavedFigure[] };
    return (m.figures ?? []).filter((f) => existsSync(join(out, f.files.svg)));
  } catch {
    return [];
  }
}

/** Order of figures on the page: as the families list them. */
function figureOrder(name: string): number {
  let i = 0;
  for (const f of FAMILIES) for (const g of f.figures) {
    if (g.name === name) return i;
    i++;
  }
  return i;
}

/** Run the selected families and write their figures and the index page into opts.out. */
export async function reproduce(opts: ReproduceOptions): Promise<ReproduceResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => {});
  const families = selectFamilies(opts.only);
  mkdirSync(opts.out, { recursive: true });
  const cache = new RunCache(opts.fresh === true ? null : join(opts.out, 'runs'));
  const writeCache = opts.fresh === true ? new RunCache(join(opts.out, 'runs')) : cache;

  const plan = families.map((f) => ({ family: f, jobs: f.jobs(opts.mode) }));
  const all = plan.flatMap((p) => p.jobs);
  log(`reproduce (${opts.mode} mode): ${families.map((f) => f.id).join(', ')} — ${all.length} runs, output in ${opts.out}`);
  let cached = 0;
  let failed = 0;
  const cachedJobs = new Set<RunJob>();
  if (all.length > 0) opts.onProgress?.(0, all.length, '', false);
  const outputs = await runJobs(all, {
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    cache: {
      get: (j: RunJob) => cache.get(j),
      put: (j: RunJob, o: RunOutput) => writeCache.put(j, o),
    } as RunCache,
    cost: jobCost,
    onDone: (job, out, info) => {
      if (info.cached) {
        cached++;
        cachedJobs.add(job);
      }
      if (out.status !== 'completed') failed++;
      opts.onProgress?.(info.done, info.total, job.label, info.cached);
      if (opts.onProgress === undefined) {
        const what = info.cached ? 'cached' : `${(out.wallMs / 1000).toFixed(1)}s`;
        log(`[${info.done}/${info.total}] ${job.label}: ${out.status}, ${out.steps} steps, ${out.samples} samples (${what})`);
      }
    },
  });

  const saved: SavedFigure[] = [];
  // time per figure family: its runs (summed: they ran in parallel with others) and building its figures
  const timing: { family: string; runs: number; fresh: number; runS: number; buildS: number }[] = [];
  let at = 0;
  for (const p of plan) {
    const outs = outputs.slice(at, at + p.jobs.length);
    const fresh = p.jobs.filter((j) => !cachedJobs.has(j));
    const runS = outs.reduce((acc, o, t) => acc + (cachedJobs.has(p.jobs[t]!) ? 0 : o.wallMs / 1000), 0);
    at += p.jobs.length;
    const seeds = seedData(p.family.id, p.jobs, outs);
    const b0 = Date.now();
    for (const fig of p.family.build(opts.mode, outs)) {
      saved.push(await saveFigure(opts.out, fig, { seeds }));
      log(`figure ${fig.name}: ${join(opts.out, `${fig.name}.png`)}`);
    }
    timing.push({ family: p.family.id, runs: p.jobs.length, fresh: fresh.length, runS, buildS: (Date.now() - b0) / 1000 });
  }
  const timingText = timing.map((t) => `${t.family} ${t.runS.toFixed(1)} s in ${t.fresh} of ${t.runs} runs + ${t.buildS.toFixed(1)} s figures`).join('; ');
  for (const t of timing) log(`time ${t.family}: runs ${t.runS.toFixed(1)} s (${t.fresh} computed, ${t.runs - t.fresh} reused; summed over workers), figures ${t.buildS.toFixed(1)} s`);

  const previous = readManifest(opts.out).filter((f) => !saved.some((s) => s.name === f.name));
  const figures = [...previous, ...saved].sort((a, b) => figureOrder(a.name) - figureOrder(b.name));
  writeFileSync(join(opts.out, MANIFEST), `${JSON.stringify({ mode: opts.mode, figures }, null, 2)}\n`);
  const seconds = (Date.now() - t0) / 1000;
  const excluded = SETTINGS[opts.mode].bench.excludeFamilies;
  writeFileSync(
    join(opts.out, 'index.html'),
    indexHtml({
      title: 'adadagrad — reproduced figures',
      intro: [
        `Figures of the adadagrad toolkit (adaptive batch sizes for adaptive gradient methods), made by \`adadagrad reproduce\` in ${opts.mode} mode. Each figure has its data (CSV) and Vega-Lite spec beside it; every run's output is cached under runs/, so a rerun reuses it (add --fresh to recompute).`,
        'In a clone of the repository the command is `npm run reproduce -- [figure] [--quick | --full] [--out DIR]`; `npm start` runs the default mode into results/.',
      ],
      figures,
      notes: [
        `Mode ${opts.mode}: ${describeMode(opts.mode)}`,
        ...(excluded.length > 0 ? [`Left out of the benchmark figures in this mode (slow): the families ${excluded.join(', ')}; --full includes them.`] : []),
        `This call: ${all.length} runs (${cached} reused from runs/, ${failed} did not complete), ${seconds.toFixed(0)} s on backend ${describeBackend()}.`,
        `Time per figure family (run time summed over the worker threads, then building the figures): ${timingText}.`,
      ],
    }),
  );
  log(`index: ${join(opts.out, 'index.html')} (${seconds.toFixed(0)} s)`);
  return { out: opts.out, figures: saved, runs: { total: all.length, cached, failed }, seconds, timing };
}

/** One sentence on the sizes of a mode. */
export function describeMode(mode: Mode): string {
  const s = SETTINGS[mode];
  return [
    `rates K = ${s.rates.K} steps × ${s.rates.seeds} seeds`,
    `batch sizes ${s.batch.K} steps × ${s.batch.seeds} seeds`,
    `complexity ${s.complexity.samples.toExponential(0)} samples × ${s.complexity.seeds} seeds`,
    `SEBS T₁ = ${s.sebs.T1}, ${s.sebs.stages} stages × ${s.sebs.seeds} seeds`,
    `MNIST ${s.mnist.problem}, ${s.mnist.epochs} epochs`,
    `MNIST CNN ${s.cnn.problem}, ${s.cnn.samples.toLocaleString('en-US')} samples`,
    `benchmark ${s.bench.samples.toExponential(0)} samples × ${s.bench.seeds} seeds per problem and method`,
  ].join('; ') + '.';
}
