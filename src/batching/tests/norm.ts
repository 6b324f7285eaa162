/**
 * The norm test (Byrd, Chin, Nocedal, Wu 2012; docs/MATH.md §3): holds when
 * S_norm/b ≤ η² ||ḡ||², and asks for T = S_norm/(η²||ḡ||²) = B_simple/η².
 * Exact form: σ²(x)/b ≤ η² ||∇F(x)||² (times (n − b)/(n − 1) without replacement).
 */
import { NO_INFO, decide, decideExact, positive, sq } from './decision.js';
import type { BatchSizeTest, TestOptions } from './types.js';

/**
 * @example
 * normTest(0.5).sample({ b: 4, S_norm: 2, gradNormSq: 1, ... }).T; // 2/(0.25·1) = 8
 */
export function normTest(eta: number, opts: TestOptions = {}): BatchSizeTest {
  positive('normTest', 'eta', eta);
  const floor = opts.gradFloor ?? 0;
  const e2 = eta * eta;
  return {
    name: 'norm',
    params: { eta },
    needs: {},
    reads: ['S_norm'],
    sample(s) {
      if (!(s.gradNormSq > floor)) return NO_INFO;
      return decide(s.S_norm / s.b, e2 * s.gradNormSq, s.S_norm / (e2 * s.gradNormSq));
    },
    exact(q, b) {
      const G = sq(q.grad);
      if (!(G > floor)) return NO_INFO;
      return decideExact(q, q.sigma2, b, e2 * G);
    },
  };
}
