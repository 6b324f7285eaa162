/**
 * Controllers that size the batch from an estimate of the gradient noise (not
 * monotone): CABS and the gradient noise scale. Both need the batch statistics.
 */
import { posInt, posNum, type Controller } from './types.js';

/**
 * CABS — coupled adaptive batch size (Balles, Romero, Hennig 2017):
 * b_{k+1} = ⌈α · tr(Σ̂)/F̂(x_k)⌉ with the biased trace tr(Σ̂) = (1/b) Σ_i ||g_i − ḡ||²
 * and F̂ the batch loss, clipped to [b_min, b_max]. NOTE: not monotone.
 */
export function cabs(o: { lr: number; bMin: number; bMax: number; b0: number }): Controller<null> {
  posNum('cabs', 'lr', o.lr);
  posInt('cabs', 'bMin', o.bMin, 2);
  posInt('cabs', 'bMax', o.bMax, 2);
  posInt('cabs', 'b0', o.b0, 2);
  return {
    name: 'cabs',
    needs: 'stats',
    reads: ['S_norm'],
    init: () => ({ b: o.b0, state: null }),
    next(stats, _st, ctx) {
      if (stats === null || !(ctx.loss > 0)) return { b: ctx.b, state: null };
      const trace = (stats.S_norm * (stats.b - 1)) / stats.b;
      return { b: Math.min(o.bMax, Math.max(o.bMin, Math.ceil((o.lr * trace) / ctx.loss))), state: null };
    },
  };
}

/** The gradient-noise-scale controller's state: the EMA of B_simple (NaN before the first estimate). */
export interface GnsState {
  readonly ema: number;
}

/** Relative floor of the unbiased |G|² estimate in {@link gns}: |G|² ≥ GNS_FLOOR · ||ḡ||². */
export const GNS_FLOOR = 1e-6;

/**
 * Gradient-noise-scale controller (McCandlish, Kaplan, Amodei 2018, arXiv 1812.06162,
 * App. A.1): B_simple = tr(Σ)/|G|² with tr(Σ) estimated by S_norm and |G|² by the
 * unbiased ||ḡ||² − S_norm/b (E||ḡ||² = |G|² + tr(Σ)/b), floored at GNS_FLOOR·||ḡ||²
 * so that a batch whose noise swamps its mean gives a large, finite B_simple (then
 * clipped to b_max) rather than a negative one; b = clip(⌈scale · EMA_β(B_simple)⌉,
 * b_min, b_max). ||ḡ||² = 0 gives no information: b is kept. NOTE: not monotone.
 */
export function gns(o: { b0: number; bMin: number; bMax: number; beta?: number; scale?: number }): Controller<GnsState> {
  posInt('gns', 'b0', o.b0, 2);
  posInt('gns', 'bMin', o.bMin, 2);
  posInt('gns', 'bMax', o.bMax, 2);
  const beta = o.beta ?? 0.9;
  const scale = o.scale ?? 1;
  return {
    name: 'gns',
    needs: 'stats',
    reads: ['S_norm'],
    init: () => ({ b: o.b0, state: { ema: NaN } }),
    next(stats, st, ctx) {
      if (stats === null) return { b: ctx.b, state: st };
      const G2 = Math.max(stats.gradNormSq - stats.S_norm / stats.b, GNS_FLOOR * stats.gradNormSq);
      const Bsimple = stats.S_norm / G2;
      if (!Number.isFinite(Bsimple)) return { b: ctx.b, state: st };
      const ema = Number.isNaN(st.ema) ? Bsimple : beta * st.ema + (1 - beta) * Bsimple;
      return { b: Math.min(o.bMax, Math.max(o.bMin, Math.ceil(scale * ema))), state: { ema } };
    },
  };
}
