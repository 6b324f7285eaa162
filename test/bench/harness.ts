/**
 * Benchmark harness helpers: timing with warm-up and median, ratios between cases,
 * a merge-friendly JSON result file, and a readable table. Pure functions apart
 * from `measure` (which calls the clock it is given) and the file helpers, so the
 * logic is checked by test/batching/bench-harness.test.ts on synthetic timings.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One measured case. */
export interface BenchCase {
  /** unique within a run, e.g. `stats_mlp_b4096` or `tfjs_loop_mlp_b4096_wasm` */
  readonly name: string;
  /** what is measured: mean gradient, engine statistics, per-sample loop, tfjs per-sample loop */
  readonly kind: 'mean' | 'stats' | 'loop' | 'tfjs_loop';
  readonly model: string;
  readonly b: number;
  /** 'adadagrad-js' | 'tfjs-cpu' | 'tfjs-wasm' */
  readonly backend: string;
  /** median wall time (ms) for the whole batch (extrapolated when `extrapolated`); null if unavailable */
  readonly median_ms: number | null;
  readonly [extra: string]: unknown;
}

export interface BenchResult {
  readonly cases: BenchCase[];
  readonly ratios: Record<string, number>;
  readonly [extra: string]: unknown;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median: no values');
  for (const x of xs) if (!Number.isFinite(x)) throw new Error(`median: non-finite value ${x}`);
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface MeasureOptions {
  /** untimed runs first (default 1) */
  readonly warmup?: number;
  /** timed runs (default 5) */
  readonly reps?: number;
  /**
   * Keep warming up, round-robin, until the warm-ups have also taken this long in all
   * (default 0): a JIT-compiled step reaches its steady speed only after some number of
   * calls, which a fixed count of one or two does not give a 1 ms function.
   */
  readonly warmupMs?: number;
  /** the wall clock in ms (default performance.now); injectable for tests */
  readonly now?: () => number;
  /** the process CPU clock in ms (default process.cpuUsage user + system); injectable for tests */
  readonly cpuNow?: () => number;
}

export interface Measurement {
  /** median wall time of the timed runs */
  readonly median_ms: number;
  /** median CPU time (all threads of the process) of the timed runs */
  readonly median_cpu_ms: number;
  readonly times_ms: number[];
  readonly cpu_ms: number[];
  readonly warmup: number;
  readonly reps: number;
}

const defaultCpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function checkCounts(where: string, warmup: number, reps: number): void {
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new Error(`${where}: warmup must be an integer ≥ 0, got ${warmup}`);
  if (!(Number.isInteger(reps) && reps >= 1)) throw new Error(`${where}: reps must be an integer ≥ 1, got ${reps}`);
}

/** Run `fn` `warmup` times untimed, then `reps` times timed; report the medians. */
export function measure(fn: () => unknown, opts: MeasureOptions = {}): Measurement {
  return measureInterleaved([fn], opts)[0]!;
}

/**
 * Several functions measured round-robin: all warm-ups first, then in each of
 * `reps` rounds every function once, in order. Interleaving makes the cases of one
 * comparison see the same machine load (the ratio of medians is then fairer on a
 * shared machine than two back-to-back series).
 */
export function measureInterleaved(fns: readonly (() => unknown)[], opts: MeasureOptions = {}): Measurement[] {
  const warmup = opts.warmup ?? 1;
  const reps = opts.reps ?? 5;
  const now = opts.now ?? (() => performance.now());
  const cpuNow = opts.cpuNow ?? defaultCpuNow;
  checkCounts('measure', warmup, reps);
  if (fns.length === 0) throw new Error('measure: no functions');
  const warmupMs = opts.warmupMs ?? 0;
  if (!(warmupMs >= 0)) throw new Error(`measure: warmupMs must be ≥ 0, got ${warmupMs}`);
  let sink: unknown = null;
  // the clock is read only when a minimum time is asked for
  const w0 = warmupMs > 0 ? now() : 0;
  let warmed = 0;
  while (warmed < warmup || (warmupMs > 0 && now() - w0 < warmupMs)) {
    for (const fn of fns) sink = fn();
    warmed++;
  }
  const times = fns.map((): number[] => []);
  const cpu = fns.map((): number[] => []);
  for (let r = 0; r < reps; r++) {
    fns.forEach((fn, f) => {
      const c0 = cpuNow();
      const t0 = now();
      sink = fn();
      const t1 = now();
      const c1 = cpuNow();
      times[f]!.push(t1 - t0);
      cpu[f]!.push(c1 - c0);
    });
  }
  void sink;
  return fns.map((_, f) => ({
    median_ms: median(times[f]!), median_cpu_ms: median(cpu[f]!), times_ms: times[f]!, cpu_ms: cpu[f]!, warmup: warmed, reps,
  }));
}

/** Linear extrapolation of a time measured on `timed` of `total` samples. */
export function extrapolate(ms: number, timed: number, total: number): number {
  if (!(timed >= 1 && total >= timed)) throw new Error(`extrapolate: need 1 ≤ timed ≤ total, got ${timed}, ${total}`);
  return (ms * total) / timed;
}

function find(
  cases: readonly BenchCase[], kind: BenchCase['kind'], model: string, b: number, field: string, backend?: string,
): number | undefined {
  const c = cases.find((x) => x.kind === kind && x.model === model && x.b === b && (backend === undefined || x.backend === backend));
  const v = c?.[field];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * The ratios of the issue, for every (model, b) present:
 *  stats_over_mean_<model>_b<b>       = stats / mean
 *  loop_over_stats_<model>_b<b>       = loop / stats
 *  tfjs_loop_over_stats_<model>_b<b>  = (faster tfjs loop) / stats,
 *  and ..._cpu / ..._wasm for each tfjs backend that ran.
 * A ratio whose cases are missing or unavailable (time null) is left out. `field`
 * picks wall time (the canonical ratios) or CPU time (`median_cpu_ms`); `backend`
 * the adadagrad backend of the mean, stats and loop cases (default 'adadagrad-js').
 */
export function computeRatios(
  cases: readonly BenchCase[],
  field: 'median_ms' | 'median_cpu_ms' = 'median_ms',
  backend = 'adadagrad-js',
): Record<string, number> {
  const out: Record<string, number> = {};
  const pairs = new Map<string, { model: string; b: number }>();
  for (const c of cases) pairs.set(`${c.model}\u0000${c.b}`, { model: c.model, b: c.b });
  for (const { model, b } of pairs.values()) {
    const suffix = `${model}_b${b}`;
    const s = find(cases, 'stats', model, b, field, backend);
    const mean = find(cases, 'mean', model, b, field, backend);
    const loop = find(cases, 'loop', model, b, field, backend);
    if (s === undefined) continue;
    if (mean !== undefined) out[`stats_over_mean_${suffix}`] = s / mean;
    if (loop !== undefined) out[`loop_over_stats_${suffix}`] = loop / s;
    let best: number | null = null;
    for (const be of ['cpu', 'wasm'] as const) {
      const t = find(cases, 'tfjs_loop', model, b, field, `tfjs-${be}`);
      if (t === undefined) continue;
      const r = t / s;
      out[`tfjs_loop_over_stats_${suffix}_${be}`] = r;
      best = best === null ? r : Math.min(best, r);
    }
    if (best !== null) out[`tfjs_loop_over_stats_${suffix}`] = best;
  }
  return out;
}

/**
 * Merge a new result into an existing JSON object (from an earlier run or another
 * benchmark): cases are replaced by name and otherwise kept, ratios are updated key
 * by key, other top-level keys of `existing` are kept unless `update` sets them.
 */
export function mergeResults(existing: unknown, update: BenchResult): BenchResult {
  const base = existing !== null && typeof existing === 'object' && !Array.isArray(existing) ? (existing as Record<string, unknown>) : {};
  const oldCases = Array.isArray(base['cases']) ? (base['cases'] as BenchCase[]) : [];
  const names = new Set(update.cases.map((c) => c.name));
  const oldRatios = base['ratios'] !== null && typeof base['ratios'] === 'object' ? (base['ratios'] as Record<string, number>) : {};
  return {
    ...base,
    ...update,
    cases: [...oldCases.filter((c) => !names.has(c.name)), ...update.cases],
    ratios: { ...oldRatios, ...update.ratios },
  };
}

/** Read `path` (if it exists), merge `update` into it and write it back. */
export function writeMergedJson(path: string, update: BenchResult): BenchResult {
  let existing: unknown = {};
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    try {
      existing = text.trim() === '' ? {} : JSON.parse(text);
    } catch (e) {
      throw new Error(`bench: ${path} exists but is not valid JSON (${(e as Error).message}); refusing to overwrite it`);
    }
  }
  const merged = mergeResults(existing, update);
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

/** A fixed-width text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A time in ms with three significant digits. */
export function fmtMs(ms: number | null): string {
  if (ms === null) return 'n/a';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export interface BenchArgs {
  readonly json: string | null;
  readonly quick: boolean;
  readonly only: string | null;
}

/** Parse `--json FILE`, `--quick`, `--only SUBSTRING` (for profiling one case). */
export function parseArgs(argv: readonly string[]): BenchArgs {
  let json: string | null = null;
  let quick = false;
  let only: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--json' || a === '--only') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${a} needs a value`);
      if (a === '--json') json = v;
      else only = v;
    } else if (a.startsWith('--json=')) json = a.slice(7);
    else if (a.startsWith('--only=')) only = a.slice(7);
    else throw new Error(`bench: unknown argument ${a} (use --json FILE, --quick, --only SUBSTRING)`);
  }
  return { json, quick, only };
}
