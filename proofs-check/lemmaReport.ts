/** The lemma reports of proofs-check: modes, report types, margins and statuses (re-exported by harness.ts). */

// ───────────────────────────── modes and reports ─────────────────────────────

/** Quick mode (CI) runs fewer seeds, steps and resamples; the full mode more. */
export interface Mode {
  readonly quick: boolean;
}

/** Relative rounding tolerance of every pathwise check: a margin ≥ −PATH_TOL passes. */
export const PATH_TOL = 1e-10;
/** Family-wise false-fail rate of each Monte Carlo lemma (Bonferroni over its intervals). */
export const MC_ALPHA = 0.01;
const TINY = 1e-300;

export type LemmaKind = 'pathwise' | 'expectation';
export type Status = 'holds' | 'violated';

/** What a check covered. */
export interface Checked {
  readonly runs: number;
  /** Steps (pathwise) or points/intervals (expectation) at which the inequality was evaluated. */
  readonly steps: number;
  /** Fresh batches drawn for Monte Carlo (expectation lemmas). */
  readonly resamples?: number;
  /** Steps left out, with the reason (e.g. outside the region of a local L). */
  readonly skipped?: number;
  readonly skippedReason?: string;
  /** Monte Carlo lemmas: min over intervals of M/(25·γ̂²), the CLT rule of thumb (≥ 1 wanted; see cltAdequacy). */
  readonly cltAdequacy?: number;
}

export interface NegativeCheck {
  readonly description: string;
  /** True when the same check, run with the assumption dropped, reports a violation. */
  readonly caught: boolean;
  readonly worst_margin: number;
  readonly worst_at: string;
  readonly checked: Checked;
}

export interface LemmaReport {
  readonly id: string;
  readonly title: string;
  readonly statement: string;
  readonly kind: LemmaKind;
  readonly checked: Checked;
  /** ≥ 0 (pathwise: ≥ −tolerance) means the inequality holds everywhere it was checked. */
  readonly worst_margin: number;
  readonly worst_at: string;
  readonly status: Status;
  /** How the margin is defined and what passes. */
  readonly criterion: string;
  readonly negative_check: NegativeCheck;
  readonly notes: readonly string[];
  readonly seconds: number;
}

/** One lemma: its statement and a check that returns the report. */
export interface Lemma {
  readonly id: string;
  readonly title: string;
  readonly statement: string;
  readonly kind: LemmaKind;
  check(mode: Mode): Omit<LemmaReport, 'seconds' | 'id' | 'title' | 'statement' | 'kind'>;
}

// ───────────────────────────── margins ─────────────────────────────

/**
 * Margin of lhs ≤ rhs: (rhs − lhs)/max(|lhs|, |rhs|, scales…). It is ≥ 0 exactly
 * when the inequality holds; the extra scales (the sizes of the terms that were
 * summed) keep rounding in large terms from looking like a violation.
 */
export function leMargin(lhs: number, rhs: number, ...scales: number[]): number {
  const s = Math.max(Math.abs(lhs), Math.abs(rhs), ...scales.map(Math.abs), TINY);
  const m = (rhs - lhs) / s;
  return Number.isNaN(m) ? -Infinity : m;
}

/** Margin of lhs = rhs: −|lhs − rhs|/max(|lhs|, |rhs|, scales…) (≤ 0; passes at ≥ −tolerance). */
export function eqMargin(lhs: number, rhs: number, ...scales: number[]): number {
  const s = Math.max(Math.abs(lhs), Math.abs(rhs), ...scales.map(Math.abs), TINY);
  const m = -Math.abs(lhs - rhs) / s;
  return Number.isNaN(m) ? -Infinity : m;
}

/** Keeps the worst (smallest) margin and where it occurred. */
export class Worst {
  margin = Infinity;
  at = '';
  count = 0;
  add(m: number, at: string | (() => string)): void {
    this.count++;
    if (m < this.margin || (Number.isNaN(m) && this.margin !== -Infinity)) {
      this.margin = Number.isNaN(m) ? -Infinity : m;
      this.at = typeof at === 'string' ? at : at();
    }
  }
}

export function pathwiseStatus(worst: number): Status {
  return worst >= -PATH_TOL ? 'holds' : 'violated';
}
export function mcStatus(worst: number): Status {
  return worst >= 0 ? 'holds' : 'violated';
}
