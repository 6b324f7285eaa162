/**
 * C5 and C6 (SPEC §7) as decided claims, each with its near-miss twin:
 * - C5 under the exact norm test (nqm exact batch) and the practical lagged norm
 *   test (run() with the Gaussian-statistics source) on separable nqm: samples to reach ε grow at
 *   most like ε^(−2(1 + tol)), tol = 0.1; twin: a batch rule that grows too fast
 *   (geometric, b_{k+1} = ⌈1.05 b_k⌉), whose samples grow exponentially in the steps.
 * - C6 on nqm_d20_i0_a0.5 (well conditioned, so both methods reach their noise
 *   floors within a stage): SEBS (b doubles every M steps, constant α) against
 *   stagewise SGD (b₁, α/2^{s−1}, 2^{s−1}M steps) at matched samples; SEBS must
 *   reach the stagewise error within 1.5× with at least 5× fewer updates;
 *   twin: the same S·M steps with a constant batch b₁ and step α (no enlargement),
 *   whose noise floor α σ²/b₁ is 2^{S−1} times higher.
 */
import {
  adagradNorm, constant, geometric, key, normTest, oracle, sebs, sgd, stagewiseSgd, testDriven,
} from '../../src/index.js';
import { checkSampleComplexity, checkSebsVersusStagewise, problemById, type PairVariant } from '../../src/testing/index.js';
import { ORACLE_BMAX, type Mode } from './claims.js';

export interface ComplexityResult {
  readonly id: string;
  readonly expected: 'accept' | 'reject';
  readonly decision: 'accept' | 'reject';
  readonly statement: string;
  readonly instance: string;
  readonly figures: Record<string, unknown>;
  readonly reasons: readonly string[];
  readonly seconds: number;
}

export interface ComplexityClaim {
  readonly id: string;
  readonly expected: 'accept' | 'reject';
  readonly statement: string;
  readonly run: (mode: Mode) => ComplexityResult;
}

function c5(id: string, expected: 'accept' | 'reject', statement: string, variant: PairVariant, problemId: string, steps: (m: Mode) => number, epsRel: readonly number[], seeds: number): ComplexityClaim {
  return {
    id,
    expected,
    statement,
    run: (m) => {
      const res = checkSampleComplexity({ variant, problem: problemById(problemId), steps: steps(m), epsRel, seeds, key: key(5) });
      return {
        id, expected, decision: res.decision, statement, instance: problemId,
        figures: { slope: res.slope, slope_ci: res.slopeCI, threshold: res.threshold, eps: res.eps, samples: res.samples },
        reasons: res.reasons, seconds: res.seconds,
      };
    },
  };
}

const EPS_ORACLE = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4];

const oracleNorm: PairVariant = { name: 'adagrad-norm+oracle-norm', optimizer: () => adagradNorm(1, 0.5), controller: () => oracle(normTest(0.5), { b0: 2, bMax: ORACLE_BMAX }), source: 'nqm-exact' };
// the practical test reads batch statistics: ḡ and S_norm of b per-sample gradients drawn from their exact law
const practicalNorm: PairVariant = { name: 'adagrad-norm+test-norm', optimizer: () => adagradNorm(1, 0.5), controller: () => testDriven(normTest(1), { b0: 2, bMax: ORACLE_BMAX }), source: 'gaussian-stats' };
const tooFast: PairVariant = { name: 'adagrad-norm+geometric-1.05', optimizer: () => adagradNorm(1, 0.5), controller: () => geometric({ b0: 2, rho: 1.05 }), source: 'nqm-exact' };

const C6_PROBLEM = 'nqm_d20_i0_a0.5';
const C6 = { alpha: 0.5, b1: 2, rho: 2, stages: 6, M: 100 };

function c6(id: string, expected: 'accept' | 'reject', statement: string, twin: boolean): ComplexityClaim {
  return {
    id,
    expected,
    statement,
    run: () => {
      const { alpha, b1, rho, stages, M } = C6;
      const sebsSteps = stages * M;
      let stagewiseSteps = 0;
      for (let s = 0; s < stages; s++) stagewiseSteps += Math.round(M * Math.pow(rho, s));
      const sebsV: PairVariant = twin
        ? { name: 'sgd+constant (no enlargement)', optimizer: () => sgd(alpha), controller: () => constant(b1), source: 'nqm-exact' }
        : { name: 'sgd+sebs', optimizer: () => sgd(alpha), controller: () => sebs({ b1, rho, stages, rule: 'iterations', perStage: M }), source: 'nqm-exact' };
      const stagewise: PairVariant = { name: 'stagewise-sgd', optimizer: () => sgd(alpha), controller: () => stagewiseSgd({ b1, rho, stages, firstStageSteps: M }), source: 'nqm-exact' };
      const res = checkSebsVersusStagewise({ sebs: sebsV, stagewise, problem: problemById(C6_PROBLEM), sebsSteps, stagewiseSteps, key: key(6) });
      // The twin takes the same updates as SEBS with fewer samples: only its error decides.
      const reasons = twin ? res.reasons.filter((r) => !r.startsWith('samples not matched')) : res.reasons;
      return {
        id, expected, decision: reasons.length === 0 ? 'accept' : 'reject', statement, instance: C6_PROBLEM,
        figures: { error_ratio: res.errorRatio, error_tol: res.errorTol, update_ratio: res.updateRatio, update_factor: res.updateFactor, sebs_error: res.sebsError, stagewise_error: res.stagewiseError, sebs_samples: res.sebsSamples, stagewise_samples: res.stagewiseSamples },
        reasons, seconds: res.seconds,
      };
    },
  };
}

export const COMPLEXITY_CLAIMS: readonly ComplexityClaim[] = [
  c5('c5-oracle-norm', 'accept', 'C5 (exact norm test): Σ b_k to reach ||∇F||² ≤ ε grows at most like ε^(−2(1+0.1)) (nqm_d64_i0_a2, κ = 4096)', oracleNorm, 'nqm_d64_i0_a2', (m) => (m.name === 'full' ? 4096 : 2048), EPS_ORACLE, 10),
  c5('c5-practical-norm', 'accept', 'C5 (practical lagged norm test, η = 1, Gaussian-statistics source): Σ b_k to reach ε grows at most like ε^(−2.2) (nqm_d64_i0_a2, κ = 4096)', practicalNorm, 'nqm_d64_i0_a2', (m) => (m.name === 'full' ? 4096 : 2048), EPS_ORACLE, 10),
  c5('c5-twin-geometric', 'reject', 'C5 twin: a batch that grows geometrically (×1.05 per step) needs samples growing faster than ε^(−2.2)', tooFast, 'nqm_d64_i0_a2', (m) => (m.name === 'full' ? 4096 : 2048), EPS_ORACLE, 10),
  c6('c6-sebs-vs-stagewise', 'accept', 'C6: at matched samples SEBS reaches the stagewise-SGD error within 1.5× with ≥ 5× fewer updates (nqm_d20_i0_a0.5, ρ = 2, 6 stages of 100 steps)', false),
  c6('c6-twin-constant-batch', 'reject', 'C6 twin: the same 600 updates with a constant batch (no enlargement) do not reach the stagewise-SGD error within 1.5×', true),
];
