/**
 * Batch-size tests of docs/MATH.md §3, each in the practical sample form (from the batch
 * statistics) and, where the problem can compute σ²(x) and ∇F(x), the exact form.
 *
 * | test                  | holds when                    | asks for T =                  |
 * | norm(η)               | S_norm/b ≤ η²||ḡ||²           | S_norm/(η²||ḡ||²)             |
 * | ip(θ)                 | S_ip/b ≤ θ²||ḡ||⁴             | S_ip/(θ²||ḡ||⁴)               |
 * | orth(ν)               | S_orth/b ≤ ν²||ḡ||²           | S_orth/(ν²||ḡ||²)             |
 * | augmented ip(θ, ν)    | ip and orth                   | max(T_ip, T_orth)             |
 * | coordinate norm(η)    | S_j/b ≤ η²ḡ_j² for every j    | max_j S_j/(η²ḡ_j²)            |
 *
 * References: norm test, Byrd, Chin, Nocedal, Wu (2012); inner-product and
 * orthogonality tests, Bollapragada, Byrd, Nocedal (2018); coordinate-wise norm
 * test and the pairing with AdaGrad, Lau, Liu, Kolar (AdAdaGrad, 2024).
 */
import type { Problem } from '../problem/types.js';
import type { BatchStatistics } from './summary.js';

/** Outcome of one test. `statistic` is lhs/rhs of the "holds when" inequality (holds iff ≤ 1). */
export interface TestDecision {
  readonly holds: boolean;
  /** The batch size the test asks for (may be fractional or Infinity). */
  readonly T: number;
  readonly statistic: number;
  /** ||ḡ||² (or ||∇F||²) was at or below the floor: no information, keep b. */
  readonly noInfo: boolean;
  /** Coordinate-wise test: coordinates skipped by the near-zero rule. */
  readonly skipped?: number;
}

export interface ExactQuantities {
  /** ∇F(x) */
  readonly grad: Float64Array;
  /** σ²(x) */
  readonly sigma2: number;
  /** σ_j²(x) */
  readonly sigma2PerCoord?: Float64Array;
  /** E⟨∇f − ∇F, ∇F⟩² (needed by ip/orth). */
  readonly alongGrad?: number;
}

export interface BatchSizeTest {
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
  /** Practical form from the statistics of the batch just used (batch size s.b). */
  sample(s: BatchStatistics): TestDecision;
  /** Exact form with batch size b at a point where the exact quantities are known. */
  exact(q: ExactQuantities, b: number): TestDecision;
  /** Which exact quantities `exact` needs. */
  readonly needs: { readonly perCoord?: boolean; readonly alongGrad?: boolean };
}

export interface TestOptions {
  /** ||ḡ||² at or below this gives no information (default 0). */
  readonly gradFloor?: number;
}

function positive(where: string, field: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${where}: ${field} must be a positive finite number, got ${String(v)}`);
  }
}

const NO_INFO: TestDecision = { holds: true, T: 0, statistic: NaN, noInfo: true };

function decide(lhs: number, rhs: number, T: number): TestDecision {
  return { holds: lhs <= rhs, T, statistic: lhs / rhs, noInfo: false };
}

/**
 * The norm test: S_norm/b ≤ η² ||ḡ||², asking for T = S_norm/(η²||ḡ||²) = B_simple/η².
 *
 * @example
 * normTest(0.5).sample({ b: 4, S_norm: 2, gradNormSq: 1, ... }).T; // 2/(0.25·1) = 8
 */
export function normTest(eta: number, opts: TestOptions = {}): BatchSizeTest {
  positive('normTest', 'eta', eta);
  const floor = opts.gradFloor ?? 0;
  const e2 = eta * eta;
  return {
    name: 'norm',
    params: { eta },
    needs: {},
    sample(s) {
      if (!(s.gradNormSq > floor)) return NO_INFO;
      return decide(s.S_norm / s.b, e2 * s.gradNormSq, s.S_norm / (e2 * s.gradNormSq));
    },
    exact(q, b) {
      const G = sq(q.grad);
      if (!(G > floor)) return NO_INFO;
      return decide(q.sigma2 / b, e2 * G, q.sigma2 / (e2 * G));
    },
  };
}

/** The inner-product test: S_ip/b ≤ θ² ||ḡ||⁴, asking for T = S_ip/(θ²||ḡ||⁴). */
export function ipTest(theta: number, opts: TestOptions = {}): BatchSizeTest {
  positive('ipTest', 'theta', theta);
  const floor = opts.gradFloor ?? 0;
  const t2 = theta * theta;
  return {
    name: 'ip',
    params: { theta },
    needs: { alongGrad: true },
    sample(s) {
      const G = s.gradNormSq;
      if (!(G > floor)) return NO_INFO;
      return decide(s.S_ip / s.b, t2 * G * G, s.S_ip / (t2 * G * G));
    },
    exact(q, b) {
      const G = sq(q.grad);
      if (!(G > floor)) return NO_INFO;
      const v = need(q.alongGrad, 'ipTest');
      return decide(v / b, t2 * G * G, v / (t2 * G * G));
    },
  };
}

/** The orthogonality test: S_orth/b ≤ ν² ||ḡ||², asking for T = S_orth/(ν²||ḡ||²). */
export function orthTest(nu: number, opts: TestOptions = {}): BatchSizeTest {
  positive('orthTest', 'nu', nu);
  const floor = opts.gradFloor ?? 0;
  const n2 = nu * nu;
  return {
    name: 'orth',
    params: { nu },
    needs: { alongGrad: true },
    sample(s) {
      const G = s.gradNormSq;
      if (!(G > floor)) return NO_INFO;
      return decide(s.S_orth / s.b, n2 * G, s.S_orth / (n2 * G));
    },
    exact(q, b) {
      const G = sq(q.grad);
      if (!(G > floor)) return NO_INFO;
      const orth = Math.max(0, q.sigma2 - need(q.alongGrad, 'orthTest') / G);
      return decide(orth / b, n2 * G, orth / (n2 * G));
    },
  };
}

function combineBoth(a: TestDecision, b: TestDecision): TestDecision {
  if (a.noInfo || b.noInfo) return NO_INFO;
  return { holds: a.holds && b.holds, T: Math.max(a.T, b.T), statistic: Math.max(a.statistic, b.statistic), noInfo: false };
}

/** The augmented inner-product test: ip(θ) and orth(ν) both hold; T = max(T_ip, T_orth). */
export function augIpTest(theta: number, nu: number, opts: TestOptions = {}): BatchSizeTest {
  const ip = ipTest(theta, opts);
  const orth = orthTest(nu, opts);
  return {
    name: 'aug-ip',
    params: { theta, nu },
    needs: { alongGrad: true },
    sample: (s) => combineBoth(ip.sample(s), orth.sample(s)),
    exact: (q, b) => combineBoth(ip.exact(q, b), orth.exact(q, b)),
  };
}

export interface CoordTestOptions extends TestOptions {
  /**
   * Near-zero rule: coordinate j is skipped when ḡ_j² ≤ coordFloor · max_j ḡ_j²
   * (default 1e-12); skipped coordinates are counted in the decision.
   */
  readonly coordFloor?: number;
  /** Use this quantile of the per-coordinate ratios instead of their max (default 1 = max). */
  readonly quantile?: number;
}

function quantileOf(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  xs.sort((a, b) => a - b);
  const pos = Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1));
  return xs[pos]!;
}

/**
 * The coordinate-wise norm test: S_j/b ≤ η² ḡ_j² for every j, T = max_j S_j/(η²ḡ_j²).
 * Toolkit rule for near-zero coordinates: skip j with ḡ_j² ≤ coordFloor·max ḡ² (and
 * count them); optionally a quantile of the ratios replaces the max.
 */
export function coordNormTest(eta: number, opts: CoordTestOptions = {}): BatchSizeTest {
  positive('coordNormTest', 'eta', eta);
  const floor = opts.gradFloor ?? 0;
  const cf = opts.coordFloor ?? 1e-12;
  const q = opts.quantile ?? 1;
  if (!(q > 0 && q <= 1)) throw new Error(`coordNormTest: quantile must be in (0, 1], got ${q}`);
  const e2 = eta * eta;
  const run = (g: Float64Array, S: Float64Array, b: number): TestDecision => {
    let gmax = 0;
    let G = 0;
    for (const v of g) {
      gmax = Math.max(gmax, v * v);
      G += v * v;
    }
    if (!(G > floor)) return NO_INFO;
    const ratios: number[] = [];
    let skipped = 0;
    for (let j = 0; j < g.length; j++) {
      const g2 = g[j]! * g[j]!;
      if (g2 <= cf * gmax) {
        skipped++;
        continue;
      }
      ratios.push(S[j]! / (e2 * g2));
    }
    const T = quantileOf(ratios, q);
    return { holds: T / b <= 1, T, statistic: T / b, noInfo: false, skipped };
  };
  return {
    name: 'coord-norm',
    params: { eta, coordFloor: cf, quantile: q },
    needs: { perCoord: true },
    sample: (s) => run(s.meanGrad, s.S_j, s.b),
    exact: (qq, b) => run(qq.grad, need(qq.sigma2PerCoord, 'coordNormTest'), b),
  };
}

/** Block-wise inner-product test (labelled: drops cross-block covariance, not the papers' test). */
export function blockIpTest(theta: number, opts: TestOptions = {}): BatchSizeTest {
  const base = ipTest(theta, opts);
  return {
    ...base,
    name: 'block-ip',
    sample: (s) => base.sample({ ...s, S_ip: s.blockwise.S_ip }),
    exact: () => {
      throw new Error('blockIpTest: no exact form (block-wise tests are sample-only)');
    },
  };
}

/** Block-wise orthogonality test (labelled: drops cross-block covariance). */
export function blockOrthTest(nu: number, opts: TestOptions = {}): BatchSizeTest {
  const base = orthTest(nu, opts);
  return {
    ...base,
    name: 'block-orth',
    sample: (s) => base.sample({ ...s, S_orth: s.blockwise.S_orth }),
    exact: () => {
      throw new Error('blockOrthTest: no exact form (block-wise tests are sample-only)');
    },
  };
}

/** The exact quantities a test needs at x, from the problem (not counted as samples). */
export function exactQuantities(problem: Problem, x: Float64Array, needs: BatchSizeTest['needs']): ExactQuantities {
  if (problem.noise === undefined) {
    throw new Error(`exact test: problem ${problem.id} cannot compute σ²(x) (no noise())`);
  }
  const grad = problem.gradient(x);
  const n = problem.noise(x);
  let alongGrad: number | undefined;
  if (needs.alongGrad) {
    if (problem.noiseAlong === undefined) {
      throw new Error(`exact ip/orth test: problem ${problem.id} cannot compute the noise along ∇F (no noiseAlong())`);
    }
    alongGrad = problem.noiseAlong(x, grad);
  }
  return { grad, sigma2: n.sigma2, sigma2PerCoord: n.sigma2PerCoord, ...(alongGrad !== undefined ? { alongGrad } : {}) };
}

function sq(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}

function need<T>(v: T | undefined, where: string): T {
  if (v === undefined) throw new Error(`${where}: a required exact quantity is missing`);
  return v;
}

