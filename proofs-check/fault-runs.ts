/**
 * The shared near-miss runs of the accumulator lemmas (L2–L5): the same problems,
 * seeds and batch sizes as a correct run, with an optimizer that departs from
 * SPEC §4 by one small fault (see faults.ts), and the lemma stated with the
 * correct constants. Runs are memoised by the harness, so L2–L5 share them.
 *
 * Instances: the 1-D quadratic nqm_d1 (the descent lemma is an identity there,
 * so L2 sees any change of step), and d = 20 problems with a large β₀ (β₀ = 10,
 * AdaGrad v₋₁ = 100) beside the usual β₀ = 1: with ||g_k||² ≪ v_k the log-sum and
 * root-sum bounds are nearly tight (their slack is Σ ½(||g_k||²/v_k)² and
 * Σ (√v_k − √v_{k−1})²/√v_k), so a start or increment that is off by 1% shows.
 */
import { constant } from '../src/index.js';
import { adagradNormSpec, adagradSpec, pathTally, trajectory, type OptSpec, type PathTally, type RunSpec, type Trajectory } from './harness.js';
import { faultyAdagrad, faultyAdagradNorm, type AccumulatorFault } from './faults.js';
import { pathRung, type FaultKind, type Rung, type RungResult } from './ladder.js';

export const FAULT_PROBLEMS = ['nqm_d1_i0', 'nqm_d20_i0', 'lsq-noisy_d20_n2000_i0'];

/** An accumulator rung: the ladder entry and the optimizer fault behind it. */
export interface AccumulatorRung extends Rung {
  readonly fault_spec: AccumulatorFault;
}

function r(id: string, kind: FaultKind, fault: string, size: string, f: AccumulatorFault): AccumulatorRung {
  return { id, kind, fault, size, fault_spec: f };
}

/** The accumulator near misses, gross to fine. */
export const ACCUMULATOR_RUNGS: readonly AccumulatorRung[] = [
  r('lag', 'method', 'the gradient added to the accumulator after the step (x ← x − αg_k/√v_{k−1}; index off by one)', 'one step', { lag: true }),
  r('β₀−10%', 'method', 'the accumulator starts at (0.9β₀)² while the lemma is stated with β₀²', '−10% on β₀', { v0Factor: 0.81 }),
  r('α+1%', 'method', 'the step uses 1.01α while the lemma is stated with α (the v read off the step is 2% small)', '+1% on α', { alphaFactor: 1.01 }),
  r('β₀−1%', 'method', 'the accumulator starts at (0.99β₀)²', '−1% on β₀', { v0Factor: 0.99 * 0.99 }),
  r('inc×0.99', 'method', 'the accumulator adds 0.99·||g_k||² (a normalisation slip)', '−1% per increment', { incFactor: 0.99 }),
  r('β₀−0.1%', 'method', 'the accumulator starts at (0.999β₀)²', '−0.1% on β₀', { v0Factor: 0.999 * 0.999 }),
  r('β₀+1%', 'method', 'the accumulator starts at (1.01β₀)²', '+1% on β₀', { v0Factor: 1.01 * 1.01 }),
  r('inc×1.01', 'method', 'the accumulator adds 1.01·||g_k||²', '+1% per increment', { incFactor: 1.01 }),
  r('β₀+0.01%', 'method', 'the accumulator starts at (1.0001β₀)²', '+0.01% on β₀', { v0Factor: 1.0001 * 1.0001 }),
];

/** The optimizers a fault is injected into: (α, β₀) = (1, 1) and (1, 10) AdaGrad-Norm, AdaGrad with v₋₁ = 100. */
function faultyOptimizers(f: AccumulatorFault): OptSpec[] {
  return [faultyAdagradNorm(1, 1, f), faultyAdagradNorm(1, 10, f), faultyAdagrad(0.5, 1e-10, 100, f)];
}

/** The library's optimizers with the same constants: the correct twins of {@link faultyOptimizers}. */
function correctOptimizers(): OptSpec[] {
  return [adagradNormSpec(1, 1), adagradNormSpec(1, 10), adagradSpec(0.5, 1e-10, 100)];
}

/** The runs of one accumulator rung: FAULT_PROBLEMS × faulty optimizers, constant batch 4 (1 on nqm_d1: largest noise). */
export function accumulatorFaultRuns(f: AccumulatorFault, quick: boolean): RunSpec[] {
  return instanceRuns(faultyOptimizers(f), quick);
}

/** The same instances with the correct optimizers (part of each lemma's positive check: the tight instances). */
export function tightInstanceRuns(quick: boolean): RunSpec[] {
  return instanceRuns(correctOptimizers(), quick);
}

function instanceRuns(opts: OptSpec[], quick: boolean): RunSpec[] {
  const steps = quick ? 40 : 150;
  const out: RunSpec[] = [];
  for (const problemId of FAULT_PROBLEMS) {
    const b = problemId === 'nqm_d1_i0' ? 1 : 4;
    for (const opt of opts) {
      out.push({ problemId, opt, controller: { label: `constant(${b})`, make: () => constant(b) }, steps, seed: 1300 });
    }
  }
  return out;
}

/** Rungs a one-sided accumulator bound (L3, L4) cannot see: the fault only loosens it. */
const LOOSENING = new Set(['β₀+1%', 'inc×1.01', 'β₀+0.01%']);

/**
 * Run every accumulator rung through a pathwise check `check(t, tally)` (L3–L5),
 * one unit per run; `extra(id)` adds runs to a rung (e.g. the gross negative runs).
 * `oneSided` marks the loosening rungs with the reason they cannot be caught.
 */
export function accumulatorLadder(
  quick: boolean, check: (t: Trajectory, tally: PathTally) => void, oneSided: boolean, extra: (id: string) => RunSpec[] = () => [],
): RungResult[] {
  return ACCUMULATOR_RUNGS.map((rg) => {
    const rt = pathRung(rg);
    for (const spec of [...extra(rg.id), ...accumulatorFaultRuns(rg.fault_spec, quick)]) {
      const tally = pathTally();
      check(trajectory(spec), tally);
      if (tally.worst.count > 0) rt.addUnit(tally.worst);
    }
    const note = oneSided && LOOSENING.has(rg.id) ? 'a larger start or increment only loosens this one-sided bound: the lemma still holds for this method (L5 sees it)' : undefined;
    return rt.result(undefined, note);
  });
}
