/**
 * Batch-size controllers of SPEC §3 and §5 against short hand-computed sequences
 * (synthetic BatchStatistics, a tiny fake Problem for the oracle and AdaDamp), and
 * properties of the test-driven and oracle controllers over generated statistics.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adaDamp, augIpTest, cabs, constant, coordNormTest, geometric, gns, ipTest, linearRamp, normTest, oracle, orthTest, sebs, smith,
  stagewiseSgd, testDriven, applyRule,
  type BatchSizeTest, type BatchStatistics, type Controller, type ControllerDecision, type TestDecision,
} from '../../src/batching/index.js';
import { exactOracle } from '../../src/run/step.js';
import type { Problem } from '../../src/problem/types.js';

/** Synthetic statistics: only the fields the controller under test reads need to be meaningful. */
function synth(p: Partial<BatchStatistics> = {}): BatchStatistics {
  return {
    b: 4, meanGrad: Float64Array.of(1), gradNormSq: 1, S_norm: 0, S_ip: 0, S_orth: 0, S_j: Float64Array.of(0), B_simple: 0,
    blockwise: { S_ip: 0, S_orth: 0 }, ...p,
  };
}
/** Statistics for which normTest(1) asks for T = S_norm/||ḡ||² = t. */
const askNorm = (t: number): BatchStatistics => synth({ gradNormSq: 1, S_norm: t });

/**
 * A tiny fake problem: x = (g, s2, along, F) encodes ∇F(x) = (g), σ²(x) = σ_1²(x) = s2,
 * E⟨∇f − ∇F, ∇F⟩² = along and F(x) = F; F* = 1 (or F_low = 0.5 without F*).
 */
function fakeProblem(opts: { fStar?: boolean; n?: number | null } = {}): Problem {
  return {
    id: 'fake_d1', family: 'fake', dim: 4, n: opts.n ?? null, tags: [], blocks: [],
    constants: { L: { value: 1, kind: 'global' }, F_low: 0.5, ...(opts.fStar === false ? {} : { F_star: 1 }), noiseVanishesAtStationary: false },
    x0: () => new Float64Array(4),
    sample: () => { throw new Error('fake problem: no sampling'); },
    perSampleLoss: () => { throw new Error('fake problem: no losses'); },
    value: (x: Float64Array) => x[3]!,
    gradient: (x: Float64Array) => Float64Array.of(x[0]!),
    noise: (x: Float64Array) => ({ sigma2: x[1]!, sigma2PerCoord: Float64Array.of(x[1]!) }),
    noiseAlong: (x: Float64Array) => x[2]!,
  } as unknown as Problem;
}
const pt = (g: number, s2 = 0, along = 0, F = 0): Float64Array => Float64Array.of(g, s2, along, F);

interface Step {
  readonly stats?: BatchStatistics | null;
  /** x_{k+1}, where the next batch is drawn. */
  readonly x?: Float64Array;
  readonly loss?: number;
}

/** A decision as the tests read it: b, lrScale, the test decision (`last`) and the controller's own state fields. */
type Seen = { readonly b: number; readonly lrScale: number; readonly last: TestDecision | undefined } & Readonly<Record<string, unknown>>;
const seen = (d: ControllerDecision<unknown>): Seen => ({
  ...(typeof d.state === 'object' && d.state !== null ? d.state : {}), b: d.b, lrScale: d.lrScale ?? 1, last: d.test,
});

/**
 * Drive a controller like run()'s step does: init at x0, then next() after each step with
 * samples = Σ_{j≤k} b_j, b_k, and only what the controller declared it needs.
 */
function drive(c: Controller<any>, steps: readonly Step[], o: { problem?: Problem; x0?: Float64Array } = {}) {
  const problem = o.problem ?? fakeProblem();
  const exact = (x: Float64Array) => (c.needs === 'exact' ? exactOracle(problem, x) : null);
  let d = c.init({ n: problem.n, exact: exact(o.x0 ?? pt(1)) });
  const bs = [d.b];
  const lr = [d.lrScale ?? 1];
  const states = [seen(d)];
  let samples = 0;
  steps.forEach((s, k) => {
    const b = d.b;
    samples += b;
    const stats = c.needs === 'stats' ? (s.stats === undefined ? synth() : s.stats) : null;
    d = c.next(stats, d.state, { step: k, samples, b, loss: s.loss ?? 1, n: problem.n, exact: exact(s.x ?? pt(1)) });
    bs.push(d.b);
    lr.push(d.lrScale ?? 1);
    states.push(seen(d));
  });
  return { bs, lr, states };
}

describe('constant', () => {
  it('keeps b', () => {
    expect(drive(constant(7), [{}, {}, {}]).bs).toEqual([7, 7, 7, 7]);
  });
});

describe('testDriven: b_{k+1} = min(b_max, ⌈max(b_k, T_k)⌉)', () => {
  it('a hand sequence with normTest(1), b0 = 2, b_max = 20', () => {
    const r = drive(testDriven(normTest(1), { b0: 2, bMax: 20 }), [
      { stats: askNorm(3.2) }, // ⌈max(2, 3.2)⌉ = 4
      { stats: askNorm(2.5) }, // max(4, 2.5) = 4: never decreases
      { stats: synth({ gradNormSq: 0, S_norm: 5 }) }, // ||ḡ||² = 0: no information, keep 4
      { stats: askNorm(7) }, // ⌈7⌉ = 7
      { stats: askNorm(100) }, // capped: 20
      { stats: askNorm(1000) }, // b = b_max: the test no longer runs
    ]);
    expect(r.bs).toEqual([2, 4, 4, 4, 7, 20, 20]);
    expect(r.states[3]!.last!.noInfo).toBe(true);
    expect(r.states[4]!.last!.T).toBe(7);
    expect(r.states[6]!.last).toBeUndefined();
  });

  it('T = ∞ (e.g. a coordinate with ḡ_j tiny) jumps to b_max', () => {
    expect(applyRule(3, Infinity, 50, 1)).toBe(50);
    // ḡ_2 = 1e-150 passes the floor 0, and S_2/ḡ_2² = 1e10/1e-300 overflows to ∞
    const c = testDriven(coordNormTest(1, { coordFloor: 0 }), { b0: 2, bMax: 64 });
    const s = synth({ b: 2, gradNormSq: 1, meanGrad: Float64Array.of(1, 1e-150), S_j: Float64Array.of(0.5, 1e10) });
    expect(coordNormTest(1, { coordFloor: 0 }).sample(s).T).toBe(Infinity);
    expect(drive(c, [{ stats: s }]).bs).toEqual([2, 64]);
  });

  it('the test runs every τ steps, at k = 0, τ, 2τ, … (SPEC §3, the official code)', () => {
    const r = drive(testDriven(normTest(1), { b0: 2, bMax: 100, interval: 3 }), [
      { stats: askNorm(10) }, { stats: askNorm(50) }, { stats: askNorm(50) }, // tested at step 0 only: 10
      { stats: askNorm(30) }, { stats: askNorm(20) }, { stats: askNorm(60) }, // tested at step 3: max(10, 30) = 30
    ]);
    expect(r.bs).toEqual([2, 10, 10, 10, 30, 30, 30]);
  });

  it('rounds up to a multiple of workers', () => {
    // workers = 4: b0 = 2 → 4; T = 5 → 8; T = 8 → 8; T = 8.5 → 12
    const r = drive(testDriven(normTest(1), { b0: 2, bMax: 40, workers: 4 }), [
      { stats: askNorm(5) }, { stats: askNorm(8) }, { stats: askNorm(8.5) },
    ]);
    expect(r.bs).toEqual([4, 8, 8, 12]);
  });

  it('a b_max that is not a multiple of workers caps at the largest multiple below it', () => {
    // workers = 4, b_max = 10: cap 8; T = 9 → 8 (not 10, which would not split over 4 workers)
    expect(drive(testDriven(normTest(1), { b0: 2, bMax: 10, workers: 4 }), [{ stats: askNorm(9) }, { stats: askNorm(50) }]).bs).toEqual([4, 8, 8]);
  });

  it('no statistics (b < 2) keeps b', () => {
    expect(drive(testDriven(normTest(1), { b0: 2, bMax: 40 }), [{ stats: null }]).bs).toEqual([2, 2]);
  });

  it('the ip, orth and augmented ip tests drive it the same way', () => {
    // ||ḡ||² = 2: ip(1) asks S_ip/||ḡ||⁴ = 12/4 = 3; orth(1) asks S_orth/||ḡ||² = 10/2 = 5; aug-ip asks max = 5
    const s = synth({ gradNormSq: 2, S_ip: 12, S_orth: 10 });
    expect(drive(testDriven(ipTest(1), { b0: 2, bMax: 40 }), [{ stats: s }]).bs).toEqual([2, 3]);
    expect(drive(testDriven(orthTest(1), { b0: 2, bMax: 40 }), [{ stats: s }]).bs).toEqual([2, 5]);
    expect(drive(testDriven(augIpTest(1, 1), { b0: 2, bMax: 40 }), [{ stats: s }]).bs).toEqual([2, 5]);
  });
});

describe('oracle: the exact test at x_k picks b_k before B_k is drawn', () => {
  it('a hand sequence with the exact norm test (η = 1): T = σ²/||∇F(x)||²', () => {
    // σ² = 4. x0: ∇F = 1 → T = 4 → b0 = 4; ∇F = 0.5 → T = 16; ∇F = 1 → T = 4, keep 16 (monotone);
    // ∇F = 0.1 → T = 400 → b_max = 100 (the test fails there); ∇F = 0 → no information, keep 100
    const r = drive(oracle(normTest(1), { b0: 2, bMax: 100 }), [{ x: pt(0.5, 4) }, { x: pt(1, 4) }, { x: pt(0.1, 4) }, { x: pt(0, 4) }], { x0: pt(1, 4) });
    expect(r.bs).toEqual([4, 16, 16, 100, 100]);
    // the recorded decision is the exact test at the chosen b: holds unless capped by b_max
    expect(r.states.map((s) => s.last!.holds)).toEqual([true, true, true, false, true]);
    expect(r.states[4]!.last!.noInfo).toBe(true);
  });

  it('the exact augmented ip test reads σ², E⟨∇f − ∇F, ∇F⟩² and ∇F', () => {
    // ∇F = 2 (||∇F||² = 4), σ² = 10, along = 16: ip(1) T = 16/16 = 1; orth part = 10 − 16/4 = 6, orth(1) T = 6/4 = 1.5 → ⌈max(2, 1.5)⌉ = 2
    // then ∇F = 1: ip T = 16/1 = 16, orth part 10 − 16 = −6 → 0: T = 16
    const r = drive(oracle(augIpTest(1, 1), { b0: 2, bMax: 100 }), [{ x: pt(1, 10, 16) }], { x0: pt(2, 10, 16) });
    expect(r.bs).toEqual([2, 16]);
  });

  it('needs a problem that can compute σ²(x)', () => {
    const p = { ...fakeProblem(), noise: undefined } as unknown as Problem;
    expect(() => oracle(normTest(1), { b0: 2, bMax: 8 }).init({ n: p.n, exact: exactOracle(p, pt(1)) })).toThrow(/noise/);
  });
});

describe('SEBS and its stagewise-SGD baseline', () => {
  it('equal iterations per stage: b_s = ρ^{s−1} b₁ for M steps each', () => {
    // b₁ = 2, ρ = 2, S = 3, M = 2: after step k the stage is min(2, ⌊(k + 1)/2⌋)
    const r = drive(sebs({ b1: 2, rho: 2, stages: 3, rule: 'iterations', perStage: 2 }), Array(6).fill({}));
    expect(r.bs).toEqual([2, 2, 4, 4, 8, 8, 8]);
    expect(r.lr.every((v) => v === 1)).toBe(true); // constant learning rate
  });

  it('equal samples per stage: stage s starts once s·N samples are used', () => {
    // b₁ = 2, ρ = 2, N = 10: samples after each step 2, 4, 6, 8, 10 (→ stage 1, b = 4), 14, 18, 22 (→ stage 2, b = 8), 30
    const r = drive(sebs({ b1: 2, rho: 2, stages: 3, rule: 'samples', perStage: 10 }), Array(9).fill({}));
    expect(r.bs).toEqual([2, 2, 2, 2, 2, 4, 4, 4, 8, 8]);
  });

  it('b_max caps the stage sizes', () => {
    const r = drive(sebs({ b1: 3, rho: 3, stages: 4, rule: 'iterations', perStage: 1, bMax: 20 }), Array(4).fill({}));
    expect(r.bs).toEqual([3, 9, 20, 20, 20]);
  });

  it('stagewise SGD: constant b₁, lr α/ρ^{s−1}, stage s lasts ρ^{s−1} T₁ steps', () => {
    // b₁ = 4, ρ = 2, T₁ = 2: stage ends after 2, 2 + 4 = 6, 6 + 8 = 14 steps
    const r = drive(stagewiseSgd({ b1: 4, rho: 2, stages: 3, firstStageSteps: 2 }), Array(15).fill({}));
    expect(r.bs.every((b) => b === 4)).toBe(true);
    // lrScale for step j (index j): steps 0–1 → 1, steps 2–5 → 1/2, steps 6–13 and after → 1/4
    expect(r.lr).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    // matched samples: stage s of SEBS (M = T₁ steps of ρ^{s−1} b₁) and of stagewise SGD (ρ^{s−1}T₁ steps of b₁)
    const sebsStage = (s: number) => 2 * 4 * 2 ** s;
    const swStage = (s: number) => 2 * 2 ** s * 4;
    for (let s = 0; s < 3; s++) expect(sebsStage(s)).toBe(swStage(s));
  });
});

describe('ramps and schedules', () => {
  it('linear ramp per steps: b = min(b_max, b₀ + Δ⌊(k + 1)/every⌋)', () => {
    // b₀ = 2, Δ = 3, every = 2, b_max = 10
    expect(drive(linearRamp({ b0: 2, delta: 3, bMax: 10, every: 2 }), Array(6).fill({})).bs).toEqual([2, 2, 5, 5, 8, 8, 10]);
  });

  it('linear ramp per samples', () => {
    // b₀ = 2, Δ = 2, every = 5 samples: samples 2 → 2; 4 → 2; 6 → 4; 10 → 6; 16 → 8; 24 → 10 (cap 10)
    expect(drive(linearRamp({ b0: 2, delta: 2, bMax: 10, every: 5, unit: 'samples' }), Array(6).fill({})).bs).toEqual([2, 2, 2, 4, 6, 8, 10]);
  });

  it('geometric: b_{k+1} = min(b_max, ⌈ρ b_k⌉), b_max defaulting to n', () => {
    // ρ = 1.5: 2 → 3 → ⌈4.5⌉ = 5 → ⌈7.5⌉ = 8 → 12 → capped at 10
    expect(drive(geometric({ b0: 2, rho: 1.5, bMax: 10 }), Array(5).fill({})).bs).toEqual([2, 3, 5, 8, 10, 10]);
    expect(drive(geometric({ b0: 2, rho: 2 }), Array(4).fill({}), { problem: fakeProblem({ n: 12 }) }).bs).toEqual([2, 4, 8, 12, 12]);
  });

  it('Smith et al.: multiply b by f at milestones until b_max, then divide the learning rate', () => {
    // b₀ = 2, f = 3, milestones after 2, 4, 6 steps, b_max = 20: 2 → 6 → 18 → (54 > 20) lr/3
    const r = drive(smith({ b0: 2, factor: 3, milestones: [4, 2, 6], bMax: 20 }), Array(7).fill({}));
    expect(r.bs).toEqual([2, 2, 6, 6, 18, 18, 18, 18]);
    expect(r.lr).toEqual([1, 1, 1, 1, 1, 1, 1 / 3, 1 / 3]);
  });
});

describe('adaptive baselines', () => {
  it('CABS: b = ⌈α · tr(Σ̂)/F̂⌉ with the biased trace (b − 1)/b · S_norm, clipped to [b_min, b_max]', () => {
    // b = 4, S_norm = 8/3: tr Σ̂ = 2. α = 0.5:
    // loss 0.25 → ⌈1/0.25⌉ = 4; loss 0.01 → 100 → 50 (b_max); loss 0 → keep; loss 1 → ⌈1⌉ → 2 (b_min; CABS is not monotone)
    const s = synth({ b: 4, S_norm: 8 / 3 });
    const r = drive(cabs({ lr: 0.5, bMin: 2, bMax: 50, b0: 4 }), [
      { stats: s, loss: 0.25 }, { stats: s, loss: 0.01 }, { stats: s, loss: 0 }, { stats: null, loss: 0.5 }, { stats: s, loss: 1 },
    ]);
    expect(r.bs).toEqual([4, 4, 50, 50, 50, 2]);
  });

  it('gradient noise scale: b = clip(⌈scale · EMA(S_norm/(||ḡ||² − S_norm/b))⌉), |G|² floored', () => {
    // β = 0.5, scale = 2, b = 4: (||ḡ||², S) = (1, 2) → |G|² = 0.5, B = 4 → EMA 4 → 8; (3, 4) → |G|² = 2, B = 2 → EMA 3 → 6;
    // ||ḡ||² = 0 → keep 6; (1, 8): 1 − 2 < 0 → |G|² = GNS_FLOOR · 1 = 1e-6, B = 8e6 → EMA 4 000 001.5 → b_max = 100
    const r = drive(gns({ b0: 4, bMin: 2, bMax: 100, beta: 0.5, scale: 2 }), [
      { stats: synth({ gradNormSq: 1, S_norm: 2 }) }, { stats: synth({ gradNormSq: 3, S_norm: 4 }) },
      { stats: synth({ gradNormSq: 0, S_norm: 5 }) }, { stats: synth({ gradNormSq: 1, S_norm: 8 }) },
    ]);
    expect(r.bs).toEqual([4, 8, 6, 6, 100]);
    expect(r.states[4]!['ema']).toBe(0.5 * 3 + 0.5 * 8e6);
  });

  it('AdaDamp: b_k = ⌈b₀ (F(x₀) − F*)/(F(x_k) − F*)⌉, clipped to [b₀, b_max]', () => {
    // F* = 1, F(x₀) = 10: gap₀ = 9, b₀ = 2. F = 4 → ⌈18/3⌉ = 6; F = 2 → 18; F = 5 → ⌈4.5⌉ = 5;
    // F = 1 (gap 0) → b_max = 50; F = 1.1 → 180 → 50
    const steps = [4, 2, 5, 1, 1.1].map((F) => ({ x: pt(1, 0, 0, F) }));
    expect(drive(adaDamp({ b0: 2, bMax: 50 }), steps, { x0: pt(1, 0, 0, 10) }).bs).toEqual([2, 6, 18, 5, 50, 50]);
  });

  it('AdaDamp uses F_low when F* is unknown', () => {
    // F_low = 0.5, F(x₀) = 2.5: gap₀ = 2; F = 1 → ⌈2·2/0.5⌉ = 8
    expect(drive(adaDamp({ b0: 2, bMax: 50 }), [{ x: pt(1, 0, 0, 1) }], { x0: pt(1, 0, 0, 2.5), problem: fakeProblem({ fStar: false }) }).bs).toEqual([2, 8]);
  });
});

describe('invalid controller parameters are rejected, naming the field', () => {
  it.each([
    ['b0', () => testDriven(normTest(1), { b0: 1, bMax: 8 })],
    ['b0', () => oracle(normTest(1), { b0: 1.5, bMax: 8 })],
    ['bMax', () => testDriven(normTest(1), { b0: 4, bMax: 2 })],
    ['bMax', () => testDriven(normTest(1), { b0: 4, bMax: 3 })],
    ['interval', () => testDriven(normTest(1), { b0: 2, bMax: 8, interval: 0 })],
    ['workers', () => testDriven(normTest(1), { b0: 2, bMax: 8, workers: 0 })],
    ['bMax', () => testDriven(normTest(1), { b0: 2, bMax: 3, workers: 4 })], // no multiple of 4 in [2, 3]
    ['bMax', () => oracle(normTest(1), { b0: 5, bMax: 7, workers: 4 })], // none in [5, 7]
    ['b', () => constant(0)],
    ['rho', () => sebs({ b1: 2, rho: 1, stages: 2, rule: 'iterations', perStage: 2 })],
    ['rule', () => sebs({ b1: 2, rho: 2, stages: 2, rule: 'epochs' as 'iterations', perStage: 2 })],
    ['rho', () => geometric({ b0: 2, rho: 0.5 })],
    ['bMax', () => linearRamp({ b0: 4, delta: 1, bMax: 2 })],
    ['factor', () => smith({ b0: 2, factor: 1, milestones: [], bMax: 8 })],
    ['lr', () => cabs({ lr: 0, bMin: 2, bMax: 8, b0: 2 })],
    ['bMin', () => gns({ b0: 2, bMin: 1, bMax: 8 })],
  ] as const)('%s', (field, make) => {
    expect(make).toThrow(new RegExp(field));
  });
});

// ------------------------------------------------------------------ properties

/** The fixed seed of the property runs (ADADAGRAD_FC_SEED overrides it); fast-check prints seed and path on failure. */
const FC_SEED = Number.isInteger(Number(process.env['ADADAGRAD_FC_SEED'] || 'x')) ? Number(process.env['ADADAGRAD_FC_SEED']) : 20240217;
const fcParams = (numRuns: number) => ({ seed: FC_SEED, numRuns });

/** Bounded, NaN-free non-negative magnitudes spanning many decades, and exact zeros. */
const magnitude = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 8, arbitrary: fc.double({ min: -12, max: 8, noNaN: true }).map((e) => 10 ** e) },
);
const D = 3;
const statsArb: fc.Arbitrary<BatchStatistics> = fc
  .record({
    g: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { minLength: D, maxLength: D }),
    S_norm: magnitude, S_ip: magnitude, S_orth: magnitude,
    S_j: fc.array(magnitude, { minLength: D, maxLength: D }),
  })
  .map((r) => {
    const meanGrad = Float64Array.from(r.g);
    const G = r.g.reduce((a, v) => a + v * v, 0);
    return synth({ b: 2, meanGrad, gradNormSq: G, S_norm: r.S_norm, S_ip: r.S_ip, S_orth: r.S_orth, S_j: Float64Array.from(r.S_j), B_simple: G > 0 ? r.S_norm / G : Infinity });
  });
const testArb: fc.Arbitrary<BatchSizeTest> = fc.oneof(
  fc.double({ min: 0.01, max: 5, noNaN: true }).map((e) => normTest(e)),
  fc.double({ min: 0.01, max: 5, noNaN: true }).map((t) => ipTest(t)),
  fc.double({ min: 0.01, max: 10, noNaN: true }).map((n) => orthTest(n)),
  fc.tuple(fc.double({ min: 0.01, max: 5, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true })).map(([t, n]) => augIpTest(t, n)),
  fc.double({ min: 0.01, max: 5, noNaN: true }).map((e) => coordNormTest(e)),
);
const sizesArb = fc
  .record({ b0: fc.integer({ min: 2, max: 64 }), extra: fc.integer({ min: 0, max: 5000 }), workers: fc.integer({ min: 1, max: 8 }), interval: fc.integer({ min: 1, max: 3 }) })
  // b_max need not be a multiple of workers, but [b0, b_max] must hold one (else the controller is rejected, tested above)
  .map(({ b0, extra, workers, interval }) => ({ b0, bMax: Math.ceil(b0 / workers) * workers + extra, workers, interval }));

function checkSizes(bs: readonly number[], o: { b0: number; bMax: number; workers: number }): void {
  bs.forEach((b, k) => {
    if (!(Number.isInteger(b) && b >= 2)) throw new Error(`b_${k} = ${b} is not an integer ≥ 2`);
    if (b > o.bMax) throw new Error(`b_${k} = ${b} exceeds b_max = ${o.bMax}`);
    if (b % o.workers !== 0) throw new Error(`b_${k} = ${b} is not a multiple of ${o.workers} workers`);
    if (k > 0 && b < bs[k - 1]!) throw new Error(`b decreased at step ${k}: ${bs[k - 1]} → ${b}`);
  });
  if (bs[0]! < Math.min(o.b0, o.bMax)) throw new Error(`b_0 = ${bs[0]} is below b0 = ${o.b0}`);
}

describe('properties over generated statistics sequences', () => {
  it('testDriven: never decreases, never passes b_max, ≥ b0 ≥ 2, multiples of workers', () => {
    fc.assert(
      fc.property(testArb, sizesArb, fc.array(statsArb, { minLength: 1, maxLength: 30 }), (test, o, seq) => {
        checkSizes(drive(testDriven(test, o), seq.map((stats) => ({ stats }))).bs, o);
      }),
      fcParams(300),
    );
  });

  it('oracle: never decreases, never passes b_max, ≥ b0 ≥ 2, multiples of workers', () => {
    const pointArb = fc.tuple(
      fc.oneof(fc.constant(0), fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true })),
      magnitude, magnitude,
    ).map(([g, s2, along]) => pt(g, s2, along));
    fc.assert(
      fc.property(testArb, sizesArb, pointArb, fc.array(pointArb, { minLength: 1, maxLength: 30 }), (test, o, x0, xs) => {
        checkSizes(drive(oracle(test, o), xs.map((x) => ({ x })), { x0 }).bs, o);
      }),
      fcParams(300),
    );
  });
});
