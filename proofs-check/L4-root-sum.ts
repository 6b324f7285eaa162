/**
 * L4 — root-sum bound (pathwise).
 *
 *   Σ_{k<K} ||g_k||²/√v_k ≤ 2(√v_{K−1} − β₀)      for every K ≥ 1
 *
 * (AdaGrad: per coordinate, with √v_{−1,j} in place of β₀), v_k the accumulator
 * the step used. It holds because (v_k − v_{k−1})/√v_k ≤ 2(√v_k − √v_{k−1}).
 *
 * Margin: (rhs − lhs)/max(|lhs|, |rhs|); passes at ≥ −1e-10 at every K of every run.
 *
 * Negative check: the gradient left out of the accumulator before the step.
 */
import { PATH_TOL, fmt, forEachAccumulator, leMargin, pathTally, pathwiseStatus, trajectory, type Lemma, type PathTally, type Trajectory } from './harness.js';
import { accumulatorNegativeRuns } from './L3-log-sum.js';
import { pathwiseRuns } from './suites.js';

export function checkRootSum(t: Trajectory, tally: PathTally): void {
  const r0 = Math.sqrt(t.spec.opt.v0);
  tally.runs++;
  let lhs = 0;
  forEachAccumulator(t, (c, k, g2, v) => {
    if (k === 0) lhs = 0;
    const sv = Math.sqrt(v);
    lhs += g2 === 0 ? 0 : g2 / sv;
    const rhs = 2 * (sv - r0);
    tally.steps++;
    tally.worst.add(leMargin(lhs, rhs, sv), () => `${t.label} k=${k}${t.spec.opt.perCoord ? ` j=${c}` : ''}: Σ g²/√v = ${fmt(lhs, 8)} vs 2(√v − β₀) = ${fmt(rhs, 8)}`);
  });
}

export const L4: Lemma = {
  id: 'L4',
  title: 'root-sum',
  kind: 'pathwise',
  statement: 'Σ_{k<K} ||g_k||²/√v_k ≤ 2(√v_{K−1} − β₀) (per coordinate for AdaGrad)',
  check(mode) {
    const pos = pathTally();
    for (const r of pathwiseRuns(mode)) checkRootSum(trajectory(r), pos);
    const neg = pathTally();
    for (const r of accumulatorNegativeRuns(mode.quick)) checkRootSum(trajectory(r), neg);
    return {
      checked: { runs: pos.runs, steps: pos.steps },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pathwiseStatus(pos.worst.margin),
      criterion: 'margin = (rhs − lhs)/max(|lhs|, |rhs|, √v) at every K (and coordinate); holds iff ≥ −1e-10',
      negative_check: {
        description: 'current gradient left out of the accumulator before the step, AdaGrad-Norm and AdaGrad',
        caught: neg.worst.margin < -PATH_TOL,
        worst_margin: neg.worst.margin,
        worst_at: neg.worst.at,
        checked: { runs: neg.runs, steps: neg.steps },
      },
      notes: ['steps count (K, coordinate) pairs'],
    };
  },
};
