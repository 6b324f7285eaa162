/**
 * Shared pieces of the batching test suites: seeded models (MLPs, GLMs, a scale
 * layer, models that force the fallback), the reference per-sample autodiff loop,
 * tolerance-aware comparisons, and exact (BigInt) variance references.
 *
 * All randomness comes from seeded keys (src/rng); every model records its seed in
 * its `label`, which every failure message prints.
 */
import {
  add, exp, matmul, mul, neg, reshape, sigmoid, softplus, softmaxCrossEntropy, square, sub, sum, tanh,
  valueAndGrad, type Tensor,
} from '../../src/index.js';
import { fromArray } from '../../src/tensor/tensor.js';
import { key, normal, split, integers, type Key } from '../../src/rng/index.js';
import {
  statsFromPerSampleGrads, statistics, type BatchStatistics, type BlockMethod, type GradSummary,
} from '../../src/batching/index.js';

// ------------------------------------------------------------------ models

export type Activation = 'tanh' | 'softplus' | 'sigmoid';
export type Head = 'logistic' | 'lsq' | 'softmax' | 'poisson';

/** A batch: inputs X [b, din] and targets (±1, reals, class labels or counts) per head. */
export interface Batch {
  readonly X: Tensor;
  /** [b, k] targets for logistic (±1), lsq (reals) and poisson (counts); unused for softmax. */
  readonly Y: Tensor | null;
  /** class labels for softmax */
  readonly labels: Int32Array | null;
}

export interface Model {
  /** Human-readable description including the seed (printed on failure). */
  readonly label: string;
  readonly params: Tensor[];
  readonly names: string[];
  /** Allowed methods per block (the engine's `block.method`). */
  readonly allowed: readonly (readonly BlockMethod[])[];
  readonly loss: (ps: readonly Tensor[], batch: Batch) => Tensor;
  readonly batch: Batch;
  readonly regularizer?: (ps: readonly Tensor[]) => Tensor;
}

const LINEAR: readonly BlockMethod[] = ['linear', 'linear-refined'];
const MATERIALIZED: readonly BlockMethod[] = ['materialized'];
const FALLBACK: readonly BlockMethod[] = ['fallback'];
const UNUSED: readonly BlockMethod[] = ['unused'];

const t2 = (data: Float64Array, rows: number, cols: number): Tensor => fromArray(data, [rows, cols]);
const t1 = (data: Float64Array): Tensor => fromArray(data, [data.length]);

function activate(a: Activation, z: Tensor): Tensor {
  return a === 'tanh' ? tanh(z) : a === 'softplus' ? softplus(z) : sigmoid(z);
}

/** Per-sample losses [b] of logits Z [b, k] under a head. */
export function headLoss(head: Head, Z: Tensor, batch: Batch): Tensor {
  const b = Z.shape[0]!;
  switch (head) {
    case 'softmax':
      return softmaxCrossEntropy(Z, batch.labels!);
    case 'logistic': // log(1 + exp(−y z)), y = ±1
      return reshape(sum(softplus(neg(mul(Z, batch.Y!))), 1), [b]);
    case 'lsq': // ½ ||z − y||²
      return reshape(sum(mul(0.5, square(sub(Z, batch.Y!))), 1), [b]);
    case 'poisson': // exp(z) − y z (negative log-likelihood up to log y!)
      return reshape(sum(sub(exp(Z), mul(batch.Y!, Z)), 1), [b]);
  }
}

function makeBatch(k: Key, b: number, din: number, head: Head, kOut: number): Batch {
  const [kx, ky] = split(k, 2) as [Key, Key];
  const X = t2(normal(kx, b * din), b, din);
  if (head === 'softmax') return { X, Y: null, labels: integers(ky, b, 0, kOut) };
  if (head === 'logistic') {
    const s = integers(ky, b * kOut, 0, 2);
    return { X, Y: t2(Float64Array.from(s, (v) => 2 * v - 1), b, kOut), labels: null };
  }
  if (head === 'poisson') return { X, Y: t2(Float64Array.from(integers(ky, b * kOut, 0, 5)), b, kOut), labels: null };
  return { X, Y: t2(normal(ky, b * kOut), b, kOut), labels: null };
}

/** Row i of a batch as a batch of one sample. */
export function sampleOf(batch: Batch, i: number): Batch {
  const row = (t: Tensor): Tensor => {
    const c = t.size / t.shape[0]!; // one sample's entries, whatever the rank (images are [b, c, h, w])
    return fromArray(Float64Array.from(t.toFloat64Array().subarray(i * c, (i + 1) * c)), [1, ...t.shape.slice(1)]);
  };
  return {
    X: row(batch.X),
    Y: batch.Y === null ? null : row(batch.Y),
    labels: batch.labels === null ? null : Int32Array.of(batch.labels[i]!),
  };
}

function outputsOf(head: Head, classes: number): number {
  return head === 'softmax' ? classes : head === 'lsq' ? 2 : 1;
}

export interface MlpConfig {
  readonly seed: number;
  readonly b: number;
  readonly din: number;
  /** hidden widths (0 to 2 entries: 1 to 3 layers) */
  readonly hidden: readonly number[];
  readonly acts: readonly Activation[];
  readonly head: Head;
  readonly classes?: number;
  /** add an elementwise input scale s ∘ x_i before the first layer */
  readonly scale?: boolean;
  /** add a parameter used only by the regularizer (or not at all) */
  readonly unusedParam?: boolean;
  readonly regularizer?: boolean;
}

/** A regularizer R(params) = 0.01 Σ_p ||p||² + 0.01 Σ tanh(p_0) (batch-independent, not quadratic). */
export function defaultRegularizer(ps: readonly Tensor[]): Tensor {
  let r = mul(0.01, sum(tanh(ps[0]!)));
  for (const p of ps) r = add(r, mul(0.01, sum(square(p))));
  return r;
}

/**
 * A random MLP with biases: h ← act(h W_l + c_l) for the hidden layers, logits
 * z = h W_L + c_L, and a GLM head (hidden = [] is a GLM). Parameters in order
 * [s?, W_1, c_1, ..., W_L, c_L, u?].
 */
export function mlpModel(cfg: MlpConfig): Model {
  const kOut = outputsOf(cfg.head, cfg.classes ?? 3);
  const [kd, kp] = split(key(cfg.seed), 2) as [Key, Key];
  const widths = [cfg.din, ...cfg.hidden, kOut];
  const L = widths.length - 1;
  const pk = split(kp, 2 * L + 2);
  const params: Tensor[] = [];
  const names: string[] = [];
  const allowed: (readonly BlockMethod[])[] = [];
  if (cfg.scale) {
    params.push(t1(normal(pk[2 * L]!, cfg.din, 1, 0.3)));
    names.push('s');
    allowed.push(MATERIALIZED);
  }
  for (let l = 0; l < L; l++) {
    const fanIn = widths[l]!;
    params.push(t2(normal(pk[2 * l]!, fanIn * widths[l + 1]!, 0, 0.6 / Math.sqrt(fanIn)), fanIn, widths[l + 1]!));
    params.push(t1(normal(pk[2 * l + 1]!, widths[l + 1]!, 0, 0.3)));
    names.push(`W${l + 1}`, `c${l + 1}`);
    allowed.push(LINEAR, MATERIALIZED);
  }
  if (cfg.unusedParam) {
    params.push(t1(normal(pk[2 * L + 1]!, 3, 0, 1)));
    names.push('u');
    allowed.push(UNUSED);
  }
  const off = cfg.scale ? 1 : 0;
  const loss = (ps: readonly Tensor[], batch: Batch): Tensor => {
    let h = cfg.scale ? mul(batch.X, ps[0]!) : batch.X;
    for (let l = 0; l < L; l++) {
      const z = add(matmul(h, ps[off + 2 * l]!), ps[off + 2 * l + 1]!);
      h = l < L - 1 ? activate(cfg.acts[l % cfg.acts.length]!, z) : z;
    }
    return headLoss(cfg.head, h, batch);
  };
  const arch = widths.join('-');
  return {
    label: `mlp ${arch} acts=${cfg.acts.slice(0, L - 1).join(',') || '-'} head=${cfg.head} b=${cfg.b}` +
      `${cfg.scale ? ' +scale' : ''}${cfg.unusedParam ? ' +unused' : ''}${cfg.regularizer ? ' +reg' : ''} seed=${cfg.seed}`,
    params,
    names,
    allowed,
    loss,
    batch: makeBatch(kd, cfg.b, cfg.din, cfg.head, kOut),
    ...(cfg.regularizer ? { regularizer: defaultRegularizer } : {}),
  };
}

export type FallbackKind = 'expW' | 'twice';

/**
 * Models that use a parameter non-linearly, forcing the fallback:
 * - 'expW':  z = x exp(W) + c (W meets the batch through exp, not a matmul);
 * - 'twice': h = tanh(x W + ½ (x∘x) W), z = h V + c (W is used twice).
 */
export function fallbackModel(kind: FallbackKind, seed: number, b: number, head: Head, regularizer = false): Model {
  const din = 4;
  const hid = 3;
  const kOut = outputsOf(head, 3);
  const [kd, k1, k2, k3] = split(key(seed), 4) as [Key, Key, Key, Key];
  const batch = makeBatch(kd, b, din, head, kOut);
  const reg = regularizer ? { regularizer: defaultRegularizer } : {};
  if (kind === 'expW') {
    return {
      label: `fallback expW din=${din} head=${head} b=${b}${regularizer ? ' +reg' : ''} seed=${seed}`,
      params: [t2(normal(k1, din * kOut, -1, 0.3), din, kOut), t1(normal(k2, kOut, 0, 0.3))],
      names: ['W', 'c'],
      allowed: [FALLBACK, MATERIALIZED],
      loss: (ps, bt) => headLoss(head, add(matmul(bt.X, exp(ps[0]!)), ps[1]!), bt),
      batch,
      ...reg,
    };
  }
  return {
    label: `fallback W-twice ${din}-${hid}-${kOut} head=${head} b=${b}${regularizer ? ' +reg' : ''} seed=${seed}`,
    params: [
      t2(normal(k1, din * hid, 0, 0.4), din, hid),
      t2(normal(k2, hid * kOut, 0, 0.5), hid, kOut),
      t1(normal(k3, kOut, 0, 0.3)),
    ],
    names: ['W', 'V', 'c'],
    allowed: [FALLBACK, LINEAR, MATERIALIZED],
    loss: (ps, bt) => {
      const W = ps[0]!;
      const h = tanh(add(matmul(bt.X, W), mul(0.5, matmul(square(bt.X), W))));
      return headLoss(head, add(matmul(h, ps[1]!), ps[2]!), bt);
    },
    batch,
    ...reg,
  };
}

// ------------------------------------------------------------------ reference

/**
 * The reference: per-sample gradients by single-sample autodiff in a loop
 * (valueAndGrad of ℓ_i + R on sample i alone), stacked into a b × d matrix
 * (blocks in parameter order).
 */
export function perSampleGradients(m: Model): { G: Float64Array; b: number; d: number; losses: Float64Array; blocks: [number, number][] } {
  const b = m.batch.X.shape[0]!;
  const sizes = m.params.map((p) => p.size);
  const d = sizes.reduce((a, s) => a + s, 0);
  const blocks: [number, number][] = [];
  let o = 0;
  for (const s of sizes) {
    blocks.push([o, o + s]);
    o += s;
  }
  const G = new Float64Array(b * d);
  const losses = new Float64Array(b);
  const argnums = m.params.map((_, i) => i);
  for (let i = 0; i < b; i++) {
    const one = sampleOf(m.batch, i);
    const f = (...ps: Tensor[]): Tensor => {
      const l = m.loss(ps, one);
      if (l.rank !== 1 || l.shape[0] !== 1) throw new Error(`${m.label}: single-sample loss has shape [${l.shape.join(', ')}]`);
      const s = sum(l);
      return m.regularizer ? add(s, m.regularizer(ps)) : s;
    };
    const [v, gs] = valueAndGrad(f, argnums)(...m.params);
    losses[i] = v.item();
    (gs as Tensor[]).forEach((g, p) => G.set(g.toFloat64Array(), i * d + blocks[p]![0]));
  }
  return { G, b, d, losses, blocks };
}

export interface Reference {
  readonly summary: GradSummary;
  readonly stats: BatchStatistics;
  readonly G: Float64Array;
  readonly b: number;
  readonly d: number;
  readonly losses: Float64Array;
  /** Σ_i |g_ij| / b: the condition scale of ḡ_j */
  readonly absMean: Float64Array;
  /** Σ_j |g_ij ḡ_j|: the condition scale of ⟨g_i, ḡ⟩ */
  readonly absDots: Float64Array;
}

export function reference(m: Model): Reference {
  const { G, b, d, losses, blocks } = perSampleGradients(m);
  const summary = statsFromPerSampleGrads({ data: G, b, d }, blocks);
  const absMean = new Float64Array(d);
  const absDots = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < d; j++) {
      const g = G[i * d + j]!;
      absMean[j] = absMean[j]! + Math.abs(g) / b;
      absDots[i] = absDots[i]! + Math.abs(g * summary.meanGrad[j]!);
    }
  }
  return { summary, stats: statistics(summary), G, b, d, losses, absMean, absDots };
}

// ------------------------------------------------------------------ comparisons

/** Relative error |a − e| / max(|e|, scale); 0 when both are 0. */
export function relErr(a: number, e: number, scale = 0): number {
  if (a === e) return 0;
  const den = Math.max(Math.abs(e), scale);
  return den === 0 ? Infinity : Math.abs(a - e) / den;
}

/**
 * Collects comparisons and reports every failure at once (with the model label),
 * so a failing property prints the quantity, the index and both values.
 */
export class Checker {
  readonly failures: string[] = [];
  worst = 0;
  constructor(readonly label: string, readonly tol: number) {}

  scalar(what: string, a: number, e: number, scale = 0): void {
    const r = relErr(a, e, scale);
    this.worst = Math.max(this.worst, Number.isFinite(r) ? r : Infinity);
    if (!(r <= this.tol)) this.failures.push(`${what}: got ${a}, expected ${e} (rel. error ${r.toExponential(2)})`);
  }

  vector(what: string, a: ArrayLike<number>, e: ArrayLike<number>, scales?: ArrayLike<number>): void {
    if (a.length !== e.length) {
      this.failures.push(`${what}: length ${a.length}, expected ${e.length}`);
      return;
    }
    for (let i = 0; i < e.length && this.failures.length <= 20; i++) {
      this.scalar(`${what}[${i}]`, a[i]!, e[i]!, scales?.[i] ?? 0);
    }
  }

  message(): string {
    return `${this.label}\n  ${this.failures.slice(0, 20).join('\n  ')}`;
  }
}

// ------------------------------------------------------------------ exact arithmetic

/** A finite float64 as an exact dyadic rational m · 2^e (m a BigInt). */
export function toDyadic(x: number): { m: bigint; e: number } {
  if (!Number.isFinite(x)) throw new Error(`toDyadic: non-finite ${x}`);
  if (x === 0) return { m: 0n, e: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  return { m: sign * mant, e };
}

/** num / den as the nearest-ish float64 (relative error ~1e-16) for BigInts of any size. */
export function ratioToNumber(num: bigint, den: bigint): number {
  if (den === 0n) throw new Error('ratioToNumber: zero denominator');
  if (num === 0n) return 0;
  const neg = num < 0n !== den < 0n;
  let n = num < 0n ? -num : num;
  let d = den < 0n ? -den : den;
  // scale so the integer quotient has about 80 bits
  const shift = 80 - (n.toString(2).length - d.toString(2).length);
  if (shift > 0) n <<= BigInt(shift);
  else d <<= BigInt(-shift);
  const q = Number(n / d) * 2 ** -shift;
  return neg ? -q : q;
}

/**
 * Exact statistics of real numbers g_ij given as exact products of float64 factors
 * (g_ij = Π entry(i, j)), by BigInt arithmetic on a common dyadic scale 2^E:
 *   S_norm = (b Σ_ij g_ij² − Σ_j s_j²) / (b (b − 1)),  s_j = Σ_i g_ij,
 *   S_j    = (b Σ_i g_ij² − s_j²) / (b (b − 1)),
 *   S_ip   = Σ_i ⟨g_i − ḡ, ḡ⟩² / (b − 1),  ⟨g_i − ḡ, ḡ⟩ = Σ_j (b g_ij − s_j) s_j / b²,
 * each rounded to float64 only at the end.
 */
export function exactStats(b: number, d: number, entry: (i: number, j: number) => readonly number[]): {
  S_norm: number; S_ip: number; S_j: Float64Array; gradNormSq: number;
} {
  const ms: bigint[] = new Array(b * d);
  const es: number[] = new Array(b * d);
  let E = 0;
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < d; j++) {
      let m = 1n;
      let e = 0;
      for (const f of entry(i, j)) {
        const t = toDyadic(f);
        m *= t.m;
        e += t.e;
      }
      ms[i * d + j] = m;
      es[i * d + j] = e;
      if (m !== 0n) E = Math.min(E, e);
    }
  }
  const ints = ms.map((m, k) => (m === 0n ? 0n : m << BigInt(es[k]! - E)));
  const B = BigInt(b);
  const scale2 = 1n << BigInt(-2 * E); // g² = int² · 2^(2E)
  const sums: bigint[] = new Array(d).fill(0n);
  const sumSqCol: bigint[] = new Array(d).fill(0n);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < d; j++) {
      const v = ints[i * d + j]!;
      sums[j] = sums[j]! + v;
      sumSqCol[j] = sumSqCol[j]! + v * v;
    }
  }
  const S_j = new Float64Array(d);
  let num = 0n;
  let gns = 0n;
  for (let j = 0; j < d; j++) {
    const nj = B * sumSqCol[j]! - sums[j]! * sums[j]!;
    S_j[j] = ratioToNumber(nj, B * (B - 1n) * scale2);
    num += nj;
    gns += sums[j]! * sums[j]!;
  }
  // ⟨g_i − ḡ, ḡ⟩ · b² · 2^(−2E) = Σ_j (b G_ij − s_j) s_j  (integers)
  let ip = 0n;
  for (let i = 0; i < b; i++) {
    let t = 0n;
    for (let j = 0; j < d; j++) t += (B * ints[i * d + j]! - sums[j]!) * sums[j]!;
    ip += t * t;
  }
  return {
    S_norm: ratioToNumber(num, B * (B - 1n) * scale2),
    S_ip: ratioToNumber(ip, B ** 4n * (B - 1n) * scale2 * scale2),
    S_j,
    gradNormSq: ratioToNumber(gns, B * B * scale2),
  };
}

/** The naive closed form (Σ||g_i||² − b||ḡ||²)/(b−1) in plain float64 (the formula that cancels). */
export function naiveSNorm(G: ArrayLike<number>, b: number, d: number): number {
  let sq = 0;
  const mean = new Float64Array(d);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < d; j++) {
      const g = G[i * d + j]!;
      sq += g * g;
      mean[j] = mean[j]! + g;
    }
  }
  let mn = 0;
  for (let j = 0; j < d; j++) {
    const m = mean[j]! / b;
    mn += m * m;
  }
  return (sq - b * mn) / (b - 1);
}
