/**
 * The runs the lemmas are checked on, shared so that a trajectory is simulated once.
 *
 * Problems: a population quadratic (NQM, L global), a nonconvex finite sum
 * (nclogreg), least squares with label noise (lsq-noisy), the zero-chain
 * (nonconvex, F* unknown: F_low is used), and Branin in 2-D, whose L is local to
 * a disk (descent steps are checked only when x_k and x_{k+1} are both in the
 * disk, which is convex, so the whole segment is; the others are counted as skipped).
 */
import { constant, coordNormTest, normTest, oracle, testDriven } from '../src/index.js';
import { adagradNormSpec, adagradSpec, seeds, type ControllerSpec, type Mode, type OptSpec, type RunSpec } from './harness.js';

export const ETA = 0.5;
export const B_MAX = 1024;

export function pathwiseProblems(mode: Mode): string[] {
  return [
    mode.quick ? 'nqm_d20_i0' : 'nqm_d100_i0',
    'nclogreg_d20_n2000_i0_k1000',
    'lsq-noisy_d20_n2000_i0',
    'chain_d20_i0',
    'branin_d2_i0',
  ];
}

export const ctrl = {
  constant: (b: number): ControllerSpec => ({ label: `constant(${b})`, make: () => constant(b) }),
  norm: (eta = ETA, bMax = B_MAX): ControllerSpec => ({
    label: `test-norm(η=${eta},≤${bMax})`, bMax, make: () => testDriven(normTest(eta), { b0: 2, bMax }),
  }),
  coord: (eta = ETA, bMax = B_MAX): ControllerSpec => ({
    label: `test-coord(η=${eta},≤${bMax})`, bMax, make: () => testDriven(coordNormTest(eta), { b0: 2, bMax }),
  }),
  oracleNorm: (eta = ETA, bMax = B_MAX): ControllerSpec => ({
    label: `oracle-norm(η=${eta},≤${bMax})`, bMax, make: () => oracle(normTest(eta), { b0: 2, bMax }),
  }),
};

/** The optimizer/controller pairs of the pathwise lemmas. `logSum` marks runs with v_{−1} > 0 (L3 needs it). */
export function pathwiseConfigs(): { opt: OptSpec; controller: ControllerSpec }[] {
  return [
    { opt: adagradNormSpec(1, 1), controller: ctrl.norm() },
    { opt: adagradNormSpec(2, 0.1), controller: ctrl.constant(4) },
    { opt: adagradNormSpec(1, 1), controller: ctrl.oracleNorm() },
    { opt: adagradSpec(0.5, 1e-10, 0.01), controller: ctrl.coord() },
    // PyTorch's default: v_{−1} = 0 (L3's right-hand side is +∞ there, so L3 leaves it out).
    { opt: adagradSpec(0.5, 1e-10, 0), controller: ctrl.constant(8) },
  ];
}

/** Every pathwise run: problems × configurations × seeds. */
export function pathwiseRuns(mode: Mode): RunSpec[] {
  const out: RunSpec[] = [];
  const steps = mode.quick ? 60 : 250;
  for (const problemId of pathwiseProblems(mode)) {
    for (const c of pathwiseConfigs()) {
      for (const seed of seeds(100, mode.quick ? 2 : 4)) out.push({ problemId, ...c, steps, seed });
    }
  }
  return out;
}
