/**
 * Fault ladders: for each lemma, a list of deliberately wrong variants ordered from
 * gross to fine (a small modification of the simulated method — optimizer,
 * controller, a problem constant — or of the inequality), each run through the
 * lemma's own check. A rung is caught when the check reports a violation on it.
 * The report lists every rung, the finest one caught and the ones not caught; each
 * lemma states the smallest fault it claims to catch (`claimed`), which
 * test/proofs asserts, so a weakened check fails the suite.
 */
import { PATH_TOL, Worst, type Checked, type Lemma, type LemmaReport, type Mode } from './harness.js';

/** What a rung modifies. */
export type FaultKind = 'method' | 'controller' | 'constant' | 'inequality';

/** One fault of a ladder. */
export interface Rung {
  /** Short stable id (asserted by tests), e.g. 'L×0.99'. */
  readonly id: string;
  readonly kind: FaultKind;
  /** What is wrong, in words. */
  readonly fault: string;
  /** The fault's size in words (e.g. '1%', 'one step', '×4'). */
  readonly size: string;
}

export interface RungResult extends Rung {
  readonly caught: boolean;
  readonly worst_margin: number;
  readonly worst_at: string;
  /** Runs (or points) on which the rung was evaluated, and how many of them caught it. */
  readonly evaluated: number;
  readonly caughtOn: number;
  readonly checked: Checked;
  /** Why it is (not) caught, when the reason is known (e.g. the lemma does not constrain it). */
  readonly note?: string;
}

export interface LadderReport {
  /** Gross to fine. */
  readonly rungs: readonly RungResult[];
  /** Id of the finest caught rung (the last caught in ladder order), null when none. */
  readonly smallest_caught: string | null;
  /** Id of the rung the lemma claims to catch (tests assert it is caught). */
  readonly claimed: string;
  readonly not_caught: readonly string[];
  /** How the check was tightened to see near misses (instances, precision points). */
  readonly tightening: string;
}

/** What a laddered lemma's check returns: the lemma report plus its ladder. */
export type LadderCheckResult = ReturnType<Lemma['check']> & { readonly ladder: LadderReport };

/** A lemma with a fault ladder. */
export interface LadderLemma extends Lemma {
  check(mode: Mode): LadderCheckResult;
}

/** Accumulates one rung: worst margin over everything evaluated, and per-unit catches. */
export class RungTally {
  readonly worst = new Worst();
  evaluated = 0;
  caughtOn = 0;
  steps = 0;
  constructor(readonly rung: Rung, readonly threshold: number) {}
  /** Add one unit (a run or a point) whose worst margin is `w`. */
  addUnit(w: Worst): void {
    this.evaluated++;
    this.steps += w.count;
    if (w.margin < this.threshold) this.caughtOn++;
    this.worst.add(w.margin, w.at);
  }
  /** Add one margin as its own unit. */
  addMargin(m: number, at: string | (() => string)): void {
    const w = new Worst();
    w.add(m, at);
    this.addUnit(w);
  }
  result(checked?: Partial<Checked>, note?: string): RungResult {
    return {
      ...this.rung,
      caught: this.worst.margin < this.threshold,
      worst_margin: this.worst.margin,
      worst_at: this.worst.at,
      evaluated: this.evaluated,
      caughtOn: this.caughtOn,
      checked: { runs: this.evaluated, steps: this.steps, ...checked },
      ...(note !== undefined ? { note } : {}),
    };
  }
}

/** Threshold of a pathwise lemma (a margin below −PATH_TOL is a violation). */
export const PATH_THRESHOLD = -PATH_TOL;
/** Threshold of a Monte Carlo lemma (a margin below 0 is a violation at the stated confidence). */
export const MC_THRESHOLD = 0;

export function pathRung(rung: Rung): RungTally {
  return new RungTally(rung, PATH_THRESHOLD);
}
export function mcRung(rung: Rung): RungTally {
  return new RungTally(rung, MC_THRESHOLD);
}

/** Assemble a ladder report (rungs in the order given: gross to fine). */
export function ladder(rungs: readonly RungResult[], claimed: string, tightening: string): LadderReport {
  if (!rungs.some((r) => r.id === claimed)) throw new Error(`ladder: claimed rung ${claimed} is not in the ladder`);
  const ids = new Set<string>();
  for (const r of rungs) {
    if (ids.has(r.id)) throw new Error(`ladder: duplicate rung id ${r.id}`);
    ids.add(r.id);
  }
  let smallest: string | null = null;
  for (const r of rungs) if (r.caught) smallest = r.id;
  return { rungs, smallest_caught: smallest, claimed, not_caught: rungs.filter((r) => !r.caught).map((r) => r.id), tightening };
}

/** The lemma report's negative check, taken from the ladder's first (gross) rung. */
export function negativeFromRung(r: RungResult): LemmaReport['negative_check'] {
  return { description: r.fault, caught: r.caught, worst_margin: r.worst_margin, worst_at: r.worst_at, checked: r.checked };
}
