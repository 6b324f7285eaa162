/**
 * L10 — batch sizes (pathwise).
 *
 *   2 ≤ b_k ≤ b_max   and   b_{k+1} ≥ b_k   at every step,
 *
 * for the test-driven controllers (norm, augmented ip, coordinate-wise; with a
 * test interval τ > 1 and rounding to a multiple of the workers) and the oracle
 * controllers (SPEC §3: "Batch sizes never decrease; b_0 ≥ 2").
 *
 * Margins (exact integers, tolerance 0): (b_{k+1} − b_k)/b_k, (b_max − b_k)/b_max, (b_k − 2)/b_k.
 *
 * Negative check: CABS (Balles et al.), whose size follows tr(Σ̂)/F̂ up and down,
 * checked as if it were monotone with the same b_max.
 */
import { augIpTest, cabs, coordNormTest, normTest, oracle, testDriven } from '../src/index.js';
import { Worst, adagradNormSpec, adagradSpec, leMargin, trajectory, type ControllerSpec, type Lemma, type RunSpec, type Trajectory } from './harness.js';
import { pathwiseRuns } from './suites.js';

export function checkBatchSizes(t: Trajectory, bMax: number, worst: Worst): number {
  const bs = t.steps.map((s) => s.b);
  bs.forEach((b, k) => {
    worst.add(leMargin(2, b), () => `${t.label} k=${k}: b = ${b} vs 2`);
    worst.add(leMargin(b, bMax), () => `${t.label} k=${k}: b = ${b} vs b_max = ${bMax}`);
    if (k > 0) worst.add((b - bs[k - 1]!) / bs[k - 1]!, () => `${t.label} k=${k}: b_{k−1} = ${bs[k - 1]}, b_k = ${b}`);
  });
  return bs.length;
}

function extraControllers(): ControllerSpec[] {
  return [
    { label: 'test-aug-ip(θ=0.5,ν=1,≤512)', bMax: 512, make: () => testDriven(augIpTest(0.5, 1), { b0: 2, bMax: 512 }) },
    { label: 'test-norm(η=0.1,τ=3,w=4,≤1000)', bMax: 1000, make: () => testDriven(normTest(0.1), { b0: 4, bMax: 1000, interval: 3, workers: 4 }) },
    { label: 'oracle-coord(η=0.5,≤512)', bMax: 512, make: () => oracle(coordNormTest(0.5), { b0: 2, bMax: 512 }) },
  ];
}

export const L10: Lemma = {
  id: 'L10',
  title: 'batch sizes',
  kind: 'pathwise',
  statement: 'b_k non-decreasing, b_k ≤ b_max, b_k ≥ 2 (test-driven and oracle controllers)',
  check(mode) {
    const specs: RunSpec[] = pathwiseRuns(mode).filter((r) => r.controller.bMax !== undefined);
    const steps = mode.quick ? 60 : 250;
    for (const problemId of ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0', 'branin_d2_i0']) {
      for (const c of extraControllers()) {
        specs.push({ problemId, opt: c.label.includes('coord') ? adagradSpec(0.5, 1e-10, 0.01) : adagradNormSpec(1, 1), controller: c, steps, seed: 1000 });
      }
    }
    const pos = new Worst();
    let n = 0;
    for (const s of specs) n += checkBatchSizes(trajectory(s), s.controller.bMax!, pos);
    const neg = new Worst();
    let nNeg = 0;
    const negSpecs: RunSpec[] = ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0'].map((problemId) => ({
      problemId, opt: adagradNormSpec(1, 1), steps, seed: 1001,
      controller: { label: 'cabs(lr=50,2..1024)', bMax: 1024, make: () => cabs({ lr: 50, bMin: 2, bMax: 1024, b0: 8 }) },
    }));
    for (const s of negSpecs) nNeg += checkBatchSizes(trajectory(s), 1024, neg);
    return {
      checked: { runs: specs.length, steps: n },
      worst_margin: pos.margin,
      worst_at: pos.at,
      status: pos.margin >= 0 ? 'holds' : 'violated',
      criterion: 'integer margins; holds iff ≥ 0 at every step',
      negative_check: {
        description: 'CABS controller (b_{k+1} = ⌈α·tr(Σ̂)/F̂⌉, not monotone) checked with the same rule',
        caught: neg.margin < 0,
        worst_margin: neg.margin,
        worst_at: neg.at,
        checked: { runs: negSpecs.length, steps: nNeg },
      },
      notes: ['worst margin 0 means some step kept b_k (equality is allowed)'],
    };
  },
};
