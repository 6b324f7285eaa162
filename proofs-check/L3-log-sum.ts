/**
 * L3 — log-sum bound (pathwise).
 *
 *   Σ_{k<K} ||g_k||²/v_k ≤ log(v_{K−1}/β₀²)      for every K ≥ 1
 *
 * (AdaGrad: Σ_{k<K} g_kj²/v_kj ≤ log(v_{K−1,j}/v_{−1,j}) for every coordinate j),
 * where v_k is the accumulator the step actually used (read off the step, see
 * harness `Step.v`) and β₀² = v_{−1} is the value the optimizer was configured
 * with. It holds because a/(c + a) ≤ log((c + a)/c). Runs with v_{−1} = 0
 * (PyTorch's AdaGrad default) make the right-hand side +∞ and are skipped.
 *
 * Margin: (rhs − lhs)/max(|lhs|, |rhs|, 1); passes at ≥ −1e-10 at every K of every run
 * (the floor 1: log(v/β₀²) carries an absolute rounding error of a few ulps of 1,
 * visible on coordinates whose gradients are ~1e-9, as in the zero-chain).
 *
 * Negative check: AdaGrad-Norm and AdaGrad with the current gradient left out of
 * the accumulator before the step (x ← x − α g_k/√v_{k−1}).
 */
import { constant } from '../src/index.js';
import { PATH_TOL, fmt, forEachAccumulator, leMargin, pathTally, pathwiseStatus, trajectory, type Lemma, type PathTally, type Trajectory } from './harness.js';
import { laggedAdagrad, laggedAdagradNorm } from './faults.js';
import { pathwiseRuns } from './suites.js';

export function checkLogSum(t: Trajectory, tally: PathTally): void {
  const v0 = t.spec.opt.v0;
  if (!(v0 > 0)) {
    tally.skipped += t.steps.length;
    return;
  }
  tally.runs++;
  let lhs = 0;
  forEachAccumulator(t, (c, k, g2, v) => {
    if (k === 0) lhs = 0;
    lhs += g2 / v;
    const rhs = Math.log(v / v0);
    tally.steps++;
    tally.worst.add(leMargin(lhs, rhs, 1), () => `${t.label} k=${k}${t.spec.opt.perCoord ? ` j=${c}` : ''}: Σ g²/v = ${fmt(lhs, 8)} vs log(v/v₋₁) = ${fmt(rhs, 8)}`);
  });
}

export function accumulatorNegativeRuns(quick: boolean) {
  const steps = quick ? 40 : 150;
  return ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0'].flatMap((problemId) => [
    { problemId, opt: laggedAdagradNorm(1, 0.1), controller: { label: 'constant(4)', make: () => constant(4) }, steps, seed: 300 },
    { problemId, opt: laggedAdagrad(0.5, 1e-10, 0.01), controller: { label: 'constant(4)', make: () => constant(4) }, steps, seed: 300 },
  ]);
}

export const L3: Lemma = {
  id: 'L3',
  title: 'log-sum',
  kind: 'pathwise',
  statement: 'Σ_{k<K} ||g_k||²/v_k ≤ log(v_{K−1}/β₀²) (per coordinate for AdaGrad)',
  check(mode) {
    const pos = pathTally();
    for (const r of pathwiseRuns(mode)) checkLogSum(trajectory(r), pos);
    const neg = pathTally();
    for (const r of accumulatorNegativeRuns(mode.quick)) checkLogSum(trajectory(r), neg);
    return {
      checked: { runs: pos.runs, steps: pos.steps, skipped: pos.skipped, skippedReason: 'AdaGrad runs with v₋₁ = 0 (rhs = +∞)' },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pathwiseStatus(pos.worst.margin),
      criterion: 'margin = (rhs − lhs)/max(|lhs|, |rhs|, 1) at every K (and coordinate); holds iff ≥ −1e-10',
      negative_check: {
        description: 'current gradient left out of the accumulator before the step (x ← x − αg_k/√v_{k−1}), AdaGrad-Norm and AdaGrad',
        caught: neg.worst.margin < -PATH_TOL,
        worst_margin: neg.worst.margin,
        worst_at: neg.worst.at,
        checked: { runs: neg.runs, steps: neg.steps },
      },
      notes: ['steps count (K, coordinate) pairs: every prefix K of every accumulator component'],
    };
  },
};
