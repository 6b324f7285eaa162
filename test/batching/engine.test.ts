// batchGradStats against per-sample gradients from single-sample autodiff in a loop:
// random MLPs, GLM heads, a scale layer, fallback models, regularizers; b from 2 to 512.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchGradStats, statistics, type BatchGradStats, type BatchGradStatsOptions } from '../../src/batching/index.js';
import { fcParams } from '../arbitraries.js';
import {
  Checker, fallbackModel, mlpModel, reference,
  type Activation, type FallbackKind, type Head, type MlpConfig, type Model,
} from './helpers.js';

const TOL = 1e-9;

/**
 * Run the engine on a model and compare every output with the reference.
 * Tolerances: 1e-9 relative for every statistic and every non-negative sum
 * (Σ||g_i||², ||g_i||², Σ_i g_ij², S_j, ...); for the signed sums ḡ_j and
 * ⟨g_i, ḡ⟩, 1e-9 relative to the magnitude of their summands (Σ_i |g_ij|/b and
 * Σ_j |g_ij ḡ_j|), the scale at which two summation orders may differ. Centred
 * quantities that are exactly 0 (a block whose g_i are all equal, e.g. a parameter
 * seen only by the regularizer) may carry a rounding residue of order ε²·raw in the
 * reference; their scale is floored at 1e-20 × the raw quantity (far below what
 * float64 can resolve in g_i itself: (1e-10 ||g_i||)²).
 */
function compare(m: Model, opts: BatchGradStatsOptions = {}): { s: BatchGradStats; c: Checker } {
  const s = batchGradStats(m.loss, m.params, m.batch, {
    names: m.names,
    ...(m.regularizer ? { regularizer: m.regularizer } : {}),
    ...opts,
  });
  const ref = reference(m);
  const c = new Checker(`${m.label}${opts.mode ? ` mode=${opts.mode}` : ''}${opts.refine ? ` refine=${opts.refine}` : ''}`, TOL);
  const st = statistics(s);
  const rs = ref.stats;
  c.scalar('b', s.b, ref.b);
  c.scalar('d', s.d, ref.d);
  c.scalar('loss', s.loss, ref.losses.reduce((a, v) => a + v, 0) / ref.b);
  c.vector('losses', s.losses, ref.losses);
  c.vector('meanGrad', s.meanGrad, ref.summary.meanGrad, ref.absMean);
  c.scalar('sumSqNorms', s.sumSqNorms, ref.summary.sumSqNorms);
  c.vector('sqNorms', s.sqNorms, ref.summary.sqNorms);
  c.vector('dots', s.dots, ref.summary.dots, ref.absDots);
  c.vector('devDots', s.devDots, ref.summary.devDots, ref.absDots);
  c.vector('coordSumSq', s.coordSumSq, ref.summary.coordSumSq);
  c.scalar('sumSqDev', s.sumSqDev, ref.summary.sumSqDev);
  const FLOOR = 1e-20;
  const floorOf = (raw: ArrayLike<number>, div = 1): Float64Array => Float64Array.from(raw, (v) => (FLOOR * v) / div);
  c.vector('coordSumSqDev', s.coordSumSqDev, ref.summary.coordSumSqDev, floorOf(ref.summary.coordSumSq));
  c.scalar('gradNormSq', st.gradNormSq, rs.gradNormSq);
  c.scalar('S_norm', st.S_norm, rs.S_norm);
  c.scalar('S_ip', st.S_ip, rs.S_ip);
  c.scalar('S_orth', st.S_orth, rs.S_orth);
  c.vector('S_j', st.S_j, rs.S_j, floorOf(ref.summary.coordSumSq, ref.b - 1));
  c.scalar('B_simple', st.B_simple, rs.B_simple);
  c.scalar('blockwise.S_ip', st.blockwise.S_ip, rs.blockwise.S_ip);
  // a one-coordinate block is parallel to its own mean (S_orth^p = 0): compare against the batch's variance scale
  c.scalar('blockwise.S_orth', st.blockwise.S_orth, rs.blockwise.S_orth, 1e-3 * rs.S_norm);
  // per block
  c.scalar('blocks', s.blocks.length, ref.summary.blocks.length);
  s.blocks.forEach((blk, p) => {
    const rb = ref.summary.blocks[p]!;
    const name = `${blk.name}(${blk.method})`;
    c.scalar(`${name}.offset`, blk.offset, rb.offset);
    c.scalar(`${name}.size`, blk.size, rb.size);
    c.vector(`${name}.meanGrad`, blk.meanGrad, rb.meanGrad, ref.absMean.subarray(rb.offset, rb.offset + rb.size));
    c.vector(`${name}.sqNorms`, blk.sqNorms, rb.sqNorms);
    // Σ_{j ∈ p} |g_ij ḡ_j|: the condition scale of ⟨g_i^p, ḡ^p⟩
    const absDotsP = new Float64Array(ref.b);
    for (let i = 0; i < ref.b; i++) {
      for (let j = rb.offset; j < rb.offset + rb.size; j++) absDotsP[i] = absDotsP[i]! + Math.abs(ref.G[i * ref.d + j]! * ref.summary.meanGrad[j]!);
    }
    c.vector(`${name}.dots`, blk.dots, rb.dots, absDotsP);
    c.vector(`${name}.devDots`, blk.devDots, rb.devDots, absDotsP);
    c.vector(`${name}.coordSumSq`, blk.coordSumSq, rb.coordSumSq);
    c.vector(`${name}.devSqNorms`, blk.devSqNorms, rb.devSqNorms, floorOf(rb.sqNorms));
    c.vector(`${name}.coordSumSqDev`, blk.coordSumSqDev, rb.coordSumSqDev, floorOf(rb.coordSumSq));
    c.vector(`${name}.meanGradBlocks`, s.meanGradBlocks[p]!.toFloat64Array(), rb.meanGrad, ref.absMean.subarray(rb.offset, rb.offset + rb.size));
    if (s.meanGradBlocks[p]!.shape.join() !== m.params[p]!.shape.join()) c.failures.push(`${name}: meanGradBlocks shape`);
  });
  return { s, c };
}

function expectMatches(m: Model, opts: BatchGradStatsOptions = {}): BatchGradStats {
  const { s, c } = compare(m, opts);
  expect(c.failures, c.message()).toEqual([]);
  return s;
}

/** The engine chose, for every block, one of the methods the model allows. */
function expectMethods(m: Model, s: BatchGradStats): void {
  const got = s.blocks.map((b) => b.method);
  got.forEach((meth, p) => {
    expect(m.allowed[p], `${m.label}: block ${m.names[p]} took '${meth}'`).toContain(meth);
  });
}

const HEADS: readonly Head[] = ['logistic', 'lsq', 'softmax', 'poisson'];
const ACTS: readonly Activation[] = ['tanh', 'softplus', 'sigmoid'];

describe('batchGradStats equals the per-sample autodiff loop (1e-9 relative, float64)', () => {
  // fixed cases: every head, every depth and activation, b ∈ {2, 3, 512}
  const fixed: MlpConfig[] = [];
  let seed = 1000;
  for (const b of [2, 3, 512]) {
    HEADS.forEach((head, h) => {
      fixed.push({ seed: seed++, b, din: 5, hidden: [], acts: ['tanh'], head, classes: 4 }); // GLM
      fixed.push({ seed: seed++, b, din: 4, hidden: [6], acts: [ACTS[h % 3]!], head, classes: 3 });
      fixed.push({
        seed: seed++, b, din: 3, hidden: [5, 4], acts: [ACTS[(h + 1) % 3]!, ACTS[(h + 2) % 3]!], head, classes: 3,
        scale: h % 2 === 0, unusedParam: h === 3, regularizer: h >= 2,
      });
    });
  }
  it.each(fixed.map((cfg) => [mlpModel(cfg).label, cfg] as const))('%s', (_label, cfg) => {
    const m = mlpModel(cfg);
    const s = expectMatches(m);
    expectMethods(m, s);
    if (cfg.b === 512) {
      // well-conditioned large batch: the factored path itself, no refinement
      s.blocks.filter((blk) => blk.name.startsWith('W')).forEach((blk) => expect(blk.method, m.label).toBe('linear'));
    }
  });

  const fallbacks: [FallbackKind, Head, number, boolean][] = [
    ['expW', 'logistic', 2, false],
    ['expW', 'poisson', 3, true],
    ['expW', 'softmax', 512, false],
    ['twice', 'lsq', 2, true],
    ['twice', 'softmax', 3, false],
    ['twice', 'logistic', 512, true],
  ];
  it.each(fallbacks)('fallback %s head=%s b=%i reg=%s', (kind, head, b, reg) => {
    const m = fallbackModel(kind, 77 + b, b, head, reg);
    const s = expectMatches(m);
    expectMethods(m, s);
    expect(s.blocks[0]!.method, m.label).toBe('fallback');
  });

  it('random MLPs, GLM heads, scale layers and regularizers (property, b from 2 to 96)', () => {
    const cfgArb: fc.Arbitrary<MlpConfig> = fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 30 }),
      b: fc.oneof(fc.constantFrom(2, 3), fc.integer({ min: 2, max: 96 })),
      din: fc.integer({ min: 1, max: 7 }),
      hidden: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 0, maxLength: 2 }),
      acts: fc.array(fc.constantFrom(...ACTS), { minLength: 2, maxLength: 2 }),
      head: fc.constantFrom(...HEADS),
      classes: fc.integer({ min: 2, max: 5 }),
      scale: fc.boolean(),
      unusedParam: fc.boolean(),
      regularizer: fc.boolean(),
    });
    fc.assert(
      fc.property(cfgArb, (cfg) => {
        const m = mlpModel(cfg);
        const { s, c } = compare(m);
        if (c.failures.length > 0) throw new Error(c.message());
        m.allowed.forEach((allowed, p) => {
          if (!allowed.includes(s.blocks[p]!.method)) throw new Error(`${m.label}: block ${m.names[p]} took ${s.blocks[p]!.method}`);
        });
      }),
      fcParams(150),
    );
  });

  it('fallback models (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 30 }),
        fc.constantFrom<FallbackKind>('expW', 'twice'),
        fc.constantFrom(...HEADS),
        fc.integer({ min: 2, max: 40 }),
        fc.boolean(),
        (seed, kind, head, b, reg) => {
          const m = fallbackModel(kind, seed, b, head, reg);
          const { s, c } = compare(m);
          if (c.failures.length > 0) throw new Error(c.message());
          if (s.blocks[0]!.method !== 'fallback') throw new Error(`${m.label}: W took ${s.blocks[0]!.method}`);
        },
      ),
      fcParams(40),
    );
  });
});

describe('the paths themselves', () => {
  it("refine: 'never' keeps the factored statistics ('linear') and they still match on well-conditioned batches", () => {
    for (const [b, head] of [[64, 'softmax'], [200, 'logistic'], [512, 'lsq']] as const) {
      const m = mlpModel({ seed: 4242 + b, b, din: 6, hidden: [5], acts: ['softplus'], head, classes: 4, regularizer: b === 200 });
      const s = expectMatches(m, { refine: 'never' });
      expect(s.blocks.map((blk) => blk.method), m.label).toEqual(['linear', 'materialized', 'linear', 'materialized']);
    }
  });

  it("refine: 'always' gives 'linear-refined' and the same statistics", () => {
    const m = mlpModel({ seed: 99, b: 37, din: 4, hidden: [3], acts: ['sigmoid'], head: 'poisson', regularizer: true });
    const s = expectMatches(m, { refine: 'always' });
    expect(s.blocks.map((blk) => blk.method), m.label).toEqual(['linear-refined', 'materialized', 'linear-refined', 'materialized']);
  });

  it("mode: 'materialize' sends every block through the per-sample sweeps and agrees", () => {
    const m = mlpModel({ seed: 5, b: 23, din: 3, hidden: [4], acts: ['tanh'], head: 'softmax', classes: 3, scale: true, regularizer: true });
    const s = expectMatches(m, { mode: 'materialize' });
    expect(new Set(s.blocks.map((blk) => blk.method)), m.label).toEqual(new Set(['fallback']));
  });

  it('the comparison can fail: a perturbed reference is caught', () => {
    const m = mlpModel({ seed: 6, b: 9, din: 3, hidden: [], acts: ['tanh'], head: 'lsq' });
    const { s } = compare(m);
    const ref = reference(m);
    const c = new Checker('perturbed', TOL);
    c.scalar('S_norm', statistics(s).S_norm, ref.stats.S_norm * (1 + 1e-8));
    expect(c.failures.length).toBe(1);
  });

  it('the default block names and unit-free shapes', () => {
    const m = mlpModel({ seed: 8, b: 4, din: 2, hidden: [], acts: ['tanh'], head: 'logistic' });
    const s = batchGradStats(m.loss, m.params, m.batch);
    expect(s.blocks.map((blk) => blk.name)).toEqual(['param0', 'param1']);
    expect(s.blocks.map((blk) => [blk.offset, blk.size])).toEqual([[0, 2], [2, 1]]);
    expect(s.meanGradBlocks.map((t) => t.shape)).toEqual([[2, 1], [1]]);
  });
});
