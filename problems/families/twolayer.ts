// Family 4: teacher–student regression with a two-layer network (tanh or softplus), with a local smoothness bound.
import { matmul, mul, reshape, softplus as softplusT, square, sub, tanh as tanhT, type Tensor } from '../../src/index.js';
import { normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { intField, parseId, type FamilyEntry } from '../common/family.js';
import { finiteSumProblem, type FiniteSumProblem } from '../common/finiteSum.js';
import { dataTensor, gatherRows } from '../common/glm.js';
import { instanceKey } from '../common/instance.js';
import { gram, lambdaMax, norm2, roundUp } from '../common/linalg.js';
import { sigmoid, softplus } from '../common/scalar.js';

/** The hidden activation φ with bounds on |φ'| and |φ''| over R. */
export interface Activation {
  readonly name: 'tanh' | 'softplus';
  f(u: number): number;
  df(u: number): number;
  tensor(u: Tensor): Tensor;
  /** sup |φ'|. */
  readonly d1: number;
  /** sup |φ''|. */
  readonly d2: number;
  }

/**
 * tanh: |φ| ≤ min(1, |u|), φ' = 1 − tanh² ∈ (0, 1], |φ''| = 2|tanh|(1 − tanh²) ≤ 4/(3√3)
 * (at tanh² = 1/3). softplus: 0 < φ(u) ≤ log 2 + max(u, 0), φ' = σ(u) ∈ (0, 1),
 * φ'' = σ(1 − σ) ≤ 1/4.
 */
export const ACTIVATIONS: Readonly<Record<'tanh' | 'softplus', Activation>> = {
  tanh: {
    name: 'tanh',
    f: Math.tanh,
    df: (u) => 1 - Math.tanh(u) ** 2,
    tensor: tanhT,
    d1: 1,
    d2: 4 / (3 * Math.sqrt(3)),
  },
  softplus: {
    name: 'softplus',
    f: softplus,
    df: sigmoid,
    tensor: softplusT,
    d1: 1,
    d2: 0.25,
  },
};

/** Options of one instance. */
export interface TwoLayerOptions {
  readonly activation: 'tanh' | 'softplus';
  /** Input dimension. */
  readonly d: number;
  /** Hidden width (teacher and student). */
  readonly h: number;
  readonly n: number;
  readonly instance: number;
}

/**
 * Data moments that the local bound needs, computed once per instance:
 * G = XᵀX/n, G_x = (1/n) Σ ||x_i|| x_i x_iᵀ, G_y = (1/n) Σ |y_i| x_i x_iᵀ (their
 * largest eigenvalues), mean ||x_i|| and mean |y_i|.
 */
export interface TwoLayerMoments {
  readonly lamG: number;
  readonly lamGx: number;
  readonly lamGy: number;
  readonly meanXNorm: number;
  readonly meanAbsY: number;
}

export function twoLayerMoments(X: Float64Array, y: Float64Array, n: number, d: number): TwoLayerMoments {
  const xn = new Float64Array(n);
  const ay = new Float64Array(n);
  let meanXNorm = 0;
  let meanAbsY = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[i * d + j]! ** 2;
    xn[i] = Math.sqrt(s);
    ay[i] = Math.abs(y[i]!);
    meanXNorm += xn[i]! / n;
    meanAbsY += ay[i]! / n;
  }
  return {
    lamG: lambdaMax(gram(X, n, d), d),
    lamGx: lambdaMax(gram(X, n, d, xn), d),
    lamGy: lambdaMax(gram(X, n, d, ay), d),
    meanXNorm,
    meanAbsY,
  };
}

/**
 * A bound on ||∇²F(θ)|| over {||a||₂ ≤ A, ||W||_F ≤ B}, derived here. With
 * u_i = Wᵀx_i, p_i = aᵀφ(u_i), r_i = p_i − y_i and J_i = ∇_θ p_i,
 * ∇²F = (1/n) Σ [J_i J_iᵀ + r_i ∇²p_i]; for a direction δ = (δW, δa):
 *
 * - Gauss–Newton: J_i·δ = Σ_k φ(u_ik) δa_k + Σ_k a_k φ'(u_ik) x_iᵀδW_k, and
 *   (α + β)² ≤ (1 + t)α² + (1 + 1/t)β² with t = c₂/c₁ bounds the average by
 *   (c₁ + c₂)||δ||², where c₁ ≥ (1/n) Σ ||φ(u_i)||² and c₂ = A² sup|φ'|² λ_max(G).
 *   Since (1/n) Σ ||u_i||² = tr(WᵀGW) ≤ B² λ_max(G): tanh (||φ(u)||² ≤ min(h, ||u||²),
 *   min concave) c₁ = min(h, B² λ_max(G)); softplus (||φ(u)|| ≤ √h log 2 + ||u||,
 *   Minkowski) c₁ = (√h log 2 + B √λ_max(G))².
 * - Residual: δᵀ∇²p_i δ = 2 Σ_k δa_k φ'(u_ik) x_iᵀδW_k + Σ_k a_k φ''(u_ik)(x_iᵀδW_k)².
 *   |r_i| ≤ r̄_i = A P_i + |y_i| with P_i ≥ ||φ(u_i)|| (P_i = min(√h, B||x_i||) for
 *   tanh, √h log 2 + B||x_i|| for softplus); M = (1/n) Σ r̄_i x_i x_iᵀ has
 *   λ_max(M) ≤ m := A·λ(P-weighted Gram) + λ_max(G_y), and Cauchy–Schwarz gives
 *   at most sup|φ'| √(mean(r̄) m) ||δ||² + A sup|φ''| m ||δW||² (||a||∞ ≤ A).
 *
 * The bound is nondecreasing in A and B.
 */
export function twoLayerBoxL(A: number, B: number, h: number, act: Activation, mo: TwoLayerMoments): number {
  let c1: number;
  let meanP: number;
  let lamP: number;
  if (act.name === 'tanh') {
    c1 = Math.min(h, B * B * mo.lamG);
    meanP = Math.min(Math.sqrt(h), B * mo.meanXNorm);
    lamP = Math.min(Math.sqrt(h) * mo.lamG, B * mo.lamGx);
  } else {
    c1 = (Math.sqrt(h) * Math.LN2 + B * Math.sqrt(mo.lamG)) ** 2;
    meanP = Math.sqrt(h) * Math.LN2 + B * mo.meanXNorm;
    lamP = Math.sqrt(h) * Math.LN2 * mo.lamG + B * mo.lamGx;
  }
  const c2 = A * A * act.d1 * act.d1 * mo.lamG;
  const meanR = A * meanP + mo.meanAbsY;
  const m = A * lamP + mo.lamGy;
  return c1 + c2 + act.d1 * Math.sqrt(meanR * m) + A * act.d2 * m;
}

/**
 * Local smoothness on the ball ||θ||₂ ≤ R: every θ in it has ||a|| = R cos t,
 * ||W||_F ≤ R sin t for some t ∈ [0, π/2], so the sup of the nondecreasing
 * {@link twoLayerBoxL} over the quarter circle bounds the Hessian; on a grid
 * t_0 < … < t_K each cell is covered by twoLayerBoxL(R cos t_k, R sin t_{k+1}).
 */
export function twoLayerLocalL(R: number, h: number, act: Activation, mo: TwoLayerMoments, cells = 256): number {
  let best = 0;
  for (let k = 0; k < cells; k++) {
    const t0 = (k / cells) * (Math.PI / 2);
    const t1 = ((k + 1) / cells) * (Math.PI / 2);
    best = Math.max(best, twoLayerBoxL(R * Math.cos(t0), R * Math.sin(t1), h, act, mo));
  }
  return best;
}

const FORM = (family: string): string => `${family}_d<input dim>_h<hidden width>_n<samples>_i<instance>`;

/**
 * Two-layer network regression, teacher–student:
 *
 *   F(W, a) = (1/n) Σ_i ½ (aᵀφ(Wᵀx_i) − y_i)²,   W ∈ R^(d×h), a ∈ R^h,   φ = tanh or softplus,
 *
 * x_i ~ N(0, I_d) and y_i = a★ᵀφ(W★ᵀx_i) from a teacher of the same shape
 * (W★ entries N(0, 1/d), a★ entries N(0, 1/h)), without label noise: the student
 * can match the teacher, so F★ = 0 (attained at θ★ = (W★, a★)) and F_low = 0.
 * The parameter vector is θ = (vec W row-major, a), dim = (d + 1)h, blocks
 * W [d, h] and a [h, 1] (each meets the batch through one matmul).
 *
 * Constants: F is not globally smooth (its curvature grows with ||a|| and ||W||);
 * L is a *local* bound on the ball ||θ||₂ ≤ R with R = 2||θ★||₂ (which also holds
 * the default initialisation), from {@link twoLayerLocalL} (its derivation is there). Noise does not vanish
 * at every stationary point (only at the global minima, where all residuals are 0).
 *
 * Reference: the teacher–student setting of Saad & Solla, "On-line learning in
 * soft committee machines" (Phys. Rev. E, 1995); see also Goldt, Advani, Saxe,
 * Krzakala, Zdeborová, "Dynamics of stochastic gradient descent for two-layer
 * neural networks in the teacher–student setup" (NeurIPS 2019).
 */
export function twoLayer(opts: TwoLayerOptions): FiniteSumProblem {
  const { activation, d, h, n, instance } = opts;
  const act = ACTIVATIONS[activation];
  const family = `twolayer-${activation}`;
  const id = `${family}_d${d}_h${h}_n${n}_i${instance}`;
  const [kX, kW, kA] = split(instanceKey(family, [d, h, n, instance]), 3) as [Key, Key, Key];
  const X = normal(kX, n * d);
  const Wstar = normal(kW, d * h, 0, 1 / Math.sqrt(d));
  const aStar = normal(kA, h, 0, 1 / Math.sqrt(h));
  const dim = d * h + h;
  const thetaStar = new Float64Array(dim);
  thetaStar.set(Wstar, 0);
  thetaStar.set(aStar, d * h);

  const u = new Float64Array(h);
  /** Fill u = Wᵀx_i and return the prediction aᵀφ(u). */
  const forward = (theta: Float64Array, i: number): number => {
    u.fill(0);
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const xj = X[off + j]!;
      if (xj === 0) continue;
      const row = j * h;
      for (let k = 0; k < h; k++) u[k]! += xj * theta[row + k]!;
    }
    let p = 0;
    for (let k = 0; k < h; k++) p += theta[d * h + k]! * act.f(u[k]!);
    return p;
  };
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = forward(thetaStar, i);

  const R = 2 * norm2(thetaStar);
  const L = roundUp(twoLayerLocalL(R, h, act, twoLayerMoments(X, y, n, d)));
  const region = `||θ||₂ ≤ ${R} (θ = all parameters; R = 2||θ★||₂)`;

  return finiteSumProblem({
    id,
    family,
    tags: ['finite-sum', 'nonconvex', 'neural-network', 'teacher-student', 'realisable', 'synthetic', 'local-smoothness'],
    dim,
    n,
    blocks: [
      { name: 'W', shape: [d, h], offset: 0, size: d * h },
      { name: 'a', shape: [h, 1], offset: d * h, size: h },
    ],
    constants: {
      L: { value: L, kind: 'local', region, ball: { radius: R } },
      F_low: 0,
      F_star: 0,
      noiseVanishesAtStationary: false,
    },
    loss(theta: Float64Array, i: number): number {
      const r = forward(theta, i) - y[i]!;
      return 0.5 * r * r;
    },
    gradInto(theta: Float64Array, i: number, out: Float64Array): void {
      const r = forward(theta, i) - y[i]!;
      const off = i * d;
      for (let k = 0; k < h; k++) {
        const uk = u[k]!;
        out[d * h + k] = r * act.f(uk);
        const back = r * theta[d * h + k]! * act.df(uk);
        for (let j = 0; j < d; j++) out[j * h + k] = back * X[off + j]!;
      }
    },
    perSampleLoss(params: readonly Tensor[], indices: Int32Array): Tensor {
      const b = indices.length;
      const Xb = dataTensor(gatherRows(X, d, indices), [b, d], params[0]!);
      const yb = dataTensor(Float64Array.from(indices, (i) => y[i]!), [b], params[0]!);
      const hidden = act.tensor(matmul(Xb, params[0]!));
      const pred = reshape(matmul(hidden, params[1]!), [b]);
      return mul(0.5, square(sub(pred, yb)));
    },
    x0(k: Key): Float64Array {
      const [k1, k2] = split(k, 2) as [Key, Key];
      const theta = new Float64Array(dim);
      theta.set(normal(k1, d * h, 0, 1 / Math.sqrt(d)), 0);
      theta.set(normal(k2, h, 0, 1 / Math.sqrt(h)), d * h);
      return theta;
    },
    info: { activation, inputDim: d, hidden: h, radius: R, thetaStar },
  });
}

function twoLayerEntry(activation: 'tanh' | 'softplus'): FamilyEntry {
  const family = `twolayer-${activation}`;
  const pattern = new RegExp(`^${family}_d\\d+_h\\d+_n\\d+_i\\d+$`);
  return {
    family,
    idPattern: pattern,
    build(id: string): Problem {
      const p = parseId(id, pattern, FORM(family));
      return twoLayer({
        activation,
        d: intField(id, p, 'd', 1, 10_000),
        h: intField(id, p, 'h', 1, 10_000),
        n: intField(id, p, 'n', 1, 1_000_000),
        instance: intField(id, p, 'i', 0, 1_000_000),
      });
    },
    defaultIds: [`${family}_d10_h8_n2000_i0`],
    description: `Teacher–student regression with a two-layer ${activation} network ½(aᵀφ(Wᵀx) − y)², realisable (F★ = 0); L is local, on the ball ||θ|| ≤ 2||θ★||.`,
  };
}

/** Registry entry: two-layer tanh network, teacher–student. */
export const twoLayerTanhFamily: FamilyEntry = twoLayerEntry('tanh');
/** Registry entry: two-layer softplus network, teacher–student. */
export const twoLayerSoftplusFamily: FamilyEntry = twoLayerEntry('softplus');
