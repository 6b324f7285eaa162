/**
 * sign-SGD (Bernstein, Wang, Azizzadenesheli, Anandkumar, "signSGD: Compressed
 * Optimisation for Non-Convex Problems", ICML 2018): x_j ← x_j − α sign(g_j), with
 * sign(0) = 0. The sign-like limit of Adam (β₁ = β₂ = 0, ε = 0), whose optimal learning
 * rate against batch size the surge analysis of Li et al. (2024) studies.
 */
import { chain, scaleByLearningRate, type GradientTransformation, type LearningRate } from './transform.js';

/** u_j = sign(g_j) (0 where g_j = 0; NaN stays NaN so a broken gradient is still caught). */
export function scaleBySign(): GradientTransformation<null> {
  return {
    name: 'sign',
    init: () => null,
    update: (g) => [g.map((v) => (v > 0 ? 1 : v < 0 ? -1 : v)), null],
  };
}

/**
 * sign-SGD: x ← x − α sign(g).
 *
 * @example
 * const o = signSgd(0.1);
 * o.update(Float64Array.of(3, -0.01, 0), o.init(x), x, ctx)[0]; // Float64Array [-0.1, 0.1, 0]
 */
export function signSgd(lr: LearningRate): GradientTransformation<unknown[]> {
  return { ...chain(scaleBySign(), scaleByLearningRate(lr)), name: 'sign-sgd' };
}
