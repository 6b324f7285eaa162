/**
 * Batch-size schedules fixed in advance (they need nothing from the data): SEBS,
 * stagewise SGD, linear and geometric ramps, and Smith et al.'s milestones.
 */
import { posInt, posNum, type Controller } from './types.js';

export interface SebsOptions {
  readonly b1: number;
  /** Growth factor ρ > 1. */
  readonly rho: number;
  /** Number of stages S. */
  readonly stages: number;
  /** 'iterations': M steps per stage (SEBS paper); 'samples': N samples per stage (stagewise ramp-up). */
  readonly rule: 'iterations' | 'samples';
  /** M (steps) or N (samples) per stage. */
  readonly perStage: number;
  readonly bMax?: number;
}

/** The stage index of a schedule state. */
export interface StageState {
  readonly stage: number;
}

/**
 * SEBS — stagewise enlargement of batch size (Zhao, Xie, Li 2020): stage s uses
 * b_s = ρ^{s−1} b₁ with a constant learning rate, for M steps per stage or for N
 * samples per stage; after the last stage the size stays.
 */
export function sebs(o: SebsOptions): Controller<StageState> {
  posInt('sebs', 'b1', o.b1);
  if (!(o.rho > 1)) throw new Error(`sebs: rho must be > 1, got ${o.rho}`);
  posInt('sebs', 'stages', o.stages);
  posNum('sebs', 'perStage', o.perStage);
  if (o.rule !== 'iterations' && o.rule !== 'samples') throw new Error(`sebs: rule must be 'iterations' or 'samples', got ${String(o.rule)}`);
  const bMax = o.bMax ?? Infinity;
  const size = (s: number): number => Math.min(bMax, Math.round(o.b1 * Math.pow(o.rho, s)));
  return {
    name: `sebs-${o.rule}`,
    needs: 'none',
    init: () => ({ b: size(0), state: { stage: 0 } }),
    next(_s, _st, ctx) {
      const progress = o.rule === 'iterations' ? ctx.step + 1 : ctx.samples;
      const stage = Math.min(o.stages - 1, Math.floor(progress / o.perStage));
      return { b: Math.max(ctx.b, size(stage)), state: { stage } };
    },
  };
}

export interface StagewiseSgdOptions {
  readonly b1: number;
  readonly rho: number;
  readonly stages: number;
  /** T₁: iterations of the first stage; stage s lasts ρ^{s−1} T₁. */
  readonly firstStageSteps: number;
}

/**
 * Stagewise SGD, the matched baseline of SEBS: constant batch b₁, learning rate
 * α/ρ^{s−1} in stage s, which lasts T_s = ρ^{s−1} T₁ iterations — the same
 * samples per stage as SEBS with M = T₁, with ρ^{s−1} times the updates.
 */
export function stagewiseSgd(o: StagewiseSgdOptions): Controller<StageState> {
  posInt('stagewiseSgd', 'b1', o.b1);
  if (!(o.rho > 1)) throw new Error(`stagewiseSgd: rho must be > 1, got ${o.rho}`);
  posInt('stagewiseSgd', 'stages', o.stages);
  posInt('stagewiseSgd', 'firstStageSteps', o.firstStageSteps);
  const ends: number[] = [];
  let acc = 0;
  for (let s = 0; s < o.stages; s++) {
    acc += Math.round(o.firstStageSteps * Math.pow(o.rho, s));
    ends.push(acc);
  }
  return {
    name: 'stagewise-sgd',
    needs: 'none',
    init: () => ({ b: o.b1, state: { stage: 0 } }),
    next(_s, _st, ctx) {
      const done = ctx.step + 1;
      let stage = ends.findIndex((e) => done < e);
      if (stage < 0) stage = o.stages - 1;
      return { b: o.b1, lrScale: Math.pow(o.rho, -stage), state: { stage } };
    },
  };
}

/** Linear ramp: b = min(b_max, b₀ + Δ·⌊progress/every⌋), progress in steps or samples. */
export function linearRamp(o: { b0: number; delta: number; bMax: number; every?: number; unit?: 'steps' | 'samples' }): Controller<null> {
  posInt('linear', 'b0', o.b0);
  posInt('linear', 'delta', o.delta);
  posInt('linear', 'bMax', o.bMax);
  if (o.bMax < o.b0) throw new Error(`linear: bMax (${o.bMax}) must be ≥ b0 (${o.b0})`);
  const every = o.every ?? 1;
  posNum('linear', 'every', every);
  return {
    name: 'linear',
    needs: 'none',
    init: () => ({ b: o.b0, state: null }),
    next(_s, _st, ctx) {
      const progress = (o.unit ?? 'steps') === 'steps' ? ctx.step + 1 : ctx.samples;
      return { b: Math.max(ctx.b, Math.min(o.bMax, o.b0 + o.delta * Math.floor(progress / every))), state: null };
    },
  };
}

/** Geometric growth: b_{k+1} = min(b_max, ⌈ρ b_k⌉) (b_max defaults to n for finite sums). */
export function geometric(o: { b0: number; rho: number; bMax?: number }): Controller<null> {
  posInt('geometric', 'b0', o.b0);
  if (!(o.rho > 1)) throw new Error(`geometric: rho must be > 1, got ${o.rho}`);
  return {
    name: 'geometric',
    needs: 'none',
    init: () => ({ b: o.b0, state: null }),
    next(_s, _st, ctx) {
      const bMax = o.bMax ?? ctx.n ?? Infinity;
      return { b: Math.min(bMax, Math.ceil(o.rho * ctx.b)), state: null };
    },
  };
}

/** Smith et al.'s state: the learning-rate multiplier once b can grow no more. */
export interface SmithState {
  readonly lrScale: number;
}

/**
 * "Don't decay the learning rate, increase the batch size" (Smith, Kindermans,
 * Ying, Le 2018): at each milestone (in steps) multiply b by f instead of dividing
 * the learning rate by f, until b·f would exceed b_max; then divide the learning rate.
 */
export function smith(o: { b0: number; factor: number; milestones: readonly number[]; bMax: number }): Controller<SmithState> {
  posInt('smith', 'b0', o.b0);
  if (!(o.factor > 1)) throw new Error(`smith: factor must be > 1, got ${o.factor}`);
  posInt('smith', 'bMax', o.bMax);
  const ms = [...o.milestones].sort((a, b) => a - b);
  return {
    name: 'smith',
    needs: 'none',
    init: () => ({ b: o.b0, state: { lrScale: 1 } }),
    next(_s, st, ctx) {
      const keep = { b: ctx.b, lrScale: st.lrScale, state: st };
      if (!ms.includes(ctx.step + 1)) return keep;
      const nb = Math.round(ctx.b * o.factor);
      if (nb <= o.bMax) return { ...keep, b: nb };
      const lrScale = st.lrScale / o.factor;
      return { b: ctx.b, lrScale, state: { lrScale } };
    },
  };
}
