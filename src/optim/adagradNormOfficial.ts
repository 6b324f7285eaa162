/**
 * The AdaGrad-Norm of the official AdAdaGrad code (`adagradnorm.py` of
 * `timlautk/AdAdaGrad`), beside the theory's scalar AdaGrad-Norm (alias.ts,
 * `adagradNorm`, Ward, Wu, Bottou 2019; SPEC §4), which stays the default for
 * every claim. Which is which:
 *
 * - theory (`adagrad-norm`): ONE scalar accumulator for all of x,
 *   v_k = v_{k−1} + ||g_k||², v_{−1} = β₀², x ← x − α g/√v_k.
 * - official (`adagrad-norm-official`): one accumulator per OUTPUT UNIT of each
 *   weight matrix or convolution kernel (a row of PyTorch's [out, in] weight, or
 *   [out, in, h, w] kernel):
 *     v_{k,r} = v_{k−1,r} + ||g_{k,r}||²   (g_{k,r}: the gradient of the weights of unit r),
 *   and for a bias (a rank-1 block) one accumulator per coordinate that adds the
 *   squared gradient norm of the matching unit of the weight block before it as
 *   well as its own square:
 *     v_{k,j} = v_{k−1,j} + ||g_{k,r(j)}||² + g_{k,j}²,
 *   every accumulator starting at 1e-2 (β₀ = 0.1), and
 *     x ← x − α g/(√v + ε) with ε = 1e-10 added to the root.
 *
 * The official bias rule in detail (it reads the squared row norms left over
 * from the last rank-2 or rank-4 parameter it updated): with m such row norms
 * and a bias of n coordinates, coordinate j adds the mean of row norms
 * j·m/n … (j+1)·m/n − 1 when n divides m (m = n for an ordinary layer), and
 * nothing from the weights otherwise (no weight before it, or sizes that do not
 * divide: then the bias is plain diagonal AdaGrad).
 *
 * Layout. Our problems store a dense layer as x·W with W of shape [in, out]
 * (row-major), so an output unit is a COLUMN of a rank-2 block; a rank-4 block is
 * taken in PyTorch's [out, in, h, w] layout (output unit = first axis). A block
 * can state its own axis with `outputAxis`. Blocks of rank 0 or 3 get one
 * accumulator per coordinate (differs from the official code, which would try
 * its bias rule on them). Without blocks the whole vector is one unit: the
 * theory's form with β₀ = 0.1 and ε.
 *
 * Not carried over (their official defaults are off): momentum, lr_decay, weight_decay.
 */
import { checkPositive, type GradientTransformation, type LearningRate } from './transform.js';
import { chain, scaleByLearningRate } from './transform.js';

/** One parameter block as the optimizer sees it. */
export interface OfficialNormBlock {
  readonly name?: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  /** Axis that indexes the output units of a rank-2 or rank-4 block (default: 1 for rank 2, 0 for rank 4). */
  readonly outputAxis?: number;
}

export interface AdagradNormOfficialOptions {
  /** Initial value of every accumulator (official default 1e-2, i.e. β₀ = 0.1). */
  readonly initial?: number;
  /** Added to √v (official 1e-10). */
  readonly eps?: number;
}

/** How one block maps to accumulators. */
type Plan =
  | { kind: 'units'; offset: number; size: number; units: number; unitOf: Int32Array; accOffset: number }
  | { kind: 'bias'; offset: number; size: number; accOffset: number }
  | { kind: 'diagonal'; offset: number; size: number; accOffset: number };

function unitIndex(shape: readonly number[], axis: number): Int32Array {
  const size = shape.reduce((p, s) => p * s, 1);
  const out = new Int32Array(size);
  let inner = 1;
  for (let a = axis + 1; a < shape.length; a++) inner *= shape[a]!;
  const n = shape[axis]!;
  for (let i = 0; i < size; i++) out[i] = Math.floor(i / inner) % n;
  return out;
}

function plan(blocks: readonly OfficialNormBlock[], d: number): { plans: Plan[]; accSize: number } {
  const plans: Plan[] = [];
  let acc = 0;
  let covered = 0;
  for (const [p, blk] of blocks.entries()) {
    const where = `adagradNormOfficial: block ${blk.name ?? p}`;
    const size = blk.shape.reduce((q, s) => q * s, 1);
    if (size !== blk.size) throw new Error(`${where}: shape [${blk.shape.join(', ')}] has ${size} entries, size says ${blk.size}`);
    if (blk.offset !== covered) throw new Error(`${where}: blocks must tile the parameter vector in order (offset ${blk.offset}, expected ${covered})`);
    covered += size;
    const rank = blk.shape.length;
    if (rank === 2 || rank === 4) {
      const axis = blk.outputAxis ?? (rank === 2 ? 1 : 0);
      if (!(Number.isInteger(axis) && axis >= 0 && axis < rank)) throw new Error(`${where}: outputAxis must be an axis of a rank-${rank} block, got ${axis}`);
      const units = blk.shape[axis]!;
      plans.push({ kind: 'units', offset: blk.offset, size, units, unitOf: unitIndex(blk.shape, axis), accOffset: acc });
      acc += units;
    } else if (rank === 1) {
      plans.push({ kind: 'bias', offset: blk.offset, size, accOffset: acc });
      acc += size;
    } else {
      plans.push({ kind: 'diagonal', offset: blk.offset, size, accOffset: acc });
      acc += size;
    }
  }
  if (covered !== d) throw new Error(`adagradNormOfficial: blocks cover ${covered} parameters, the vector has ${d}`);
  return { plans, accSize: acc };
}

/**
 * The official AdaGrad-Norm scaling: u = g/(√v + ε) with the accumulators
 * described above. `blocks` are the problem's parameter blocks (e.g. `problem.blocks`).
 *
 * @example
 * // W of shape [2 in, 1 out] and a bias b of 1: g = (3, 4 | 1)
 * // W's unit: v = 0.01 + 25; b: v = 0.01 + 25 + 1
 * scaleByAdagradNormOfficial([{ shape: [2, 1], offset: 0, size: 2 }, { shape: [1], offset: 2, size: 1 }])
 */
export function scaleByAdagradNormOfficial(
  blocks: readonly OfficialNormBlock[] | undefined,
  opts: AdagradNormOfficialOptions = {},
): GradientTransformation<{ v: Float64Array }> {
  const initial = opts.initial ?? 1e-2;
  const eps = opts.eps ?? 1e-10;
  if (!(typeof initial === 'number' && initial >= 0 && Number.isFinite(initial))) {
    throw new Error(`scaleByAdagradNormOfficial: initial accumulator must be a finite number ≥ 0, got ${String(initial)}`);
  }
  if (!(typeof eps === 'number' && eps >= 0 && Number.isFinite(eps))) throw new Error(`scaleByAdagradNormOfficial: eps must be a finite number ≥ 0, got ${String(eps)}`);
  let cache: { d: number; plans: Plan[]; accSize: number } | undefined;
  const layout = (d: number): { plans: Plan[]; accSize: number } => {
    if (cache === undefined || cache.d !== d) {
      const bs = blocks === undefined || blocks.length === 0 ? [{ shape: [d, 1], offset: 0, size: d, outputAxis: 1 }] : blocks;
      cache = { d, ...plan(bs, d) };
    }
    return cache;
  };
  return {
    name: 'adagrad-norm-official',
    init: (p) => ({ v: new Float64Array(layout(p.length).accSize).fill(initial) }),
    update(g, s) {
      const { plans } = layout(g.length);
      const v = Float64Array.from(s.v);
      const u = new Float64Array(g.length);
      let rows: Float64Array | null = null; // squared unit norms of the last weight block
      for (const pl of plans) {
        if (pl.kind === 'units') {
          const r = new Float64Array(pl.units);
          for (let i = 0; i < pl.size; i++) {
            const x = g[pl.offset + i]!;
            r[pl.unitOf[i]!] = r[pl.unitOf[i]!]! + x * x;
          }
          for (let q = 0; q < pl.units; q++) v[pl.accOffset + q] = v[pl.accOffset + q]! + r[q]!;
          for (let i = 0; i < pl.size; i++) u[pl.offset + i] = g[pl.offset + i]! / (Math.sqrt(v[pl.accOffset + pl.unitOf[i]!]!) + eps);
          rows = r;
        } else {
          const shared = pl.kind === 'bias' && rows !== null && rows.length % pl.size === 0 ? rows : null;
          const group = shared !== null ? shared.length / pl.size : 0;
          for (let j = 0; j < pl.size; j++) {
            const x = g[pl.offset + j]!;
            let add = x * x;
            if (shared !== null) {
              let m = 0;
              for (let t = 0; t < group; t++) m += shared[j * group + t]!;
              add += m / group;
            }
            const a = v[pl.accOffset + j]! + add;
            v[pl.accOffset + j] = a;
            u[pl.offset + j] = x / (Math.sqrt(a) + eps);
          }
        }
      }
      return [u, { v }];
    },
    inspect: (s) => {
      let t = 0;
      for (const a of s.v) t += a;
      return { accumulator: t };
    },
  };
}

/**
 * The official AdaGrad-Norm: x ← x − α g/(√v + ε), accumulators per output unit
 * (see the file comment). Official defaults: α = 1 (the MNIST runs pass their own),
 * initial accumulator 1e-2, ε = 1e-10.
 */
export function adagradNormOfficial(
  lr: LearningRate,
  blocks?: readonly OfficialNormBlock[],
  opts: AdagradNormOfficialOptions = {},
): GradientTransformation<unknown[]> {
  if (typeof lr === 'number') checkPositive('adagradNormOfficial', 'lr', lr);
  return { ...chain(scaleByAdagradNormOfficial(blocks, opts), scaleByLearningRate(lr)), name: 'adagrad-norm-official' };
}
