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
 * Fault ladder (gross to fine), each a change of the predicted c at the same points:
 * the (n − b)/(n − 1) factor forgotten at b = 50 of n = 100 (factor 0.51); the batch
 * one sample short (σ²/(b − 1): +33% at b = 4, +11% at b = 10, +2% at b = 50); σ²
 * understated by 10%; the factor forgotten at b = 10 (0.91); σ² understated by 2%;
 * σ² with the divisor n − 1 instead of n at n = 100 (+1%).
 *
 * Companion (SPEC §2, the statistic every practical test uses): E S_norm = σ²(x_k)
 * for i.i.d. batches (the b − 1 divisor), checked at the with-replacement precision
 * point in the same family; its rung 'S/b' is the divisor b (−10% at b = 10).
 * Tightened by two precision points (nclogreg_d10_n100_k10 at x_0, b = 10, with and
 * without replacement; its bounded per-sample gradients keep Y's relative sd ≈ 0.6)
 * with M = 10⁴ (quick) or 4·10⁴ (full) fresh batches, where the interval's
 * relative half-width is ≈ 2% (quick) or 1% (full).
 */
import { batchStatsAt, foldIn, statistics } from '../src/index.js';
import { MC_ALPHA, Worst, adagradNormSpec, bonferroniZ, cltAdequacy, fmt, mcEqMargin, mcKey, meanSd, pickSteps, resampleAdequate, trajectory, type McPoint, type RunSpec } from './harness.js';
import { ladder, mcRung, negativeFromRung, type LadderLemma, type Rung } from './ladder.js';
import { replicateKey } from './replicate.js';
import { ctrl, pathwiseProblems } from './suites.js';

/** The precision points' problem and batch size. */
const PRECISE = { problemId: 'nclogreg_d10_n100_i0_k10', b: 10 };

interface TargetRung extends Rung {
  /** The faulty c from the correct one (null: the rung does not apply at this point). */
  readonly target: (s: Sample) => number | null;
}

const c0 = (s: Sample): number => s.sigma2OverB * s.fpc;
const RUNGS: readonly TargetRung[] = [
  { id: 'no-fpc(b=50)', kind: 'inequality', fault: 'without replacement, the (n − b)/(n − 1) factor forgotten (n = 100, b = 50)', size: '−49%', target: (s) => (s.fpc !== 1 && s.b === 50 ? s.sigma2OverB : null) },
  { id: 'b−1', kind: 'method', fault: 'the batch one sample short: E||g − ∇||² = σ²/(b − 1), stated σ²/b', size: '+1/(b−1): 33% … 2%', target: (s) => (s.b >= 2 ? c0(s) * s.b / (s.b - 1) : null) },
  { id: 'σ²×0.9', kind: 'constant', fault: 'σ² understated by 10%', size: '−10%', target: (s) => 0.9 * c0(s) },
  { id: 'no-fpc(b=10)', kind: 'inequality', fault: 'the (n − b)/(n − 1) factor forgotten at n = 100, b = 10', size: '−9%', target: (s) => (s.fpc !== 1 && s.b === 10 ? s.sigma2OverB : null) },
  { id: 'σ²×0.98', kind: 'constant', fault: 'σ² understated by 2%', size: '−2%', target: (s) => 0.98 * c0(s) },
  { id: 'σ²(n−1)', kind: 'constant', fault: 'finite-sum σ² with the divisor n − 1 instead of n (n = 100)', size: '+1%', target: (s) => (s.n === 100 ? (c0(s) * 100) / 99 : null) },
];

const B_LIMIT = 256;

interface Sample {
  readonly where: string;
  readonly Y: readonly number[];
  readonly sigma2OverB: number;
  readonly fpc: number;
  readonly gradFNormSq: number;
  readonly b: number;
  readonly n: number | null;
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

function preciseRuns(quick: boolean): RunSpec[] {
  return [false, true].map((replace) => ({ problemId: PRECISE.problemId, opt: adagradNormSpec(1, 1), controller: ctrl.constant(PRECISE.b), steps: quick ? 30 : 100, seed: 4, replace }));
}

export const L0: LadderLemma = {
  id: 'L0',
  title: 'minibatch variance',
  kind: 'expectation',
  statement: 'E||g_k − ∇_k||² = σ²(x_k)/b_k (× (n−b)/(n−1) without replacement); companion: E S_norm = σ² (b − 1 divisor)',
  check(mode) {
    const M = mode.quick ? 400 : 2000;
    const perRun = mode.quick ? 2 : 5;
    const samples: Sample[] = [];
    let r = 0;
    let skipped = 0;
    const preciseSpecs = preciseRuns(mode.quick);
    const specs = [...runs(mode.quick), ...preciseSpecs];
    const precise = new Set(preciseSpecs);
    for (const spec of specs) {
      const t = trajectory(spec);
      const ok = t.steps.filter((s) => s.b <= B_LIMIT);
      skipped += t.steps.length - ok.length;
      const isPrecise = precise.has(spec);
      const m0 = isPrecise ? (mode.quick ? 10_000 : 40_000) : M;
      for (const i of isPrecise ? [0] : pickSteps(ok.length, perRun)) {
        const s = ok[i]!;
        const replace = spec.replace ?? true;
        const n = t.problem.n;
        const res = resampleAdequate(t.problem, s.x, s.b, replicateKey(mcKey(0, r++)), replace, m0, 4 * m0, (g) => {
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
          b: s.b,
          n,
        });
      }
    }
    // Companion of L0 (SPEC §2, the statistic the tests use): E S_norm = σ²(x) for i.i.d. batches
    // (the b − 1 divisor), at the with-replacement precision point; the ladder's 'S/b' uses divisor b.
    const sSpec = preciseSpecs.find((x) => x.replace === true)!;
    const sTraj = trajectory(sSpec);
    const sStep = sTraj.steps[0]!;
    const Ms = mode.quick ? 4000 : 16_000;
    const S: number[] = [];
    for (let m = 0; m < Ms; m++) S.push(statistics(batchStatsAt(sTraj.problem, sStep.x, sTraj.problem.sample(foldIn(replicateKey(mcKey(0, 99_000)), m), sStep.b, { replace: true }))).S_norm);
    const sigma2 = sTraj.problem.noise!(sStep.x).sigma2;
    const z = bonferroniZ(MC_ALPHA, samples.length + 1, 2);
    const sMargin = (factor: number): [number, () => string] => {
      const { mean, sd } = meanSd(S.map((v) => v * factor));
      const h = (z * sd) / Math.sqrt(S.length);
      return [mcEqMargin({ where: '', mean, halfWidth: h, target: sigma2, scale: sigma2 }), () => `${sTraj.label} k=0 b=${sStep.b}: mean S${factor === 1 ? '_norm' : ' (divisor b)'} = ${fmt(mean, 5)} ± ${fmt(h, 3)} vs σ² = ${fmt(sigma2, 5)}`];
    };
    const evaluate = (target: (s: Sample) => number | null, tally?: ReturnType<typeof mcRung>): Worst => {
      const w = new Worst();
      for (const smp of samples) {
        const { mean, sd } = meanSd(smp.Y);
        const ct = target(smp);
        if (ct === null) continue;
        const c = ct;
        const useFpc = c === c0(smp);
        const slack = ROUND * (smp.gradFNormSq + c);
        const p: McPoint = { where: smp.where, mean, halfWidth: (z * sd) / Math.sqrt(smp.Y.length) + slack, target: c, scale: Math.max(c, slack) };
        const at = () => `${smp.where}: Ȳ = ${fmt(mean, 5)} ± ${fmt(p.halfWidth, 3)} (interval) vs c = ${fmt(c, 5)}${smp.fpc !== 1 ? ` (fpc ${fmt(smp.fpc, 4)}${useFpc ? '' : ', c changed by the rung'})` : ''}`;
        w.add(mcEqMargin(p), at);
        tally?.addMargin(mcEqMargin(p), at);
      }
      return w;
    };
    const pos = evaluate(c0);
    pos.add(...sMargin(1));
    const clt = Math.min(...samples.map((smp) => cltAdequacy(smp.Y)), cltAdequacy(S));
    const rungs = RUNGS.map((rg) => {
      const rt = mcRung(rg);
      evaluate(rg.target, rt);
      return rt.result();
    });
    const sb = mcRung({ id: 'S/b', kind: 'method', fault: 'the batch variance with divisor b instead of b − 1 (E = σ²(b − 1)/b)', size: `−1/b: −${fmt(100 / sStep.b, 2)}% at b = ${sStep.b}` });
    sb.addMargin(...sMargin((sStep.b - 1) / sStep.b));
    rungs.splice(rungs.findIndex((r) => r.id === 'no-fpc(b=10)'), 0, sb.result({ resamples: S.length }));
    const resolution = samples.filter((smp) => smp.where.includes(PRECISE.problemId) && smp.b === PRECISE.b).map((smp) => {
      const { mean, sd } = meanSd(smp.Y);
      return (z * sd) / Math.sqrt(smp.Y.length) / mean;
    });
    return {
      checked: { runs: specs.length, steps: samples.length + 1, resamples: samples.reduce((a, smp) => a + smp.Y.length, 0) + S.length, cltAdequacy: clt, skipped, skippedReason: `iterates with b_k > ${B_LIMIT} (Monte Carlo cost)` },
      worst_margin: pos.margin,
      worst_at: pos.at,
      status: pos.margin >= 0 ? 'holds' : 'violated',
      criterion: `two-sided z-interval per point, Bonferroni over ${samples.length} points and the S_norm point, family-wise 99% (z = ${fmt(z, 4)}); holds iff margin ≥ 0`,
      negative_check: negativeFromRung(rungs[0]!),
      ladder: ladder(rungs, 'no-fpc(b=10)', `two precision points (${PRECISE.problemId}, b = ${PRECISE.b}, with and without replacement) with ${mode.quick ? 10_000 : 40_000}+ fresh batches: relative half-width ${resolution.map((x) => fmt(x, 2)).join(', ')}`),
      notes: [`M = ${M} fresh batches per point, doubled (up to ${16 * M}) until M ≥ 25·γ̂² (CLT rule of thumb)`, `points: lsq-noisy_d10_n100 at b = 50 with and without replacement, plus ${pathwiseProblems(mode).join(', ')}`],
    };
  },
};
