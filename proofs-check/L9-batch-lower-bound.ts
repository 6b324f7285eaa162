/**
 * L9 — batch sizes under the exact norm test (Monte Carlo, not circular).
 *
 *   b_k ≥ σ²(x_k)/(η²||∇_k||²)   at every step (unless capped at b_max),
 *
 * and the sample count Σ_{k<K} b_k set against 1/min_k ||∇_k||⁴ (the ε^(−2) sample
 * complexity of C5, reported, not asserted: C5 is the rate check's job).
 *
 * The oracle controller sets b_k from the problem's closed-form σ²(x_k); checking
 * b_k against that same σ² would only check the oracle's arithmetic. Here σ²(x_k) is
 * estimated independently at the stored iterates (noise-mc.ts: R fresh batches of m
 * samples, the unbiased S_norm of each, a one-sided t lower bound on their mean),
 * and the lemma is violated when even that lower bound exceeds η²||∇_k||²·b_k:
 * margin = (η²||∇_k||² b_k − LCB(σ²))/(η²||∇_k||² b_k) ≥ 0 passes; Bonferroni over
 * the points, family-wise false-fail rate 1%. ∇F(x_k) is the problem's exact gradient.
 *
 * Points: steps where the oracle grew the batch (b_k > b_{k−1}, and b_0 > 2), where
 * b_k = ⌈T_k⌉ and the bound is tight to within 1/b_k; chosen from the trajectory
 * alone (not from σ²), evenly along each run (quick mode: the last one of each run).
 *
 * Fault ladder (gross to fine): a constant batch b = 2; an oracle whose test uses
 * η 10% too large (b 21% small); an oracle that understates σ² by 10%; an oracle
 * that understates σ² by 3%; η 1% too large; an oracle that takes ⌈T⌉ − 1 (at the
 * b_k ≈ 10³ of these runs, a 0.1% fault).
 */
import { normTest, oracle } from '../src/index.js';
import { MC_ALPHA, Worst, adagradNormSpec, fmt, mcKey, pickSteps, seeds, trajectory, type ControllerSpec, type Step, type Trajectory } from './harness.js';
import { roundsDown, withUnderstatedNoise } from './faults.js';
import { ladder, mcRung, negativeFromRung, type LadderLemma, type Rung, type RungResult } from './ladder.js';
import { replicateKey } from './replicate.js';
import { sigma2Lower, sigma2MonteCarlo } from './noise-mc.js';
import { ctrl } from './suites.js';
import { L8_BMAX, L8_PROBLEM, l8Runs, oracleController } from './L8-markov.js';

const ETA = 0.5;

interface McPlan {
  /** Points per run. */
  readonly perRun: number;
  /** Batches R and samples per batch m of the σ² estimate. */
  readonly R: number;
  readonly m: number;
}

function plan(quick: boolean): McPlan {
  return quick ? { perRun: 1, R: 20, m: 1000 } : { perRun: 3, R: 40, m: 2500 };
}

/** The tight steps of a run: where the controller grew the batch (and b_0 > 2), below b_max. */
function tightSteps(t: Trajectory, bMax: number): Step[] {
  return t.steps.filter((s, i) => s.b < bMax && (i === 0 ? s.b > 2 : s.b > t.steps[i - 1]!.b));
}

/**
 * Check b_k ≥ σ²/(η²||∇||²) at the chosen steps of `runs`, σ² by Monte Carlo; `all`
 * picks points evenly among all steps (a controller that never grows has no tight steps).
 */
function checkMc(runs: Trajectory[], bMax: number, p: McPlan, keyBase: number, all = false): { worst: Worst; points: number; samples: number; caughtOn: number; units: number } {
  const chosen: { t: Trajectory; s: Step }[] = [];
  for (const t of runs) {
    const cand = all ? t.steps.filter((s) => s.b < bMax) : tightSteps(t, bMax);
    // One point per run: the last (largest b_k, so the rounding slack 1/b_k is smallest).
    const picks = p.perRun === 1 ? (cand.length > 0 ? [cand.length - 1] : []) : pickSteps(cand.length, p.perRun);
    for (const i of picks) chosen.push({ t, s: cand[i]! });
  }
  const alpha = MC_ALPHA / Math.max(1, chosen.length);
  const worst = new Worst();
  const perRun = new Map<Trajectory, number>();
  chosen.forEach(({ t, s }, i) => {
    const e = sigma2MonteCarlo(t.problem, s.x, p.R, p.m, replicateKey(mcKey(keyBase, i)));
    const lcb = sigma2Lower(e, alpha);
    const allow = ETA * ETA * s.gradFNormSq * s.b;
    const m = (allow - lcb) / allow;
    perRun.set(t, Math.min(perRun.get(t) ?? Infinity, m));
    worst.add(m, () => `${t.label} k=${s.k}: b = ${s.b}, σ²(MC) = ${fmt(e.mean, 5)} ± ${fmt(e.se, 2)} (LCB ${fmt(lcb, 5)}) vs η²||∇||²b = ${fmt(allow, 5)}, i.e. σ²/(η²||∇||²) ≥ ${fmt(lcb / (ETA * ETA * s.gradFNormSq), 4)}`);
  });
  const caughtOn = [...perRun.values()].filter((m) => m < 0).length;
  return { worst, points: chosen.length, samples: chosen.length * p.R * p.m, caughtOn, units: perRun.size };
}

const oracleAt = (eta: number) => oracle(normTest(eta), { b0: 2, bMax: L8_BMAX });

const FAULTS: readonly (Rung & { controller: ControllerSpec; all?: boolean })[] = [
  { id: 'constant(2)', kind: 'controller', fault: 'constant batch b = 2 checked against σ²(x_k)/(η²||∇_k||²)', size: 'no growth', controller: ctrl.constant(2), all: true },
  { id: 'η+10%', kind: 'controller', fault: 'the oracle tests with 1.1η (batches ≈ 21% small)', size: '+10% on η', controller: { label: 'oracle-norm(η=0.55)', bMax: L8_BMAX, make: () => oracleAt(0.55) } },
  { id: 'σ²×0.9', kind: 'controller', fault: 'the oracle understates σ² by 10%', size: '−10% on σ²', controller: { label: 'oracle-norm(η=0.5)[σ²×0.9]', bMax: L8_BMAX, make: () => withUnderstatedNoise(oracleAt(ETA), 0.9) } },
  { id: 'σ²×0.97', kind: 'controller', fault: 'the oracle understates σ² by 3%', size: '−3% on σ²', controller: { label: 'oracle-norm(η=0.5)[σ²×0.97]', bMax: L8_BMAX, make: () => withUnderstatedNoise(oracleAt(ETA), 0.97) } },
  { id: 'η+1%', kind: 'controller', fault: 'the oracle tests with 1.01η (batches ≈ 2% small)', size: '+1% on η', controller: { label: 'oracle-norm(η=0.505)', bMax: L8_BMAX, make: () => oracleAt(0.505) } },
  { id: '⌈T⌉−1', kind: 'controller', fault: 'the oracle takes ⌈T⌉ − 1 where it grows the batch (off by one)', size: 'one sample', controller: { label: 'oracle-norm(η=0.5)[⌈T⌉−1]', bMax: L8_BMAX, make: () => roundsDown(oracleAt(ETA)) } },
];

function faultRuns(quick: boolean, c: ControllerSpec): Trajectory[] {
  const K = quick ? 40 : 120;
  return seeds(900, quick ? 4 : 10).map((seed) => trajectory({ problemId: L8_PROBLEM, opt: adagradNormSpec(1, 1), controller: c, steps: K, seed }));
}

export const L9: LadderLemma = {
  id: 'L9',
  title: 'batch size lower bound (exact norm test)',
  kind: 'expectation',
  statement: 'exact norm test: b_k ≥ σ²(x_k)/(η²||∇_k||²) (σ² by independent Monte Carlo); Σ_k b_k compared with 1/min_k ||∇_k||⁴',
  check(mode) {
    const p = plan(mode.quick);
    const runs = l8Runs(mode.quick, oracleController(), 800);
    const pos = checkMc(runs, L8_BMAX, p, 90);
    const rungs: RungResult[] = FAULTS.map((f, i) => {
      const r = checkMc(faultRuns(mode.quick, f.controller), f.controller.bMax ?? Infinity, p, 91 + i, f.all ?? false);
      const rt = mcRung(f);
      rt.worst.add(r.worst.margin, r.worst.at);
      rt.evaluated = r.units;
      rt.caughtOn = r.caughtOn;
      rt.steps = r.points;
      return rt.result({ resamples: r.samples });
    });
    const ratio: number[] = runs.map((t) => {
      const sumB = t.steps.reduce((a, s) => a + s.b, 0);
      const minG = Math.min(...t.steps.map((s) => s.gradFNormSq));
      return sumB * minG * minG;
    });
    const sorted = [...ratio].sort((a, b) => a - b);
    const capped = runs.reduce((a, t) => a + t.steps.filter((s) => s.b >= L8_BMAX).length, 0);
    return {
      checked: { runs: runs.length, steps: pos.points, resamples: pos.samples, skipped: capped, skippedReason: 'b_k capped at b_max' },
      worst_margin: pos.worst.margin,
      worst_at: pos.worst.at,
      status: pos.worst.margin >= 0 ? 'holds' : 'violated',
      criterion: `margin = (η²||∇||²b_k − LCB(σ²))/(η²||∇||²b_k) at the steps where the oracle grew the batch; σ² from ${p.R} batches × ${p.m} samples (unbiased S_norm), one-sided t, Bonferroni over ${pos.points} points, family-wise 99%; holds iff ≥ 0`,
      negative_check: negativeFromRung(rungs[0]!),
      ladder: ladder(rungs, 'σ²×0.9', `σ² estimated by Monte Carlo (not the oracle's closed form) at the steps where the oracle grew the batch (the bound is tight to 1/b_k there); ${p.R}×${p.m} samples per point`),
      notes: [
        `runs: the L8 oracle runs (η = ${ETA}); fault rungs on ${FAULTS.length} controllers × ${mode.quick ? 4 : 10} seeds`,
        `Σ_k b_k · min_k ||∇_k||⁴ across seeds: median ${fmt(sorted[Math.floor(sorted.length / 2)]!, 3)}, range [${fmt(sorted[0]!, 3)}, ${fmt(sorted[sorted.length - 1]!, 3)}] (bounded ⇔ Σ b_k = O(ε^(−2)) at ε = min ||∇||²)`,
      ],
    };
  },
};
