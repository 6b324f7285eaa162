/** The constant batch size. */
import { posInt, type Controller } from './types.js';

/** A constant batch size b (needs nothing). */
export function constant(b: number): Controller<null> {
  posInt('constant', 'b', b);
  return {
    name: 'constant',
    needs: 'none',
    init: () => ({ b, state: null }),
    next: () => ({ b, state: null }),
  };
}
