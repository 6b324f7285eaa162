/**
 * Gradient transformations: pure (init, update) pairs over flat float64 vectors,
 * composed with `chain` (the shape of optax's GradientTransformation). Updates
 * are added to the parameters: x ← x + u. State is returned, never mutated.
 */
import { RULES, satisfies } from '../registry/validate.js';

/** What every update sees at step k (decided on day one, so no transform needs extra arguments later). */
export interface StepContext {
  /** Step index k (0-based). */
  readonly step: number;
  /** Batch size b_k used for this gradient. */
  readonly batchSize: number;
  /** Samples processed before this step. */
  readonly samples: number;
  /** Mean loss of the batch. */
  readonly loss: number;
  /** A multiplier on the learning rate set by the batch-size controller (stagewise and Smith et al. schedules); 1 otherwise. */
  readonly lrScale: number;
}

export interface GradientTransformation<S = unknown> {
  readonly name: string;
  init(params: Float64Array): S;
  /** Map the gradient to an update; returns [update, newState]. Must not mutate its inputs. */
  update(grad: Float64Array, state: S, params: Float64Array, ctx: StepContext): [Float64Array, S];
  /** Read-back of the state for traces (e.g. the current learning rate or accumulator). */
  inspect?(state: S): Record<string, number>;
}

/** A learning rate: a constant, or a schedule of the step context. */
export type LearningRate = number | ((ctx: StepContext) => number);

export function checkPositive(where: string, field: string, v: number): void {
  if (!satisfies(v, RULES.positive)) {
    throw new Error(`${where}: ${field} must be a positive finite number, got ${String(v)}`);
  }
}

export function checkInRange(where: string, field: string, v: number, lo: number, hi: number): void {
  if (!satisfies(v, { min: lo, max: hi, maxOpen: true })) {
    throw new Error(`${where}: ${field} must be in [${lo}, ${hi}), got ${String(v)}`);
  }
}

/**
 * Compose transformations left to right: the update of one is the gradient of the next.
 *
 * @example
 * const opt = chain(scaleByAdagradNorm(1), scaleByLearningRate(0.1));
 * const s = opt.init(new Float64Array(2));
 * opt.update(Float64Array.of(3, 4), s, new Float64Array(2), ctx)[0]; // −0.1·(3,4)/√(1+25)
 */
export function chain(...ts: GradientTransformation<any>[]): GradientTransformation<unknown[]> {
  return {
    name: ts.map((t) => t.name).join('+'),
    init: (params) => ts.map((t) => t.init(params)),
    update(grad, state, params, ctx) {
      let u = grad;
      const next: unknown[] = [];
      ts.forEach((t, i) => {
        const [u2, s2] = t.update(u, state[i], params, ctx);
        u = u2;
        next.push(s2);
      });
      return [u, next];
    },
    inspect(state) {
      const out: Record<string, number> = {};
      ts.forEach((t, i) => Object.assign(out, t.inspect?.(state[i]) ?? {}));
      return out;
    },
  };
}

/** u = −α_k · g, with α_k the learning rate times the controller's lrScale. Its state records the last α_k. */
export function scaleByLearningRate(lr: LearningRate): GradientTransformation<{ lr: number }> {
  if (typeof lr === 'number') checkPositive('scaleByLearningRate', 'lr', lr);
  return {
    name: 'lr',
    init: () => ({ lr: typeof lr === 'number' ? lr : NaN }),
    update(g, _s, _p, ctx) {
      const a = (typeof lr === 'number' ? lr : lr(ctx)) * ctx.lrScale;
      const u = new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) u[i] = -a * g[i]!;
      return [u, { lr: a }];
    },
    inspect: (s) => ({ lr: s.lr }),
  };
}

/**
 * Heavy-ball momentum trace: m_k = β m_{k−1} + g_k, u = m_k (Polyak 1964).
 */
export function trace(beta: number): GradientTransformation<{ m: Float64Array }> {
  checkInRange('trace', 'beta', beta, 0, 1);
  return {
    name: 'momentum',
    init: (p) => ({ m: new Float64Array(p.length) }),
    update(g, s) {
      const m = new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) m[i] = beta * s.m[i]! + g[i]!;
      return [m, { m }];
    },
  };
}

/**
 * AdaGrad-Norm scaling (Ward, Wu, Bottou 2019; docs/MATH.md §4):
 * v_k = v_{k−1} + ||g_k||² with v_{−1} = β₀², u = g_k / √v_k
 * (the current gradient enters the accumulator before the step).
 */
export function scaleByAdagradNorm(beta0: number): GradientTransformation<{ v: number }> {
  checkPositive('scaleByAdagradNorm', 'beta0', beta0);
  return {
    name: 'adagrad-norm',
    init: () => ({ v: beta0 * beta0 }),
    update(g, s) {
      let sq = 0;
      for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
      const v = s.v + sq;
      const r = 1 / Math.sqrt(v);
      const u = new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) u[i] = g[i]! * r;
      return [u, { v }];
    },
    inspect: (s) => ({ accumulator: s.v }),
  };
}

/**
 * Diagonal AdaGrad scaling (Duchi, Hazan, Singer 2011; docs/MATH.md §4):
 * v_{k,j} = v_{k−1,j} + g_{k,j}², u_j = g_j / (√v_{k,j} + ε), v_{−1} = initial (0 by default, ε = 1e-10).
 */
export function scaleByAdagrad(eps = 1e-10, initial = 0): GradientTransformation<{ v: Float64Array }> {
  if (!(eps >= 0)) throw new Error(`scaleByAdagrad: eps must be ≥ 0, got ${eps}`);
  if (!(initial >= 0)) throw new Error(`scaleByAdagrad: initial accumulator must be ≥ 0, got ${initial}`);
  return {
    name: 'adagrad',
    init: (p) => ({ v: new Float64Array(p.length).fill(initial) }),
    update(g, s) {
      const v = new Float64Array(g.length);
      const u = new Float64Array(g.length);
      for (let j = 0; j < g.length; j++) {
        const vj = s.v[j]! + g[j]! * g[j]!;
        v[j] = vj;
        u[j] = g[j]! / (Math.sqrt(vj) + eps);
      }
      return [u, { v }];
    },
    inspect: (s) => {
      // NOTE (speed): an indexed loop; for-of over a Float64Array was a tenth of a step at d = 25 450
      const v = s.v;
      let t = 0;
      for (let j = 0; j < v.length; j++) t += v[j]!;
      return { accumulator: t };
    },
  };
}

/**
 * Adam scaling (Kingma, Ba 2015): m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g²,
 * u = m̂/(√v̂ + ε) with bias corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
 */
export function scaleByAdam(b1 = 0.9, b2 = 0.999, eps = 1e-8): GradientTransformation<{ m: Float64Array; v: Float64Array; t: number }> {
  checkInRange('scaleByAdam', 'b1', b1, 0, 1);
  checkInRange('scaleByAdam', 'b2', b2, 0, 1);
  if (!(eps >= 0)) throw new Error(`scaleByAdam: eps must be ≥ 0, got ${eps}`);
  return {
    name: 'adam',
    init: (p) => ({ m: new Float64Array(p.length), v: new Float64Array(p.length), t: 0 }),
    update(g, s) {
      const t = s.t + 1;
      const c1 = 1 - Math.pow(b1, t);
      const c2 = 1 - Math.pow(b2, t);
      const m = new Float64Array(g.length);
      const v = new Float64Array(g.length);
      const u = new Float64Array(g.length);
      for (let j = 0; j < g.length; j++) {
        const mj = b1 * s.m[j]! + (1 - b1) * g[j]!;
        const vj = b2 * s.v[j]! + (1 - b2) * g[j]! * g[j]!;
        m[j] = mj;
        v[j] = vj;
        u[j] = mj / c1 / (Math.sqrt(vj / c2) + eps);
      }
      return [u, { m, v, t }];
    },
  };
}
