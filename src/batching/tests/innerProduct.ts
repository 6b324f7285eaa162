/**
 * The inner-product test (Bollapragada, Byrd, Nocedal 2018; docs/MATH.md §3): holds when
 * S_ip/b ≤ θ² ||ḡ||⁴, and asks for T = S_ip/(θ²||ḡ||⁴). Exact form with the
 * population variance of ⟨∇f, ∇F⟩ (times (n − b)/(n − 1) without replacement).
 */
import { NO_INFO, decide, decideExact, need, positive, sq } from './decision.js';
import type { BatchSizeTest, TestDecision, TestOptions } from './types.js';

export function ipTest(theta: number, opts: TestOptions = {}): BatchSizeTest {
  positive('ipTest', 'theta', theta);
  const floor = opts.gradFloor ?? 0;
  const t2 = theta * theta;
  return {
    name: 'ip',
    params: { theta },
    needs: { alongGrad: true },
    reads: ['S_ip'],
    sample: (s) => ipDecision(s.S_ip, s.gradNormSq, s.b, t2, floor),
    exact(q, b) {
      const G = sq(q.grad);
      if (!(G > floor)) return NO_INFO;
      return decideExact(q, need(q.alongGrad, 'ipTest'), b, t2 * G * G);
    },
  };
}

/** The practical ip decision from S_ip (global or block-wise), G = ||ḡ||² and b. */
export function ipDecision(S_ip: number, G: number, b: number, t2: number, floor: number): TestDecision {
  if (!(G > floor)) return NO_INFO;
  return decide(S_ip / b, t2 * G * G, S_ip / (t2 * G * G));
}
