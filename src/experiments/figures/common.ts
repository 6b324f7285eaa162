/** Pieces shared by the figure families: methods, job builders, summaries over seeds and spec layers. */
import type { HyperParams } from '../../run/registry.js';
import { quantiles } from '../../plot/stats.js';
export { geomInts, geomGrid, bandRows, stepLookup, BAND_RESOLVE, bandLayers, refSeries } from '../../plot/layers.js';
import type { EvalPoint, EvalSchedule, Mode, RunJob, RunOutput } from '../types.js';
import { modeFlag } from '../settings.js';

/** A method of the figures: registry names and hyperparameters, and its legend label. */
export interface Method {
  readonly key: string;
  readonly label: string;
  readonly optimizer: string;
  readonly controller: string;
  readonly hyper: HyperParams;
}

/** The command that regenerates figures of a family in a mode. */
export function reproduceCommand(figure: string, mode: Mode): string {
  return `adadagrad reproduce ${figure}${modeFlag(mode)}`;
}

/** One job per seed for a method. */
export function seedJobs(
  family: string,
  m: Method,
  o: { problem: string; budget: RunJob['budget']; seeds: number; replace: boolean; evals: EvalSchedule; hyper?: HyperParams; trace?: boolean; seed0?: number },
): RunJob[] {
  return Array.from({ length: o.seeds }, (_, r) => ({
    label: `${family}: ${m.key} on ${o.problem}, seed ${(o.seed0 ?? 0) + r}`,
    problem: o.problem,
    optimizer: m.optimizer,
    controller: m.controller,
    hyper: { ...m.hyper, ...(o.hyper ?? {}) },
    budget: o.budget,
    seed: (o.seed0 ?? 0) + r,
    replace: o.replace,
    evals: o.evals,
    ...(o.trace === false ? { trace: false } : {}),
  }));
}

/** Evaluations of a run sorted by samples, with G the running minimum of ||∇F||² (ties and nulls skipped). */
export function runningMinBySamples(evals: readonly EvalPoint[]): { samples: number; G: number }[] {
  const pts = evals.filter((e) => e.G !== null).sort((a, b) => a.samples - b.samples || a.step - b.step);
  const out: { samples: number; G: number }[] = [];
  let m = Infinity;
  for (const p of pts) {
    m = Math.min(m, p.G!);
    out.push({ samples: p.samples, G: m });
  }
  return out;
}

/** Outputs grouped as the jobs were: consecutive blocks of `seeds` outputs per method. */
export function bySeedBlocks<T>(items: readonly T[], blocks: readonly { key: string; seeds: number }[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  let i = 0;
  for (const b of blocks) {
    out.set(b.key, items.slice(i, i + b.seeds));
    i += b.seeds;
  }
  return out;
}

/** Runs that did not complete, for captions ("2 of 8 runs diverged"). */
export function failures(outs: readonly RunOutput[]): string[] {
  return outs.filter((o) => o.status !== 'completed').map((o) => `${o.status}: ${o.message}`);
}

/** The median over seeds of the F or G at x₀. */
export function medianStart(outs: readonly RunOutput[], field: 'F' | 'G'): number {
  const v = outs.map((o) => o.evals.find((e) => e.step === 0)?.[field] ?? NaN);
  return quantiles(v, [0.5])[0]!;
}


/** A median and the range over seeds (or over seeds and configurations): the effect sizes of the captions. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The median and range of `v`. */
export function spread(v: readonly number[]): Spread {
  return { median: quantiles(v, [0.5])[0]!, min: Math.min(...v), max: Math.max(...v) };
}

/** "median (min–max)", three significant digits. */
export const formatSpread = (x: Spread): string => `${x.median.toPrecision(3)} (${x.min.toPrecision(3)}–${x.max.toPrecision(3)})`;
