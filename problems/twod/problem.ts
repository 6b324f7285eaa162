/** Stochastic 2-D test problems with DeepOBS-style noise: the adapter (population form, exact F, ∇F, σ²) and the family entries. */
import { add, mul, reshape, slice, square, stopGradient, sub, sum, type Tensor } from '../../src/index.js';
import { dataTensor } from '../common/glm.js';
import { normal, uniform, type Key } from '../../src/rng/index.js';
import type { ParamBlock, Problem, ProblemConstants } from '../../src/problem/types.js';
import { intField, numField, parseId, type FamilyEntry } from '../common/family.js';
import { instanceKey } from '../common/instance.js';
import { populationProblem, type PopulationProblem } from '../common/population.js';
import { checkParamShapes, ProblemArgumentError } from '../common/validate.js';
import { beale, branin, diskHessianBound, rosenbrock, type TwoDFunction } from './functions.js';

/** A stochastic 2-D problem: a population problem with its shift, noise scale and the disk of its local L. */
export interface TwoDProblem extends PopulationProblem {
  /** The deterministic function F before the instance shift. */
  readonly fn: TwoDFunction;
  /** The instance shift t (F_i(x) = F(x − t)); (0, 0) for instance 0. */
  readonly shift: Float64Array;
  /** Noise standard deviation s (σ² = 2s²). */
  readonly noiseStd: number;
  /** The disk (shifted with the instance) on which the local L holds. */
  readonly disk: { readonly center: Float64Array; readonly radius: number };
  /** The minimisers of F (shifted with the instance). */
  readonly minimizers: readonly Float64Array[];
  regularizer(params: readonly Tensor[]): Tensor;
}

/** Options of one instance. */
export interface TwoDOptions {
  readonly instance: number;
  /** Noise standard deviation s ≥ 0 (default 1, as in DeepOBS). */
  readonly noiseStd?: number;
}

const BLOCKS: readonly ParamBlock[] = [{ name: 'x', shape: [2], offset: 0, size: 2 }];
const lCache = new Map<string, number>();

/** The local smoothness constant of F on its disk (computed once per function, cached). */
function localL(f: TwoDFunction): number {
  let L = lCache.get(f.name);
  if (L === undefined) {
    L = diskHessianBound(f);
    lCache.set(f.name, L);
  }
  return L;
}

/** F(x − t) with the autodiff ops (x a [2] tensor). */
function fTensor(f: TwoDFunction, x: Tensor, t: Float64Array): Tensor {
  const u = sub(slice(x, [0], [1]), t[0]!);
  const v = sub(slice(x, [1], [1]), t[1]!);
  switch (f.name) {
    case 'rosenbrock':
      return sum(add(square(sub(1, u)), mul(100, square(sub(v, square(u))))));
    case 'beale': {
      const uv = mul(u, v);
      const uv2 = mul(uv, v);
      const uv3 = mul(uv2, v);
      const t1 = add(sub(1.5, u), uv);
      const t2 = add(sub(2.25, u), uv2);
      const t3 = add(sub(2.625, u), uv3);
      return sum(add(add(square(t1), square(t2)), square(t3)));
    }
    case 'branin': {
      const b = 5.1 / (4 * Math.PI ** 2);
      const c = 5 / Math.PI;
      const s = 10;
      const tt = 1 / (8 * Math.PI);
      const q = add(sub(v, mul(b, square(u))), sub(mul(c, u), 6));
      // NOTE: the ops have no cos primitive, so s(1 − t)cos(u) enters as its
      // first-order expansion at the current u: the value and the gradient are
      // exact, second derivatives through autodiff are not (they miss −s(1 − t)cos u).
      const u0 = u.toFloat64Array()[0]!;
      const k = s * (1 - tt);
      const cosTerm = add(mul(-k * Math.sin(u0), sub(u, stopGradient(u))), k * Math.cos(u0));
      return sum(add(add(square(q), cosTerm), s));
    }
  }
}

/**
 * A stochastic 2-D problem in population form (DeepOBS; Schneider, Balles,
 * Hennig, "DeepOBS: A Deep Learning Optimizer Benchmark Suite", ICLR 2019):
 *
 *   f(x; ξ) = F(x − t) + ξᵀx,   ξ ~ N(0, s² I₂),   F(x) = E f(x; ξ) = F(x − t),
 *
 * with F Rosenbrock, Beale or Branin, t the instance shift (0 for instance 0,
 * uniform in [−1, 1]² from the instance key otherwise) and s the noise scale
 * (DeepOBS: s = 1). ∇f(x; ξ) = ∇F(x − t) + ξ, so σ²(x) = 2s² and σ_j²(x) = s²
 * everywhere: the noise does not vanish at stationary points.
 *
 * Constants: F_low = F* (proven, see the functions). These functions are not
 * globally L-smooth (the Hessians grow without bound), so L is a local bound:
 * sup ||∇²F||₂ over the function's disk (shifted by t; it contains DeepOBS's
 * start and a minimiser), computed by interval arithmetic on the sub-boxes of a
 * 256² grid that meet the disk (`diskHessianBound`); it also bounds each
 * f(·; ξ), whose Hessian is the same. The disk is the constant's `ball`.
 *
 * Per-sample losses: ξ_iᵀx is `sum(mul(Ξ, x), 1)` (x meets the batch through a
 * linear map) and F(x − t) is the batch-independent `regularizer`.
 */
export function twodProblem(f: TwoDFunction, opts: TwoDOptions): TwoDProblem {
  const instance = opts.instance;
  const s = opts.noiseStd ?? 1;
  if (!Number.isSafeInteger(instance) || instance < 0) {
    throw new ProblemArgumentError(f.name, `instance must be an integer ≥ 0, got ${String(instance)}`);
  }
  if (!(s >= 0 && Number.isFinite(s))) throw new ProblemArgumentError(f.name, `noise std must be finite and ≥ 0, got ${s}`);
  const id = `${f.name}_d2_i${instance}` + (opts.noiseStd !== undefined && s !== 1 ? `_s${s}` : '');
  const shift = instance === 0 ? new Float64Array(2) : uniform(instanceKey(f.name, [2, -1, instance]), 2, -1, 1);
  const center = Float64Array.of(f.disk.center[0] + shift[0]!, f.disk.center[1] + shift[1]!);
  const radius = f.disk.radius;
  const L = localL(f);
  const regionText = `the disk ||x − (${center[0]}, ${center[1]})||₂ ≤ ${radius} (not globally L-smooth)`;
  const constants: ProblemConstants = {
    L: {
      value: L,
      kind: 'local',
      region: regionText,
      ball: { radius, center },
      perSample: L,
    },
    F_low: f.fLow,
    F_star: f.fStar,
    noiseVanishesAtStationary: s === 0,
  };
  const gradAt = (x: Float64Array): [number, number] => f.gradient(x[0]! - shift[0]!, x[1]! - shift[1]!);

  const base = populationProblem({
    id,
    family: f.name,
    tags: ['population', 'twod', 'deepobs', 'nonconvex', 'local-smoothness', s === 0 ? 'interpolation' : 'no-interpolation'],
    dim: 2,
    constants,
    blocks: BLOCKS,
    xiDim: 2,
    drawXi: (k: Key, b: number) => normal(k, 2 * b, 0, s),
    diagonalNoise: true,
    value: (x) => f.value(x[0]! - shift[0]!, x[1]! - shift[1]!),
    gradient: (x) => Float64Array.from(gradAt(x)),
    noise: () => ({ sigma2: 2 * s * s, sigma2PerCoord: Float64Array.of(s * s, s * s) }),
    perSampleGrads(x, xi, b) {
      const [gu, gv] = gradAt(x);
      const out = new Float64Array(2 * b);
      for (let i = 0; i < b; i++) {
        out[2 * i] = gu + xi[2 * i]!;
        out[2 * i + 1] = gv + xi[2 * i + 1]!;
      }
      return out;
    },
    // ξ_iᵀx only: F(x − t) is the batch-independent regularizer.
    perSampleLoss: (params, xi, b) => reshape(sum(mul(dataTensor(xi, [b, 2], params[0]!), params[0]!), 1), [b]),
    // DeepOBS's starting point (shifted with the instance); the key is not used.
    x0: () => Float64Array.of(f.start[0] + shift[0]!, f.start[1] + shift[1]!),
    info: { function: f.name, formula: f.formula, noiseStd: s, shift: Array.from(shift), disk: { center: Array.from(center), radius } },
  });
  return {
    ...base,
    fn: f,
    shift,
    noiseStd: s,
    disk: { center, radius },
    minimizers: f.minimizers.map(([a, b]) => Float64Array.of(a + shift[0]!, b + shift[1]!)),
    regularizer(params: readonly Tensor[]): Tensor {
      checkParamShapes(id, params, BLOCKS);
      return fTensor(f, params[0]!, shift);
    },
  };
}

const FNS = { rosenbrock, beale, branin } as const;

function twodEntry(f: TwoDFunction, blurb: string): FamilyEntry {
  const pattern = new RegExp(`^${f.name}_d2_i\\d+(_s\\d+(\\.\\d+)?)?$`);
  const form = `${f.name}_d2_i<instance>[_s<noise std, default 1>]`;
  return {
    family: f.name,
    idPattern: pattern,
    build(id: string): Problem {
      const p = parseId(id, pattern, form);
      const instance = intField(id, p, 'i', 0, 1_000_000);
      return p.fields.s !== undefined
        ? twodProblem(f, { instance, noiseStd: numField(id, p, 's', 1, 0, 1e6) })
        : twodProblem(f, { instance });
    },
    defaultIds: [`${f.name}_d2_i0`],
    description: `${blurb} with DeepOBS noise: f(x; ξ) = F(x − t) + ξᵀx, ξ ~ N(0, s²I) (s = 1 unless _s is given), so σ² = 2s² at every x; start ${JSON.stringify(f.start)}; local L on the disk of centre ${JSON.stringify(f.disk.center)} and radius ${f.disk.radius}; F* = ${f.fStar}.`,
  };
}

export const rosenbrockFamily = twodEntry(FNS.rosenbrock, `Rosenbrock's function ${rosenbrock.formula}`);
export const bealeFamily = twodEntry(FNS.beale, `Beale's function ${beale.formula}`);
export const braninFamily = twodEntry(FNS.branin, `Branin's function ${branin.formula}`);
export const twodFamilies: readonly FamilyEntry[] = [rosenbrockFamily, bealeFamily, braninFamily];
