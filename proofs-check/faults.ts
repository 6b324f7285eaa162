/**
 * Deliberately wrong variants used by the negative checks: each drops one
 * assumption of a lemma, so that a check which cannot see the difference
 * would be exposed as vacuous.
 */
import type { Controller, ExactOracle, ExactQuantities, GradientTransformation } from '../src/index.js';
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

/** Exact quantities with σ²(x) (and σ_j²(x), and the noise along ∇F) multiplied by `factor`. */
function scaledQuantities(q: ExactQuantities, factor: number): ExactQuantities {
  return {
    ...q,
    sigma2: q.sigma2 * factor,
    ...(q.sigma2PerCoord !== undefined ? { sigma2PerCoord: q.sigma2PerCoord.map((v) => v * factor) } : {}),
    ...(q.alongGrad !== undefined ? { alongGrad: q.alongGrad * factor } : {}),
  };
}

/** The exact oracle as a faulty controller sees it: σ² multiplied by `factor` (0.9: understated by 10%). */
function scaledOracle(e: ExactOracle | null, factor: number): ExactOracle | null {
  if (e === null) return null;
  return { x: e.x, fStar: e.fStar, value: () => e.value(), gradient: () => e.gradient(), quantities: (needs) => scaledQuantities(e.quantities(needs), factor) };
}

/** A controller (an oracle) that sees the noise scaled by `factor`: the oracle understates σ² when factor < 1. */
export function withUnderstatedNoise<S>(inner: Controller<S>, factor: number): Controller<S> {
  return {
    ...inner,
    name: `${inner.name}[σ²×${factor}]`,
    init: (ctx) => inner.init({ ...ctx, exact: scaledOracle(ctx.exact, factor) }),
    next: (s, st, ctx) => inner.next(s, st, { ...ctx, exact: scaledOracle(ctx.exact, factor) }),
  };
}

/** Where the controller grows the batch it takes one less than asked (⌈T⌉ − 1: an off-by-one in the rounding). */
export function roundsDown<S>(inner: Controller<S>): Controller<S> {
  const shave = (prev: number, b: number): number => (b > prev ? Math.max(prev, b - 1, 2) : b);
  return {
    ...inner,
    name: `${inner.name}[⌈T⌉−1]`,
    init(ctx) {
      const d = inner.init(ctx);
      return { ...d, b: shave(2, d.b) };
    },
    next(s, st, ctx) {
      const d = inner.next(s, st, ctx);
      return { ...d, b: shave(ctx.b, d.b) };
    },
  };
}

/** The controller's size, except that after step `atStep` it hands out b_k − 1, once (a non-monotone batch by one). */
export function dropsOnce<S>(inner: Controller<S>, atStep: number): Controller<S> {
  return {
    ...inner,
    name: `${inner.name}[−1 once at ${atStep}]`,
    next(s, st, ctx) {
      const d = inner.next(s, st, ctx);
      return ctx.step === atStep ? { ...d, b: Math.max(1, ctx.b - 1) } : d;
    },
  };
}

/** The controller with its first batch of size b0 (e.g. 1, below SPEC's b_0 ≥ 2). */
export function startsAt<S>(inner: Controller<S>, b0: number): Controller<S> {
  return {
    ...inner,
    name: `${inner.name}[b₀=${b0}]`,
    init: (ctx) => ({ ...inner.init(ctx), b: b0 }),
  };
}
