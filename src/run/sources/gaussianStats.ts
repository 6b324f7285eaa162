/**
 * gaussianStatsSource: the batch of b per-sample gradients of a Gaussian noisy quadratic
 * model summarised by ONE draw from its exact law, at O(d²) cost whatever b is, so that a
 * controller that reads batch statistics (the practical norm, inner-product and
 * coordinate tests) can run at the batch sizes a rate check asks for (b grows like
 * 1/||∇F||², to 10⁶ and beyond) through the library's own step.
 *
 * The law (families `nqm` and `nqm-rot`, population form): ξ_i = x★ + Q diag(h^(−1/2)) z_i
 * with z_i ~ N(0, I_d) i.i.d. and Q the family's rotation (Q = I for `nqm`; one Householder
 * reflection or a product P₁ ⋯ P_r of them for `nqm-rot`), and
 * ∇f(x; ξ_i) = H(x − ξ_i) with H = Q diag(h) Qᵀ, so with M = Q diag(√h)
 *
 *   g_i = ∇F(x) − M z_i,    ḡ = ∇F(x) − M z̄,    Σ_i (g_i − ḡ)(g_i − ḡ)ᵀ = M S_z Mᵀ,
 *
 * where z̄ ~ N(0, I/b) and the scatter S_z = Σ_i (z_i − z̄)(z_i − z̄)ᵀ ~ Wishart(I_d, b − 1)
 * are independent (Cochran's theorem). S_z is drawn as T Tᵀ: for b − 1 ≥ d by Bartlett's
 * decomposition (T lower triangular, T_jj² ~ χ²_{b−1−j} for j = 0 … d−1, T_jl ~ N(0, 1)
 * below the diagonal), for b − 1 < d as a d × (b − 1) standard normal matrix. With R = M T,
 * every statistic of docs/MATH.md §2 is a function of (ḡ, R):
 *
 *   S_norm = ||R||_F²/(b−1),  S_j = ||R_j·||²/(b−1),  S_ip = ||Rᵀḡ||²/(b−1),
 *   S_orth = (||R||_F² − ||Rᵀḡ||²/||ḡ||²)/(b−1),
 *
 * and the batch's mean loss is ½(e − P z̄)ᵀH(e − P z̄) + ½ tr(S_z)/b with e = x − x★ and
 * P = Q diag(h^(−1/2)) (PᵀHP = I). One block, so the block-wise statistics equal the global
 * ones. This is the law of `run` sampling b draws and computing them with the batch
 * statistics engine (test/run/gaussianStats.test.ts compares the two by Monte Carlo); only
 * the per-sample gradients themselves are never formed. Randomness: a stream of
 * foldIn(data key, k), so the step stays a pure function of (env, state, k).
 *
 * The source applies only to the family's own sampler: the families record it as
 * info.gaussianSample, and a wrapper that replaces `sample` (batchMeanDraws, a user's own
 * noise) is refused, as is a finite sum.
 *
 * Reference: Wishart (1928); Bartlett (1933), "On the theory of statistical regression";
 * the model is Zhang et al. (NeurIPS 2019), see problems/families/nqm.ts.
 */
import type { BatchStatistics } from '../../batching/summary.js';
import type { Problem } from '../../problem/types.js';
import { chiSquareVariate, foldIn, stream } from '../../rng/index.js';
import type { GradientSource } from '../step.js';

/** The Gaussian law of a problem's per-sample gradients, as the source needs it. */
export interface GaussianGradientLaw {
  readonly xStar: Float64Array;
  /** Eigenvalues h_j of H. */
  readonly spectrum: Float64Array;
  /** The Householder vector u₁ of Q's first reflection (null: Q = I). */
  readonly householder: Float64Array | null;
  /** The vectors u₁ … u_r of Q = P₁ ⋯ P_r, P_t = I − 2u_t u_tᵀ/||u_t||² (empty: Q = I). */
  readonly householders: readonly Float64Array[];
}

const FAMILIES = ['nqm', 'nqm-rot'];

/** The law of `problem`'s per-sample gradients when it is one the source can draw (else the reason it is not). */
export function gaussianLawOf(problem: Problem): GaussianGradientLaw | string {
  const info = (problem as { info?: Readonly<Record<string, unknown>> }).info;
  if (!FAMILIES.includes(problem.family)) return `family ${problem.family} is not one of ${FAMILIES.join(', ')}`;
  if (problem.n !== null) return 'it is a finite sum';
  const xStar = info?.['xStar'];
  const h = info?.['spectrum'];
  if (!(xStar instanceof Float64Array) || !(h instanceof Float64Array)) return 'its info has no xStar/spectrum';
  if (info?.['gaussianSample'] !== problem.sample) return 'its sample() is not the family\'s own Gaussian sampler (wrapped or replaced)';
  const u = problem.family === 'nqm-rot' ? info?.['householder'] : null;
  if (problem.family === 'nqm-rot' && !(u instanceof Float64Array)) return 'its info has no householder vector';
  const us = problem.family === 'nqm-rot' ? (info?.['householders'] ?? [u]) : [];
  if (!Array.isArray(us) || !us.every((v) => v instanceof Float64Array && v.length === xStar.length)) return 'its info.householders is not a list of vectors';
  return { xStar, spectrum: h, householder: (u as Float64Array | null) ?? null, householders: us as Float64Array[] };
}

/** Whether {@link gaussianStatsSource} applies to `problem`. */
export function hasGaussianLaw(problem: Problem): boolean {
  return typeof gaussianLawOf(problem) !== 'string';
}

/**
 * The gradient source drawing (ḡ, batch statistics, mean loss) of b per-sample gradients
 * of `problem` from their exact joint law (see the module comment).
 *
 * @example
 * const p = getProblem('nqm_d16_i0_a2.5');
 * run({ problem: p, gradient: gaussianStatsSource(p), optimizer: adagradNorm(1, 1), controller: normTestController(0.5, { b0: 2, bMax: 2 ** 40 }), budget: { steps: 512 }, key: key(0) });
 */
export function gaussianStatsSource(problem: Problem): GradientSource {
  const law = gaussianLawOf(problem);
  if (typeof law === 'string') throw new Error(`gaussianStatsSource: ${problem.id} cannot be drawn: ${law}`);
  const { xStar, spectrum: h, householders: us } = law;
  const d = xStar.length;
  const sqrtH = h.map(Math.sqrt);
  const invSqrtH = h.map((v) => 1 / Math.sqrt(v));
  const uus = us.map((u) => {
    let uu = 0;
    for (let j = 0; j < d; j++) uu += u[j]! * u[j]!;
    return uu;
  });
  /** v ← P_t v in place, P_t = I − 2u_t u_tᵀ/u_tᵀu_t. */
  const reflectOnce = (v: Float64Array, off: number, stride: number, t: number): void => {
    const u = us[t]!;
    let s = 0;
    for (let j = 0; j < d; j++) s += u[j]! * v[off + j * stride]!;
    const c = (2 * s) / uus[t]!;
    for (let j = 0; j < d; j++) v[off + j * stride] = v[off + j * stride]! - c * u[j]!;
  };
  /** v ← Q v = P₁(⋯ P_r v) in place (identity for nqm). */
  const reflect = (v: Float64Array, off: number, stride: number): void => {
    for (let t = us.length - 1; t >= 0; t--) reflectOnce(v, off, stride, t);
  };
  /** v ← Qᵀ v = P_r(⋯ P₁ v) in place. */
  const reflectT = (v: Float64Array, off: number, stride: number): void => {
    for (let t = 0; t < us.length; t++) reflectOnce(v, off, stride, t);
  };
  return {
    name: 'gaussian-stats',
    gradient(r) {
      const b = r.b;
      if (!Number.isInteger(b) || b < 1) throw new Error(`gaussianStatsSource(${problem.id}): batch size must be an integer ≥ 1, got ${b}`);
      const s = stream(foldIn(r.key, r.step));
      const x = r.x;
      // z̄ ~ N(0, I/b); ḡ = H e − M z̄, e − P z̄ for the loss
      const zbar = new Float64Array(d);
      for (let j = 0; j < d; j++) zbar[j] = s.nextNormal() / Math.sqrt(b);
      const e = new Float64Array(d);
      for (let j = 0; j < d; j++) e[j] = x[j]! - xStar[j]!;
      // w = Qᵀ e − diag(h^(−1/2)) z̄ (so e − P z̄ = Q w and the quadratic form is Σ h_j w_j²)
      const w = Float64Array.from(e);
      reflectT(w, 0, 1);
      for (let j = 0; j < d; j++) w[j] = w[j]! - invSqrtH[j]! * zbar[j]!;
      let quad = 0;
      for (let j = 0; j < d; j++) quad += h[j]! * w[j]! * w[j]!;
      // ḡ = H(e − P z̄) = Q diag(h) w
      const g = new Float64Array(d);
      for (let j = 0; j < d; j++) g[j] = h[j]! * w[j]!;
      reflect(g, 0, 1);
      if (!r.withStats || b < 2) return { g, loss: lossOnly(quad, b, d, s), summary: null, batch: null, stats: null };
      // T (d × m, row-major), S_z = T Tᵀ ~ Wishart(I, b − 1)
      const m = b - 1 >= d ? d : b - 1;
      const T = new Float64Array(d * m);
      if (m === d) {
        for (let j = 0; j < d; j++) {
          T[j * m + j] = Math.sqrt(chiSquareVariate(s, b - 1 - j));
          for (let l = 0; l < j; l++) T[j * m + l] = s.nextNormal();
        }
      } else {
        for (let i = 0; i < d * m; i++) T[i] = s.nextNormal();
      }
      let trSz = 0;
      for (let i = 0; i < d * m; i++) trSz += T[i]! * T[i]!;
      // R = Q diag(√h) T, column by column
      const R = T;
      for (let j = 0; j < d; j++) for (let l = 0; l < m; l++) R[j * m + l] = R[j * m + l]! * sqrtH[j]!;
      for (let l = 0; l < m; l++) reflect(R, l, m);
      const S_j = new Float64Array(d);
      let fro = 0;
      for (let j = 0; j < d; j++) {
        let t = 0;
        for (let l = 0; l < m; l++) t += R[j * m + l]! * R[j * m + l]!;
        S_j[j] = t / (b - 1);
        fro += t;
      }
      let gWg = 0;
      for (let l = 0; l < m; l++) {
        let t = 0;
        for (let j = 0; j < d; j++) t += R[j * m + l]! * g[j]!;
        gWg += t * t;
      }
      let gns = 0;
      for (let j = 0; j < d; j++) gns += g[j]! * g[j]!;
      const S_norm = fro / (b - 1);
      const S_ip = gWg / (b - 1);
      const S_orth = gns > 0 ? Math.max(0, fro - gWg / gns) / (b - 1) : NaN;
      const stats: BatchStatistics = {
        b, meanGrad: g, gradNormSq: gns, S_norm, S_ip, S_orth, S_j,
        B_simple: gns > 0 ? S_norm / gns : Infinity,
        blockwise: { S_ip, S_orth },
      };
      return { g, loss: 0.5 * quad + (0.5 * trSz) / b, summary: null, batch: null, stats };
    },
  };
}

/** The mean loss of a batch when no statistics are drawn: the scatter's trace alone, tr S_z ~ χ²_{d(b−1)}. */
function lossOnly(quad: number, b: number, d: number, s: ReturnType<typeof stream>): number {
  const trSz = b >= 2 ? chiSquareVariate(s, d * (b - 1)) : 0;
  return 0.5 * quad + (0.5 * trSz) / b;
}
