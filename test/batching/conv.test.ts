// Conv-layer statistics of batchGradStats (factored and materialised forms) against a per-sample autodiff loop,
// on random conv nets (kernel sizes, strides, paddings, dilations, channels, pooling, batch 2–256).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add, avgPool2d, conv2d, flatten, grad, matmul, maxPool2d, softmaxCrossEntropy, softplus, sum, tanh, type Tensor,
} from '../../src/index.js';
import { batchGradStats, statistics, type BatchGradStatsOptions } from '../../src/batching/index.js';
import { convCosts, convFactored, convMaterialised, type ConvInputs } from '../../src/batching/convStats.js';
import { getBackend } from '../../src/backend/index.js';
import type { WindowGeom } from '../../src/backend/backend.js';
import { fromArray } from '../../src/tensor/tensor.js';
import { integers, key, normal, split, type Key } from '../../src/rng/index.js';
import { fcParams } from '../arbitraries.js';
import { Checker, defaultRegularizer, reference, type Model } from './helpers.js';

const TOL = 1e-9;

interface ConvNetConfig {
  readonly seed: number;
  readonly b: number;
  readonly cin: number;
  readonly side: number;
  readonly c1: number;
  readonly k1: number;
  readonly s1: number;
  readonly p1: number;
  readonly d1: number;
  readonly pool: 'none' | 'max' | 'avg';
  readonly c2: number;
  readonly k2: number;
  readonly s2: number;
  readonly p2: number;
  readonly regularizer: boolean;
}

const outSide = (x: number, k: number, s: number, p: number, d: number): number => Math.floor((x + 2 * p - d * (k - 1) - 1) / s) + 1;

/** Spatial side after each stage, or null when a stage does not fit. */
function sides(c: ConvNetConfig): [number, number, number] | null {
  const a = outSide(c.side, c.k1, c.s1, c.p1, c.d1);
  const p = c.pool === 'none' ? a : outSide(a, 2, 1, 0, 1);
  const o = outSide(p, c.k2, c.s2, c.p2, 1);
  return a >= 1 && p >= 1 && o >= 1 ? [a, p, o] : null;
}

/**
 * A random conv net: h = tanh(conv(x; W1, b1)), optional 2×2 pooling (stride 1),
 * h' = softplus(conv(h; W2, b2)), logits flatten(h') V + c, softmax cross-entropy
 * over 3 classes. Parameters [W1, b1, W2, b2, V, c]; the seed is in the label.
 */
function convNet(cfg: ConvNetConfig): Model {
  const [, , o] = sides(cfg)!;
  const classes = 3;
  const ks = split(key(cfg.seed), 8) as Key[];
  const w = (k: Key, shape: number[], scale: number): Tensor => fromArray(normal(k, shape.reduce((p, s) => p * s, 1), 0, scale), shape);
  const params = [
    w(ks[0]!, [cfg.c1, cfg.cin, cfg.k1, cfg.k1], 0.6), w(ks[1]!, [cfg.c1], 0.3),
    w(ks[2]!, [cfg.c2, cfg.c1, cfg.k2, cfg.k2], 0.6), w(ks[3]!, [cfg.c2], 0.3),
    w(ks[4]!, [cfg.c2 * o * o, classes], 0.5), w(ks[5]!, [classes], 0.3),
  ];
  const X = w(ks[6]!, [cfg.b, cfg.cin, cfg.side, cfg.side], 1);
  const labels = integers(ks[7]!, cfg.b, 0, classes);
  const loss = (ps: readonly Tensor[], batch: { X: Tensor; labels: Int32Array | null }): Tensor => {
    let h = tanh(conv2d(batch.X, ps[0]!, ps[1]!, { stride: cfg.s1, padding: cfg.p1, dilation: cfg.d1 }));
    if (cfg.pool === 'max') h = maxPool2d(h, { kernel: 2, stride: 1 });
    if (cfg.pool === 'avg') h = avgPool2d(h, { kernel: 2, stride: 1 });
    const h2 = softplus(conv2d(h, ps[2]!, ps[3]!, { stride: cfg.s2, padding: cfg.p2 }));
    return softmaxCrossEntropy(add(matmul(flatten(h2), ps[4]!), ps[5]!), batch.labels!);
  };
  return {
    label: `convNet ${JSON.stringify(cfg)}`,
    params,
    names: ['W1', 'b1', 'W2', 'b2', 'V', 'c'],
    allowed: [],
    loss,
    batch: { X, Y: null, labels },
    ...(cfg.regularizer ? { regularizer: defaultRegularizer } : {}),
  };
}

const configArb = (bMax: number): fc.Arbitrary<ConvNetConfig> =>
  fc
    .record({
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      b: fc.integer({ min: 2, max: bMax }),
      cin: fc.integer({ min: 1, max: 3 }),
      side: fc.integer({ min: 3, max: 7 }),
      c1: fc.integer({ min: 1, max: 4 }),
      k1: fc.integer({ min: 1, max: 3 }),
      s1: fc.integer({ min: 1, max: 2 }),
      p1: fc.integer({ min: 0, max: 1 }),
      d1: fc.integer({ min: 1, max: 2 }),
      pool: fc.constantFrom('none' as const, 'max' as const, 'avg' as const),
      c2: fc.integer({ min: 1, max: 4 }),
      k2: fc.integer({ min: 1, max: 3 }),
      s2: fc.integer({ min: 1, max: 2 }),
      p2: fc.integer({ min: 0, max: 1 }),
      regularizer: fc.boolean(),
    })
    .filter((c) => sides(c) !== null);

/** Every per-block and global statistic against the per-sample autodiff loop (scales as in engine.test.ts). */
function check(m: Model, opts: BatchGradStatsOptions): { c: Checker; methods: string[] } {
  const s = batchGradStats(m.loss, m.params, m.batch, { names: m.names, ...(m.regularizer ? { regularizer: m.regularizer } : {}), ...opts });
  const ref = reference(m);
  const c = new Checker(`${m.label} ${JSON.stringify(opts)}`, TOL);
  const floorOf = (raw: ArrayLike<number>, div = 1): Float64Array => Float64Array.from(raw, (v) => (1e-20 * v) / div);
  const st = statistics(s);
  c.vector('meanGrad', s.meanGrad, ref.summary.meanGrad, ref.absMean);
  c.vector('sqNorms', s.sqNorms, ref.summary.sqNorms);
  c.vector('dots', s.dots, ref.summary.dots, ref.absDots);
  c.vector('devDots', s.devDots, ref.summary.devDots, ref.absDots);
  c.vector('coordSumSq', s.coordSumSq, ref.summary.coordSumSq);
  c.scalar('sumSqDev', s.sumSqDev, ref.summary.sumSqDev);
  c.vector('coordSumSqDev', s.coordSumSqDev, ref.summary.coordSumSqDev, floorOf(ref.summary.coordSumSq));
  c.scalar('S_norm', st.S_norm, ref.stats.S_norm);
  c.scalar('S_ip', st.S_ip, ref.stats.S_ip);
  c.scalar('S_orth', st.S_orth, ref.stats.S_orth);
  c.vector('S_j', st.S_j, ref.stats.S_j, floorOf(ref.summary.coordSumSq, ref.b - 1));
  s.blocks.forEach((blk, p) => {
    const rb = ref.summary.blocks[p]!;
    const name = `${blk.name}(${blk.method})`;
    c.vector(`${name}.sqNorms`, blk.sqNorms, rb.sqNorms);
    c.vector(`${name}.devSqNorms`, blk.devSqNorms, rb.devSqNorms, floorOf(rb.sqNorms));
    c.vector(`${name}.coordSumSq`, blk.coordSumSq, rb.coordSumSq);
    c.vector(`${name}.coordSumSqDev`, blk.coordSumSqDev, rb.coordSumSqDev, floorOf(rb.coordSumSq));
  });
  return { c, methods: s.blocks.map((blk) => blk.method) };
}

describe('conv2d weights in batchGradStats', () => {
  for (const form of ['factored', 'materialised'] as const) {
    it(`the ${form} form equals the per-sample autodiff loop to 1e-9 (random conv nets, b 2–40)`, () => {
      fc.assert(
        fc.property(configArb(40), (cfg) => {
          const m = convNet(cfg);
          const { c, methods } = check(m, { convForm: form });
          expect(c.failures, c.message()).toEqual([]);
          // conv weights take the conv forms (the factored one may refine), conv biases are materialised, never a fallback
          expect(methods[0]).toMatch(form === 'factored' ? /^conv-(factored|refined)$/ : /^conv-materialised$/);
          expect(methods[2]).toMatch(form === 'factored' ? /^conv-(factored|refined)$/ : /^conv-materialised$/);
          expect([methods[1], methods[3]]).toEqual(['materialized', 'materialized']);
        }),
        fcParams(12),
      );
    });
  }

  it('both forms at b = 256 (and the factored one without refinement)', () => {
    const cfg: ConvNetConfig = { seed: 7, b: 256, cin: 2, side: 6, c1: 3, k1: 3, s1: 1, p1: 1, d1: 1, pool: 'max', c2: 2, k2: 2, s2: 2, p2: 0, regularizer: true };
    for (const opts of [{ convForm: 'factored' as const, refine: 'never' as const }, { convForm: 'materialised' as const }, {}]) {
      const { c } = check(convNet(cfg), opts);
      expect(c.failures, c.message()).toEqual([]);
    }
  });

  it("'auto' picks per layer the cheaper form by convCosts and records it in block.method", () => {
    // layer 1: P = 36 positions, K = 2·9; layer 2: P = 1, K = 3·36 (the factored form's best case)
    const cfg: ConvNetConfig = { seed: 3, b: 6, cin: 2, side: 6, c1: 3, k1: 3, s1: 1, p1: 1, d1: 1, pool: 'none', c2: 4, k2: 6, s2: 1, p2: 0, regularizer: false };
    const g1: WindowGeom = { n: 6, c: 2, h: 6, w: 6, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, oh: 6, ow: 6 };
    const g2: WindowGeom = { ...g1, c: 3, kh: 6, kw: 6, ph: 0, pw: 0, oh: 1, ow: 1 };
    const pick = (c: { factored: number; materialised: number }): string => (c.factored < c.materialised ? 'conv-factored' : 'conv-materialised');
    const { c, methods } = check(convNet(cfg), { refine: 'never' });
    expect(c.failures, c.message()).toEqual([]);
    expect([methods[0], methods[2]]).toEqual([pick(convCosts(g1, 3)), pick(convCosts(g2, 4))]);
  });
});

describe('negative control: an unfold off by one position is caught', () => {
  it('U_i with its positions shifted by one (wrapping) gives statistics that fail the same comparison, in both forms', () => {
    // power: every generated net with P ≥ 2 positions fails (asserted per case, not on average)
    fc.assert(
      fc.property(configArb(12).map((c) => ({ ...c, regularizer: false })), (cfg) => {
        const m = convNet(cfg);
        const ref = reference(m);
        // the first conv layer's inputs, rebuilt as the engine builds them
        const g = { n: cfg.b, c: cfg.cin, h: cfg.side, w: cfg.side, kh: cfg.k1, kw: cfg.k1, sh: cfg.s1, sw: cfg.s1, ph: cfg.p1, pw: cfg.p1, dh: cfg.d1, dw: cfg.d1, oh: sides(cfg)![0], ow: sides(cfg)![0] };
        const P = g.oh * g.ow;
        fc.pre(P >= 2);
        const K = g.c * g.kh * g.kw;
        const U = new Float64Array(cfg.b * P * K);
        getBackend().unfold(m.batch.X.toFloat64Array(), g, U);
        const shifted = new Float64Array(U.length);
        for (let i = 0; i < cfg.b; i++) for (let p = 0; p < P; p++) {
          shifted.set(U.subarray((i * P + p) * K, (i * P + p + 1) * K), (i * P + ((p + 1) % P)) * K);
        }
        const rb = ref.summary.blocks[0]!;
        const delta = deltaOfFirstConv(m, cfg);
        const inputs: ConvInputs = { name: 'W1', shape: m.params[0]!.shape, offset: 0, U: shifted, delta, b: cfg.b, P, K, cout: cfg.c1, mean: Float64Array.from(rb.meanGrad), r: null };
        const withR = inputs;
        // the same inputs with the correct U reproduce the reference (so only the unfold differs)
        const ok = convMaterialised({ ...withR, U });
        expect(maxRel(ok.sqNorms, rb.sqNorms)).toBeLessThan(TOL);
        for (const blk of [convMaterialised(withR), convFactored(withR, 1e-3, 'never')]) {
          expect(maxRel(blk.sqNorms, rb.sqNorms) > TOL || maxRel(blk.coordSumSq, rb.coordSumSq) > TOL, `${m.label}: a shifted unfold was not caught`).toBe(true);
        }
      }),
      fcParams(12),
    );
  });
});

function maxRel(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let w = 0;
  for (let i = 0; i < e.length; i++) w = Math.max(w, Math.abs(a[i]! - e[i]!) / Math.max(Math.abs(e[i]!), 1e-300));
  return w;
}

/** The output cotangent Δ of the first conv layer, [b, c1, P], by differentiating the loss at its output. */
function deltaOfFirstConv(m: Model, cfg: ConvNetConfig): Float64Array {
  // ∂(Σ_i ℓ_i)/∂y1 for y1 = conv(x; W1, b1): recompute the net from y1 onwards and take the gradient there
  const y1 = conv2d(m.batch.X, m.params[0]!, m.params[1]!, { stride: cfg.s1, padding: cfg.p1, dilation: cfg.d1 });
  const rest = (y: Tensor): Tensor => {
    let h = tanh(y);
    if (cfg.pool === 'max') h = maxPool2d(h, { kernel: 2, stride: 1 });
    if (cfg.pool === 'avg') h = avgPool2d(h, { kernel: 2, stride: 1 });
    const h2 = softplus(conv2d(h, m.params[2]!, m.params[3]!, { stride: cfg.s2, padding: cfg.p2 }));
    return sum(softmaxCrossEntropy(add(matmul(flatten(h2), m.params[4]!), m.params[5]!), m.batch.labels!));
  };
  return (grad(rest)(y1) as Tensor).toFloat64Array();
}
