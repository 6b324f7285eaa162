/**
 * L6 — decorrelated step (in expectation, Monte Carlo).
 *
 *   ṽ_k = v_{k−1} + ρ||∇_k||²   (known before B_k is drawn)   ⇒
 *   E_k ⟨∇_k, g_k⟩/√ṽ_k = ||∇_k||²/√ṽ_k,
 *
 * i.e. E_k Y = 0 for Y = (⟨∇_k, g_k⟩ − ||∇_k||²)/√ṽ_k, with ρ = 1 + η² (η = 0.5).
 * Checked at stored iterates of AdaGrad-Norm runs (v_{k−1} the accumulator the
 * previous step used; β₀² at k = 0): M fresh batches at the fixed x_k (M doubled
 * while M < 25·γ̂², the CLT rule of thumb).
 *
 * Confidence: two-sided z-intervals, Bonferroni over all points, family-wise
 * false-fail rate 1%. margin = (h − |Ȳ|)/(||∇_k||²/√ṽ_k) ≥ 0 iff 0 is in the interval.
 *
 * Fault ladder: (gross) the fully correlated accumulator below; then partly
 * correlated ones, ṽ_c = (1 − c)·ṽ_k + c·(v_{k−1} + ||g_k||²) with c = 0.5 and 0.1
 * (a fraction of the current stochastic gradient leaks into the step size); and
 * ρ 10% off, which is NOT a fault of L6 (the identity holds for every ṽ that is
 * independent of B_k) and must not be caught.
 *
 * Gross fault: the correlated accumulator v_k = v_{k−1} + ||g_k||² (it contains
 * the stochastic gradient of the step) in place of ṽ_k, with the same claim
 * E_k (⟨∇_k, g_k⟩ − ||∇_k||²)/√v_k = 0. It fails where the noise along ∇F is large
 * against ∇F and v_{k−1} is small (1-D NQM with β₀ = 0.1, b = 1): large ⟨∇, g⟩ come
 * with large ||g||², so the step is shorter exactly when it would help most.
 */
import { MC_ALPHA, Worst, adagradNormSpec, bonferroniZ, cltAdequacy, dot, fmt, mcEqMargin, mcKey, meanSd, pickSteps, resampleAdequate, sqNorm, trajectory, type RunSpec } from './harness.js';
import { ladder, mcRung, negativeFromRung, type LadderLemma, type Rung } from './ladder.js';
import { replicateKey } from './replicate.js';
import { ctrl } from './suites.js';

const RUNGS: readonly (Rung & { col: number; note?: string })[] = [
  { id: 'correlated', kind: 'method', fault: 'correlated v_k = v_{k−1} + ||g_k||² (includes the current stochastic gradient) in place of ṽ_k', size: 'full correlation', col: 1 },
  { id: 'c=0.5', kind: 'method', fault: 'half of the correlated accumulator mixed into ṽ_k: 0.5·ṽ_k + 0.5·(v_{k−1} + ||g_k||²)', size: 'correlation ×0.5', col: 2 },
  { id: 'c=0.1', kind: 'method', fault: 'a tenth of the correlated accumulator mixed into ṽ_k', size: 'correlation ×0.1', col: 3 },
  { id: 'ρ×1.1', kind: 'constant', fault: 'ρ 10% off in ṽ_k (not a fault of L6: any B_k-independent ṽ satisfies it)', size: '+10% on ρ', col: 4, note: 'expected: L6 holds for every ṽ independent of B_k' },
];

const RHO = 1.25;
const B_LIMIT = 256;

function runs(quick: boolean): RunSpec[] {
  const steps = quick ? 30 : 100;
  const out: RunSpec[] = [];
  for (const problemId of ['nqm_d1_i0', 'nqm_d20_i0', 'lsq-noisy_d20_n2000_i0', 'branin_d2_i0', 'nclogreg_d20_n2000_i0_k1000']) {
    out.push({ problemId, opt: adagradNormSpec(1, 0.1), controller: ctrl.constant(1), steps, seed: 60 });
    if (!quick || problemId !== 'nclogreg_d20_n2000_i0_k1000') out.push({ problemId, opt: adagradNormSpec(1, 1), controller: ctrl.norm(), steps, seed: 61 });
  }
  return out;
}

interface Point {
  where: string;
  Y: number[];
  Ycorr: number[];
  cols: number[][];
  scale: number;
}

export const L6: LadderLemma = {
  id: 'L6',
  title: 'decorrelated step',
  kind: 'expectation',
  statement: 'ṽ_k = v_{k−1} + ρ||∇_k||²: E_k⟨∇_k, g_k⟩/√ṽ_k = ||∇_k||²/√ṽ_k',
  check(mode) {
    const M = mode.quick ? 500 : 2000;
    const specs = runs(mode.quick);
    const points: Point[] = [];
    let r = 0;
    let skipped = 0;
    for (const spec of specs) {
      const t = trajectory(spec);
      const ok = t.steps.filter((s) => s.b <= B_LIMIT);
      skipped += t.steps.length - ok.length;
      for (const i of pickSteps(ok.length, mode.quick ? 3 : 5)) {
        const s = ok[i]!;
        const vPrev = s.k === 0 ? spec.opt.v0 : t.steps[s.k - 1]!.v[0]!;
        const G = s.gradFNormSq;
        const vt = vPrev + RHO * G;
        const vr = vPrev + 1.1 * RHO * G;
        const res = resampleAdequate(t.problem, s.x, s.b, replicateKey(mcKey(6, r++)), true, M, 16 * M, (g) => {
          const d = dot(s.gradF, g) - G;
          const vc = vPrev + sqNorm(g);
          return [d / Math.sqrt(vt), d / Math.sqrt(vc), d / Math.sqrt(0.5 * vt + 0.5 * vc), d / Math.sqrt(0.9 * vt + 0.1 * vc), d / Math.sqrt(vr)];
        });
        points.push({ where: `${t.label} k=${s.k} b=${s.b}`, Y: res.values[0]!, Ycorr: res.values[1]!, cols: res.values, scale: G / Math.sqrt(vt) });
      }
    }
    const z = bonferroniZ(MC_ALPHA, points.length, 2);
    const evaluate = (col: number, tally?: ReturnType<typeof mcRung>): Worst => {
      const w = new Worst();
      for (const p of points) {
        const ys = p.cols[col]!;
        const { mean, sd } = meanSd(ys);
        const h = (z * sd) / Math.sqrt(ys.length);
        const m = mcEqMargin({ where: p.where, mean, halfWidth: h, target: 0, scale: p.scale });
        const at = () => `${p.where}: E Y ∈ ${fmt(mean, 4)} ± ${fmt(h, 3)} vs 0 (||∇||²/√ṽ = ${fmt(p.scale, 4)})`;
        w.add(m, at);
        tally?.addMargin(m, at);
      }
      return w;
    };
    const pos = evaluate(0);
    const clt = Math.min(...points.map((p) => cltAdequacy(p.Y)));
    const rungs = RUNGS.map((rg) => {
      const rt = mcRung(rg);
      evaluate(rg.col, rt);
      return rt.result(undefined, rg.note);
    });
    return {
      checked: { runs: specs.length, steps: points.length, resamples: points.reduce((a, p) => a + p.Y.length, 0), cltAdequacy: clt, skipped, skippedReason: `iterates with b_k > ${B_LIMIT}` },
      worst_margin: pos.margin,
      worst_at: pos.at,
      status: pos.margin >= 0 ? 'holds' : 'violated',
      criterion: `two-sided z-intervals, Bonferroni over ${points.length} points, family-wise 99% (z = ${fmt(z, 4)}); holds iff margin ≥ 0`,
      negative_check: negativeFromRung(rungs[0]!),
      ladder: ladder(rungs, 'c=0.1', 'no new instance: the b = 1, β₀ = 0.1 points on five problems (noise along ∇F large against ∇F, v_{k−1} small) carry the largest correlation bias; the partial correlations are evaluated on the same fresh batches'),
      notes: [`ρ = ${RHO}; M = ${M} fresh batches per point, doubled (up to ${16 * M}) until M ≥ 25·γ̂² for both statistics`],
    };
  },
};
