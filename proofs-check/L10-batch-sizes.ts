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
 * Fault ladder (gross to fine): CABS (Balles et al.), whose size follows tr(Σ̂)/F̂ up
 * and down, checked as if it were monotone with the same b_max; a first batch of 1;
 * a test-driven controller that hands out b_k − 1 once (at step 10); one whose cap
 * is b_max + 1 while the lemma is checked with b_max (an off-by-one in the cap).
 * Tightened by positive runs that reach b_max (norm test η = 0.1, b_max = 64), so
 * the cap is exercised: a cap that is off by one shows at the first capped step.
 */
import { augIpTest, cabs, coordNormTest, normTest, oracle, testDriven, type Controller } from '../src/index.js';
import { Worst, adagradNormSpec, adagradSpec, leMargin, trajectory, type ControllerSpec, type RunSpec, type Trajectory } from './harness.js';
import { dropsOnce, startsAt } from './faults.js';
import { ladder, negativeFromRung, RungTally, type LadderLemma, type Rung } from './ladder.js';
import { pathwiseRuns } from './suites.js';

const CAP = 64;
const capped = (bMax: number): Controller => testDriven(normTest(0.1), { b0: 2, bMax });
const norm = (): Controller => testDriven(normTest(0.5), { b0: 2, bMax: 1024 });

const FAULTS: readonly (Rung & { controller: ControllerSpec })[] = [
  { id: 'b₀=1', kind: 'controller', fault: 'the first batch has one sample (b₀ = 1 < 2)', size: 'one sample', controller: { label: 'test-norm(η=0.5)[b₀=1]', bMax: 1024, make: () => startsAt(norm(), 1) } },
  { id: 'drop-once', kind: 'controller', fault: 'the controller hands out b_k − 1 once (after step 10)', size: 'one sample, once', controller: { label: 'test-norm(η=0.5)[−1 once]', bMax: 1024, make: () => dropsOnce(norm(), 10) } },
  { id: 'b_max+1', kind: 'controller', fault: `the cap is b_max + 1 (the lemma is checked with b_max = ${CAP})`, size: 'one sample over the cap', controller: { label: `test-norm(η=0.1,≤${CAP + 1})`, bMax: CAP, make: () => capped(CAP + 1) } },
];

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
    { label: `test-norm(η=0.1,≤${CAP})`, bMax: CAP, make: () => capped(CAP) },
  ];
}

export const L10: LadderLemma = {
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
    const capReached = specs.filter((s) => s.controller.bMax === CAP && trajectory(s).steps.some((st) => st.b === CAP)).length;
    const gross = new RungTally({ id: 'cabs', kind: 'controller', fault: 'CABS controller (b_{k+1} = ⌈α·tr(Σ̂)/F̂⌉, not monotone) checked with the same rule', size: 'not monotone' }, 0);
    const negSpecs: RunSpec[] = ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0'].map((problemId) => ({
      problemId, opt: adagradNormSpec(1, 1), steps, seed: 1001,
      controller: { label: 'cabs(lr=50,2..1024)', bMax: 1024, make: () => cabs({ lr: 50, bMin: 2, bMax: 1024, b0: 8 }) },
    }));
    for (const s of negSpecs) {
      const w = new Worst();
      checkBatchSizes(trajectory(s), 1024, w);
      gross.addUnit(w);
    }
    const rungs = [gross.result()];
    for (const f of FAULTS) {
      const rt = new RungTally(f, 0);
      for (const problemId of ['nqm_d20_i0', 'lsq-noisy_d20_n2000_i0']) {
        const w = new Worst();
        checkBatchSizes(trajectory({ problemId, opt: adagradNormSpec(1, 1), steps, seed: 1000, controller: f.controller }), f.controller.bMax!, w);
        rt.addUnit(w);
      }
      rungs.push(rt.result());
    }
    return {
      checked: { runs: specs.length, steps: n },
      worst_margin: pos.margin,
      worst_at: pos.at,
      status: pos.margin >= 0 ? 'holds' : 'violated',
      criterion: 'integer margins; holds iff ≥ 0 at every step',
      negative_check: negativeFromRung(rungs[0]!),
      notes: ['worst margin 0 means some step kept b_k (equality is allowed)', `${capReached} positive run(s) reach b_max = ${CAP}`],
      ladder: ladder(rungs, 'b_max+1', `positive runs that reach b_max (test-norm η = 0.1, b_max = ${CAP}; ${capReached} of them reach it)`),
    };
  },
};
