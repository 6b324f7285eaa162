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
 * Fault ladder (fault-runs.ts): the gradient added after the step (gross: log 1 = 0
 * at k = 0), β₀ off by −10%, −1%, −0.1%, α off by +1%, the increment off by −1%, and
 * the loosening faults (β₀ +1%, +0.01%, increment +1%), which this one-sided bound
 * cannot see; and a wrong log base in the bound (log₁₀: caught; log₂: looser, not a
 * violation). Tightened by runs with β₀ = 10 (AdaGrad: v₋₁ = 100), where
 * ||g_k||²/v_k ≪ 1 and the slack Σ [log(v_k/v_{k−1}) − ||g_k||²/v_k] ≈ Σ ½(||g_k||²/v_k)²
 * is far below the −2·10⁻³ a β₀ that is 0.1% short takes off the right-hand side.
 */
import { constant } from '../src/index.js';
import { PATH_TOL, fmt, forEachAccumulator, leMargin, pathTally, pathwiseStatus, trajectory, type PathTally, type Trajectory } from './harness.js';
import { laggedAdagrad, laggedAdagradNorm } from './faults.js';
import { accumulatorLadder, tightInstanceRuns } from './fault-runs.js';
import { ladder, negativeFromRung, pathRung, type LadderLemma, type Rung, type RungResult } from './ladder.js';
import { pathwiseRuns } from './suites.js';

export function checkLogSum(t: Trajectory, tally: PathTally, log: (x: number) => number = Math.log): void {
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
    const rhs = log(v / v0);
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

export const L3: LadderLemma = {
  id: 'L3',
  title: 'log-sum',
  kind: 'pathwise',
  statement: 'Σ_{k<K} ||g_k||²/v_k ≤ log(v_{K−1}/β₀²) (per coordinate for AdaGrad)',
  check(mode) {
    const pos = pathTally();
    for (const r of [...pathwiseRuns(mode), ...tightInstanceRuns(mode.quick)]) checkLogSum(trajectory(r), pos);
    const acc = accumulatorLadder(mode.quick, (t, tally) => checkLogSum(t, tally), true, (id) => (id === 'lag' ? accumulatorNegativeRuns(mode.quick) : []));
    const base = (rg: Rung, log: (x: number) => number, note?: string): RungResult => {
      const rt = pathRung(rg);
      for (const r of [...pathwiseRuns(mode), ...tightInstanceRuns(mode.quick)]) {
        const tally = pathTally();
        checkLogSum(trajectory(r), tally, log);
        if (tally.worst.count > 0) rt.addUnit(tally.worst);
      }
      return rt.result(undefined, rt.worst.margin < -PATH_TOL ? undefined : note);
    };
    const log10 = base({ id: 'log₁₀', kind: 'inequality', fault: 'the bound with log₁₀ in place of the natural log', size: '×0.43 on the rhs' }, Math.log10);
    const log2 = base({ id: 'log₂', kind: 'inequality', fault: 'the bound with log₂ in place of the natural log', size: '×1.44 on the rhs' }, Math.log2, 'log₂ > ln: the slipped bound is looser, hence still true');
    const rungs = [acc[0]!, log10, ...acc.slice(1), log2];
    return {
      checked: { runs: pos.runs, steps: pos.steps, skipped: pos.skipped, skippedReason: 'AdaGrad runs with v₋₁ = 0 (rhs = +∞)' },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pathwiseStatus(pos.worst.margin),
      criterion: 'margin = (rhs − lhs)/max(|lhs|, |rhs|, 1) at every K (and coordinate); holds iff ≥ −1e-10',
      negative_check: negativeFromRung(rungs[0]!),
      notes: ['steps count (K, coordinate) pairs: every prefix K of every accumulator component'],
      ladder: ladder(rungs, 'β₀−0.1%', 'β₀ = 10 AdaGrad-Norm and v₋₁ = 100 AdaGrad runs (||g||² ≪ v: the bound is nearly tight) added to the positive check and to every rung'),
    };
  },
};
