/** AdaDamp: the batch grows as the exact suboptimality gap shrinks. */
import { needExact, posInt, type Controller } from './types.js';

/** AdaDamp's state: the initial gap F(x₀) − F*. */
export interface AdaDampState {
  readonly gap0: number;
}

/**
 * AdaDamp (Sievert, Charles 2019): b_k = ⌈b₀ (F(x₀) − F*)/(F(x_k) − F*)⌉, with the
 * exact F from the problem (evaluations not counted as samples) and F* the
 * problem's F* (or F_low), clipped to [b₀, b_max]. Needs exact quantities.
 */
export function adaDamp(o: { b0: number; bMax: number }): Controller<AdaDampState> {
  posInt('adaDamp', 'b0', o.b0);
  posInt('adaDamp', 'bMax', o.bMax);
  return {
    name: 'adadamp',
    needs: 'exact',
    init(ctx) {
      const ex = needExact('adaDamp', ctx);
      return { b: o.b0, state: { gap0: ex.value() - ex.fStar } };
    },
    next(_s, st, ctx) {
      const ex = needExact('adaDamp', ctx);
      const gap = ex.value() - ex.fStar;
      const b = gap > 0 ? Math.min(o.bMax, Math.max(o.b0, Math.ceil((o.b0 * st.gap0) / gap))) : o.bMax;
      return { b, state: st };
    },
  };
}
