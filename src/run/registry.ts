/**
 * Names → optimizers, controllers and named variants, as used by the command line,
 * sweeps and the README's tables. One row per entry; adding an optimizer adds one row.
 */
import {
  adaDamp, cabs, constant, geometric, gns, linearRamp, oracle, sebs, smith, stagewiseSgd, testDriven,
  type Controller,
} from '../batching/controllers.js';
import {
  augIpTest, blockIpTest, blockOrthTest, coordNormTest, ipTest, normTest, orthTest, type BatchSizeTest,
} from '../batching/sizeTests.js';
import { adagrad, adagradNorm, adam, momentum, sgd } from '../optim/alias.js';
import type { GradientTransformation } from '../optim/transform.js';
import type { Problem } from '../problem/types.js';

/** Hyperparameters by their command-line names. Absent fields take the entry's defaults. */
export interface HyperParams {
  lr?: number;
  beta0?: number;
  beta?: number;
  eps?: number;
  b1?: number;
  b2?: number;
  eta?: number;
  theta?: number;
  nu?: number;
  b0?: number;
  bMax?: number;
  bMin?: number;
  interval?: number;
  workers?: number;
  rho?: number;
  stages?: number;
  perStage?: number;
  delta?: number;
  every?: number;
  factor?: number;
  milestones?: number[];
  scale?: number;
  coordFloor?: number;
  quantile?: number;
}

/** A bad name or hyperparameter; `field` names the offending field. */
export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

function num(h: HyperParams, field: keyof HyperParams, dflt: number, rule: 'positive' | 'unit' | 'int2' | 'int1' | 'gt1' | 'nonneg'): number {
  const v = (h[field] ?? dflt) as number;
  const bad = (what: string): never => {
    throw new ConfigError(field, `must be ${what}, got ${String(v)}`);
  };
  if (typeof v !== 'number' || Number.isNaN(v)) bad('a number');
  switch (rule) {
    case 'positive':
      if (!(v > 0 && Number.isFinite(v))) bad('a positive finite number');
      break;
    case 'nonneg':
      if (!(v >= 0 && Number.isFinite(v))) bad('a finite number ≥ 0');
      break;
    case 'unit':
      if (!(v >= 0 && v < 1)) bad('in [0, 1)');
      break;
    case 'int2':
      if (!(Number.isInteger(v) && v >= 2)) bad('an integer ≥ 2');
      break;
    case 'int1':
      if (!(Number.isInteger(v) && v >= 1)) bad('an integer ≥ 1');
      break;
    case 'gt1':
      if (!(v > 1 && Number.isFinite(v))) bad('a finite number > 1');
      break;
  }
  return v;
}

export interface OptimizerEntry {
  readonly name: string;
  readonly summary: string;
  readonly params: readonly (keyof HyperParams)[];
  build(h: HyperParams): GradientTransformation<any>;
}

/** The optimizers of docs/MATH.md §4. */
export const OPTIMIZERS: readonly OptimizerEntry[] = [
  { name: 'sgd', summary: 'x ← x − α g', params: ['lr'], build: (h) => sgd(num(h, 'lr', 0.1, 'positive')) },
  {
    name: 'momentum', summary: 'heavy ball: m ← βm + g; x ← x − α m', params: ['lr', 'beta'],
    build: (h) => momentum(num(h, 'lr', 0.05, 'positive'), num(h, 'beta', 0.9, 'unit')),
  },
  {
    name: 'adagrad-norm', summary: 'v ← v + ||g||², v₋₁ = β₀²; x ← x − α g/√v', params: ['lr', 'beta0'],
    build: (h) => adagradNorm(num(h, 'lr', 1, 'positive'), num(h, 'beta0', 1, 'positive')),
  },
  {
    name: 'adagrad', summary: 'v_j ← v_j + g_j²; x_j ← x_j − α g_j/(√v_j + ε)', params: ['lr', 'eps'],
    build: (h) => adagrad(num(h, 'lr', 0.1, 'positive'), num(h, 'eps', 1e-10, 'nonneg')),
  },
  {
    name: 'adam', summary: 'Adam with bias correction', params: ['lr', 'b1', 'b2', 'eps'],
    build: (h) => adam(num(h, 'lr', 1e-3, 'positive'), num(h, 'b1', 0.9, 'unit'), num(h, 'b2', 0.999, 'unit'), num(h, 'eps', 1e-8, 'nonneg')),
  },
];

export interface ControllerEntry {
  readonly name: string;
  readonly summary: string;
  readonly params: readonly (keyof HyperParams)[];
  build(h: HyperParams, problem: Problem): Controller<any>;
}

function defaultBMax(problem: Problem): number {
  return problem.n ?? 65536;
}

function sizes(h: HyperParams, problem: Problem): { b0: number; bMax: number; interval: number; workers: number } {
  const b0 = num(h, 'b0', 2, 'int2');
  const bMax = num(h, 'bMax', defaultBMax(problem), 'int2');
  if (bMax < b0) throw new ConfigError('bMax', `must be ≥ b0 (${b0}), got ${bMax}`);
  return { b0, bMax, interval: num(h, 'interval', 1, 'int1'), workers: num(h, 'workers', 1, 'int1') };
}

function testFor(kind: string, h: HyperParams): BatchSizeTest {
  switch (kind) {
    case 'norm':
      return normTest(num(h, 'eta', 0.1, 'positive'));
    case 'ip':
      return ipTest(num(h, 'theta', 0.9, 'positive'));
    case 'orth':
      return orthTest(num(h, 'nu', 5.84, 'positive'));
    case 'aug-ip':
      return augIpTest(num(h, 'theta', 0.9, 'positive'), num(h, 'nu', 5.84, 'positive'));
    case 'coord-norm': {
      const q = num(h, 'quantile', 1, 'positive');
      if (q > 1) throw new ConfigError('quantile', `must be in (0, 1], got ${q}`);
      return coordNormTest(num(h, 'eta', 0.1, 'positive'), { coordFloor: num(h, 'coordFloor', 1e-12, 'nonneg'), quantile: q });
    }
    case 'block-ip':
      return blockIpTest(num(h, 'theta', 0.9, 'positive'));
    case 'block-orth':
      return blockOrthTest(num(h, 'nu', 5.84, 'positive'));
    default:
      throw new ConfigError('controller', `unknown test '${kind}'`);
  }
}

const TEST_PARAMS: Record<string, (keyof HyperParams)[]> = {
  norm: ['eta'], ip: ['theta'], orth: ['nu'], 'aug-ip': ['theta', 'nu'], 'coord-norm': ['eta', 'coordFloor', 'quantile'],
  'block-ip': ['theta'], 'block-orth': ['nu'],
};
const SIZE_PARAMS: (keyof HyperParams)[] = ['b0', 'bMax', 'interval', 'workers'];

function testEntries(): ControllerEntry[] {
  const out: ControllerEntry[] = [];
  for (const kind of Object.keys(TEST_PARAMS)) {
    out.push({
      name: kind,
      summary: `practical ${kind} test on the batch just used (lagged): b ← min(b_max, ⌈max(b, T)⌉)`,
      params: [...TEST_PARAMS[kind]!, ...SIZE_PARAMS],
      build: (h, p) => testDriven(testFor(kind, h), sizes(h, p)),
    });
    if (!kind.startsWith('block')) {
      out.push({
        name: `oracle-${kind}`,
        summary: `exact ${kind} test at x_k from σ²(x_k), ∇F(x_k), chosen before B_k is drawn`,
        params: [...TEST_PARAMS[kind]!, ...SIZE_PARAMS],
        build: (h, p) => oracle(testFor(kind, h), sizes(h, p)),
      });
    }
  }
  return out;
}

/** The controllers of docs/MATH.md §3 and §5. */
export const CONTROLLERS: readonly ControllerEntry[] = [
  { name: 'constant', summary: 'constant batch b₀', params: ['b0'], build: (h) => constant(num(h, 'b0', 32, 'int1')) },
  ...testEntries(),
  {
    name: 'sebs', summary: 'SEBS: b_s = ρ^{s−1} b₀, constant lr, equal iterations per stage', params: ['b0', 'rho', 'stages', 'perStage', 'bMax'],
    build: (h, p) => sebs({ b1: num(h, 'b0', 32, 'int1'), rho: num(h, 'rho', 2, 'gt1'), stages: num(h, 'stages', 5, 'int1'), rule: 'iterations', perStage: num(h, 'perStage', 100, 'positive'), bMax: h.bMax ?? defaultBMax(p) }),
  },
  {
    name: 'sebs-samples', summary: 'SEBS with equal samples per stage (stagewise ramp-up)', params: ['b0', 'rho', 'stages', 'perStage', 'bMax'],
    build: (h, p) => sebs({ b1: num(h, 'b0', 512, 'int1'), rho: num(h, 'rho', 2, 'gt1'), stages: num(h, 'stages', 7, 'int1'), rule: 'samples', perStage: num(h, 'perStage', 60000, 'positive'), bMax: h.bMax ?? defaultBMax(p) }),
  },
  {
    name: 'stagewise-sgd', summary: 'matched baseline of SEBS: batch b₀, lr α/ρ^{s−1}, stage s lasts ρ^{s−1} T₁ steps', params: ['b0', 'rho', 'stages', 'perStage'],
    build: (h) => stagewiseSgd({ b1: num(h, 'b0', 32, 'int1'), rho: num(h, 'rho', 2, 'gt1'), stages: num(h, 'stages', 5, 'int1'), firstStageSteps: num(h, 'perStage', 100, 'int1') }),
  },
  {
    name: 'linear', summary: 'b = min(b_max, b₀ + Δ ⌊k/every⌋)', params: ['b0', 'delta', 'every', 'bMax'],
    build: (h, p) => {
      const s = sizes(h, p);
      return linearRamp({ b0: s.b0, delta: num(h, 'delta', 1, 'int1'), every: num(h, 'every', 1, 'positive'), bMax: s.bMax });
    },
  },
  {
    name: 'geometric', summary: 'b ← min(b_max, ⌈ρ b⌉)', params: ['b0', 'rho', 'bMax'],
    build: (h, p) => geometric({ b0: num(h, 'b0', 2, 'int1'), rho: num(h, 'rho', 1.01, 'gt1'), bMax: h.bMax ?? defaultBMax(p) }),
  },
  {
    name: 'smith', summary: 'multiply b by f at milestones instead of dividing the lr; then decay lr', params: ['b0', 'factor', 'milestones', 'bMax'],
    build: (h, p) => {
      const s = sizes(h, p);
      return smith({ b0: s.b0, factor: num(h, 'factor', 5, 'gt1'), milestones: h.milestones ?? [100, 200, 300], bMax: s.bMax });
    },
  },
  {
    name: 'cabs', summary: 'b = ⌈α tr(Σ̂)/F̂⌉ clipped to [b_min, b_max]', params: ['lr', 'b0', 'bMin', 'bMax'],
    build: (h, p) => {
      const s = sizes(h, p);
      return cabs({ lr: num(h, 'lr', 0.1, 'positive'), b0: s.b0, bMin: num(h, 'bMin', 2, 'int2'), bMax: s.bMax });
    },
  },
  {
    name: 'gns', summary: 'b ∝ EMA of B_simple', params: ['b0', 'bMin', 'bMax', 'beta', 'scale'],
    build: (h, p) => {
      const s = sizes(h, p);
      return gns({ b0: s.b0, bMin: num(h, 'bMin', 2, 'int2'), bMax: s.bMax, beta: num(h, 'beta', 0.9, 'unit'), scale: num(h, 'scale', 1, 'positive') });
    },
  },
  {
    name: 'adadamp', summary: 'b = ⌈b₀ (F(x₀) − F*)/(F(x_k) − F*)⌉', params: ['b0', 'bMax'],
    build: (h, p) => {
      const s = sizes(h, p);
      return adaDamp({ b0: s.b0, bMax: s.bMax });
    },
  },
];

export interface VariantEntry {
  readonly name: string;
  readonly optimizer: string;
  readonly controller: string;
  readonly summary: string;
}

/** Named pairings (docs/MATH.md §4). */
export const VARIANTS: readonly VariantEntry[] = [
  { name: 'adadagrad-norm', optimizer: 'adagrad-norm', controller: 'norm', summary: 'AdAdaGrad-Norm: AdaGrad-Norm + norm test' },
  { name: 'adadagrad', optimizer: 'adagrad', controller: 'coord-norm', summary: 'AdAdaGrad: diagonal AdaGrad + coordinate-wise norm test' },
  { name: 'adadagrad-global', optimizer: 'adagrad', controller: 'norm', summary: 'AdAdaGrad with the global norm test (as in the official experiments)' },
];

function lookup<T extends { name: string }>(table: readonly T[], name: string, field: string): T {
  const e = table.find((t) => t.name === name);
  if (e === undefined) {
    throw new ConfigError(field, `unknown name '${name}'; known: ${table.map((t) => t.name).join(', ')}`);
  }
  return e;
}

/** Build an optimizer by name; errors name the field. */
export function makeOptimizer(name: string, h: HyperParams = {}): GradientTransformation<any> {
  return lookup(OPTIMIZERS, name, 'optimizer').build(h);
}

/** Build a controller by name for a problem; errors name the field. */
export function makeController(name: string, h: HyperParams, problem: Problem): Controller<any> {
  return lookup(CONTROLLERS, name, 'controller').build(h, problem);
}

/** Resolve a variant name to its optimizer and controller names. */
export function resolveVariant(name: string): VariantEntry {
  return lookup(VARIANTS, name, 'variant');
}
