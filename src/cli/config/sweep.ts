/** Sweep configuration files: validate, expand the grid in its documented order, check every run, and shard. */
import { VARIANTS, type HyperParams } from '../../registry/index.js';
import { runId } from '../canonical.js';
import { checkRun, ProblemCache, type Origin } from './check.js';
import { ConfigFileError, dedupe, dropUndefined, zodIssues, type ConfigIssue } from './issues.js';
import { SWEEP_KEYS, resolveTestPooling, sweepConfigSchema, type RunConfig, type SweepConfig } from './schema.js';

/** One run of an expanded sweep. `index` is its position in the expansion order. */
export interface PlannedRun {
  readonly index: number;
  readonly runId: string;
  readonly config: RunConfig;
}

/**
 * Expand a sweep grid to its runs, in this documented order (the first varies slowest):
 * problem (as listed) → method (variants as listed, or optimizer as listed × controller
 * as listed) → grid.hyper fields in alphabetical order of their names, each over its
 * values as listed → seed (as listed, fastest). Each run's `hyper` is the fixed
 * `hyper` merged with one value of every `grid.hyper` field.
 */
export function expandSweep(s: SweepConfig): PlannedRun[] {
  const methods: { variant?: string; optimizer: string; controller: string; i: number; j: number }[] = [];
  if (s.grid.variant !== undefined) {
    s.grid.variant.forEach((name, i) => {
      const v = VARIANTS.find((x) => x.name === name)!;
      methods.push({ variant: name, optimizer: v.optimizer, controller: v.controller, i, j: i });
    });
  } else {
    s.grid.optimizer!.forEach((o, i) => s.grid.controller!.forEach((c, j) => methods.push({ optimizer: o, controller: c, i, j })));
  }
  const gridHyper = (s.grid.hyper ?? {}) as Record<string, unknown[] | undefined>;
  const hyperKeys = Object.keys(gridHyper).filter((k) => gridHyper[k] !== undefined).sort();
  let combos: Record<string, unknown>[] = [{}];
  for (const k of hyperKeys) {
    const next: Record<string, unknown>[] = [];
    for (const c of combos) for (const v of gridHyper[k]!) next.push({ ...c, [k]: v });
    combos = next;
  }
  const out: PlannedRun[] = [];
  for (const problem of s.grid.problem) {
    for (const m of methods) {
      for (const h of combos) {
        for (const seed of s.grid.seed) {
          const config: RunConfig = dropUndefined({
            problem,
            variant: m.variant,
            optimizer: m.optimizer,
            controller: m.controller,
            hyper: dropUndefined({ ...(s.hyper ?? {}), ...h }) as HyperParams,
            budget: dropUndefined({ ...s.budget }),
            seed,
            evalEvery: s.evalEvery ?? 1,
            replace: s.replace ?? true,
            testPooling: resolveTestPooling(s.testPooling),
          });
          out.push({ index: out.length, runId: runId(config), config });
        }
      }
    }
  }
  return out;
}

/**
 * Validate a sweep configuration (parsed JSON), expand it and build every run's
 * problem, optimizer and controller once, so a bad grid fails before any run starts.
 */
export function parseSweepConfig(raw: unknown, source = 'config', problems = new ProblemCache()): { sweep: SweepConfig; runs: PlannedRun[] } {
  const r = sweepConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigFileError(source, dedupe(zodIssues(r.error, SWEEP_KEYS)));
  const sweep = r.data;
  const runs = expandSweep(sweep);
  const issues: ConfigIssue[] = [];
  const gridHyper = (sweep.grid.hyper ?? {}) as Record<string, unknown[] | undefined>;
  for (const run of runs) {
    const c = run.config;
    const pi = sweep.grid.problem.indexOf(c.problem);
    const vi = c.variant !== undefined ? sweep.grid.variant!.indexOf(c.variant) : -1;
    const origin: Origin = {
      problem: `grid.problem[${pi}]`,
      method: `grid.variant[${vi}]`,
      optimizer: vi >= 0 ? `grid.variant[${vi}]` : `grid.optimizer[${sweep.grid.optimizer!.indexOf(c.optimizer)}]`,
      controller: vi >= 0 ? `grid.variant[${vi}]` : `grid.controller[${sweep.grid.controller!.indexOf(c.controller)}]`,
      hyper: (f) => {
        const vals = gridHyper[f];
        if (vals === undefined) return `hyper.${f}`;
        const v = (c.hyper as Record<string, unknown>)[f];
        return `grid.hyper.${f}[${vals.findIndex((x) => JSON.stringify(x) === JSON.stringify(v))}]`;
      },
      budget: 'budget',
    };
    issues.push(...checkRun(c, origin, problems));
    if (issues.length > 200) break;
  }
  if (issues.length > 0) throw new ConfigFileError(source, dedupe(issues));
  return { sweep, runs };
}

/** Parse `i/n` (1 ≤ i ≤ n). */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (m === null) throw new ConfigFileError('--shard', [{ path: '--shard', message: `expected i/n such as 2/4, got '${s}'` }]);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(count >= 1 && index >= 1 && index <= count)) {
    throw new ConfigFileError('--shard', [{ path: '--shard', message: `expected 1 ≤ i ≤ n, got ${index}/${count}` }]);
  }
  return { index, count };
}

/**
 * The deterministic slice `i/n` of a sweep: sort the runs by run_id and keep
 * those whose position p (0-based) has p mod n = i − 1. The slices of 1/n … n/n
 * partition the sweep whatever the machine or the number of workers.
 */
export function shardOf(runs: readonly PlannedRun[], shard: { index: number; count: number }): PlannedRun[] {
  const sorted = [...runs].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  const keep = new Set(sorted.filter((_, p) => p % shard.count === shard.index - 1).map((r) => r.runId));
  return runs.filter((r) => keep.has(r.runId));
}
