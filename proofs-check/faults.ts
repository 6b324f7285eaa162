/**
 * Deliberately wrong variants used by the negative checks: each drops one
 * assumption of a lemma, so that a check which cannot see the difference
 * would be exposed as vacuous.
 */
import type { Controller, ControllerContext, ControllerState, GradientTransformation } from '../src/index.js';
import type { Problem } from '../src/problem/types.js';
import type { OptSpec } from './harness.js';

function sq(g: Float64Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return s;
}

/**
 * AdaGrad-Norm with the current gradient left out of the accumulator before the
 * step: x ← x − α g_k/√v_{k−1}, then v_k = v_{k−1} + ||g_k||² (SPEC §4 says the
 * gradient enters first). Claimed v_{−1} = β₀².
 */
export function laggedAdagradNorm(alpha: number, beta0: number): OptSpec {
  const t: GradientTransformation<{ v: number }> = {
    name: 'adagrad-norm-lagged',
    init: () => ({ v: beta0 * beta0 }),
    update(g, s) {
      const r = alpha / Math.sqrt(s.v);
      return [g.map((x) => -r * x), { v: s.v + sq(g) }];
    },
    inspect: (s) => ({ accumulator: s.v }),
  };
  return { label: `adagrad-norm-LAGGED(α=${alpha},β₀=${beta0})`, perCoord: false, alpha, v0: beta0 * beta0, eps: 0, make: () => t };
}

/** Diagonal AdaGrad with the gradient left out of the accumulator before the step (per coordinate). */
export function laggedAdagrad(alpha: number, eps: number, initial: number): OptSpec {
  const t: GradientTransformation<{ v: Float64Array }> = {
    name: 'adagrad-lagged',
    init: (p) => ({ v: new Float64Array(p.length).fill(initial) }),
    update(g, s) {
      const u = g.map((x, j) => (-alpha * x) / (Math.sqrt(s.v[j]!) + eps));
      return [u, { v: s.v.map((a, j) => a + g[j]! * g[j]!) }];
    },
    inspect: (s) => ({ accumulator: s.v.reduce((a, b) => a + b, 0) }),
  };
  return { label: `adagrad-LAGGED(α=${alpha},v₋₁=${initial})`, perCoord: true, alpha, v0: initial, eps, make: () => t };
}

/**
 * AdaGrad-Norm whose accumulator starts at `actualV0` while the lemma is stated
 * with v_{−1} = β₀² (the accumulator "started elsewhere").
 */
export function misstartedAdagradNorm(alpha: number, beta0: number, actualV0: number): OptSpec {
  const t: GradientTransformation<{ v: number }> = {
    name: 'adagrad-norm-misstarted',
    init: () => ({ v: actualV0 }),
    update(g, s) {
      const v = s.v + sq(g);
      const r = alpha / Math.sqrt(v);
      return [g.map((x) => -r * x), { v }];
    },
    inspect: (s) => ({ accumulator: s.v }),
  };
  return { label: `adagrad-norm-START=${actualV0}(α=${alpha},β₀=${beta0})`, perCoord: false, alpha, v0: beta0 * beta0, eps: 0, make: () => t };
}

// ───────────────────────── parametrised near misses (fault ladders) ─────────────────────────

/** How a faulty AdaGrad(-Norm) departs from SPEC §4. Every field defaults to "no fault". */
export interface AccumulatorFault {
  /** The accumulator actually starts at v0Factor·v_{−1} (β₀ off by 1% ⇒ 1.01² or 0.99²). */
  readonly v0Factor?: number;
  /** The accumulator adds incFactor·||g_k||² (e.g. 0.99: a normalisation slip). */
  readonly incFactor?: number;
  /** The gradient is added after the step: x ← x − α g_k/√v_{k−1} (index off by one). */
  readonly lag?: boolean;
  /** The step uses alphaFactor·α while the lemma is stated with α. */
  readonly alphaFactor?: number;
}

function faultLabel(f: AccumulatorFault): string {
  const parts: string[] = [];
  if (f.v0Factor !== undefined && f.v0Factor !== 1) parts.push(`v₋₁×${f.v0Factor}`);
  if (f.incFactor !== undefined && f.incFactor !== 1) parts.push(`inc×${f.incFactor}`);
  if (f.lag) parts.push('lagged');
  if (f.alphaFactor !== undefined && f.alphaFactor !== 1) parts.push(`α×${f.alphaFactor}`);
  return parts.join(',') || 'no fault';
}

/**
 * AdaGrad-Norm (SPEC §4: v_k = v_{k−1} + ||g_k||², x ← x − α g_k/√v_k, v_{−1} = β₀²)
 * with one of the near misses of {@link AccumulatorFault}; the OptSpec carries the
 * claimed α and β₀², so a lemma checked on it is checked against the wrong constants.
 */
export function faultyAdagradNorm(alpha: number, beta0: number, f: AccumulatorFault): OptSpec {
  const v0 = beta0 * beta0 * (f.v0Factor ?? 1);
  const inc = f.incFactor ?? 1;
  const a = alpha * (f.alphaFactor ?? 1);
  const t: GradientTransformation<{ v: number }> = {
    name: `adagrad-norm-fault(${faultLabel(f)})`,
    init: () => ({ v: v0 }),
    update(g, s) {
      const v = s.v + inc * sq(g);
      const r = a / Math.sqrt(f.lag ? s.v : v);
      return [g.map((x) => -r * x), { v }];
    },
    inspect: (s) => ({ accumulator: s.v }),
  };
  return { label: `adagrad-norm[${faultLabel(f)}](α=${alpha},β₀=${beta0})`, perCoord: false, alpha, v0: beta0 * beta0, eps: 0, make: () => t };
}

/** Diagonal AdaGrad (SPEC §4, per coordinate, ε outside the root) with a near miss of {@link AccumulatorFault}. */
export function faultyAdagrad(alpha: number, eps: number, initial: number, f: AccumulatorFault): OptSpec {
  const v0 = initial * (f.v0Factor ?? 1);
  const inc = f.incFactor ?? 1;
  const a = alpha * (f.alphaFactor ?? 1);
  const t: GradientTransformation<{ v: Float64Array }> = {
    name: `adagrad-fault(${faultLabel(f)})`,
    init: (p) => ({ v: new Float64Array(p.length).fill(v0) }),
    update(g, s) {
      const v = s.v.map((x, j) => x + inc * g[j]! * g[j]!);
      const use = f.lag ? s.v : v;
      return [g.map((x, j) => (-a * x) / (Math.sqrt(use[j]!) + eps)), { v }];
    },
    inspect: (s) => ({ accumulator: s.v.reduce((p, q) => p + q, 0) }),
  };
  return { label: `adagrad[${faultLabel(f)}](α=${alpha},v₋₁=${initial})`, perCoord: true, alpha, v0: initial, eps, make: () => t };
}

// ───────────────────────── faulty controllers ─────────────────────────

/**
 * The problem as a faulty oracle sees it: σ²(x) (and σ_j²(x), and the noise along a
 * direction) multiplied by `factor` (0.9: the oracle understates the noise by 10%).
 */
export function scaledNoise(p: Problem, factor: number): Problem {
  const noise = p.noise;
  if (noise === undefined) throw new Error(`scaledNoise: ${p.id} has no noise()`);
  const along = p.noiseAlong;
  return {
    ...p,
    noise: (x) => {
      const n = noise.call(p, x);
      return { ...n, sigma2: n.sigma2 * factor, ...(n.sigma2PerCoord ? { sigma2PerCoord: n.sigma2PerCoord.map((v) => v * factor) } : {}) };
    },
    ...(along !== undefined ? { noiseAlong: (x: Float64Array, v: Float64Array) => along.call(p, x, v) * factor } : {}),
  };
}

/** A controller whose contexts carry the problem with its noise scaled by `factor` (see {@link scaledNoise}). */
export function withUnderstatedNoise(inner: Controller<any>, factor: number): Controller<any> {
  const cache = new WeakMap<Problem, Problem>();
  const view = (ctx: ControllerContext): ControllerContext => {
    let q = cache.get(ctx.problem);
    if (q === undefined) {
      q = scaledNoise(ctx.problem, factor);
      cache.set(ctx.problem, q);
    }
    return { ...ctx, problem: q };
  };
  return { ...inner, name: `${inner.name}[σ²×${factor}]`, init: (ctx) => inner.init(view(ctx)), next: (s, st, ctx) => inner.next(s, st, view(ctx)) };
}

/** Where the controller grows the batch it takes one less than asked (⌈T⌉ − 1: an off-by-one in the rounding). */
export function roundsDown(inner: Controller<any>): Controller<any> {
  const shave = (prev: number, b: number): number => (b > prev ? Math.max(prev, b - 1, 2) : b);
  return {
    ...inner,
    name: `${inner.name}[⌈T⌉−1]`,
    init(ctx) {
      const st = inner.init(ctx);
      return { ...st, b: shave(2, st.b) };
    },
    next(s, st, ctx) {
      const [b, st2] = inner.next(s, st, ctx);
      const nb = shave(st.b, b);
      return [nb, { ...st2, b: nb }];
    },
  };
}

/** The controller's size, except that after step `atStep` it hands out b_k − 1, once (a non-monotone batch by one). */
export function dropsOnce(inner: Controller<any>, atStep: number): Controller<any> {
  return {
    ...inner,
    name: `${inner.name}[−1 once at ${atStep}]`,
    init: (ctx) => ({ ...inner.init(ctx), inner: undefined }),
    next(s, st, ctx) {
      const innerState = (st['inner'] as ControllerState | undefined) ?? st;
      const [b, st2] = inner.next(s, innerState, ctx);
      const nb = ctx.step === atStep ? Math.max(1, st.b - 1) : b;
      return [nb, { ...st2, b: nb, inner: st2 }];
    },
  };
}

/** The controller with its first batch of size b0 (e.g. 1, below SPEC's b_0 ≥ 2). */
export function startsAt(inner: Controller<any>, b0: number): Controller<any> {
  return {
    ...inner,
    name: `${inner.name}[b₀=${b0}]`,
    init: (ctx) => ({ ...inner.init(ctx), b: b0 }),
  };
}
