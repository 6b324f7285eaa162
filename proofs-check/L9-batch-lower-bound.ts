/**
 * L9 — batch sizes under the exact norm test.
 *
 *   b_k ≥ σ²(x_k)/(η²||∇_k||²)   at every step (unless capped at b_max),
 *
 * and the sample count Σ_{k<K} b_k set against 1/min_k ||∇_k||⁴ (the ε^(−2) sample
 * complexity of C5, reported, not asserted: C5 is the rate check's job).
 * The oracle controller picks b_k at x_k before B_k is drawn, so the bound is
 * deterministic given x_k; it is checked at every step of the L1/L8 oracle runs
 * (across seeds, hence "in expectation" over the iterates), with σ²(x_k) from the
 * problem's exact noise().
 *
 * Margin: (b_k − σ²/(η²||∇_k||²))/b_k; holds iff ≥ −1e-10 (rounding of σ² and ||∇||²).
 *
 * Negative check: the same bound on a constant-batch run (b = 2), which never
 * grows its batch as ||∇_k|| shrinks.
 */
import { PATH_TOL, Worst, fmt, leMargin, type Lemma, type Trajectory } from './harness.js';
import { ctrl } from './suites.js';
import { L8_BMAX, l8Runs, oracleController } from './L8-markov.js';

const ETA = 0.5;

function checkBound(runs: Trajectory[], bMax: number, worst: Worst): { steps: number; skipped: number; ratio: number[] } {
  let steps = 0;
  let skipped = 0;
  const ratio: number[] = [];
  for (const t of runs) {
    let sumB = 0;
    let minG = Infinity;
    for (const s of t.steps) {
      sumB += s.b;
      minG = Math.min(minG, s.gradFNormSq);
      if (s.b >= bMax) {
        skipped++;
        continue;
      }
      const T = s.sigma2! / (ETA * ETA * s.gradFNormSq);
      steps++;
      worst.add(leMargin(T, s.b), () => `${t.label} k=${s.k}: b = ${s.b} vs σ²/(η²||∇||²) = ${fmt(T, 6)}`);
    }
    ratio.push(sumB * minG * minG);
  }
  return { steps, skipped, ratio };
}

export const L9: Lemma = {
  id: 'L9',
  title: 'batch size lower bound (exact norm test)',
  kind: 'expectation',
  statement: 'exact norm test: b_k ≥ σ²(x_k)/(η²||∇_k||²); Σ_k b_k compared with 1/min_k ||∇_k||⁴',
  check(mode) {
    const runs = l8Runs(mode.quick, oracleController(), 800);
    const pos = new Worst();
    const r = checkBound(runs, L8_BMAX, pos);
    const negRuns = l8Runs(mode.quick, ctrl.constant(2), 850);
    const neg = new Worst();
    const n = checkBound(negRuns, Infinity, neg);
    const sorted = [...r.ratio].sort((a, b) => a - b);
    return {
      checked: { runs: runs.length, steps: r.steps, skipped: r.skipped, skippedReason: 'b_k capped at b_max' },
      worst_margin: pos.margin,
      worst_at: pos.at,
      status: pos.margin >= -PATH_TOL ? 'holds' : 'violated',
      criterion: 'margin = (b_k − T_k)/max(b_k, T_k) at every uncapped step; holds iff ≥ −1e-10',
      negative_check: {
        description: 'constant batch b = 2 checked against σ²(x_k)/(η²||∇_k||²)',
        caught: neg.margin < -PATH_TOL,
        worst_margin: neg.margin,
        worst_at: neg.at,
        checked: { runs: negRuns.length, steps: n.steps },
      },
      notes: [
        `runs: the L8 oracle runs (η = ${ETA}); σ²(x_k) exact`,
        `Σ_k b_k · min_k ||∇_k||⁴ across seeds: median ${fmt(sorted[Math.floor(sorted.length / 2)]!, 3)}, range [${fmt(sorted[0]!, 3)}, ${fmt(sorted[sorted.length - 1]!, 3)}] (bounded ⇔ Σ b_k = O(ε^(−2)) at ε = min ||∇||²)`,
      ],
    };
  },
};
