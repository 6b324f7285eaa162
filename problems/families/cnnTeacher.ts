// A small teacher–student convolutional network on random images: the fast conv problem for tests and rate checks.
import {
  avgPool2d, conv2d, flatten, matmul, mul, reshape, square, sub, sum, tanh, valueAndGrad, type Tensor,
} from '../../src/index.js';
import { fromArray } from '../../src/tensor/tensor.js';
import { normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { intField, parseId, type FamilyEntry } from '../common/family.js';
import { finiteSumProblem, type FiniteSumProblem } from '../common/finiteSum.js';
import { dataTensor } from '../common/glm.js';
import { instanceKey } from '../common/instance.js';
import { ProblemArgumentError } from '../common/validate.js';
import { gram, lambdaMax, norm2, roundUp } from '../common/linalg.js';

export interface CnnTeacherOptions {
  /** Conv channels c. */
  readonly c: number;
  /** Image side s (even: the 2×2 pooling tiles it). */
  readonly s: number;
  readonly n: number;
  readonly instance: number;
}

const FORM = 'cnn-teacher_c<channels>_s<even image side>_n<samples>_i<instance>';

/** sup |tanh''| = 4/(3√3). */
const TANH_D2 = 4 / (3 * Math.sqrt(3));

/**
 * The local bound on ||∇²ℓ_i|| over {||V||₂ ≤ R, ||(W, b)||₂ ≤ R}, derived here.
 * Write p = Σ_{o,t} a_{o,t} φ(u_{o,t}) with u_{o,t} = ⟨W_o, z̃_t⟩ + b_o over the s²
 * conv positions t (z̃_t the 3×3 patch), a_{o,t} = V_{o,q(t)}/4 (the 2×2 average
 * folded into V, so ||a||₂ = ||V||₂/2 and max|a| ≤ ||V||/4), and let
 * Λ_i = λ_max(Σ_t z_t z_tᵀ) with z_t = (z̃_t, 1), so Σ_{o,t} δu² ≤ Λ_i ||δ(W, b)||².
 * Then ∇²ℓ_i = J Jᵀ + r ∇²p with
 * - ||J|| ≤ √(cQ) + (R/2)√Λ_i (|pooled φ| ≤ 1 over cQ pooled outputs; Cauchy–Schwarz),
 * - ||∇²p|| ≤ √Λ_i + (R/4) sup|φ''| Λ_i (the cross term 2Σ δa φ' δu ≤ 2·(||δV||/2)√Λ_i||δWb|| ≤ √Λ_i ||δ||²),
 * - |r| ≤ R√(cQ) + |y_i|,
 * so L_i ≤ ||J||² + |r| ||∇²p||; L = (1/n) Σ_i L_i bounds ∇²F and max_i L_i the per-sample smoothness.
 */
export function cnnTeacherLocalL(R: number, cQ: number, lambdas: Float64Array, y: Float64Array): { L: number; perSample: number } {
  let mean = 0;
  let mx = 0;
  for (let i = 0; i < y.length; i++) {
    const lam = lambdas[i]!;
    const J = Math.sqrt(cQ) + (R / 2) * Math.sqrt(lam);
    const Li = J * J + (R * Math.sqrt(cQ) + Math.abs(y[i]!)) * (Math.sqrt(lam) + (R / 4) * TANH_D2 * lam);
    mean += Li / y.length;
    mx = Math.max(mx, Li);
  }
  return { L: mean, perSample: mx };
}

/**
 * Teacher–student regression with a one-conv-layer network on random images:
 *
 *   F(W, b, V) = (1/n) Σ_i ½ (p(x_i) − y_i)²,  p(x) = Vᵀ flatten(avgPool_2×2(tanh(conv_3×3(x; W, b))))
 *
 * with x_i ∈ R^(1×s×s) entries N(0, 1), a 3×3 convolution of padding 1 to c
 * channels (W [c, 1, 3, 3], b [c]), 2×2 average pooling (Q = (s/2)² positions) and
 * V [cQ, 1]; y_i = p★(x_i) from a teacher of the same shape (W★ entries N(0, 1/9),
 * b★ N(0, 0.1²), V★ N(0, 1/(cQ))), without label noise: F★ = 0 = F_low.
 * θ = (vec W, b, vec V), dim = 10c + cQ.
 *
 * Constants: not globally smooth; L is a *local* bound on the ball ||θ||₂ ≤ R,
 * R = 2||θ★||₂ (see {@link cnnTeacherLocalL} for the derivation).
 *
 * Reference: the teacher–student setting of Saad & Solla (Phys. Rev. E, 1995),
 * here with a convolutional student as in the CNN experiments of Lau, Liu, Kolar,
 * "AdAdaGrad: Adaptive Batch Size Schemes for Adaptive Gradient Methods" (arXiv:2402.11215).
 */
export function cnnTeacher(opts: CnnTeacherOptions): FiniteSumProblem {
  const { c, s, n, instance } = opts;
  const family = 'cnn-teacher';
  const id = `${family}_c${c}_s${s}_n${n}_i${instance}`;
  const Q = (s / 2) * (s / 2);
  const sizes = { W: 9 * c, b: c, V: c * Q };
  const dim = sizes.W + sizes.b + sizes.V;
  const [kX, kW, kb, kV] = split(instanceKey(family, [c, s, n, instance]), 4) as [Key, Key, Key, Key];
  const X = normal(kX, n * s * s);
  const thetaStar = new Float64Array(dim);
  thetaStar.set(normal(kW, sizes.W, 0, 1 / 3), 0);
  thetaStar.set(normal(kb, sizes.b, 0, 0.1), sizes.W);
  thetaStar.set(normal(kV, sizes.V, 0, 1 / Math.sqrt(c * Q)), sizes.W + sizes.b);
  const blocks = [
    { name: 'W', shape: [c, 1, 3, 3], offset: 0, size: sizes.W },
    { name: 'b', shape: [c], offset: sizes.W, size: sizes.b },
    { name: 'V', shape: [c * Q, 1], offset: sizes.W + sizes.b, size: sizes.V },
  ];

  const predict = (params: readonly Tensor[], Xb: Tensor): Tensor => {
    const h = avgPool2d(tanh(conv2d(Xb, params[0]!, params[1]!, { padding: 1 })), { kernel: 2 });
    return reshape(matmul(flatten(h), params[2]!), [Xb.shape[0]!]);
  };
  const images = (indices: Int32Array | readonly number[], like: Tensor | null): Tensor => {
    const data = new Float64Array(indices.length * s * s);
    indices.forEach((i, k) => data.set(X.subarray(i * s * s, (i + 1) * s * s), k * s * s));
    return like === null ? fromArray(data, [indices.length, 1, s, s]) : dataTensor(data, [indices.length, 1, s, s], like);
  };
  const unflatten = (theta: Float64Array): Tensor[] =>
    blocks.map((bk) => fromArray(Float64Array.from(theta.subarray(bk.offset, bk.offset + bk.size)), bk.shape));
  const teacher = predict(unflatten(thetaStar), images(Array.from({ length: n }, (_, i) => i), null)).toFloat64Array();
  const y = Float64Array.from(teacher);

  // Λ_i = λ_max(Σ_t z_t z_tᵀ), z_t = (3×3 patch at t with zero padding, 1)
  const lambdas = new Float64Array(n);
  const Z = new Float64Array(s * s * 10);
  for (let i = 0; i < n; i++) {
    for (let py = 0; py < s; py++) for (let px = 0; px < s; px++) {
      const t = (py * s + px) * 10;
      for (let a = 0; a < 3; a++) for (let e = 0; e < 3; e++) {
        const yy = py - 1 + a;
        const xx = px - 1 + e;
        Z[t + a * 3 + e] = yy >= 0 && yy < s && xx >= 0 && xx < s ? X[i * s * s + yy * s + xx]! : 0;
      }
      Z[t + 9] = 1;
    }
    lambdas[i] = lambdaMax(gram(Z, s * s, 10), 10) * s * s;
  }
  const R = 2 * norm2(thetaStar);
  const bound = cnnTeacherLocalL(R, c * Q, lambdas, y);

  const sampleLoss = (params: readonly Tensor[], indices: Int32Array): Tensor => {
    const Xb = images(indices, params[0]!);
    const yb = dataTensor(Float64Array.from(indices, (i) => y[i]!), [indices.length], params[0]!);
    return mul(0.5, square(sub(predict(params, Xb), yb)));
  };
  const one = new Int32Array(1);
  const lossAndGrad = valueAndGrad((...ps: Tensor[]) => sum(sampleLoss(ps, one)), [0, 1, 2]);

  return finiteSumProblem({
    id,
    family,
    tags: ['finite-sum', 'nonconvex', 'neural-network', 'convolutional', 'teacher-student', 'realisable', 'synthetic', 'local-smoothness'],
    dim,
    n,
    blocks,
    constants: {
      L: {
        value: roundUp(bound.L),
        kind: 'local',
        region: `||θ||₂ ≤ ${R} (θ = all parameters; R = 2||θ★||₂)`,
        ball: { radius: R },
        perSample: roundUp(bound.perSample),
      },
      F_low: 0,
      F_star: 0,
      noiseVanishesAtStationary: false,
    },
    loss(theta: Float64Array, i: number): number {
      one[0] = i;
      return sampleLoss(unflatten(theta), one).item();
    },
    gradInto(theta: Float64Array, i: number, out: Float64Array): void {
      one[0] = i;
      const [, gs] = lossAndGrad(...unflatten(theta));
      (gs as Tensor[]).forEach((g, k) => out.set(g.toFloat64Array(), blocks[k]!.offset));
    },
    perSampleLoss: sampleLoss,
    x0(k: Key): Float64Array {
      const [k1, k2, k3] = split(k, 3) as [Key, Key, Key];
      const theta = new Float64Array(dim);
      theta.set(normal(k1, sizes.W, 0, 1 / 3), 0);
      theta.set(normal(k2, sizes.b, 0, 0.1), sizes.W);
      theta.set(normal(k3, sizes.V, 0, 1 / Math.sqrt(c * Q)), sizes.W + sizes.b);
      return theta;
    },
    info: { channels: c, side: s, radius: R, thetaStar },
  });
}

const PATTERN = /^cnn-teacher_c\d+_s\d+_n\d+_i\d+$/;

/** Registry entry: teacher–student CNN on random images. */
export const cnnTeacherFamily: FamilyEntry = {
  family: 'cnn-teacher',
  idPattern: PATTERN,
  build(id: string): Problem {
    const p = parseId(id, PATTERN, FORM);
    const s = intField(id, p, 's', 2, 64);
    if (s % 2 !== 0) throw new ProblemArgumentError(id, `the image side s must be even (the 2×2 pooling tiles it), got ${s}`);
    return cnnTeacher({ c: intField(id, p, 'c', 1, 64), s, n: intField(id, p, 'n', 1, 100_000), instance: intField(id, p, 'i', 0, 1_000_000) });
  },
  defaultIds: ['cnn-teacher_c2_s6_n200_i0'],
  description:
    'Teacher–student regression with a conv(3×3, c channels) → tanh → 2×2 average pool → linear network on random s×s images, realisable (F★ = 0); L is local, on the ball ||θ|| ≤ 2||θ★||.',
};
