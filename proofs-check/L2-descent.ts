/**
 * L2 — descent inequality (pathwise).
 *
 *   F(x_{k+1}) ≤ F(x_k) − α ⟨∇_k, g_k⟩/√v_k + (L α²/2) ||g_k||²/v_k           (AdaGrad-Norm)
 *   F(x_{k+1}) ≤ F(x_k) − α Σ_j ∂_jF(x_k) g_kj/(√v_kj + ε) + (L α²/2) Σ_j g_kj²/(√v_kj + ε)²   (AdaGrad)
 *
 * with v_k computed by the lemma's own recursion from the claimed v_{−1} and the
 * recorded g_0..g_k (v_k = β₀² + Σ_{i≤k} ||g_i||², per coordinate for AdaGrad), and
 * x_{k+1} the iterate the optimizer actually produced. So the check covers the
 * problem's F, ∇F and L and the optimizer's step at once.
 *
 * Margin: (rhs − lhs)/max(|F(x_k)|, |F(x_{k+1})|, |α⟨∇,g⟩/√v|, |Lα²||g||²/2v|); passes at ≥ −1e-10.
 * Local L (Branin): a step is checked only if x_k and x_{k+1} are both in the disk
 * where L holds (the disk is convex, so the segment is in it); other steps are skipped.
 *
 * Fault ladder (gross to fine): L understated ×0.1, ×0.9, ×0.99, ×0.999 on the same
 * trajectories; and optimizers with an accumulator near miss (fault-runs.ts: the
 * gradient added after the step, β₀ off by 10%, 1%, 0.1%, 0.01%, α off by 1%, the
 * increment off by 1%) checked against the lemma with the correct constants.
 * Tightened by the 1-D quadratic nqm_d1 (L = h = 1 exactly): there the descent
 * inequality is an identity, F(x + u) = F(x) + ∇u + (L/2)u², so any change of L or
 * of the step shows; on the d = 20 problems the curvature along the step is
 * below L: L/2 is caught on most of them, L × 0.9, the lagged accumulator and β₀ −10%
 * on one run each, the finer rungs on none (the report counts the runs that caught
 * each rung).
 */
import { PATH_TOL, Worst, fmt, inLRegion, leMargin, pathwiseStatus, trajectory, type Trajectory } from './harness.js';
import { ACCUMULATOR_RUNGS, accumulatorFaultRuns, tightInstanceRuns } from './fault-runs.js';
import { ladder, negativeFromRung, pathRung, type LadderLemma, type Rung, type RungResult } from './ladder.js';
import { pathwiseRuns } from './suites.js';

const L_RUNGS: readonly (Rung & { factor: number })[] = [
  { id: 'L/10', kind: 'constant', fault: 'L understated ten-fold (L/10) on the same trajectories', size: '−90% on L', factor: 0.1 },
  { id: 'L×0.9', kind: 'constant', fault: 'L understated by 10%', size: '−10% on L', factor: 0.9 },
  { id: 'L×0.99', kind: 'constant', fault: 'L understated by 1%', size: '−1% on L', factor: 0.99 },
  { id: 'L×0.999', kind: 'constant', fault: 'L understated by 0.1%', size: '−0.1% on L', factor: 0.999 },
];

/** Ladder order, gross to fine. */
const ORDER = ['L/10', 'β₀−10%', 'L×0.9', 'lag', 'α+1%', 'β₀−1%', 'inc×0.99', 'L×0.99', 'β₀+1%', 'inc×1.01', 'β₀−0.1%', 'L×0.999', 'β₀+0.01%'];

interface Tally {
  worst: Worst;
  steps: number;
  skipped: number;
  runs: number;
}

/** Check L2 on one trajectory with smoothness constant `L`. */
export function checkDescent(t: Trajectory, L: number, tally: Tally): void {
  const { opt } = t.spec;
  const p = t.problem;
  const d = p.dim;
  const vRec = new Float64Array(opt.perCoord ? d : 1).fill(opt.v0);
  tally.runs++;
  for (const s of t.steps) {
    if (opt.perCoord) for (let j = 0; j < d; j++) vRec[j]! += s.g[j]! * s.g[j]!;
    else vRec[0]! += s.gNormSq;
    if (!inLRegion(p, s.x) || !inLRegion(p, s.xNext)) {
      tally.skipped++;
      continue;
    }
    let lin = 0;
    let quad = 0;
    if (opt.perCoord) {
      for (let j = 0; j < d; j++) {
        const den = Math.sqrt(vRec[j]!) + opt.eps;
        lin += (s.gradF[j]! * s.g[j]!) / den;
        quad += (s.g[j]! * s.g[j]!) / (den * den);
      }
    } else {
      let ip = 0;
      for (let j = 0; j < d; j++) ip += s.gradF[j]! * s.g[j]!;
      lin = ip / Math.sqrt(vRec[0]!);
      quad = s.gNormSq / vRec[0]!;
    }
    const a = opt.alpha;
    const rhs = s.F - a * lin + ((L * a * a) / 2) * quad;
    const m = leMargin(s.FNext, rhs, s.F, a * lin, (L * a * a * quad) / 2);
    tally.steps++;
    tally.worst.add(m, () => `${t.label} k=${s.k}: F(x_{k+1}) = ${fmt(s.FNext, 10)} vs rhs = ${fmt(rhs, 10)}`);
  }
}

export const L2: LadderLemma = {
  id: 'L2',
  title: 'descent',
  kind: 'pathwise',
  statement: 'F(x_{k+1}) ≤ F(x_k) − α⟨∇_k, g_k⟩/√v_k + (Lα²/2)||g_k||²/v_k (per coordinate for AdaGrad)',
  check(mode) {
    const runs = [...pathwiseRuns(mode), ...tightInstanceRuns(mode.quick)].map(trajectory);
    const pos: Tally = { worst: new Worst(), steps: 0, skipped: 0, runs: 0 };
    const results: RungResult[] = [];
    const unit = (t: Trajectory, L: number): Worst => {
      const u: Tally = { worst: new Worst(), steps: 0, skipped: 0, runs: 0 };
      checkDescent(t, L, u);
      return u.worst;
    };
    for (const t of runs) checkDescent(t, t.problem.constants.L.value, pos);
    for (const rg of L_RUNGS) {
      const rt = pathRung(rg);
      for (const t of runs) rt.addUnit(unit(t, t.problem.constants.L.value * rg.factor));
      results.push(rt.result());
    }
    for (const rg of ACCUMULATOR_RUNGS) {
      const rt = pathRung(rg);
      for (const spec of accumulatorFaultRuns(rg.fault_spec, mode.quick)) {
        const t = trajectory(spec);
        rt.addUnit(unit(t, t.problem.constants.L.value));
      }
      results.push(rt.result());
    }
    const rungs = ORDER.map((id) => results.find((r) => r.id === id)!);
    const notes = [`margin ≥ −${PATH_TOL} passes (relative rounding tolerance)`];
    const diverged = runs.filter((t) => t.status !== 'completed').length;
    if (diverged > 0) notes.push(`${diverged} run(s) diverged; their finite steps were checked`);
    return {
      checked: { runs: pos.runs, steps: pos.steps, skipped: pos.skipped, skippedReason: 'x_k or x_{k+1} outside the disk of a local L' },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pathwiseStatus(pos.worst.margin),
      criterion: 'margin = (rhs − lhs)/max(|terms|); holds iff ≥ −1e-10 at every checked step',
      negative_check: negativeFromRung(rungs[0]!),
      notes,
      ladder: ladder(rungs, 'β₀+0.01%', 'the 1-D quadratic nqm_d1 (descent is an identity there) and β₀ = 10 runs added to the positive check and to every method rung'),
    };
  },
};
