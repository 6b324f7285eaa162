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
 * Negative check (SPEC: "the ip test alone does not bound E||g||²"): oracle runs
 * with the exact inner-product test alone, ip(θ = 0.9), on the NQM, checked against
 * ρ = 1 + θ². The NQM's noise is spread over d directions, most of them orthogonal
 * to ∇F: the ip test, which sees only the component along ∇F, is satisfied at a
 * small batch while the orthogonal noise keeps E||g||² far above (1 + θ²)||∇F||².
 */
import { augIpTest, coordNormTest, exactQuantities, ipTest, normTest, oracle, type BatchSizeTest } from '../src/index.js';
import { MC_ALPHA, Worst, adagradNormSpec, adagradSpec, bonferroniZ, cltAdequacy, fmt, mcKey, mcLeMargin, meanSd, pickSteps, resampleAdequate, trajectory, type Lemma, type OptSpec, type RunSpec } from './harness.js';

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
      const key = mcKey(1, state.r++);
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

export const L1: Lemma = {
  id: 'L1',
  title: 'strong growth from the exact tests',
  kind: 'expectation',
  statement: 'exact norm test ⇒ E||g_k||² ≤ (1+η²)||∇_k||²; aug. ip ⇒ ρ = 1+θ²+ν²; coordinate-wise ⇒ E g_kj² ≤ (1+η²)(∂_jF)²',
  check(mode) {
    const st = { r: 0, skipped: 0, runs: 0 };
    const points = CASES.flatMap((c, i) => gather(c, mode.quick, 1100 + i, st));
    const pos = evaluate(points);
    const nst = { r: 10_000, skipped: 0, runs: 0 };
    const negPoints = gather(IP_ALONE, mode.quick, 1200, nst);
    const neg = evaluate(negPoints);
    const M = mode.quick ? 400 : 2000;
    return {
      checked: { runs: st.runs, steps: pos.intervals, resamples: points.reduce((a, p) => a + (p.Y[0]?.length ?? 0), 0), cltAdequacy: pos.clt, skipped: st.skipped, skippedReason: `iterates with b_k > ${B_LIMIT} or the exact test capped by b_max` },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pos.worst.margin >= 0 ? 'holds' : 'violated',
      criterion: `one-sided z lower bounds, Bonferroni over ${pos.intervals} intervals, family-wise 99% (z = ${fmt(pos.z, 4)}); holds iff margin ≥ 0`,
      negative_check: {
        description: 'oracle with the exact ip test alone (θ = 0.9) on the NQM, checked against ρ = 1 + θ²',
        caught: neg.worst.margin < 0,
        worst_margin: neg.worst.margin,
        worst_at: neg.worst.at,
        checked: { runs: nst.runs, steps: neg.intervals },
      },
      notes: [`cases: ${CASES.map((c) => `${c.name} on ${c.problems.join(', ')}`).join('; ')}`, `M = ${M} fresh batches per point, doubled (up to ${16 * M}) until M ≥ 25·γ̂² for every interval`],
    };
  },
};
