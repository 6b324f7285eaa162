/**
 * Function variants for checkRate that do not go through `run`'s sampling:
 * the deterministic method (g_k = ∇F(x_k), docs/MATH.md §8 L7) and the noisy quadratic
 * model with its batch mean drawn exactly (cost O(d) per step whatever b is).
 */
import { constant } from '../batching/controllers.js';
import type { Controller } from '../batching/controllers.js';
import type { GradientTransformation } from '../optim/transform.js';
import type { Problem } from '../problem/types.js';
import { split, stream, type Key } from '../rng/index.js';
import { sqNorm } from '../run/vec.js';
import { initStep, step, type GradientSource, type StepEnv } from '../run/step.js';
import type { SeriesVariant, VariantSeries } from './rate.js';

/**
 * The deterministic method: g_k = ∇F(x_k) from `problem.gradient` (the step's 'exact'
 * gradient source, no sampling), x_{k+1} = x_k + u_k with the optimizer's update;
 * x₀ = problem.x0(split(key)[0]), as `run` would draw it. Each step counts n samples
 * (1 for a population problem). Returns ||∇F(x_k)||², k < K, and x₀ (for the L7 bound).
 *
 * @example
 * checkRate({ variant: exactGradient(() => adagradNorm(0.5, 0.1)), problem, bound: adagradNormL7Bound(problem, { alpha: 0.5, beta0: 0.1 }), key: key(0) });
 */
export function exactGradient(optimizer: () => GradientTransformation<any>, name = 'deterministic'): SeriesVariant {
  const f = (problem: Problem, K: number, k: Key): VariantSeries => {
    const [kInit, kData] = split(k, 2) as [Key, Key];
    const x0 = problem.x0(kInit);
    const env: StepEnv = { problem, optimizer: optimizer(), controller: constant(problem.n ?? 1), key: kData, gradient: 'exact' };
    let st = initStep(env, Float64Array.from(x0)).state;
    const out = new Float64Array(K);
    for (let i = 0; i < K; i++) {
      const r = step(env, st, i);
      if (r.record === null) return { gradFNormSq: out.subarray(0, i), x0, status: 'diverged', message: r.status === 'diverged' ? r.message : '' };
      out[i] = r.record.gradNormSq;
      if (r.status === 'diverged') return { gradFNormSq: out.subarray(0, i + 1), x0, status: 'diverged', message: r.message };
      st = r.state;
    }
    return { gradFNormSq: out, x0, status: 'completed' };
  };
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

/**
 * The gradient source of the noisy quadratic model with the batch mean drawn exactly:
 * ḡ = H(x − x★) − √(H/b) z with z ~ N(0, I) from one stream of `key` (the loss is not
 * computed). Stateful through its stream: make one per run.
 */
export function nqmBatchMeanSource(h: Float64Array, xStar: Float64Array, key: Key): GradientSource {
  const z = stream(key);
  return {
    name: 'nqm-exact-batch',
    gradient(r) {
      const d = r.x.length;
      const g = new Float64Array(d);
      for (let j = 0; j < d; j++) g[j] = h[j]! * (r.x[j]! - xStar[j]!) - Math.sqrt(h[j]! / r.b) * z.nextNormal();
      return { g, loss: null, summary: null, batch: null };
    },
  };
}

/**
 * The noisy quadratic model (family `nqm`) with the batch mean drawn exactly:
 * per-sample gradients are H(x − ξ_i) with ξ_i ~ N(x★, H⁻¹), so the mean of b of
 * them is H(x − ξ̄) with ξ̄ ~ N(x★, H⁻¹/b) — the same law as `run` sampling b
 * draws, at O(d) cost for any b (the oracle's b grows like 1/||∇F||²). It is `run`'s
 * step with the gradient source {@link nqmBatchMeanSource}.
 * Only for controllers that need no batch statistics (oracle, constant,
 * schedules). The problem may be wrapped (withNoiseAlong): it is recognised by its family and `info`.
 */
export function nqmExactBatch(
  optimizer: () => GradientTransformation<any>,
  controller: (problem: Problem) => Controller<any>,
  name = 'nqm-exact-batch',
): SeriesVariant {
  const f = (problem: Problem, K: number, k: Key): VariantSeries => {
    const info = (problem as { info?: Readonly<Record<string, unknown>> }).info;
    const h = info?.['spectrum'];
    const xStar = info?.['xStar'];
    if (problem.family !== 'nqm' || !(h instanceof Float64Array) || !(xStar instanceof Float64Array)) {
      throw new Error(`nqmExactBatch: ${problem.id} is not a noisy quadratic model (family nqm with info.spectrum, info.xStar)`);
    }
    const ctl = controller(problem);
    if (ctl.needs === 'stats') throw new Error(`nqmExactBatch: controller ${ctl.name} needs batch statistics; use run() with problem.sample instead`);
    const [kInit, kData] = split(k, 2) as [Key, Key];
    const x0 = problem.x0(kInit);
    const env: StepEnv = { problem, optimizer: optimizer(), controller: ctl, key: kData, gradient: nqmBatchMeanSource(h, xStar, kData) };
    let st = initStep(env, Float64Array.from(x0)).state;
    const out = new Float64Array(K);
    for (let i = 0; i < K; i++) {
      out[i] = sqNorm(problem.gradient(st.x));
      const r = step(env, st, i);
      if (r.status === 'diverged') return { gradFNormSq: out.subarray(0, i + 1), x0, status: 'diverged', message: r.message };
      st = r.state;
    }
    return { gradFNormSq: out, x0, status: 'completed' };
  };
  Object.defineProperty(f, 'name', { value: name });
  return f;
}
