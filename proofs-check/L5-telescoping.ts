/**
 * L5 — telescoping (pathwise).
 *
 *   Σ_{k<K} ||g_k||² = v_{K−1} − β₀²,   hence   min_{k<K} ||g_k||² ≤ (v_{K−1} − β₀²)/K
 *
 * for every K ≥ 1 (AdaGrad: per coordinate, with v_{−1,j}), v_k the accumulator
 * the step used and β₀² the configured start. Also checked: the accumulator in
 * the optimizer's state (its `inspect`) equals the one the step used.
 *
 * Margins: identity and state consistency −|lhs − rhs|/max(|lhs|, |rhs|, v_{K−1}); the
 * min bound (rhs − lhs)/max(|lhs|, |rhs|, v_{K−1}/K); all pass at ≥ −1e-10 (v_{K−1} in
 * the scale: v − β₀² loses the ulps of v when the increments are tiny).
 *
 * Fault ladder: an AdaGrad-Norm whose accumulator starts at 4β₀² while the lemma
 * is stated with β₀² (gross), then the accumulator near misses of fault-runs.ts down
 * to a start 0.01% off; the identity is two-sided, so it sees the loosening faults
 * that L3 and L4 cannot.
 */
import { constant } from '../src/index.js';
import { eqMargin, fmt, forEachAccumulator, leMargin, pathTally, pathwiseStatus, trajectory, type PathTally, type Trajectory } from './harness.js';
import { misstartedAdagradNorm } from './faults.js';
import { accumulatorLadder, tightInstanceRuns } from './fault-runs.js';
import { ladder, negativeFromRung, pathRung, type LadderLemma } from './ladder.js';
import { pathwiseRuns } from './suites.js';

export function checkTelescoping(t: Trajectory, tally: PathTally): void {
  const v0 = t.spec.opt.v0;
  tally.runs++;
  let sum = 0;
  let min = Infinity;
  forEachAccumulator(t, (c, k, g2, v) => {
    if (k === 0) {
      sum = 0;
      min = Infinity;
    }
    sum += g2;
    min = Math.min(min, g2);
    const where = () => `${t.label} k=${k}${t.spec.opt.perCoord ? ` j=${c}` : ''}`;
    tally.steps++;
    tally.worst.add(eqMargin(sum, v - v0, v), () => `${where()}: Σ g² = ${fmt(sum, 10)} vs v − v₋₁ = ${fmt(v - v0, 10)}`);
    tally.worst.add(leMargin(min, (v - v0) / (k + 1), v / (k + 1)), () => `${where()}: min g² = ${fmt(min, 8)} vs (v − v₋₁)/K = ${fmt((v - v0) / (k + 1), 8)}`);
  });
  for (const s of t.steps) {
    const vSum = s.v.reduce((a, b) => a + b, 0);
    if (Number.isFinite(s.vState)) tally.worst.add(eqMargin(vSum, s.vState), () => `${t.label} k=${s.k}: state accumulator ${fmt(s.vState, 10)} vs the step's ${fmt(vSum, 10)}`);
  }
}

export const L5: LadderLemma = {
  id: 'L5',
  title: 'telescoping',
  kind: 'pathwise',
  statement: 'Σ_{k<K} ||g_k||² = v_{K−1} − β₀², so min_k ||g_k||² ≤ (v_{K−1} − β₀²)/K (per coordinate for AdaGrad)',
  check(mode) {
    const pos = pathTally();
    for (const r of [...pathwiseRuns(mode), ...tightInstanceRuns(mode.quick)]) checkTelescoping(trajectory(r), pos);
    const steps = mode.quick ? 40 : 150;
    const gross = pathRung({ id: 'v₋₁×4', kind: 'method', fault: 'accumulator started at 4β₀² while the lemma is stated with β₀² (AdaGrad-Norm)', size: '×4 on v₋₁' });
    for (const problemId of ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0']) {
      const t = trajectory({ problemId, opt: misstartedAdagradNorm(1, 1, 4), controller: { label: 'constant(4)', make: () => constant(4) }, steps, seed: 500 });
      const tally = pathTally();
      checkTelescoping(t, tally);
      gross.addUnit(tally.worst);
    }
    const rungs = [gross.result(), ...accumulatorLadder(mode.quick, checkTelescoping, false)];
    return {
      checked: { runs: pos.runs, steps: pos.steps },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pathwiseStatus(pos.worst.margin),
      criterion: 'identity: −|lhs − rhs|/max(|lhs|, |rhs|, v); min bound: (rhs − lhs)/max(|lhs|, |rhs|, v/K); holds iff ≥ −1e-10 at every K',
      negative_check: negativeFromRung(rungs[0]!),
      ladder: ladder(rungs, 'β₀+0.01%', 'the β₀ = 10 and v₋₁ = 100 runs of fault-runs.ts added (the identity needs no tight instance: it is two-sided and exact)'),
      notes: ['also checks that the optimizer state accumulator (inspect) equals the accumulator the step used'],
    };
  },
};
