/**
 * The shape of a batch-size test (docs/MATH.md §3): its decision, the exact quantities
 * its population form needs, and the options shared by every test.
 */
import type { BatchStatistics } from '../summary.js';
import type { BatchStat } from '../needs.js';

/** Outcome of one test. `statistic` is lhs/rhs of the "holds when" inequality (holds iff ≤ 1). */
export interface TestDecision {
  readonly holds: boolean;
  /** The batch size the test asks for (may be fractional or Infinity). */
  readonly T: number;
  readonly statistic: number;
  /** ||ḡ||² (or ||∇F||²) was at or below the floor: no information, keep b. */
  readonly noInfo: boolean;
  /** Coordinate-wise test: coordinates skipped by the near-zero rule. */
  readonly skipped?: number;
}

export interface ExactQuantities {
  /** ∇F(x) */
  readonly grad: Float64Array;
  /** σ²(x) */
  readonly sigma2: number;
  /** σ_j²(x) */
  readonly sigma2PerCoord?: Float64Array;
  /** E⟨∇f − ∇F, ∇F⟩² (needed by ip/orth). */
  readonly alongGrad?: number;
  /**
   * Set when batches are drawn without replacement from a finite sum of n
   * samples: the variance of the batch mean then carries the factor
   * (n − b)/(n − 1) (docs/MATH.md §1), and every exact test includes it.
   */
  readonly withoutReplacementFrom?: number;
}

export interface BatchSizeTest {
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
  /**
   * The batch statistics `sample` reads besides b, ḡ and ||ḡ||² (needs.ts): the step
   * computes only these, and reading any other is an error.
   */
  readonly reads: readonly BatchStat[];
  /** Practical form from the statistics of the batch just used (batch size s.b). */
  sample(s: BatchStatistics): TestDecision;
  /** Exact form with batch size b at a point where the exact quantities are known. */
  exact(q: ExactQuantities, b: number): TestDecision;
  /** Which exact quantities `exact` needs. */
  readonly needs: { readonly perCoord?: boolean; readonly alongGrad?: boolean };
}

export interface TestOptions {
  /** ||ḡ||² at or below this gives no information (default 0). */
  readonly gradFloor?: number;
}
