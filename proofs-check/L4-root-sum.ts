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
 * Fault ladder: the accumulator near misses of fault-runs.ts (as for L3). The slack
 * is Σ (√v_k − √v_{k−1})²/√v_k, small where ||g_k||² ≪ v_k (the β₀ = 10 runs), where a
 * start 0.1% short takes 2·10⁻³β₀ off the right-hand side.
 */
import { fmt, forEachAccumulator, leMargin, pathTally, pathwiseStatus, trajectory, type PathTally, type Trajectory } from './harness.js';
import { accumulatorNegativeRuns } from './L3-log-sum.js';
import { accumulatorLadder, tightInstanceRuns } from './fault-runs.js';
import { ladder, negativeFromRung, type LadderLemma } from './ladder.js';
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

export const L4: LadderLemma = {
  id: 'L4',
  title: 'root-sum',
  kind: 'pathwise',
  statement: 'Σ_{k<K} ||g_k||²/√v_k ≤ 2(√v_{K−1} − β₀) (per coordinate for AdaGrad)',
  check(mode) {
    const pos = pathTally();
    for (const r of [...pathwiseRuns(mode), ...tightInstanceRuns(mode.quick)]) checkRootSum(trajectory(r), pos);
    const rungs = accumulatorLadder(mode.quick, checkRootSum, true, (id) => (id === 'lag' ? accumulatorNegativeRuns(mode.quick) : []));
    return {
      checked: { runs: pos.runs, steps: pos.steps },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pathwiseStatus(pos.worst.margin),
      criterion: 'margin = (rhs − lhs)/max(|lhs|, |rhs|, √v) at every K (and coordinate); holds iff ≥ −1e-10',
      negative_check: negativeFromRung(rungs[0]!),
      notes: ['steps count (K, coordinate) pairs'],
      ladder: ladder(rungs, 'β₀−0.1%', 'β₀ = 10 AdaGrad-Norm and v₋₁ = 100 AdaGrad runs (||g||² ≪ v: the bound is nearly tight) added to the positive check and to every rung'),
    };
  },
};
