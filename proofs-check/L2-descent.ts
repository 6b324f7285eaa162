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
 * Negative check: the same trajectories with L understated ten-fold (L/10).
 */
import { PATH_TOL, Worst, fmt, inLRegion, leMargin, pathwiseStatus, trajectory, type Lemma, type Trajectory } from './harness.js';
import { pathwiseRuns } from './suites.js';

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

export const L2: Lemma = {
  id: 'L2',
  title: 'descent',
  kind: 'pathwise',
  statement: 'F(x_{k+1}) ≤ F(x_k) − α⟨∇_k, g_k⟩/√v_k + (Lα²/2)||g_k||²/v_k (per coordinate for AdaGrad)',
  check(mode) {
    const runs = pathwiseRuns(mode).map(trajectory);
    const pos: Tally = { worst: new Worst(), steps: 0, skipped: 0, runs: 0 };
    const neg: Tally = { worst: new Worst(), steps: 0, skipped: 0, runs: 0 };
    for (const t of runs) {
      checkDescent(t, t.problem.constants.L.value, pos);
      checkDescent(t, t.problem.constants.L.value / 10, neg);
    }
    const notes = [`margin ≥ −${PATH_TOL} passes (relative rounding tolerance)`];
    const diverged = runs.filter((t) => t.status !== 'completed').length;
    if (diverged > 0) notes.push(`${diverged} run(s) diverged; their finite steps were checked`);
    return {
      checked: { runs: pos.runs, steps: pos.steps, skipped: pos.skipped, skippedReason: 'x_k or x_{k+1} outside the disk of a local L' },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pathwiseStatus(pos.worst.margin),
      criterion: 'margin = (rhs − lhs)/max(|terms|); holds iff ≥ −1e-10 at every checked step',
      negative_check: {
        description: 'L understated ten-fold (L/10) on the same trajectories',
        caught: neg.worst.margin < -PATH_TOL,
        worst_margin: neg.worst.margin,
        worst_at: neg.worst.at,
        checked: { runs: neg.runs, steps: neg.steps, skipped: neg.skipped },
      },
      notes,
    };
  },
};
