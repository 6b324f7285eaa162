/**
 * Per-sample gradient statistics of a conv2d weight without the b × d matrix.
 *
 * For y_i = conv2d(x_i, W) the per-sample gradient is G_i = Δ_i U_i ([c_out, K],
 * the layout of W), with U_i = unfold(x_i) [P, K] (P = oh·ow positions,
 * K = c_in·kh·kw) and Δ_i [c_out, P] the output cotangent of sample i. Two forms:
 *
 * - 'conv-materialised': G_i formed one sample at a time (cost c_out·P·K per
 *   sample, O(d) memory), every statistic read off it directly, centred ones
 *   from G_i + r − ḡ (the streamed two-pass of the linear path; accurate by
 *   construction).
 * - 'conv-factored': ||G_i||² = ⟨U_i U_iᵀ, Δ_iᵀ Δ_i⟩ from two P × P Gram matrices
 *   (cost P²(K + c_out)), ⟨G_i, V⟩ = Σ_{o,p} Δ_i[o,p] (U_i Vᵀ)[p,o] from one
 *   product over the whole batch; the centred quantities by subtraction, with the
 *   cancellation test of the linear path (centred < τ · raw) falling back to the
 *   materialised form ('conv-refined').
 *   NOTE: Σ_i G_i∘G_i has no cheaper factored form than G_i itself when P > 1,
 *   and ⟨G_i, ḡ⟩ costs P·K·c_out in any form; both forms therefore form G_i for
 *   the coordinate sums, and with all statistics requested the factored form is
 *   never the cheaper one (see `convCosts`, and the measured ratios there).
 *
 * Assumption: as everywhere in the engine, row i of the batch depends on sample i only.
 */
import { getBackend } from '../backend/index.js';
import type { WindowGeom } from '../backend/backend.js';
import { alloc, type Arr } from '../tensor/tensor.js';
import { centredPass, type BlockSummary } from './summary.js';

/**
 * Per-sample costs of the two forms for a conv weight of geometry g and c_out outputs.
 * Both form G_i for the coordinate sums (c_out·P·K) and sweep its entries (2·c_out·K,
 * the weight measured for the fused loop); the factored form adds the two Gram
 * matrices (P²(K + c_out)) and the ⟨G_i, ḡ⟩ product (P·K·c_out). So while the
 * coordinate statistics are requested (always, today) the materialised form is the
 * cheaper one for every shape; the factored form pays only for a consumer that needs
 * ||g_i||² alone, where its cost is P²(K + c_out) against c_out·P·K.
 * Measured (test/bench/convStatsCrossover.ts, b = 32, js): factored/materialised =
 * 1.23 at P = 1, 1.1–2.1 for P = 4..64 with c_in = 32, c_out = 64, 3×3; 76 at P = 576.
 */
export function convCosts(g: WindowGeom, cout: number): { factored: number; materialised: number } {
  const P = g.oh * g.ow;
  const K = g.c * g.kh * g.kw;
  const common = cout * P * K + 2 * cout * K;
  return { materialised: common, factored: common + P * P * (K + cout) + P * K * cout };
}

export interface ConvInputs {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  /** unfold(x): [b, P, K], or null when x and geom are given (then unfolded on demand, see unfolded) */
  readonly U: Arr | null;
  /** the layer's input [b, c_in, h, w] and window geometry: with a backend's convWeightGrads, G_i without U */
  readonly x?: Arr;
  readonly geom?: WindowGeom;
  /** the output cotangent, [b, c_out, P] */
  readonly delta: Arr;
  readonly b: number;
  readonly P: number;
  readonly K: number;
  readonly cout: number;
  /** ḡ (including r) */
  readonly mean: Float64Array;
  /** the shared per-sample term r (the regularizer's gradient), or null */
  readonly r: Float64Array | null;
}

/** U of the whole batch: c.U, or unfold(c.x) (then kept for the next call with the same inputs). */
const unfoldedCache = new WeakMap<ConvInputs, Arr>();
function unfolded(c: ConvInputs): Arr {
  if (c.U !== null) return c.U;
  const have = unfoldedCache.get(c);
  if (have !== undefined) return have;
  if (c.x === undefined || c.geom === undefined) throw new Error(`conv statistics of ${c.name}: neither U nor the input and geometry given`);
  const U = alloc(c.x instanceof Float32Array ? 'float32' : 'float64', c.b * c.P * c.K);
  getBackend().unfold(c.x, c.geom, U);
  unfoldedCache.set(c, U);
  return U;
}

/** Samples per call of a backend's convWeightGrads: about 2 MiB of per-sample gradients. */
const GRADS_CHUNK_VALUES = 1 << 18;

/** G_i = Δ_i U_i into `out` ([c_out, K], float64). */
function sampleGrad(c: ConvInputs, i: number, tmp: Arr, out: Float64Array): void {
  const { delta, P, K, cout } = c;
  const U = unfolded(c);
  getBackend().matmul(delta.subarray(i * cout * P, (i + 1) * cout * P), U.subarray(i * P * K, (i + 1) * P * K), cout, P, K, tmp, false, false);
  for (let j = 0; j < out.length; j++) out[j] = tmp[j]! + (c.r === null ? 0 : c.r[j]!);
}

/** The materialised form (also the refinement of the factored one). */
export function convMaterialised(c: ConvInputs, method: 'conv-materialised' | 'conv-refined' = 'conv-materialised'): BlockSummary {
  const { b, mean } = c;
  const size = mean.length;
  const tmp = alloc(c.delta instanceof Float32Array ? 'float32' : 'float64', size);
  const G = new Float64Array(size);
  const pass = centredPass(mean, b);
  const be = getBackend();
  if (be.convWeightGrads !== undefined && c.x !== undefined && c.geom !== undefined) {
    // the backend forms G_i for a chunk of samples at a time, without U of the whole batch
    const cs = Math.max(1, Math.min(b, Math.floor(GRADS_CHUNK_VALUES / size)));
    const chunk = alloc(c.x instanceof Float32Array ? 'float32' : 'float64', cs * size);
    for (let i0 = 0; i0 < b; i0 += cs) {
      const i1 = Math.min(b, i0 + cs);
      be.convWeightGrads(c.x, c.delta, c.geom, c.cout, i0, i1, chunk);
      for (let i = i0; i < i1; i++) {
        const o = (i - i0) * size;
        for (let j = 0; j < size; j++) G[j] = chunk[o + j]! + (c.r === null ? 0 : c.r[j]!);
        pass.add(i, G, 0);
      }
    }
    return pass.finish(c.name, c.shape, c.offset, method);
  }
  for (let i = 0; i < b; i++) {
    sampleGrad(c, i, tmp, G);
    pass.add(i, G, 0);
  }
  return pass.finish(c.name, c.shape, c.offset, method);
}

/** ⟨G_i, V⟩ for every i, V [c_out, K]: T = U Vᵀ over the whole batch ([b·P, c_out]), then Σ_{p,o} T[i,p,o] Δ_i[o,p]. */
function batchDots(c: ConvInputs, V: Float64Array): Float64Array {
  const { delta, b, P, K, cout } = c;
  const U = unfolded(c);
  const dtype = U instanceof Float32Array ? 'float32' : 'float64';
  const v = alloc(dtype, V.length);
  v.set(V);
  const T = alloc(dtype, b * P * cout);
  getBackend().matmul(U, v, b * P, K, cout, T, false, true);
  const out = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    let s = 0;
    for (let p = 0; p < P; p++) {
      const t = (i * P + p) * cout;
      for (let o = 0; o < cout; o++) s += T[t + o]! * delta[(i * cout + o) * P + p]!;
    }
    out[i] = s;
  }
  return out;
}

/** ||Δ_i U_i||² = ⟨U_i U_iᵀ, Δ_iᵀ Δ_i⟩ by two P × P Gram matrices. */
function gramSqNorms(c: ConvInputs): Float64Array {
  const { delta, b, P, K, cout } = c;
  const U = unfolded(c);
  const be = getBackend();
  const dtype = U instanceof Float32Array ? 'float32' : 'float64';
  const A = alloc(dtype, P * P);
  const B = alloc(dtype, P * P);
  const out = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const u = U.subarray(i * P * K, (i + 1) * P * K);
    const d = delta.subarray(i * cout * P, (i + 1) * cout * P);
    be.matmul(u, u, P, K, P, A, false, true); // U_i U_iᵀ
    be.matmul(d, d, P, cout, P, B, true, false); // Δ_iᵀ Δ_i
    let s = 0;
    for (let q = 0; q < P * P; q++) s += A[q]! * B[q]!;
    out[i] = s;
  }
  return out;
}

/** The factored form, refined by the materialised one on cancellation. */
export function convFactored(c: ConvInputs, tau: number, refine: 'auto' | 'always' | 'never'): BlockSummary {
  if (refine === 'always') return convMaterialised(c, 'conv-refined');
  const { b, mean, r } = c;
  const size = mean.length;
  const sqNorms = gramSqNorms(c);
  const dots = batchDots(c, mean);
  if (r !== null) {
    // g_i = G_i + r: ||g_i||² = ||G_i||² + 2⟨G_i, r⟩ + ||r||²,  ⟨g_i, ḡ⟩ = ⟨G_i, ḡ⟩ + ⟨r, ḡ⟩
    const gr = batchDots(c, r);
    let rr = 0;
    let rm = 0;
    for (let j = 0; j < size; j++) {
      rr += r[j]! * r[j]!;
      rm += r[j]! * mean[j]!;
    }
    for (let i = 0; i < b; i++) {
      sqNorms[i] = sqNorms[i]! + 2 * gr[i]! + rr;
      dots[i] = dots[i]! + rm;
    }
  }
  // the coordinate sums need G_i itself (no cheaper form for P > 1)
  const tmp = alloc(c.delta instanceof Float32Array ? 'float32' : 'float64', size);
  const G = new Float64Array(size);
  const coordSumSq = new Float64Array(size);
  for (let i = 0; i < b; i++) {
    sampleGrad(c, i, tmp, G);
    for (let j = 0; j < size; j++) coordSumSq[j] = coordSumSq[j]! + G[j]! * G[j]!;
  }
  let h = 0;
  for (let j = 0; j < size; j++) h += mean[j]! * mean[j]!;
  const devSqNorms = new Float64Array(b);
  const devDots = new Float64Array(b);
  let rawSum = 0;
  let devSum = 0;
  let rawDot2 = 0;
  let devDot2 = 0;
  for (let i = 0; i < b; i++) {
    devSqNorms[i] = sqNorms[i]! - 2 * dots[i]! + h;
    devDots[i] = dots[i]! - h;
    rawSum += sqNorms[i]!;
    devSum += devSqNorms[i]!;
    rawDot2 += dots[i]! * dots[i]!;
    devDot2 += devDots[i]! * devDots[i]!;
  }
  const coordSumSqDev = new Float64Array(size);
  let coordCancel = false;
  for (let j = 0; j < size; j++) {
    const raw = coordSumSq[j]!;
    const dev = raw - b * mean[j]! * mean[j]!;
    coordSumSqDev[j] = Math.max(0, dev);
    if (raw > 0 && dev < tau * raw) coordCancel = true;
  }
  const cancels = devSum < tau * rawSum || devDot2 < tau * tau * rawDot2 || coordCancel;
  if (refine === 'auto' && cancels) return convMaterialised(c, 'conv-refined');
  return { name: c.name, shape: c.shape, offset: c.offset, size, method: 'conv-factored', meanGrad: mean, sqNorms, dots, coordSumSq, devSqNorms, devDots, coordSumSqDev };
}
