/**
 * The batch-aware backward: one call gives the mean loss, ḡ and the per-sample
 * gradient statistics of a batch, without the b × d matrix of per-sample
 * gradients for parameters that meet the batch through a linear map.
 *
 * For a parameter W used once as Z = X W (X: [b, din] rows per sample), the
 * per-sample gradient is g_i = x_i δ_iᵀ with δ_i = ∂ℓ_i/∂z_i, so
 *   ||g_i||² = ||x_i||² ||δ_i||²,  ⟨g_i, V⟩ = x_iᵀ V δ_i,  Σ_i g_i∘g_i = (X∘X)ᵀ(Δ∘Δ)
 * (the BackPACK/Cockpit observation: Dangel, Kunstner, Hennig 2020; Schneider,
 * Dangel, Hennig 2021). Biases (Z + c, c: [dout]) and elementwise scales
 * (X ∘ s) have per-sample gradients the size of the activations, which are formed
 * directly. Any other use of a parameter falls back to per-sample gradients by b
 * reverse sweeps with unit seeds, transparently.
 *
 * Assumption: per-sample losses are separable, i.e. row i of every batch-shaped
 * intermediate depends on sample i only (no batch normalisation across rows).
 *
 * Accuracy: the statistics are computed from centred quantities. For linear
 * blocks these come from the factored raw ones by subtraction, which cancels
 * when the variance is tiny against the mean; when a cancellation test fires
 * (centred < refineThreshold · raw), the block is recomputed by a streamed
 * two-pass over x_i δ_iᵀ − ḡ (O(b·d) time, O(d) memory, never b × d).
 */
import { getBackend } from '../backend/index.js';
import { ensureDense } from '../backend/sparseRows.js';
import { backward, leaf, onTape, withTape, type TapeNode } from '../autodiff/tape.js';
import { makeTensor, Tensor, fmtShape, alloc, type Arr } from '../tensor/tensor.js';
import type { WindowGeom } from '../backend/backend.js';
import { convCosts, convFactored, convMaterialised } from './convStats.js';
import { combineBlocks, compensatedSum, explicitMean, summariseExplicitBlock, type BlockSummary, type CoordOut, type GradSummary } from './summary.js';
import { ALL_PARTS, checkStats, isFull, partsFor, type BatchStat, type SummaryParts } from './needs.js';
import { beginWorkspaceCall, workspaceBuffer, type StatsWorkspace } from './workspace.js';

export interface BatchGradStatsOptions {
  /** A batch-independent scalar R(params) added to every per-sample loss. */
  readonly regularizer?: (params: readonly Tensor[]) => Tensor;
  /** Names of the parameter blocks (default param0, param1, ...). */
  readonly names?: readonly string[];
  /** 'auto' (default) uses the factored forms; 'materialize' forces per-sample sweeps for every block (a reference). */
  readonly mode?: 'auto' | 'materialize';
  /** Cancellation threshold for the two-pass refinement of linear blocks (default 1e-3). */
  readonly refineThreshold?: number;
  /** 'auto' (default): refine when cancellation is detected; 'always' or 'never'. */
  readonly refine?: 'auto' | 'always' | 'never';
  /**
   * Conv2d weights: 'auto' (default) picks per layer the cheaper of the factored and
   * the materialised forms from the shapes (convCosts in convStats.ts); or force one.
   */
  readonly convForm?: 'auto' | 'factored' | 'materialised';
  /**
   * The batch statistics the caller will read (needs.ts; default all of them): the
   * summary then holds only what they need (its `parts`), and linear blocks skip the
   * products nobody reads — with S_norm alone, no pass over X beyond ḡ's.
   */
  readonly stats?: readonly BatchStat[];
  /**
   * Buffers to write ḡ and the per-coordinate sums into, reused from call to call
   * (workspace.ts; default: fresh arrays). The returned arrays, and S_j of statistics() of
   * the summary, are then the workspace's and are overwritten by the next call with it:
   * copy what you keep. The same bits either way.
   */
  readonly workspace?: StatsWorkspace;
}

export interface BatchGradStats extends GradSummary {
  /** Mean of the per-sample losses (including the shared term). */
  readonly loss: number;
  /** Per-sample losses ℓ_i + R. */
  readonly losses: Float64Array;
  /**
   * ḡ per parameter block, as tensors of the parameters' shapes: for float64 parameters
   * views of `meanGrad` (as fromArray wraps its array without copying), else rounded copies.
   */
  readonly meanGradBlocks: readonly Tensor[];
}

type Use = { node: TapeNode; pos: number };

function vecAddScaled(out: Float64Array, a: ArrayLike<number>, s: number): void {
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + s * a[i]!;
}

/**
 * Mean loss, mean gradient and per-sample gradient statistics of a batch.
 *
 * @param perSampleLoss maps the parameter tensors and the batch to losses of shape [b]
 * @param params the current parameter tensors
 * @param batch passed through to perSampleLoss
 *
 * @example
 * // least squares ℓ_i = ½ (x_iᵀ w − y_i)² on three samples
 * const X = tensor([[1, 0], [0, 1], [1, 1]]);
 * const y = tensor([[1], [2], [3]]);
 * const loss = ([w]: readonly Tensor[]) => reshape(mul(0.5, square(sub(matmul(X, w), y))), [3]);
 * const s = batchGradStats(loss, [zeros([2, 1])], null);
 * s.loss;                   // (1 + 4 + 9) / 6 ≈ 2.333
 * statistics(s).S_norm;     // the unbiased variance of the g_i
 */
export function batchGradStats<B>(
  perSampleLoss: (params: readonly Tensor[], batch: B) => Tensor,
  params: readonly Tensor[],
  batch: B,
  opts: BatchGradStatsOptions = {},
): BatchGradStats {
  return gradPass(perSampleLoss, params, batch, opts, false);
}

function gradPass<B>(
  perSampleLoss: (params: readonly Tensor[], batch: B) => Tensor,
  params: readonly Tensor[],
  batch: B,
  opts: BatchGradStatsOptions,
  meanOnly: true,
): BatchMeanGrad;
function gradPass<B>(
  perSampleLoss: (params: readonly Tensor[], batch: B) => Tensor,
  params: readonly Tensor[],
  batch: B,
  opts: BatchGradStatsOptions,
  meanOnly: false,
): BatchGradStats;
function gradPass<B>(
  perSampleLoss: (params: readonly Tensor[], batch: B) => Tensor,
  params: readonly Tensor[],
  batch: B,
  opts: BatchGradStatsOptions,
  meanOnly: boolean,
): BatchGradStats | BatchMeanGrad {
  const names = opts.names ?? params.map((_, i) => `param${i}`);
  if (names.length !== params.length) {
    throw new Error(`batchGradStats: ${names.length} names for ${params.length} parameter tensors`);
  }
  params.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`batchGradStats: parameter ${i} is not a Tensor`);
  });
  const tau = opts.refineThreshold ?? 1e-3;
  const refine = opts.refine ?? 'auto';
  const parts = opts.stats === undefined ? ALL_PARTS : partsFor(checkStats('batchGradStats', opts.stats));
  const where = meanOnly ? 'batchMeanGrad' : 'batchGradStats';
  const stamp = opts.workspace !== undefined ? beginWorkspaceCall(opts.workspace, where) : null;
  /** A zeroed array of n doubles: fresh, or the workspace's buffer `name`. */
  const zeroed = (name: string, n: number): Float64Array => (stamp === null ? new Float64Array(n) : workspaceBuffer(stamp, name, n, true, where));

  return withTape((tape) => {
    const leaves = params.map((p) => leaf(tape, p));
    const leafIndex = new Map<number, number>(leaves.map((l, p) => [l.node!.index, p]));
    // before the sweep: tell the backend which batches' per-coordinate sums linearStats
    // will want, so that it may form them in the sweep's Xᵀ·Δ pass (Backend.expectSquares)
    const be0 = getBackend();
    const announce = !meanOnly && parts.coord && opts.mode !== 'materialize' && be0.expectSquares !== undefined
      ? (tp: typeof tape, bb: number) => {
        for (const node of tp.nodes) {
          const X = node.inputs[0];
          const W = node.inputs[1];
          // only a batch already laid out contiguously (contiguous() would copy any other, and a copy has no companion)
          if (node.op === 'matmul' && X !== undefined && W?.node != null && leafIndex.has(W.node.index) && X.rank === 2 && X.shape[0] === bb && X.isContiguous()) be0.expectSquares!(X.contiguous());
        }
      }
      : undefined;
    const { losses, lossVals, b, dtype, rValue, cts, rcts } = meanPass(tape, leaves, perSampleLoss, batch, opts, announce);

    // the uses of every parameter reached by the data sweep
    const uses: Use[][] = params.map(() => []);
    for (const node of tape.nodes) {
      if (cts[node.index] === undefined) continue;
      node.inputs.forEach((inp, pos) => {
        if (inp.node !== null && inp.node.tape === tape) {
          const p = leafIndex.get(inp.node.index);
          if (p !== undefined) uses[p]!.push({ node, pos });
        }
      });
    }

    let offset = 0;
    const blocks: (BlockSummary | null)[] = [];
    const fallback: number[] = [];
    const means: Float64Array[] = [];
    const shared: (Float64Array | null)[] = [];
    // every block's ḡ is a view of one flat array (NOTE (speed): one allocation of d
    // doubles instead of one per block plus the flat copy; at d = 25 450 and b = 32 each
    // fresh array cost about as much as the block's products)
    let dAll = 0;
    for (const p of params) dAll += p.size;
    const meanAll = zeroed('meanGrad', dAll);
    // the per-coordinate sums likewise: the linear and explicit blocks write into their views
    // and combineBlocks copies only the blocks that did not (NOTE (speed): two copies of d
    // doubles and four fresh arrays of d fewer per step, about 1 ms at d = 2·10⁵)
    const flat = !meanOnly && parts.coord ? { meanGrad: meanAll, coordSumSq: zeroed('coordSumSq', dAll), coordSumSqDev: zeroed('coordSumSqDev', dAll) } : undefined;
    const coordOut = (o: number, n: number): CoordOut | undefined =>
      flat === undefined ? undefined : { sq: flat.coordSumSq.subarray(o, o + n), dev: flat.coordSumSqDev.subarray(o, o + n) };
    params.forEach((p, pi) => {
      const size = p.size;
      const l = leaves[pi]!;
      const sumG = cts[l.node!.index];
      const r = rcts?.[l.node!.index] ? rcts[l.node!.index]!.toFloat64Array() : null;
      const mean = meanAll.subarray(offset, offset + size);
      if (sumG !== undefined) vecAddScaled(mean, sumG.contiguous(), 1 / b);
      if (r !== null) vecAddScaled(mean, r, 1);
      means.push(mean);
      shared.push(r);
      const name = names[pi]!;
      const u = uses[pi]!;
      let blk: BlockSummary | null = null;
      if (opts.mode === 'materialize') {
        blk = null;
      } else if (u.length === 0) {
        blk = constantBlock(name, p.shape, offset, size, b, r);
      } else if (u.length === 1) {
        const { node, pos } = u[0]!;
        const delta = cts[node.index]!;
        const other = node.inputs[1 - pos];
        const convX = node.op === 'conv2d' ? node.inputs[0]! : null;
        if (convX !== null && pos === 1 && convX.shape[0] === b) {
          blk = meanOnly
            ? meanOnlyBlock(name, p.shape, offset, mean)
            : convWeightBlock(name, p.shape, offset, convX, delta, node.attrs.geom as WindowGeom, mean, r, b, tau, refine, opts.convForm ?? 'auto');
        } else if (convX !== null && pos === 2 && convX.shape[0] === b) {
          const G = convBiasPerSample(delta, b, size);
          if (r !== null) for (let i = 0; i < b; i++) for (let j = 0; j < size; j++) G[i * size + j] = G[i * size + j]! + r[j]!;
          blk = meanOnly ? meanOnlyBlock(name, p.shape, offset, explicitMean(G, b, size, mean)) : summariseExplicitBlock(name, p.shape, offset, G, b, size, 'materialized', parts, coordOut(offset, size));
        } else if (node.op === 'matmul' && pos === 1 && other !== undefined && other.rank === 2 && other.shape[0] === b) {
          blk = meanOnly ? meanOnlyBlock(name, p.shape, offset, mean) : linearBlock(name, p.shape, offset, other, delta, mean, r, b, tau, refine, parts, coordOut(offset, size));
        } else if ((node.op === 'add' || node.op === 'mul') && other !== undefined && isBatchOf(other.shape, p.shape, b)) {
          const G = perSampleElementwise(node.op, other, delta, b, size, r !== null);
          if (r !== null) for (let i = 0; i < b; i++) for (let j = 0; j < size; j++) G[i * size + j] = G[i * size + j]! + r[j]!;
          blk = meanOnly ? meanOnlyBlock(name, p.shape, offset, explicitMean(G, b, size, mean)) : summariseExplicitBlock(name, p.shape, offset, G, b, size, 'materialized', parts, coordOut(offset, size));
        }
      }
      if (blk === null) fallback.push(pi);
      blocks.push(blk);
      offset += size;
    });

    if (fallback.length > 0) {
      // b reverse sweeps with seeds e_i give the per-sample gradients of the fallback blocks
      const Gs = fallback.map((pi) => new Float64Array(b * params[pi]!.size));
      for (let i = 0; i < b; i++) {
        const seed = alloc(dtype, b);
        seed[i] = 1;
        const ci = backward(tape, losses, makeTensor(seed, [b]));
        fallback.forEach((pi, f) => {
          const g = ci[leaves[pi]!.node!.index];
          if (g !== undefined) Gs[f]!.set(g.contiguous(), i * params[pi]!.size);
        });
      }
      let off = 0;
      const offsets = params.map((p) => {
        const o = off;
        off += p.size;
        return o;
      });
      fallback.forEach((pi, f) => {
        const size = params[pi]!.size;
        const G = Gs[f]!;
        const r = shared[pi];
        if (r) for (let i = 0; i < b; i++) for (let j = 0; j < size; j++) G[i * size + j] = G[i * size + j]! + r[j]!;
        blocks[pi] = meanOnly
          ? meanOnlyBlock(names[pi]!, params[pi]!.shape, offsets[pi]!, explicitMean(G, b, size, means[pi]!))
          : summariseExplicitBlock(names[pi]!, params[pi]!.shape, offsets[pi]!, G, b, size, 'fallback', parts);
      });
    }

    if (meanOnly) {
      const meanGrad = meanAll;
      (blocks as BlockSummary[]).forEach((blk, pi) => {
        // most blocks' ḡ is already their view of meanAll (set() would copy it through a clone)
        if (blk.meanGrad !== means[pi]) meanGrad.set(blk.meanGrad, blk.offset);
      });
      let lossSum = 0;
      for (const v of lossVals) lossSum += v + rValue;
      return { loss: lossSum / b, meanGrad };
    }
    const summary = combineBlocks(b, blocks as BlockSummary[], flat ?? { meanGrad: meanAll });
    const lossesWithR = lossVals.map((v) => v + rValue);
    let lossSum = 0;
    for (const v of lossesWithR) lossSum += v;
    return {
      ...summary,
      ...(stamp !== null ? { workspace: stamp } : {}),
      loss: lossSum / b,
      losses: lossesWithR,
      // float64: views of the flat ḡ (NOTE (speed): a fresh array of d doubles and its copy
      // fewer per step, about 0.4 ms at d = 2·10⁵ on this kind of machine, where first
      // touching fresh memory costs more than the copy); float32: rounded copies
      meanGradBlocks: params.map((p, pi) => {
        const blk = summary.blocks[pi]!;
        if (p.dtype === 'float64') return makeTensor(summary.meanGrad.subarray(blk.offset, blk.offset + blk.size), p.shape);
        const data = alloc(p.dtype, p.size);
        data.set(means[pi]!);
        return makeTensor(data, p.shape);
      }),
    };
  });
}

interface MeanPass {
  readonly losses: Tensor;
  readonly lossVals: Float64Array;
  readonly b: number;
  readonly dtype: Tensor['dtype'];
  readonly rValue: number;
  readonly cts: ReturnType<typeof backward>;
  readonly rcts: ReturnType<typeof backward> | null;
}

/** The forward pass and the one reverse sweep of the mean loss (shared by batchGradStats and batchMeanGrad). */
function meanPass<B>(
  tape: Parameters<Parameters<typeof withTape>[0]>[0],
  leaves: readonly Tensor[],
  perSampleLoss: (params: readonly Tensor[], batch: B) => Tensor,
  batch: B,
  opts: BatchGradStatsOptions,
  beforeBackward?: (tape: Parameters<Parameters<typeof withTape>[0]>[0], b: number) => void,
): MeanPass {
  const losses = perSampleLoss(leaves, batch);
  if (!(losses instanceof Tensor) || losses.rank !== 1) {
    throw new Error(`batchGradStats: perSampleLoss must return per-sample losses of shape [b], got ${losses instanceof Tensor ? fmtShape(losses.shape) : typeof losses}`);
  }
  const b = losses.shape[0]!;
  if (b < 1) throw new Error('batchGradStats: empty batch');
  const dtype = losses.dtype;
  const lossVals = losses.toFloat64Array();

  let R: Tensor | null = null;
  let rValue = 0;
  if (opts.regularizer !== undefined) {
    R = opts.regularizer(leaves);
    if (!(R instanceof Tensor) || R.size !== 1) {
      throw new Error(`batchGradStats: regularizer must return a scalar, got ${R instanceof Tensor ? fmtShape(R.shape) : typeof R}`);
    }
    rValue = R.item();
  }

  const ones = alloc(dtype, b).fill(1);
  beforeBackward?.(tape, b);
  const cts = backward(tape, losses, makeTensor(ones, [b]));
  const rcts = R !== null && onTape(R, tape) ? backward(tape, R, makeTensor(alloc(dtype, 1).fill(1), R.shape)) : null;
  return { losses, lossVals, b, dtype, rValue, cts, rcts };
}

/** The batch's mean loss and mean gradient ḡ, without per-sample statistics. */
export interface BatchMeanGrad {
  /** Mean of the per-sample losses (including the shared term). */
  readonly loss: number;
  /** ḡ, flat over the parameter blocks in order. */
  readonly meanGrad: Float64Array;
}

/**
 * Mean loss and ḡ of a batch, bit for bit those of batchGradStats, without the
 * per-sample statistics: linear blocks cost one reverse sweep (their ḡ is the sweep's
 * mean); bias, elementwise and fallback blocks still form their per-sample gradients,
 * because batchGradStats takes their ḡ as the compensated mean of those.
 */
export function batchMeanGrad<B>(
  perSampleLoss: (params: readonly Tensor[], batch: B) => Tensor,
  params: readonly Tensor[],
  batch: B,
  opts: Pick<BatchGradStatsOptions, 'regularizer' | 'workspace'> = {},
): BatchMeanGrad {
  return gradPass(perSampleLoss, params, batch, opts, true);
}

function isBatchOf(other: readonly number[], param: readonly number[], b: number): boolean {
  return other.length === param.length + 1 && other[0] === b && param.every((s, i) => other[i + 1] === s);
}

/**
 * Per-sample gradients of a bias (add) or elementwise scale (mul) use: δ_i or x_i ∘ δ_i.
 * With `shared` false (no shared term to add in place) a float64 δ is returned as it is.
 */
function perSampleElementwise(op: 'add' | 'mul', other: Tensor, delta: Tensor, b: number, size: number, shared = true): Float64Array {
  const d = delta.contiguous();
  if (op === 'add' && !shared && d instanceof Float64Array && d.length === b * size) return d;
  const G = new Float64Array(b * size);
  if (op === 'add') {
    G.set(d);
  } else {
    const x = other.contiguous();
    for (let k = 0; k < b * size; k++) G[k] = x[k]! * d[k]!;
  }
  return G;
}

/** Per-sample gradients of a conv2d bias: Σ over positions of the output cotangent, [b, c_out]. */
function convBiasPerSample(delta: Tensor, b: number, cout: number): Float64Array {
  const d = delta.contiguous();
  const P = delta.size / (b * cout);
  const G = new Float64Array(b * cout);
  for (let q = 0; q < b * cout; q++) {
    let s = 0;
    for (let p = 0; p < P; p++) s += d[q * P + p]!;
    G[q] = s;
  }
  return G;
}

/** Statistics of a conv2d weight's per-sample gradients Δ_i U_i + r, in the form picked from the shapes (see convStats.ts). */
function convWeightBlock(
  name: string, shape: readonly number[], offset: number,
  X: Tensor, delta: Tensor, geom: WindowGeom, mean: Float64Array, r: Float64Array | null,
  b: number, tau: number, refine: 'auto' | 'always' | 'never', form: 'auto' | 'factored' | 'materialised',
): BlockSummary {
  const cout = shape[0]!;
  const P = geom.oh * geom.ow;
  const K = geom.c * geom.kh * geom.kw;
  const costs = convCosts(geom, cout);
  const pick = form === 'auto' ? (costs.factored < costs.materialised ? 'factored' : 'materialised') : form;
  // U of the whole batch only where it is read: not by the materialised form on a backend with convWeightGrads
  let U: Arr | null = null;
  if (pick === 'factored' || getBackend().convWeightGrads === undefined) {
    U = alloc(X.dtype, b * P * K);
    getBackend().unfold(X.contiguous(), geom, U);
  }
  const inputs = { name, shape, offset, U, x: X.contiguous(), geom, delta: delta.contiguous(), b, P, K, cout, mean, r };
  return pick === 'factored' ? convFactored(inputs, tau, refine) : convMaterialised(inputs);
}

/** A linear block's ḡ alone (batchMeanGrad: no per-sample statistics). */
function meanOnlyBlock(name: string, shape: readonly number[], offset: number, mean: Float64Array): BlockSummary {
  const none = new Float64Array(0);
  return { name, shape, offset, size: mean.length, method: 'linear', meanGrad: mean, sqNorms: none, dots: none, coordSumSq: none, devSqNorms: none, devDots: none, coordSumSqDev: none };
}

/** A block whose per-sample gradient is the same vector r (or 0) for every sample. */
function constantBlock(name: string, shape: readonly number[], offset: number, size: number, b: number, r: Float64Array | null): BlockSummary {
  const mean = r ? Float64Array.from(r) : new Float64Array(size);
  let h = 0;
  for (const v of mean) h += v * v;
  return {
    name, shape, offset, size, method: 'unused', meanGrad: mean,
    sqNorms: new Float64Array(b).fill(h),
    dots: new Float64Array(b).fill(h),
    coordSumSq: mean.map((v) => b * v * v),
    devSqNorms: new Float64Array(b),
    devDots: new Float64Array(b),
    coordSumSqDev: new Float64Array(size),
  };
}

/**
 * Factored statistics of g_i = x_i δ_iᵀ + r for Z = X W, with two-pass refinement on
 * cancellation. Without the `dots` part there are no per-sample ⟨g_i, ḡ⟩, and
 * Σ_i ||g_i − ḡ||² = Σ_i ||g_i||² − b ||ḡ||² (as Σ_i ⟨g_i, ḡ⟩ = b ||ḡ||²) is kept as the
 * block's devSqSum; the cancellation test then looks at that sum (and at the
 * per-coordinate sums when they are formed), and a refinement forms every part.
 */
function linearBlock(
  name: string, shape: readonly number[], offset: number,
  X: Tensor, delta: Tensor, mean: Float64Array, r: Float64Array | null,
  b: number, tau: number, refine: 'auto' | 'always' | 'never', parts: SummaryParts = ALL_PARTS,
  coordOut?: CoordOut,
): BlockSummary {
  const din = X.shape[1]!;
  const dout = delta.shape[1]!;
  const size = din * dout;
  const x = X.contiguous();
  const dl = delta.contiguous();
  const be = getBackend();
  const full = isFull(parts);
  const sqNorms = new Float64Array(b);
  const dots = new Float64Array(parts.dots ? b : 0);
  const coordSumSq = parts.coord ? coordOut?.sq ?? new Float64Array(size) : new Float64Array(0);
  be.linearStats(x, dl, mean, b, din, dout, sqNorms, dots, coordSumSq, full ? undefined : { dots: parts.dots, coordSumSq: parts.coord });
  if (r !== null) {
    // g_i = x_i δ_iᵀ + r: add the cross terms 2 x_iᵀ r δ_i + ||r||², ⟨r, ḡ⟩ and 2 r∘S + b r²
    const xr = new Float64Array(b);
    const tmpSq = new Float64Array(b);
    be.linearStats(x, dl, r, b, din, dout, tmpSq, xr, new Float64Array(0), { dots: true, coordSumSq: false });
    let rr = 0;
    let rm = 0;
    for (let j = 0; j < size; j++) {
      rr += r[j]! * r[j]!;
      rm += r[j]! * mean[j]!;
    }
    for (let i = 0; i < b; i++) {
      sqNorms[i] = sqNorms[i]! + 2 * xr[i]! + rr;
      if (parts.dots) dots[i] = dots[i]! + rm;
    }
    // S = Σ_i x_i δ_iᵀ = b (ḡ − r)
    if (parts.coord) {
      for (let j = 0; j < size; j++) {
        const S = b * (mean[j]! - r[j]!);
        coordSumSq[j] = coordSumSq[j]! + 2 * r[j]! * S + b * r[j]! * r[j]!;
      }
    }
  }
  // h = ||ḡ||² and the per-coordinate deviations in one pass (NOTE (speed): three passes
  // over the block before, a tenth of a b = 256 MLP step's time at d = 2·10⁵). The
  // deviations are stored clamped at 0, as returned; a refinement below recomputes them.
  let h = 0;
  const coordSumSqDev = parts.coord ? coordOut?.dev ?? new Float64Array(size) : new Float64Array(0);
  let coordCancel = false;
  if (parts.coord) {
    for (let j = 0; j < size; j++) {
      const m = mean[j]!;
      h += m * m;
      const raw = coordSumSq[j]!;
      const dev = raw - b * m * m;
      coordSumSqDev[j] = Math.max(0, dev);
      if (raw > 0 && dev < tau * raw) coordCancel = true;
    }
  } else {
    for (let j = 0; j < size; j++) h += mean[j]! * mean[j]!;
  }
  if (!parts.dots) {
    const rawSum = compensatedSum(sqNorms);
    const devSqSum = rawSum - b * h;
    if (refine === 'always' || (refine === 'auto' && (devSqSum < tau * rawSum || coordCancel))) {
      // a refinement forms every part (the raw dots and per-coordinate sums first)
      return linearBlock(name, shape, offset, X, delta, mean, r, b, tau, 'always');
    }
    const none = new Float64Array(0);
    return {
      name, shape, offset, size, method: 'linear', meanGrad: mean, sqNorms, dots: none, coordSumSq, devSqNorms: none, devDots: none, coordSumSqDev,
      parts, devSqSum: Math.max(0, devSqSum),
    };
  }
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
  const cancels = devSum < tau * rawSum || devDot2 < tau * tau * rawDot2 || coordCancel;
  if (refine === 'always' || (refine === 'auto' && cancels)) {
    if (!parts.coord) return linearBlock(name, shape, offset, X, delta, mean, r, b, tau, 'always');
    // a batch whose dense rows are written on demand (src/backend/sparseRows.ts) is read here
    ensureDense(x);
    return refineLinear(name, shape, offset, x, dl, mean, r, b, din, dout, sqNorms, dots, coordSumSq);
  }
  return {
    name, shape, offset, size, method: 'linear', meanGrad: mean, sqNorms, dots, coordSumSq, devSqNorms, devDots, coordSumSqDev,
    ...(full ? {} : { parts }),
  };
}

/** Streamed two-pass: d_i = x_i δ_iᵀ + r − ḡ formed one sample at a time (O(d) memory). */
function refineLinear(
  name: string, shape: readonly number[], offset: number,
  x: ArrayLike<number>, dl: ArrayLike<number>, mean: Float64Array, r: Float64Array | null,
  b: number, din: number, dout: number,
  sqNorms: Float64Array, dots: Float64Array, coordSumSq: Float64Array,
): BlockSummary {
  const size = din * dout;
  const devSqNorms = new Float64Array(b);
  const devDots = new Float64Array(b);
  const coordSumSqDev = new Float64Array(size);
  const resid = new Float64Array(size);
  for (let i = 0; i < b; i++) {
    let dsq = 0;
    let ddot = 0;
    for (let j = 0; j < din; j++) {
      const xv = x[i * din + j]!;
      for (let k = 0; k < dout; k++) {
        const c = j * dout + k;
        const g = xv * dl[i * dout + k]! + (r === null ? 0 : r[c]!);
        const dv = g - mean[c]!;
        dsq += dv * dv;
        ddot += dv * mean[c]!;
        coordSumSqDev[c] = coordSumSqDev[c]! + dv * dv;
        resid[c] = resid[c]! + dv;
      }
    }
    devSqNorms[i] = dsq;
    devDots[i] = ddot;
  }
  for (let c = 0; c < size; c++) coordSumSqDev[c] = Math.max(0, coordSumSqDev[c]! - (resid[c]! * resid[c]!) / b);
  return { name, shape, offset, size, method: 'linear-refined', meanGrad: mean, sqNorms, dots, coordSumSq, devSqNorms, devDots, coordSumSqDev };
}
