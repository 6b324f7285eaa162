/**
 * The inner-product test (Bollapragada, Byrd, Nocedal 2018; SPEC §3): holds when
 * S_ip/b ≤ θ² ||ḡ||⁴, and asks for T = S_ip/(θ²||ḡ||⁴). Exact form with the
 * population variance of ⟨∇f, ∇F⟩ (times (n − b)/(n − 1) without replacement).
 */
import { NO_INFO, decide, decideExact, need, positive, sq } from './decision.js';
import type { BatchSizeTest, TestOptions } from './types.js';

export function ipTest(theta: number, opts: TestOptions = {}): BatchSizeTest {
  positive('ipTest', 'theta', theta);
  const floor = opts.gradFloor ?? 0;
  const t2 = theta * theta;
  return {
    name: 'ip',
    params: { theta },
    needs: { alongGrad: true },
    sample(s) {
      const G = s.gradNormSq;
      if (!(G > floor)) return NO_INFO;
      return decide(s.S_ip / s.b, t2 * G * G, s.S_ip / (t2 * G * G));
    },
    exact(q, b) {
      const G = sq(q.grad);
      if (!(G > floor)) return NO_INFO;
      return decideExact(q, need(q.alongGrad, 'ipTest'), b, t2 * G * G);
    },
  };
}
