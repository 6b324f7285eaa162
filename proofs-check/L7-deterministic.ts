/**
 * L7 — deterministic AdaGrad-Norm (g_k = ∇_k) *(derived)*, pathwise.
 *
 *   B̄ = max(β₀, αL) + (2/α)(F(x₀) − F*) + 2αL·log₊(αL/β₀),
 *   √v_{K−1} ≤ B̄ for all K,   hence   min_{k<K} ||∇_k||² ≤ (B̄² − β₀²)/K.
 *
 * Derivation (why it holds; SPEC labels it the toolkit's own): let k₀ be the first
 * step with √v_k ≥ αL. Before k₀ the descent lemma and L3 give
 * F(x_{k₀}) ≤ F(x₀) + (Lα²/2)·log(v_{k₀−1}/β₀²) ≤ F(x₀) + Lα²·log₊(αL/β₀); from k₀ on,
 * √v_k ≥ αL makes each step decrease F by at least (α/2)||∇_k||²/√v_k ≥ (α/2)(√v_k − √v_{k−1}),
 * so √v_{K−1} ≤ √v_{k₀−1} + (2/α)(F(x_{k₀}) − F*) ≤ B̄. The second claim follows from
 * L5: K·min ||∇_k||² ≤ v_{K−1} − β₀² ≤ B̄² − β₀².
 *
 * B̄ is computed from the problem's constants: a global L, and F* when known,
 * else the proven lower bound F_low (F(x₀) − F_low ≥ F(x₀) − F*, so B̄ stays valid).
 * Only problems with a global L are used (the derivation needs L-smoothness along
 * the whole path).
 *
 * Margins: (B̄ − √v_{K−1})/B̄ and ((B̄² − β₀²)/K − min ||∇_k||²)/max(…); pass at ≥ −1e-10.
 *
 * Negative check: the same bound on runs that break its condition g_k = ∇_k —
 * AdaGrad-Norm with stochastic gradients at batch size 1 on problems whose noise
 * does not vanish (v grows like σ²K, so √v eventually passes B̄).
 */
import { constant } from '../src/index.js';
import { PATH_TOL, Worst, adagradNormSpec, fStarOrLow, fmt, leMargin, pathwiseStatus, trajectory, type Lemma, type RunSpec, type Trajectory } from './harness.js';

/** B̄ of L7 for a run. */
export function bBar(t: Trajectory): number {
  const p = t.problem;
  const L = p.constants.L.value;
  const { alpha: a, v0 } = t.spec.opt;
  const b0 = Math.sqrt(v0);
  const F0 = t.steps[0]?.F ?? NaN;
  return Math.max(b0, a * L) + (2 / a) * (F0 - fStarOrLow(p)) + 2 * a * L * Math.max(0, Math.log((a * L) / b0));
}

export function checkDeterministic(t: Trajectory, worst: Worst): number {
  const B = bBar(t);
  const b0sq = t.spec.opt.v0;
  let minG = Infinity;
  let n = 0;
  for (const s of t.steps) {
    minG = Math.min(minG, s.gradFNormSq);
    const sv = Math.sqrt(s.v[0]!);
    const K = s.k + 1;
    worst.add(leMargin(sv, B), () => `${t.label} K=${K}: √v = ${fmt(sv, 8)} vs B̄ = ${fmt(B, 8)}`);
    const rhs = (B * B - b0sq) / K;
    worst.add(leMargin(minG, rhs), () => `${t.label} K=${K}: min||∇||² = ${fmt(minG, 6)} vs (B̄² − β₀²)/K = ${fmt(rhs, 6)}`);
    n++;
  }
  return n;
}

const PROBLEMS = (quick: boolean) => [quick ? 'nqm_d20_i0' : 'nqm_d100_i0', 'nclogreg_d20_n2000_i0_k1000', 'lsq-noisy_d20_n2000_i0', 'chain_d20_i0'];
const CONSTS: [number, number][] = [[1, 1], [5, 0.1], [0.1, 1]];

export function deterministicRuns(quick: boolean): RunSpec[] {
  const steps = quick ? 150 : 1000;
  return PROBLEMS(quick).flatMap((problemId) =>
    CONSTS.map(([a, b0]) => ({
      problemId, opt: adagradNormSpec(a, b0), controller: { label: 'exact', make: () => constant(1) }, steps, seed: 700, gradient: 'exact' as const,
    })),
  );
}

export const L7: Lemma = {
  id: 'L7',
  title: 'deterministic AdaGrad-Norm (derived)',
  kind: 'pathwise',
  statement: 'g_k = ∇_k: √v_{K−1} ≤ B̄ = max(β₀, αL) + (2/α)(F(x₀) − F*) + 2αL·log₊(αL/β₀), so min_{k<K} ||∇_k||² ≤ (B̄² − β₀²)/K',
  check(mode) {
    const pos = new Worst();
    let steps = 0;
    const runs = deterministicRuns(mode.quick).map(trajectory);
    const tightest: string[] = [];
    for (const t of runs) {
      steps += checkDeterministic(t, pos);
      const last = t.steps[t.steps.length - 1];
      if (last) tightest.push(`${t.problem.id} α=${t.spec.opt.alpha} β₀=${Math.sqrt(t.spec.opt.v0)}: √v_{K−1}/B̄ = ${fmt(Math.sqrt(last.v[0]!) / bBar(t))}`);
    }
    const neg = new Worst();
    let negSteps = 0;
    const negRuns = ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0'].flatMap((problemId) =>
      CONSTS.slice(0, 2).map(([a, b0]) => trajectory({
        problemId, opt: adagradNormSpec(a, b0), controller: { label: 'constant(1)', make: () => constant(1) }, steps: mode.quick ? 300 : 1000, seed: 701,
      })),
    );
    for (const t of negRuns) negSteps += checkDeterministic(t, neg);
    const fLow = runs.filter((t) => t.problem.constants.F_star === undefined).map((t) => t.problem.id);
    return {
      checked: { runs: runs.length, steps },
      worst_margin: pos.margin,
      worst_at: pos.at,
      status: pathwiseStatus(pos.margin),
      criterion: 'margins (B̄ − √v)/B̄ and the min bound at every K; holds iff ≥ −1e-10',
      negative_check: {
        description: 'stochastic gradients (constant batch 1, non-vanishing noise) instead of g_k = ∇_k, same B̄',
        caught: neg.margin < -PATH_TOL,
        worst_margin: neg.margin,
        worst_at: neg.at,
        checked: { runs: negRuns.length, steps: negSteps },
      },
      notes: [
        `(α, β₀) ∈ ${JSON.stringify(CONSTS)}; global L only`,
        ...(fLow.length > 0 ? [`F* unknown, F_low used for: ${[...new Set(fLow)].join(', ')}`] : []),
        `final √v/B̄: ${tightest.join('; ')}`,
      ],
    };
  },
};
