/**
 * L0 — minibatch variance (in expectation, Monte Carlo).
 *
 *   E_k ||g_k − ∇_k||² = σ²(x_k)/b_k             (with replacement, i.i.d.)
 *   E_k ||g_k − ∇_k||² = σ²(x_k)/b_k · (n − b_k)/(n − 1)   (finite sum, without replacement)
 *
 * Checked at stored iterates x_k of real runs: M fresh batches of size b_k are drawn
 * at the fixed x_k (keys foldIn(mcKey, m); M doubled while M < 25·γ̂², the CLT rule of
 * thumb for the skewness γ̂ of Y), g = batchStatsAt(...).meanGrad as in
 * run(), and Y = ||g − ∇F(x_k)||² is averaged. σ²(x_k) is the problem's exact noise().
 *
 * Confidence: two-sided z-intervals (CLT) for E Y, Bonferroni-corrected over all
 * points, family-wise false-fail rate 1%. margin = (h − |Ȳ − c|)/c ≥ 0 iff the
 * predicted c is inside the interval.
 *
 * Negative check: the same points with the (n − b)/(n − 1) factor forgotten for the
 * runs sampled without replacement (lsq-noisy with n = 100, b = 50: factor ≈ 0.51).
 */
import { MC_ALPHA, Worst, adagradNormSpec, bonferroniZ, cltAdequacy, fmt, mcEqMargin, mcKey, meanSd, pickSteps, resampleAdequate, trajectory, type Lemma, type McPoint, type RunSpec } from './harness.js';
import { ctrl, pathwiseProblems } from './suites.js';

const B_LIMIT = 256;

interface Sample {
  readonly where: string;
  readonly Y: readonly number[];
  readonly sigma2OverB: number;
  readonly fpc: number;
  readonly gradFNormSq: number;
}

/**
 * Rounding allowance: ḡ and ∇F are computed by different code paths, so Y carries an
 * absolute rounding error of order 1e-32·||∇F||²; the interval is widened by
 * 1e-12·(||∇F||² + c) (it matters only where σ² = 0, e.g. the noise-free zero-chain).
 */
const ROUND = 1e-12;

function runs(quick: boolean): RunSpec[] {
  const steps = quick ? 30 : 100;
  const out: RunSpec[] = [];
  for (const problemId of pathwiseProblems({ quick })) {
    out.push({ problemId, opt: adagradNormSpec(1, 1), controller: ctrl.constant(4), steps, seed: 1 });
    if (!quick || problemId.startsWith('nqm') || problemId.startsWith('lsq')) {
      out.push({ problemId, opt: adagradNormSpec(1, 1), controller: ctrl.norm(), steps, seed: 2 });
    }
  }
  for (const replace of [false, true]) {
    out.push({ problemId: 'lsq-noisy_d10_n100_i0', opt: adagradNormSpec(1, 1), controller: ctrl.constant(50), steps, seed: 3, replace });
  }
  return out;
}

export const L0: Lemma = {
  id: 'L0',
  title: 'minibatch variance',
  kind: 'expectation',
  statement: 'E||g_k − ∇_k||² = σ²(x_k)/b_k (× (n−b)/(n−1) without replacement)',
  check(mode) {
    const M = mode.quick ? 400 : 2000;
    const perRun = mode.quick ? 2 : 5;
    const samples: Sample[] = [];
    let r = 0;
    let skipped = 0;
    const specs = runs(mode.quick);
    for (const spec of specs) {
      const t = trajectory(spec);
      const ok = t.steps.filter((s) => s.b <= B_LIMIT);
      skipped += t.steps.length - ok.length;
      for (const i of pickSteps(ok.length, perRun)) {
        const s = ok[i]!;
        const replace = spec.replace ?? true;
        const n = t.problem.n;
        const res = resampleAdequate(t.problem, s.x, s.b, mcKey(0, r++), replace, M, 16 * M, (g) => {
          let e = 0;
          for (let j = 0; j < g.length; j++) e += (g[j]! - s.gradF[j]!) ** 2;
          return [e];
        });
        const Y = res.values[0]!;
        samples.push({
          where: `${t.label} k=${s.k} b=${s.b}`,
          Y,
          sigma2OverB: t.problem.noise!(s.x).sigma2 / s.b,
          fpc: !replace && n !== null ? (n - s.b) / (n - 1) : 1,
          gradFNormSq: s.gradFNormSq,
        });
      }
    }
    const z = bonferroniZ(MC_ALPHA, samples.length, 2);
    const evaluate = (useFpc: boolean): Worst => {
      const w = new Worst();
      for (const smp of samples) {
        const { mean, sd } = meanSd(smp.Y);
        const c = smp.sigma2OverB * (useFpc ? smp.fpc : 1);
        const slack = ROUND * (smp.gradFNormSq + c);
        const p: McPoint = { where: smp.where, mean, halfWidth: (z * sd) / Math.sqrt(smp.Y.length) + slack, target: c, scale: Math.max(c, slack) };
        w.add(mcEqMargin(p), () => `${smp.where}: Ȳ = ${fmt(mean, 5)} ± ${fmt(p.halfWidth, 3)} (interval) vs c = ${fmt(c, 5)}${smp.fpc !== 1 ? ` (fpc ${fmt(smp.fpc, 4)}${useFpc ? '' : ' omitted'})` : ''}`);
      }
      return w;
    };
    const pos = evaluate(true);
    const clt = Math.min(...samples.map((smp) => cltAdequacy(smp.Y)));
    const neg = evaluate(false);
    return {
      checked: { runs: specs.length, steps: samples.length, resamples: samples.reduce((a, smp) => a + smp.Y.length, 0), cltAdequacy: clt, skipped, skippedReason: `iterates with b_k > ${B_LIMIT} (Monte Carlo cost)` },
      worst_margin: pos.margin,
      worst_at: pos.at,
      status: pos.margin >= 0 ? 'holds' : 'violated',
      criterion: `two-sided z-interval per point, Bonferroni over ${samples.length} points, family-wise 99% (z = ${fmt(z, 4)}); holds iff margin ≥ 0`,
      negative_check: {
        description: 'without-replacement runs checked against σ²/b, forgetting the (n − b)/(n − 1) factor',
        caught: neg.margin < 0,
        worst_margin: neg.margin,
        worst_at: neg.at,
        checked: { runs: specs.length, steps: samples.length },
      },
      notes: [`M = ${M} fresh batches per point, doubled (up to ${16 * M}) until M ≥ 25·γ̂² (CLT rule of thumb)`, `points: lsq-noisy_d10_n100 at b = 50 with and without replacement, plus ${pathwiseProblems(mode).join(', ')}`],
    };
  },
};
