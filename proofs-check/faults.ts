/**
 * Deliberately wrong variants used by the negative checks: each drops one
 * assumption of a lemma, so that a check which cannot see the difference
 * would be exposed as vacuous.
 */
import type { GradientTransformation } from '../src/index.js';
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
