/**
 * The batch-size controllers of SPEC §3 and §5, one row each: the practical and
 * exact (oracle) form of every test in tests.ts, then the schedules and
 * baselines. A row names the builder of src/batching it calls, the defaults of
 * the hyperparameters it reads, whether its batch sizes never decrease, and the
 * field that caps them; the contract suite (test/registry) checks each row
 * against those declarations. Adding a controller is one builder and one row.
 */
import {
  adaDamp, cabs, constant, geometric, gns, linearRamp, oracle, sebs, smith, stagewiseSgd, testDriven,
  type Controller,
} from '../batching/controllers.js';
import { TESTS, type AnyTestDescriptor } from './tests.js';
import type { AnyDescriptor, BuildContext, CrossCheck, Descriptor, ParamUse, ParamUses, Values } from './types.js';

/** A controller descriptor. */
export type ControllerDescriptor<P extends ParamUses = ParamUses> = Descriptor<P, Controller<any>> & {
  /** Declared: b_{k+1} ≥ b_k at every step (the contract suite holds the row to it). */
  readonly monotone: boolean;
  /** The field whose value no batch size exceeds (b_max, or b₀ of a constant batch). */
  readonly cap: keyof P & string;
};

/** A row with its parameter types erased. */
export type AnyControllerDescriptor = AnyDescriptor<Controller<any>> & { readonly monotone: boolean; readonly cap: string };

/** Type the row's builder by its params (an identity). */
export function controller<P extends ParamUses>(d: ControllerDescriptor<P>): AnyControllerDescriptor {
  return d as unknown as AnyControllerDescriptor;
}

/** b_max defaults to n of a finite sum, else 65536. */
export function defaultBMax(ctx: BuildContext): number {
  return ctx.problem.n ?? 65536;
}

const BMAX: ParamUse = { default: defaultBMax, defaultDoc: 'n (65536 for a population)' };
const B0_TESTED: ParamUse = { default: 2, bounds: { integer: true, min: 2 } };

/** b_max ≥ b₀. */
function capAtLeastB0<P extends { b0: ParamUse; bMax: ParamUse }>(): CrossCheck<P> {
  return {
    field: 'bMax',
    check: (v: Values<P>) => ((v.bMax as number) < (v.b0 as number) ? `must be ≥ b0 (${String(v.b0)}), got ${String(v.bMax)}` : undefined),
  };
}

const SIZES = { b0: B0_TESTED, bMax: BMAX, interval: { default: 1 }, workers: { default: 1 } } as const;

function practical(t: AnyTestDescriptor): AnyControllerDescriptor {
  const params = { ...t.params, ...SIZES };
  return controller({
    name: t.name,
    summary: `practical ${t.summary} on the batch just used (lagged)`,
    formula: `b ← min(b_max, ⌈max(b, T)⌉) every τ steps, ${t.formula}`,
    reference: t.reference,
    params,
    checks: [capAtLeastB0<typeof params>()],
    monotone: true,
    cap: 'bMax',
    build: (v, ctx) => testDriven(t.build(v, ctx), { b0: v.b0, bMax: v.bMax, interval: v.interval, workers: v.workers }),
  });
}

function exact(t: AnyTestDescriptor): AnyControllerDescriptor {
  const params = { ...t.params, ...SIZES };
  return controller({
    name: `oracle-${t.name}`,
    summary: `exact ${t.summary} at x_k from σ²(x_k), ∇F(x_k), chosen before B_k is drawn`,
    formula: `b_k ← min(b_max, ⌈max(b_{k−1}, T(x_k))⌉), ${t.formula}`,
    reference: `${t.reference}; the regime of the theorems`,
    params,
    checks: [capAtLeastB0<typeof params>()],
    monotone: true,
    cap: 'bMax',
    build: (v, ctx) => oracle(t.build(v, ctx), { b0: v.b0, bMax: v.bMax, interval: v.interval, workers: v.workers }),
  });
}

const SEBS_PARAMS = { b0: { default: 32 }, rho: { default: 2 }, stages: { default: 5 }, perStage: { default: 100 }, bMax: BMAX } as const;
const RAMP_PARAMS = { b0: { default: 512 }, rho: { default: 2 }, stages: { default: 8 }, perStage: { default: 60000 }, bMax: BMAX } as const;
const STAGEWISE_PARAMS = { b0: { default: 32 }, rho: { default: 2 }, stages: { default: 5 }, perStage: { default: 100, bounds: { integer: true, min: 1 } } } as const;
const LINEAR_PARAMS = { b0: B0_TESTED, delta: { default: 1 }, every: { default: 1 }, bMax: BMAX } as const;
const GEOMETRIC_PARAMS = { b0: { default: 2 }, rho: { default: 1.01 }, bMax: BMAX } as const;
const SMITH_PARAMS = { b0: B0_TESTED, factor: { default: 5 }, milestones: { default: [100, 200, 300] }, bMax: BMAX } as const;
const CABS_PARAMS = { lr: { default: 0.1 }, b0: B0_TESTED, bMin: { default: 2 }, bMax: BMAX } as const;
const GNS_PARAMS = { b0: B0_TESTED, bMin: { default: 2 }, bMax: BMAX, beta: { default: 0.9 }, scale: { default: 1 } } as const;
const ADADAMP_PARAMS = { b0: B0_TESTED, bMax: BMAX } as const;

/** The controllers, in the order of the README table. */
export const CONTROLLERS: readonly AnyControllerDescriptor[] = [
  controller({
    name: 'constant',
    summary: 'constant batch size',
    formula: 'b_k = b₀',
    reference: 'SPEC §5',
    params: { b0: { default: 32 } },
    monotone: true,
    cap: 'b0',
    build: (v) => constant(v.b0),
  }),
  ...TESTS.flatMap((t) => (t.oracle ? [practical(t), exact(t)] : [practical(t)])),
  controller({
    name: 'sebs',
    summary: 'SEBS: stagewise enlargement, constant lr, equal iterations per stage',
    formula: 'b_s = min(b_max, ρ^{s−1} b₀) for T₁ steps per stage',
    reference: 'Zhao, Xie, Li 2020; SPEC §5',
    params: SEBS_PARAMS,
    checks: [capAtLeastB0<typeof SEBS_PARAMS>()],
    monotone: true,
    cap: 'bMax',
    build: (v) => sebs({ b1: v.b0, rho: v.rho, stages: v.stages, rule: 'iterations', perStage: v.perStage, bMax: v.bMax }),
  }),
  controller({
    name: 'sebs-samples',
    summary: 'SEBS with equal samples per stage (stagewise ramp-up)',
    formula: 'b_s = min(b_max, ρ^{s−1} b₀) for T₁ samples per stage',
    reference: 'Zhao, Xie, Li 2020; the official AdAdaGrad MNIST ramp-up; SPEC §5',
    params: RAMP_PARAMS,
    checks: [capAtLeastB0<typeof RAMP_PARAMS>()],
    monotone: true,
    cap: 'bMax',
    build: (v) => sebs({ b1: v.b0, rho: v.rho, stages: v.stages, rule: 'samples', perStage: v.perStage, bMax: v.bMax }),
  }),
  controller({
    name: 'stagewise-sgd',
    summary: 'matched baseline of SEBS: constant batch, decaying lr',
    formula: 'b = b₀, lr α/ρ^{s−1}; stage s lasts ρ^{s−1} T₁ steps',
    reference: 'Zhao, Xie, Li 2020; SPEC §5',
    params: STAGEWISE_PARAMS,
    monotone: true,
    cap: 'b0',
    build: (v) => stagewiseSgd({ b1: v.b0, rho: v.rho, stages: v.stages, firstStageSteps: v.perStage }),
  }),
  controller({
    name: 'linear',
    summary: 'linear ramp',
    formula: 'b = min(b_max, b₀ + Δ ⌊k/every⌋)',
    reference: 'SPEC §5',
    params: LINEAR_PARAMS,
    checks: [capAtLeastB0<typeof LINEAR_PARAMS>()],
    monotone: true,
    cap: 'bMax',
    build: (v) => linearRamp({ b0: v.b0, delta: v.delta, every: v.every, bMax: v.bMax }),
  }),
  controller({
    name: 'geometric',
    summary: 'geometric growth',
    formula: 'b ← min(b_max, ⌈ρ b⌉)',
    reference: 'Friedlander, Schmidt 2012; SPEC §5',
    params: GEOMETRIC_PARAMS,
    checks: [capAtLeastB0<typeof GEOMETRIC_PARAMS>()],
    monotone: true,
    cap: 'bMax',
    build: (v) => geometric({ b0: v.b0, rho: v.rho, bMax: v.bMax }),
  }),
  controller({
    name: 'smith',
    summary: 'increase the batch instead of decaying the lr; then decay the lr',
    formula: 'at each milestone b ← f b while f b ≤ b_max, else lr ← lr/f',
    reference: 'Smith, Kindermans, Ying, Le 2018 (arXiv:1711.00489); SPEC §5',
    params: SMITH_PARAMS,
    checks: [capAtLeastB0<typeof SMITH_PARAMS>()],
    monotone: true,
    cap: 'bMax',
    build: (v) => smith({ b0: v.b0, factor: v.factor, milestones: v.milestones, bMax: v.bMax }),
  }),
  controller({
    name: 'cabs',
    summary: 'CABS: batch from the variance-to-loss ratio',
    formula: 'b = ⌈α tr(Σ̂)/F̂⌉ clipped to [b_min, b_max]',
    reference: 'Balles, Romero, Hennig 2017 (arXiv:1612.05086); SPEC §5',
    params: CABS_PARAMS,
    checks: [capAtLeastB0<typeof CABS_PARAMS>()],
    monotone: false,
    cap: 'bMax',
    build: (v) => cabs({ lr: v.lr, b0: v.b0, bMin: v.bMin, bMax: v.bMax }),
  }),
  controller({
    name: 'gns',
    summary: 'gradient noise scale: b ∝ EMA of B_simple',
    formula: 'b = ⌈c · EMA_β(B_simple)⌉ clipped to [b_min, b_max]',
    reference: 'McCandlish, Kaplan, Amodei et al. 2018 (arXiv:1812.06162); SPEC §5',
    params: GNS_PARAMS,
    checks: [capAtLeastB0<typeof GNS_PARAMS>()],
    monotone: false,
    cap: 'bMax',
    build: (v) => gns({ b0: v.b0, bMin: v.bMin, bMax: v.bMax, beta: v.beta, scale: v.scale }),
  }),
  controller({
    name: 'adadamp',
    summary: 'AdaDamp: batch grows as the loss gap shrinks',
    formula: 'b = ⌈b₀ (F(x₀) − F*)/(F(x_k) − F*)⌉ clipped to b_max',
    reference: 'Sievert, Charles 2019 (arXiv:1910.08222); SPEC §5',
    params: ADADAMP_PARAMS,
    checks: [capAtLeastB0<typeof ADADAMP_PARAMS>()],
    monotone: false,
    cap: 'bMax',
    build: (v) => adaDamp({ b0: v.b0, bMax: v.bMax }),
  }),
];
