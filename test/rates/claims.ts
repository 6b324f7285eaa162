/**
 * The rate claims of SPEC §7 checked by the suite, one row each: the variant,
 * the instances it is generated on (and why the claim applies there), the
 * expected decision, and a fixed example case for `npm run rates`.
 * Shared by the vitest suites (test/rates/*.test.ts), the report
 * (test/rates/report.ts) and the calibration (test/rates/calibrate.ts).
 *
 * Where the claims are checked, and why:
 * - C1–C3 (oracle tests) on the noisy quadratic model nqm (convex, L = 1,
 *   F* known; its noise covariance is H, so σ² = tr H does NOT vanish at x★):
 *   under the exact test b_k grows like 1/||∇F(x_k)||², so the batch mean is
 *   drawn exactly (nqmExactBatch, O(d) per step for any b). b_max = 2^52; below
 *   the level where b_max binds (premiseFloor) the premise of the claim no
 *   longer holds and values count as "reached".
 * - C1 and C4 (the practical lagged sample tests) through the library's `run`
 *   on finite sums whose noise does not vanish at stationary points (nclogreg,
 *   nonconvex; lsq-noisy, convex), sampling without replacement with
 *   b_max = n: the tests must grow b to n (then the gradient is exact).
 * - L7: deterministic AdaGrad-Norm (g_k = ∇F(x_k)) on families with a global L
 *   (nclogreg, lsq-noisy, nqm), with the explicit bound checked on every run.
 * - Negative controls on nqm (noise does not vanish at x★), d ≥ 16: in low
 *   dimension min_{k<K} picks the lower tail of a χ²_d-like fluctuation and
 *   decays visibly faster than the typical value (K^(−0.7) instead of K^(−1/2)
 *   on lsq-noisy with d = 5–10), which the check cannot separate from −1.
 *   AdaGrad-Norm with a constant batch starts near x★ (x★ + 0.1 z) so that the
 *   grid sees the noise-dominated phase rather than the deterministic transient;
 *   SGD with a constant step and batch plateaus at ≈ α σ²/b from its usual start.
 */
import fc from 'fast-check';
import {
  adagrad, adagradNorm, augIpTest, constant, coordNormTest, normal, normTest, oracle, sgd, testDriven,
  type Problem,
} from '../../src/index.js';
import {
  adagradNormL7Bound, exactGradient, geometricGrid, hyperArb, nqmExactBatch, problemIdArb, rateCaseArb, withNoiseAlong,
  type ClaimCheckOptions, type RateCase, type RateClaim,
} from '../../src/testing/index.js';

/** b_max of the oracle claims on nqm: any b is affordable there, so the cap is only float64's. */
export const ORACLE_BMAX = 2 ** 52;

export interface Mode {
  readonly name: 'quick' | 'full';
  /** Grid for the cheap variants (exact gradients, nqm exact batch). */
  readonly Ks: readonly number[];
  /** Grid for variants run through `run` (sampling and batch statistics). */
  readonly KsRun: readonly number[];
  /** R: the number of seeds of a check. */
  readonly seeds: { readonly min: number; readonly max: number };
  /** fast-check cases per property. */
  readonly numRuns: { readonly cheap: number; readonly run: number };
}

export const QUICK: Mode = {
  name: 'quick',
  Ks: geometricGrid(32, 1024),
  KsRun: geometricGrid(32, 512),
  seeds: { min: 10, max: 12 },
  numRuns: { cheap: 5, run: 2 },
};

export const FULL: Mode = {
  name: 'full',
  Ks: geometricGrid(32, 4096),
  KsRun: geometricGrid(32, 1024),
  seeds: { min: 10, max: 20 },
  numRuns: { cheap: 25, run: 5 },
};

/** The mode from ADADAGRAD_RATES ('full' or anything else for quick). */
export function modeFromEnv(): Mode {
  return process.env['ADADAGRAD_RATES'] === 'full' ? FULL : QUICK;
}

/** The fixed fast-check seed of the rate properties (ADADAGRAD_RATES_SEED overrides it). */
export const RATES_SEED: number = (() => {
  const env = process.env['ADADAGRAD_RATES_SEED'];
  const v = env !== undefined && env !== '' ? Number(env) : NaN;
  return Number.isInteger(v) ? v : 7;
})();

export interface ClaimEntry {
  readonly claim: RateClaim;
  /** Human-readable variant, for reports. */
  readonly variant: string;
  /** 'cheap': exact gradients or the nqm exact batch; 'run': the library's run loop. */
  readonly cost: 'cheap' | 'run';
  /** Generated cases. */
  readonly cases: (mode: Mode) => fc.Arbitrary<RateCase>;
  /** A fixed case for `npm run rates` and the README. */
  readonly example: RateCase;
}

// ------------------------------------------------------------------ helpers

function nqmInfo(p: Problem): { traceH: number; xStar: Float64Array } {
  const info = (p as { info?: Record<string, unknown> }).info ?? {};
  const traceH = info['traceH'];
  const xStar = info['xStar'];
  if (typeof traceH !== 'number' || !(xStar instanceof Float64Array)) throw new Error(`${p.id}: not an nqm instance`);
  return { traceH, xStar };
}

/**
 * Below this ||∇F||² the oracle's b_max binds: the norm test needs
 * b ≥ σ²/(η²||∇F||²), the orthogonality part σ²/(ν²||∇F||²), the inner-product
 * part ≤ L/(θ²||∇F||²). A factor 100 of margin; values below count as reached.
 */
function premiseFloor(p: Problem, need: { eta?: number; theta?: number; nu?: number }): number {
  const { traceH } = nqmInfo(p);
  const L = p.constants.L.value;
  let worst = 0;
  if (need.eta !== undefined) worst = Math.max(worst, traceH / need.eta ** 2);
  if (need.nu !== undefined) worst = Math.max(worst, traceH / need.nu ** 2);
  if (need.theta !== undefined) worst = Math.max(worst, L / need.theta ** 2);
  return (100 * worst) / ORACLE_BMAX;
}

/** The same problem started at x★ + s·z, z ~ N(0, I) (needs info.xStar). */
export function startNear(p: Problem, s: number): Problem {
  const { xStar } = nqmInfo(p);
  return {
    ...p,
    x0: (k) => {
      const z = normal(k, xStar.length);
      return xStar.map((v, j) => v + s * z[j]!);
    },
  };
}

const nqmCases = (d: { min: number; max: number }, spectrum: { min: number; max: number }) =>
  problemIdArb({ family: 'nqm', d, spectrum });

/** Hyperparameters of the positive claims: α ∈ [0.5, 2] keeps the grid past the transient (see README). */
const positiveHyper = hyperArb({ lr: { min: 0.5, max: 2 }, beta0: { min: 0.1, max: 1 } });

const finiteSumCases = problemIdArb({ family: ['lsq-noisy', 'nclogreg'], d: { min: 2, max: 6 }, n: { min: 32, max: 64 }, kappa: { min: 1, max: 10 } });

function cheapGrid(mode: Mode): ClaimCheckOptions {
  return { Ks: mode.Ks };
}

// ------------------------------------------------------------------ claims

const c1: ClaimEntry = {
  variant: 'AdaGrad-Norm(α, β₀) + oracle norm test(η), nqm exact batch',
  cost: 'cheap',
  claim: {
    id: 'c1-oracle-norm',
    expected: 'accept',
    statement: 'C1: AdAdaGrad-Norm with the exact norm test gives min_{k<K} ||∇F(x_k)||² = O(1/K) (nqm: noise does not vanish at x★)',
    variant: (c) => nqmExactBatch(() => adagradNorm(c.hyper.lr, c.hyper.beta0), () => oracle(normTest(c.hyper.eta), { b0: c.hyper.b0, bMax: ORACLE_BMAX }), 'adagrad-norm+oracle-norm'),
    check: (c, p) => ({ floor: premiseFloor(p, { eta: c.hyper.eta }) }),
  },
  cases: (m) => rateCaseArb({ problems: nqmCases({ min: 4, max: 20 }, { min: 0.2, max: 1 }), hyper: positiveHyper, seeds: m.seeds }),
  example: { problem: 'nqm_d10_i0_a0.5', hyper: { lr: 1, beta0: 0.5, eta: 0.5, theta: 0.9, nu: 5.84, b0: 2, bMax: ORACLE_BMAX }, seeds: 10, seed: 1 },
};

const c1run: ClaimEntry = {
  variant: 'AdaGrad-Norm(α, β₀) + oracle norm test(η), run(), without replacement, b_max = n',
  cost: 'run',
  claim: {
    id: 'c1-oracle-norm-finite-sum',
    expected: 'accept',
    statement: 'C1 through run(): AdAdaGrad-Norm with the exact norm test on finite sums whose noise does not vanish (nclogreg, lsq-noisy), b_max = n',
    variant: (c, p) => ({
      name: 'adagrad-norm+oracle-norm',
      optimizer: () => adagradNorm(c.hyper.lr, c.hyper.beta0),
      controller: () => oracle(normTest(c.hyper.eta), { b0: c.hyper.b0, bMax: p.n! }),
      replace: false,
    }),
  },
  cases: (m) => rateCaseArb({ problems: finiteSumCases, hyper: positiveHyper, seeds: m.seeds }),
  example: { problem: 'nclogreg_d5_n64_i0_k10', hyper: { lr: 0.5, beta0: 0.1, eta: 0.5, theta: 0.9, nu: 5.84, b0: 2, bMax: 64 }, seeds: 10, seed: 1 },
};

const c2: ClaimEntry = {
  variant: 'AdaGrad-Norm(α, β₀) + oracle augmented inner-product test(θ, ν), nqm exact batch',
  cost: 'cheap',
  claim: {
    id: 'c2-oracle-aug-ip',
    expected: 'accept',
    statement: 'C2: AdAdaGrad-Norm with the exact augmented inner-product test gives O(1/K) (nqm; noiseAlong = vᵀHv)',
    problem: (p) => withNoiseAlong(p),
    variant: (c) => nqmExactBatch(() => adagradNorm(c.hyper.lr, c.hyper.beta0), () => oracle(augIpTest(c.hyper.theta, c.hyper.nu), { b0: c.hyper.b0, bMax: ORACLE_BMAX }), 'adagrad-norm+oracle-aug-ip'),
    check: (c, p) => ({ floor: premiseFloor(p, { theta: c.hyper.theta, nu: c.hyper.nu }) }),
  },
  cases: (m) => rateCaseArb({ problems: nqmCases({ min: 4, max: 20 }, { min: 0.2, max: 1 }), hyper: positiveHyper, seeds: m.seeds }),
  example: { problem: 'nqm_d10_i0_a0.5', hyper: { lr: 1, beta0: 0.5, eta: 0.5, theta: 0.9, nu: 5.84, b0: 2, bMax: ORACLE_BMAX }, seeds: 10, seed: 1 },
};

const c3: ClaimEntry = {
  variant: 'diagonal AdaGrad(α) + oracle coordinate-wise norm test(η), nqm exact batch',
  cost: 'cheap',
  claim: {
    id: 'c3-oracle-coord-norm',
    expected: 'accept',
    statement: 'C3: AdAdaGrad (diagonal AdaGrad) with the exact coordinate-wise norm test gives O(1/K) (nqm)',
    variant: (c) => nqmExactBatch(() => adagrad(c.hyper.lr), () => oracle(coordNormTest(c.hyper.eta), { b0: c.hyper.b0, bMax: ORACLE_BMAX }), 'adagrad+oracle-coord-norm'),
    check: (c, p) => ({ floor: premiseFloor(p, { eta: c.hyper.eta }) }),
  },
  cases: (m) => rateCaseArb({ problems: nqmCases({ min: 4, max: 20 }, { min: 0.2, max: 1 }), hyper: positiveHyper, seeds: m.seeds }),
  example: { problem: 'nqm_d10_i0_a0.5', hyper: { lr: 1, beta0: 0.5, eta: 0.5, theta: 0.9, nu: 5.84, b0: 2, bMax: ORACLE_BMAX }, seeds: 10, seed: 1 },
};

function c4(test: 'norm' | 'aug-ip' | 'coord-norm'): ClaimEntry {
  const optName = test === 'coord-norm' ? 'diagonal AdaGrad(α)' : 'AdaGrad-Norm(α, β₀)';
  return {
    variant: `${optName} + practical ${test} test, run(), without replacement, b_max = n`,
    cost: 'run',
    claim: {
      id: `c4-${test}`,
      expected: 'accept',
      statement: `C4: the practical lagged sample ${test} test behaves like the oracle (O(1/K)) on finite sums whose noise does not vanish, b_max = n`,
      variant: (c, p) => ({
        name: `${test === 'coord-norm' ? 'adagrad' : 'adagrad-norm'}+test-${test}`,
        optimizer: () => (test === 'coord-norm' ? adagrad(c.hyper.lr) : adagradNorm(c.hyper.lr, c.hyper.beta0)),
        controller: () => {
          const t = test === 'norm' ? normTest(c.hyper.eta) : test === 'aug-ip' ? augIpTest(c.hyper.theta, c.hyper.nu) : coordNormTest(c.hyper.eta);
          return testDriven(t, { b0: c.hyper.b0, bMax: p.n! });
        },
        replace: false,
      }),
    },
    cases: (m) => rateCaseArb({ problems: finiteSumCases, hyper: positiveHyper, seeds: m.seeds }),
    example: { problem: 'lsq-noisy_d5_n64_i0_k10', hyper: { lr: 0.5, beta0: 0.1, eta: 0.5, theta: 0.9, nu: 5.84, b0: 2, bMax: 64 }, seeds: 10, seed: 1 },
  };
}

const l7: ClaimEntry = {
  variant: 'deterministic AdaGrad-Norm(α, β₀) (g_k = ∇F(x_k)) with the L7 bound',
  cost: 'cheap',
  claim: {
    id: 'l7-deterministic-adagrad-norm',
    expected: 'accept',
    statement: 'SPEC §8 L7: deterministic AdaGrad-Norm has min_{k<K} ||∇F(x_k)||² ≤ (B̄² − β₀²)/K on every run, and decays like 1/K (global L; F* or F_low)',
    variant: (c) => exactGradient(() => adagradNorm(c.hyper.lr, c.hyper.beta0), 'deterministic-adagrad-norm'),
    check: (c, p) => ({ bound: adagradNormL7Bound(p, { alpha: c.hyper.lr, beta0: c.hyper.beta0 }), boundOn: 'every-run' }),
  },
  cases: (m) =>
    rateCaseArb({
      problems: fc.oneof(
        // n ≥ 8d: with n close to d the logistic data can be separable, and then nclogreg has no
        // stationary point (its regulariser is bounded): ||∇F|| creeps to 0 as ||w|| → ∞, far under
        // the L7 bound but not like 1/K on the grid, which the slope and growth criteria reject.
        problemIdArb({ family: ['nclogreg', 'lsq-noisy'], d: { min: 2, max: 6 }, n: { min: 48, max: 96 }, kappa: { min: 1, max: 10 } }),
        nqmCases({ min: 2, max: 20 }, { min: 0.2, max: 1 }),
      ),
      hyper: positiveHyper,
      seeds: m.seeds,
    }),
  example: { problem: 'nclogreg_d5_n50_i0_k10', hyper: { lr: 0.5, beta0: 0.1, eta: 0.5, theta: 0.9, nu: 5.84, b0: 2, bMax: 64 }, seeds: 10, seed: 1 },
};

const negAgn: ClaimEntry = {
  variant: 'AdaGrad-Norm(α, β₀) + constant batch b = 1, nqm exact batch, started at x★ + 0.1 z',
  cost: 'cheap',
  claim: {
    id: 'neg-adagrad-norm-constant-batch',
    expected: 'reject',
    statement: 'Negative control: AdaGrad-Norm with a constant batch where the noise does not vanish at x★ (nqm) decays like K^(−1/2), not 1/K',
    problem: (p) => startNear(p, 0.1),
    variant: (c) => nqmExactBatch(() => adagradNorm(c.hyper.lr, c.hyper.beta0), () => constant(c.hyper.b0), 'adagrad-norm+constant'),
  },
  cases: (m) =>
    rateCaseArb({
      problems: nqmCases({ min: 16, max: 48 }, { min: 0.1, max: 0.5 }),
      // b = 1: the most noise per step (with b = 2 the deterministic transient covers more of the grid; power 96% vs 99%)
      hyper: hyperArb({ lr: { min: 0.5, max: 1 }, beta0: { min: 0.1, max: 1 }, b0: { min: 1, max: 1 } }),
      seeds: m.seeds,
    }),
  example: { problem: 'nqm_d20_i0_a0.5', hyper: { lr: 0.5, beta0: 0.1, eta: 0.5, theta: 0.9, nu: 5.84, b0: 1, bMax: 1 }, seeds: 10, seed: 1 },
};

const negSgd: ClaimEntry = {
  variant: 'SGD(α) + constant batch b, nqm exact batch',
  cost: 'cheap',
  claim: {
    id: 'neg-sgd-constant',
    expected: 'reject',
    statement: 'Negative control: SGD with a constant step and batch plateaus at ≈ α σ²/b where the noise does not vanish (nqm)',
    variant: (c) => nqmExactBatch(() => sgd(c.hyper.lr), () => constant(c.hyper.b0), 'sgd+constant'),
  },
  cases: (m) =>
    rateCaseArb({
      problems: nqmCases({ min: 16, max: 48 }, { min: 0.1, max: 0.5 }),
      // α ≥ 0.3: the transient 1/(α h_min) is over before K = 32, so the grid sees the plateau
      // (with α = 0.1 on h_min ≈ 0.3 it starts near K = 256 and two doublings are too few to reject).
      hyper: hyperArb({ lr: { min: 0.3, max: 1 }, b0: { min: 1, max: 8 } }),
      seeds: m.seeds,
    }),
  example: { problem: 'nqm_d20_i0_a0.5', hyper: { lr: 0.2, beta0: 0.1, eta: 0.5, theta: 0.9, nu: 5.84, b0: 4, bMax: 4 }, seeds: 10, seed: 1 },
};

/** Every claim of the suite, in SPEC order. */
export const CLAIMS: readonly ClaimEntry[] = [c1, c1run, c2, c3, c4('norm'), c4('aug-ip'), c4('coord-norm'), l7, negAgn, negSgd];

/** checkRate options of a mode for an entry (the grid). */
export function modeOverrides(entry: ClaimEntry, mode: Mode): ClaimCheckOptions {
  return entry.cost === 'run' ? { Ks: mode.KsRun } : cheapGrid(mode);
}

/** A claim entry by id. */
export function claimEntry(id: string): ClaimEntry {
  const e = CLAIMS.find((c) => c.claim.id === id);
  if (e === undefined) throw new Error(`unknown claim ${id}; known: ${CLAIMS.map((c) => c.claim.id).join(', ')}`);
  return e;
}
