/**
 * The orthogonality test (Bollapragada, Byrd, Nocedal 2018; docs/MATH.md §3): holds when
 * S_orth/b ≤ ν² ||ḡ||², and asks for T = S_orth/(ν²||ḡ||²). Exact form with the
 * population variance of the part of ∇f orthogonal to ∇F, σ² − E⟨∇f − ∇F, ∇F⟩²/||∇F||²
 * (times (n − b)/(n − 1) without replacement).
 */
import { NO_INFO, decide, decideExact, need, positive, sq } from './decision.js';
import type { BatchSizeTest, TestDecision, TestOptions } from './types.js';

export function orthTest(nu: number, opts: TestOptions = {}): BatchSizeTest {
  positive('orthTest', 'nu', nu);
  const floor = opts.gradFloor ?? 0;
  const n2 = nu * nu;
  return {
    name: 'orth',
    params: { nu },
    needs: { alongGrad: true },
    reads: ['S_orth'],
    sample: (s) => orthDecision(s.S_orth, s.gradNormSq, s.b, n2, floor),
    exact(q, b) {
      const G = sq(q.grad);
      if (!(G > floor)) return NO_INFO;
      const orth = Math.max(0, q.sigma2 - need(q.alongGrad, 'orthTest') / G);
      return decideExact(q, orth, b, n2 * G);
    },
  };
}

/** The practical orth decision from S_orth (global or block-wise), G = ||ḡ||² and b. */
export function orthDecision(S_orth: number, G: number, b: number, n2: number, floor: number): TestDecision {
  if (!(G > floor)) return NO_INFO;
  return decide(S_orth / b, n2 * G, S_orth / (n2 * G));
}
