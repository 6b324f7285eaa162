/** Jobs of the figure reproductions: one run each, serialisable so workers can run them and results can be cached by hash. */
import type { HyperParams } from '../run/registry.js';

/** How much to compute: `quick` for CI (< 2 min), `default` for `npm start` (< 10 min), `full` at paper scale. */
export type Mode = 'quick' | 'default' | 'full';

/**
 * Where to evaluate the exact quantities of a run (always at x₀). Points are iterates x_j after
 * j steps (x_0 is the start); `samples` is the number of samples used to reach x_j.
 * - `steps: 'all'` every iterate; `steps: number[]` these iterate indices;
 * - `samples: number[]` the first iterate whose sample count reaches each checkpoint,
 *   and the last iterate of a completed run.
 */
export interface EvalSchedule {
  readonly steps?: 'all' | readonly number[];
  readonly samples?: readonly number[];
  /** Evaluate ||∇F(x)||² (default true). */
  readonly gradient?: boolean;
  /** Evaluate F(x) (default true). */
  readonly value?: boolean;
  /** Test accuracy (problems with testAccuracy, i.e. MNIST). */
  readonly test?: boolean;
}

/** One run: a problem, an optimizer and a controller by their registry names, hyperparameters, budget and seed. */
export interface RunJob {
  /** Human-readable label for progress lines, e.g. `rates adadagrad-norm seed 3`. */
  readonly label: string;
  readonly problem: string;
  readonly optimizer: string;
  readonly controller: string;
  readonly hyper: HyperParams;
  readonly budget: { readonly steps?: number; readonly samples?: number; readonly epochs?: number };
  readonly seed: number;
  readonly replace: boolean;
  /** Epoch-based sampling (src/run/samplers/epoch.ts): 'epoch-short' is the official DataLoader; absent: i.i.d. batches by problem.sample with `replace`. */
  readonly sampler?: 'epoch' | 'epoch-short';
  /**
   * Where the test statistics are computed (`run`'s `testPooling`, src/run/run.ts). Absent:
   * the whole batch (the unbiased pooled estimator, the default). `form: 'official'`: the
   * official code's M-device form, each device's micro-batches of at most `microBatch`
   * samples pooled by the law of total variance (src/run/sources/officialPooled.ts).
   * Needs the sampled gradient source. Part of the job's hash.
   */
  readonly testPooling?: { readonly devices: number; readonly microBatch?: number; readonly form: 'official' };
  readonly evals: EvalSchedule;
  /**
   * Where ḡ_k (and the batch statistics) come from. Absent or 'sampled': `run`'s default,
   * b_k samples drawn by the sampler through the batch statistics engine. 'gaussian-stats':
   * the batch of b_k Gaussian per-sample gradients summarised by one draw from its exact law
   * (`gaussianStatsSource`, src/run/sources/gaussianStats.ts; families nqm and nqm-rot,
   * population form), O(d²) per step whatever b_k is. Part of the job's hash.
   */
  readonly gradientSource?: 'sampled' | 'gaussian-stats';
  /** Start at x★ + s·z, z ~ N(0, I) (`startNear`, src/testing/separable.ts; problems with info.xStar) instead of problem.x0. */
  readonly startNear?: number;
  /** Keep the per-step columns b, samples, loss (default true). */
  readonly trace?: boolean;
  /**
   * Run the local method of SPEC §6 (`runLocal`) instead of `run`: M workers, H local
   * steps per round, the local batch from b0 to bMax by the norm test (η = hyper.eta)
   * with this estimator. Steps of the output are rounds. The optimizer is each worker's
   * local optimizer; the controller name is only a label.
   */
  readonly local?: { readonly workers: number; readonly localSteps: number; readonly estimator: 'pooled' | 'worker' };
}

/** The exact quantities at one iterate x_j. */
export interface EvalPoint {
  /** Iterate index j (steps taken). */
  readonly step: number;
  /** Samples used to reach x_j. */
  readonly samples: number;
  /** F(x_j) (null when not evaluated or not finite). */
  readonly F: number | null;
  /** ||∇F(x_j)||² (null when not evaluated or not finite). */
  readonly G: number | null;
  readonly testAccuracy?: number | null;
}

/** What a job returns (and what the cache stores). */
export interface RunOutput {
  readonly status: 'completed' | 'diverged' | 'error';
  readonly message: string;
  readonly steps: number;
  readonly samples: number;
  readonly finalB: number;
  readonly wallMs: number;
  readonly evals: readonly EvalPoint[];
  /** Per step k: b_k, samples after step k, batch loss at x_k. */
  readonly trace: { readonly b: readonly number[]; readonly samples: readonly number[]; readonly loss: readonly (number | null)[] } | null;
}
