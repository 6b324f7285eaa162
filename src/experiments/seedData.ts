/**
 * The per-seed data of a figure family: every run's points, one row per run and
 * point, so the medians and bands of the figures can be recomputed or replotted
 * per seed. Saved as `<family>-seeds.csv` beside the figures. Two kinds of row:
 * `eval` rows are the exact quantities at iterate x_step (reached with `samples`
 * samples); `step` rows are the per-step trace, when the run kept one (batch size
 * b and batch loss of step `step`, `samples` counted after it).
 */
import type { SeedData } from '../plot/figure.js';
import type { RunJob, RunOutput } from './types.js';

export const SEED_COLUMNS = [
  'run', 'problem', 'optimizer', 'controller', 'seed', 'status', 'kind', 'step', 'samples', 'b', 'loss', 'F', 'gradFNormSq', 'testAccuracy',
] as const;

/** Rows for the runs `jobs` (aligned with `outputs`) of the family `familyId`. */
export function seedData(familyId: string, jobs: readonly RunJob[], outputs: readonly RunOutput[]): SeedData {
  if (jobs.length !== outputs.length) throw new Error(`seedData: ${jobs.length} jobs but ${outputs.length} outputs`);
  const rows = jobs.flatMap((job, i) => {
    const out = outputs[i]!;
    const run = { run: job.label, problem: job.problem, optimizer: job.optimizer, controller: job.controller, seed: job.seed, status: out.status };
    const evals = out.evals.map((e) => ({ ...run, kind: 'eval', step: e.step, samples: e.samples, F: e.F, gradFNormSq: e.G, testAccuracy: e.testAccuracy ?? null }));
    const t = out.trace;
    const steps = t === null ? [] : t.b.map((b, k) => ({ ...run, kind: 'step', step: k, samples: t.samples[k] ?? null, b, loss: t.loss[k] ?? null }));
    return [...evals, ...steps];
  });
  return { file: `${familyId}-seeds.csv`, rows, columns: SEED_COLUMNS };
}
