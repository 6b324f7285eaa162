/**
 * L1 — strong growth from the exact tests (in expectation, Monte Carlo).
 *
 *   exact norm test σ²(x_k)/b_k ≤ η²||∇_k||²                ⇒  E||g_k||² ≤ (1 + η²)||∇_k||²
 *   exact augmented ip test (ip(θ) and orth(ν))            ⇒  E||g_k||² ≤ (1 + θ² + ν²)||∇_k||²
 *   exact coordinate-wise test σ_j²/b_k ≤ η²(∂_jF)² ∀j     ⇒  E g_kj² ≤ (1 + η²)(∂_jF(x_k))²
 *
 * Checked on oracle runs (the exact test picks b_k at x_k before B_k is drawn), at
 * iterates where the exact test holds at (x_k, b_k) (not capped by b_max) and
 * b_k ≤ 512 (Monte Carlo cost; b_max = 4096 bounds the simulation): M fresh batches at the fixed x_k
 * (M doubled while M < 25·γ̂², the CLT rule of thumb), Y = ||g||² or g_j².
 * Coordinates that the coordinate-wise test skips (∂_jF² ≤ 1e-12·max) are left out.
 * The exact ip/orth quantities need E⟨∇f − ∇F, ∇F⟩²: the problem's `noiseAlong`
 * (the harness's `withNoiseAlong` supplies one where a problem lacks it).
 *
 * Confidence: one-sided z lower bounds for E Y, Bonferroni over all points (and
 * coordinates), family-wise false-fail rate 1%. margin = (ρ||∇||² − LCB)/(ρ||∇||²).
 *
 * Fault ladder: (gross) the ip test alone, below; then oracles that break the exact
 * test by a little, checked against ρ = 1 + η² with η = 0.5: the test run with 1.1η
 * (E||g||² up to 4.2% above ρ||∇||²), σ² understated by 10% (2.2%), 1.01η (0.4%).
 * Tightened by precision points on the 1-D NQM (σ² = 1; an oracle run of AdaGrad-Norm
 * with α = 0.1, whose batch grows slowly; the last step where the oracle grew the
 * batch with b_k ≤ 256, so b_k = ⌈T_k⌉ ≈ 2·10²: the bound is tight
 * to ~1/b_k) with M = 8000 (quick) or 32000 (full) fresh batches, and the control
 * variate Y = ||g||² − 2⟨∇_k, g − ∇_k⟩ (same mean, since E g = ∇_k; sd 3× smaller
 * there), giving a relative half-width below 1%.
 *
 * Gross fault (SPEC: "the ip test alone does not bound E||g||²"): oracle runs
 * with the exact inner-product test alone, ip(θ = 0.9), on the NQM, checked against
 * ρ = 1 + θ². The NQM's noise is spread over d directions, most of them orthogonal
 * to ∇F: the ip test, which sees only the component along ∇F, is satisfied at a
 * small batch while the orthogonal noise keeps E||g||² far above (1 + θ²)||∇F||².
 */
import { augIpTest, coordNormTest, exactQuantities, ipTest, normTest, oracle, type BatchSizeTest, type Controller } from '../src/index.js';
import { MC_ALPHA, Worst, adagradNormSpec, adagradSpec, bonferroniZ, cltAdequacy, fmt, mcKey, mcLeMargin, meanSd, pickSteps, resampleAdequate, trajectory, type ControllerSpec, type OptSpec, type RunSpec } from './harness.js';
import { withUnderstatedNoise } from './faults.js';
import { ladder, mcRung, negativeFromRung, type LadderLemma, type Rung } from './ladder.js';
import { replicateKey } from './replicate.js';

const PRECISE_PROBLEM = 'nqm_d1_i0';
const oracleNorm = (eta: number): Controller => oracle(normTest(eta), { b0: 2, bMax: BMAX_PRECISE });
const BMAX_PRECISE = 4096;

const PRECISE_FAULTS: readonly (Rung & { controller: ControllerSpec })[] = [
  { id: 'η+10%', kind: 'controller', fault: 'the oracle tests with 1.1η, checked against ρ = 1 + η²', size: '+10% on η', controller: { label: 'oracle-norm(η=0.55)', make: () => oracleNorm(0.55) } },
  { id: 'σ²×0.9', kind: 'controller', fault: 'the oracle understates σ² by 10%', size: '−10% on σ²', controller: { label: 'oracle-norm(η=0.5)[σ²×0.9]', make: () => withUnderstatedNoise(oracleNorm(0.5), 0.9) } },
  { id: 'η+1%', kind: 'controller', fault: 'the oracle tests with 1.01η', size: '+1% on η', controller: { label: 'oracle-norm(η=0.505)', make: () => oracleNorm(0.505) } },
];

/** The precision point of a controller on the 1-D NQM: the last step where it grew the batch (b ≤ B_LIMIT). */
function precisionPoint(controller: ControllerSpec, quick: boolean, keyIndex: number): Point | null {
  const t = trajectory({ problemId: PRECISE_PROBLEM, opt: adagradNormSpec(0.1, 1), controller, steps: quick ? 60 : 120, seed: 1150 });
  const grown = t.steps.filter((s, i) => i > 0 && s.b > t.steps[i - 1]!.b && s.b <= 256);
  const s = grown[grown.length - 1];
  if (s === undefined) return null;
  const M = quick ? 8000 : 32000;
  // Control variate: Y = ||g||² − 2⟨∇, g − ∇⟩ has the same mean as ||g||² (E g = ∇) and a third of its sd here.
  const G = s.gradF;
  const res = resampleAdequate(t.problem, s.x, s.b, replicateKey(mcKey(1, 50_000 + keyIndex)), true, M, 4 * M, (g) => {
    let y = 0;
    for (let j = 0; j < g.length; j++) y += g[j]! * g[j]! - 2 * G[j]! * (g[j]! - G[j]!);
    return [y];
  });
  return { where: `${t.label} k=${s.k} b=${s.b}`, Y: res.values, target: [1.25 * s.gradFNormSq] };
}

const B_LIMIT = 512;
const BMAX = 4096;

interface Case {
  readonly name: string;
  readonly test: () => BatchSizeTest;
  readonly rho: number;
  readonly perCoord: boolean;
  readonly opt: OptSpec;
  readonly problems: string[];
  readonly noiseAlong: boolean;
}

const CASES: Case[] = [
  { name: 'norm(η=0.5)', test: () => normTest(0.5), rho: 1.25, perCoord: false, opt: adagradNormSpec(1, 1), problems: ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0', 'nclogreg_d20_n2000_i0_k1000', 'branin_d2_i0'], noiseAlong: false },
  { name: 'aug-ip(θ=0.5,ν=1)', test: () => augIpTest(0.5, 1), rho: 1 + 0.25 + 1, perCoord: false, opt: adagradNormSpec(1, 1), problems: ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0', 'branin_d2_i0'], noiseAlong: true },
  { name: 'coord-norm(η=0.5)', test: () => coordNormTest(0.5), rho: 1.25, perCoord: true, opt: adagradSpec(0.5, 1e-10, 0.01), problems: ['branin_d2_i0', 'nqm_d10_i0'], noiseAlong: false },
];

const IP_ALONE: Case = { name: 'ip(θ=0.9) alone', test: () => ipTest(0.9), rho: 1 + 0.81, perCoord: false, opt: adagradNormSpec(1, 1), problems: ['nqm_d20_i0'], noiseAlong: true };

interface Point {
  readonly where: string;
  readonly Y: number[][]; // per component
  readonly target: number[];
}

function gather(c: Case, quick: boolean, seedBase: number, state: { r: number; skipped: number; runs: number }): Point[] {
  const M = quick ? 400 : 2000;
  const steps = quick ? 25 : 60;
  const out: Point[] = [];
  for (const problemId of c.problems) {
    const spec: RunSpec = {
      problemId, opt: c.opt, steps, seed: seedBase, noiseAlong: c.noiseAlong,
      controller: { label: `oracle-${c.name}(≤${BMAX})`, bMax: BMAX, make: () => oracle(c.test(), { b0: 2, bMax: BMAX }) },
    };
    const t = trajectory(spec);
    state.runs++;
    const test = c.test();
    const ok = t.steps.filter((s) => {
      if (s.b > B_LIMIT) return false;
      const d = test.exact(exactQuantities(t.problem, s.x, test.needs), s.b);
      return !d.noInfo && d.holds;
    });
    state.skipped += t.steps.length - ok.length;
    for (const i of pickSteps(ok.length, quick ? 3 : 6)) {
      const s = ok[i]!;
      const key = replicateKey(mcKey(1, state.r++));
      if (!c.perCoord) {
        const res = resampleAdequate(t.problem, s.x, s.b, key, true, M, 16 * M, (g) => [g.reduce((a, v) => a + v * v, 0)]);
        out.push({ where: `${t.label} k=${s.k} b=${s.b}`, Y: res.values, target: [c.rho * s.gradFNormSq] });
      } else {
        let gmax = 0;
        for (const v of s.gradF) gmax = Math.max(gmax, v * v);
        const coords: number[] = [];
        s.gradF.forEach((v, j) => {
          if (v * v > 1e-12 * gmax) coords.push(j);
        });
        const res = resampleAdequate(t.problem, s.x, s.b, key, true, M, 16 * M, (g) => coords.map((j) => g[j]! * g[j]!));
        out.push({ where: `${t.label} k=${s.k} b=${s.b}`, Y: res.values, target: coords.map((j) => c.rho * s.gradF[j]! * s.gradF[j]!) });
      }
    }
  }
  return out;
}

function evaluate(points: Point[]): { worst: Worst; intervals: number; z: number; clt: number } {
  const intervals = points.reduce((a, p) => a + p.Y.length, 0);
  const z = bonferroniZ(MC_ALPHA, intervals, 1);
  const w = new Worst();
  let clt = Infinity;
  for (const p of points) {
    p.Y.forEach((ys, j) => {
      clt = Math.min(clt, cltAdequacy(ys));
      const { mean, sd } = meanSd(ys);
      const h = (z * sd) / Math.sqrt(ys.length);
      const c = p.target[j]!;
      w.add(mcLeMargin({ where: p.where, mean, halfWidth: h, target: c, scale: c }), () => `${p.where}${p.Y.length > 1 ? ` j=${j}` : ''}: LCB of E Y = ${fmt(mean - h, 5)} (Ȳ = ${fmt(mean, 5)}) vs ρ·||∇||² = ${fmt(c, 5)}`);
    });
  }
  return { worst: w, intervals, z, clt };
}

export const L1: LadderLemma = {
  id: 'L1',
  title: 'strong growth from the exact tests',
  kind: 'expectation',
  statement: 'exact norm test ⇒ E||g_k||² ≤ (1+η²)||∇_k||²; aug. ip ⇒ ρ = 1+θ²+ν²; coordinate-wise ⇒ E g_kj² ≤ (1+η²)(∂_jF)²',
  check(mode) {
    const st = { r: 0, skipped: 0, runs: 0 };
    const points = CASES.flatMap((c, i) => gather(c, mode.quick, 1100 + i, st));
    const precisePos = precisionPoint({ label: 'oracle-norm(η=0.5)', make: () => oracleNorm(0.5) }, mode.quick, 0);
    if (precisePos) points.push(precisePos);
    const pos = evaluate(points);
    const nst = { r: 10_000, skipped: 0, runs: 0 };
    const negPoints = gather(IP_ALONE, mode.quick, 1200, nst);
    const neg = evaluate(negPoints);
    const gross = mcRung({ id: 'ip-alone', kind: 'controller', fault: 'oracle with the exact ip test alone (θ = 0.9) on the NQM, checked against ρ = 1 + θ²', size: 'orth test dropped' });
    gross.addUnit(neg.worst);
    const rungs = [gross.result({ runs: nst.runs, steps: neg.intervals })];
    PRECISE_FAULTS.forEach((f, i) => {
      const pt = precisionPoint(f.controller, mode.quick, i + 1);
      const rt = mcRung(f);
      if (pt) rt.addUnit(evaluate([pt]).worst);
      rungs.push(rt.result({ resamples: pt?.Y[0]?.length ?? 0 }));
    });
    const resolution = precisePos ? (() => {
      const { mean, sd } = meanSd(precisePos.Y[0]!);
      return (pos.z * sd) / Math.sqrt(precisePos.Y[0]!.length) / mean;
    })() : NaN;
    const M = mode.quick ? 400 : 2000;
    return {
      checked: { runs: st.runs, steps: pos.intervals, resamples: points.reduce((a, p) => a + (p.Y[0]?.length ?? 0), 0), cltAdequacy: pos.clt, skipped: st.skipped, skippedReason: `iterates with b_k > ${B_LIMIT} or the exact test capped by b_max` },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pos.worst.margin >= 0 ? 'holds' : 'violated',
      criterion: `one-sided z lower bounds, Bonferroni over ${pos.intervals} intervals, family-wise 99% (z = ${fmt(pos.z, 4)}); holds iff margin ≥ 0`,
      negative_check: negativeFromRung(rungs[0]!),
      ladder: ladder(rungs, 'σ²×0.9', `precision points on ${PRECISE_PROBLEM} at the last step where the oracle grew the batch (b ≈ 2·10², tight to ~1/b), control variate, ${mode.quick ? 8000 : 32000}+ fresh batches: relative half-width ${fmt(resolution, 2)}`),
      notes: [`cases: ${CASES.map((c) => `${c.name} on ${c.problems.join(', ')}`).join('; ')}`, `M = ${M} fresh batches per point, doubled (up to ${16 * M}) until M ≥ 25·γ̂² for every interval`],
    };
  },
};
