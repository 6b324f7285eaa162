/**
 * Function variants for checkRate that do not go through `run`'s sampling:
 * the deterministic method (g_k = ∇F(x_k), docs/MATH.md §8 L7) and the noisy quadratic
 * model with its batch mean drawn exactly (cost O(d) per step whatever b is).
 */
import type { Controller, ControllerContext, ControllerState } from '../batching/controllers.js';
import type { GradientTransformation, StepContext } from '../optim/transform.js';
import type { Problem } from '../problem/types.js';
import { split, stream, type Key } from '../rng/index.js';
import type { SeriesVariant, VariantSeries } from './rate.js';

function sqNorm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}

function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

/**
 * The deterministic method: g_k = ∇F(x_k) from `problem.gradient` (no sampling),
 * x_{k+1} = x_k + u_k with the optimizer's update; x₀ = problem.x0(split(key)[0]),
 * as `run` would draw it. Returns ||∇F(x_k)||², k < K, and x₀ (for the L7 bound).
 *
 * @example
 * checkRate({ variant: exactGradient(() => adagradNorm(0.5, 0.1)), problem, bound: adagradNormL7Bound(problem, { alpha: 0.5, beta0: 0.1 }), key: key(0) });
 */
export function exactGradient(optimizer: () => GradientTransformation<any>, name = 'deterministic'): SeriesVariant {
  const f = (problem: Problem, K: number, k: Key): VariantSeries => {
    const [kInit] = split(k, 2) as [Key, Key];
    const x0 = problem.x0(kInit);
    const opt = optimizer();
    let x = Float64Array.from(x0);
    let s = opt.init(x);
    const out = new Float64Array(K);
    for (let step = 0; step < K; step++) {
      const g = problem.gradient(x);
      const G = sqNorm(g);
      if (!Number.isFinite(G)) return { gradFNormSq: out.subarray(0, step), x0, status: 'diverged', message: `non-finite gradient at step ${step}` };
      out[step] = G;
      const ctx: StepContext = { step, batchSize: problem.n ?? 1, samples: step * (problem.n ?? 1), loss: NaN, lrScale: 1 };
      const [u, s2] = opt.update(g, s, x, ctx);
      const xn = x.map((v, i) => v + u[i]!);
      if (!allFinite(xn)) return { gradFNormSq: out.subarray(0, step + 1), x0, status: 'diverged', message: `non-finite iterate after step ${step}` };
      x = xn;
      s = s2;
    }
    return { gradFNormSq: out, x0, status: 'completed' };
  };
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

/**
 * The noisy quadratic model (family `nqm`) with the batch mean drawn exactly:
 * per-sample gradients are H(x − ξ_i) with ξ_i ~ N(x★, H⁻¹), so the mean of b of
 * them is H(x − ξ̄) with ξ̄ ~ N(x★, H⁻¹/b) — the same law as `run` sampling b
 * draws, at O(d) cost for any b (the oracle's b grows like 1/||∇F||²).
 * Only for controllers that need no batch statistics (oracle, constant,
 * schedules): the controller sees `null` statistics, as `run` gives for b < 2.
 * The problem may be wrapped (withNoiseAlong): it is recognised by its family and `info`.
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
    if (ctl.needsStats) throw new Error(`nqmExactBatch: controller ${ctl.name} needs batch statistics; use run() with problem.sample instead`);
    const d = problem.dim;
    const [kInit, kData] = split(k, 2) as [Key, Key];
    const x0 = problem.x0(kInit);
    const opt = optimizer();
    let x = Float64Array.from(x0);
    let s = opt.init(x);
    let samples = 0;
    let cs: ControllerState = ctl.init({ step: -1, samples: 0, x, problem, loss: NaN } satisfies ControllerContext);
    const out = new Float64Array(K);
    const z = stream(kData);
    for (let step = 0; step < K; step++) {
      out[step] = sqNorm(problem.gradient(x));
      const b = cs.b;
      const g = new Float64Array(d);
      for (let j = 0; j < d; j++) g[j] = h[j]! * (x[j]! - xStar[j]!) - Math.sqrt(h[j]! / b) * z.nextNormal();
      const ctx: StepContext = { step, batchSize: b, samples, loss: NaN, lrScale: cs.lrScale };
      const [u, s2] = opt.update(g, s, x, ctx);
      const xn = x.map((v, i) => v + u[i]!);
      samples += b;
      if (!allFinite(xn)) return { gradFNormSq: out.subarray(0, step + 1), x0, status: 'diverged', message: `non-finite iterate after step ${step}` };
      x = xn;
      s = s2;
      cs = ctl.next(null, cs, { step, samples, x, problem, loss: NaN })[1];
    }
    return { gradFNormSq: out, x0, status: 'completed' };
  };
  Object.defineProperty(f, 'name', { value: name });
  return f;
}
