/**
 * The contracts every registered controller and optimizer must keep, as functions
 * that return the violations they find (empty: the contract holds), so that the
 * registry-driven suite and the negative controls share one implementation.
 *
 * Controller contract, on real runs (src/run/run.ts) over two problems and two seeds:
 * every batch size is an integer ≥ 1 and ≤ the row's cap (b_max, or b₀ of a constant
 * batch); non-decreasing when the row declares `monotone`; `init` and `next` leave
 * their inputs (state, x) as they found them; the same configuration and seed give
 * the same sizes, whether the controller is built afresh or reused.
 *
 * Optimizer contract, on a seeded stream of gradients (magnitudes 1e-3 to 1e3, one
 * exactly zero coordinate, one all-zero gradient): `update` returns a Float64Array of
 * the parameters' length, finite on finite input; `init` and `update` leave their
 * inputs (x, gradient, state) as they found them; a fresh and a reused optimizer give
 * the same updates.
 */
import type { Controller } from '../../src/batching/controllers.js';
import type { GradientTransformation, StepContext } from '../../src/optim/transform.js';
import type { Problem } from '../../src/problem/types.js';
import { foldIn, key, normal, uniform } from '../../src/rng/index.js';
import { run } from '../../src/run/run.js';
import { sgd } from '../../src/optim/alias.js';

/** Exact JSON text of a value, typed arrays as arrays (for before/after comparisons). */
export function snapshot(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}

// ---------------------------------------------------------------- controllers

/** How the suite builds one controller row: a fresh controller and its cap for a problem. */
export interface ControllerUnderTest {
  readonly name: string;
  readonly monotone: boolean;
  make(problem: Problem): { controller: Controller<any>; cap: number };
}

/** Wrap a controller so that every call checks its inputs are left untouched; violations are pushed to `out`. */
export function purityProbe(c: Controller<any>, out: string[]): Controller<any> {
  const inner = c as unknown as { init: (...a: unknown[]) => unknown; next: (...a: unknown[]) => unknown };
  return {
    ...c,
    init: (ctx: { x?: Float64Array }) => {
      const x0 = snapshot(ctx.x);
      const r = inner.init(ctx);
      if (snapshot(ctx.x) !== x0) out.push('init changed ctx.x');
      return r;
    },
    next: (...args: unknown[]) => {
      const [stats, state, ctx] = args as [unknown, unknown, { step: number; x: Float64Array }];
      const s0 = snapshot(state);
      const st0 = snapshot(stats);
      const x0 = snapshot(ctx.x);
      const r = inner.next(...args);
      if (snapshot(state) !== s0) out.push(`next mutated its input state at step ${ctx.step}`);
      if (snapshot(stats) !== st0) out.push(`next mutated the statistics at step ${ctx.step}`);
      if (snapshot(ctx.x) !== x0) out.push(`next mutated x at step ${ctx.step}`);
      return r;
    },
  } as unknown as Controller<any>;
}

/** The batch sizes of a run: b_0 … b_{K−1} and the final b_K. */
function sizesOf(c: Controller<any>, problem: Problem, seed: number, steps: number): number[] {
  const res = run({ problem, optimizer: sgd(0.01), controller: c, budget: { steps }, key: key(seed), evalEvery: steps });
  if (res.summary.status === 'error') throw new Error(`${c.name} on ${problem.id}: ${res.summary.message}`);
  return [...res.trace.rows().map((r) => r.b), res.summary.finalB];
}

/** The controller contract on one problem; returns the violations found. */
export function controllerViolations(row: ControllerUnderTest, problem: Problem, opts: { seeds?: readonly number[]; steps?: number } = {}): string[] {
  const out: string[] = [];
  const steps = opts.steps ?? 40;
  for (const seed of opts.seeds ?? [0, 1]) {
    const { controller, cap } = row.make(problem);
    const probed = purityProbe(controller, out);
    const bs = sizesOf(probed, problem, seed, steps);
    const where = `${row.name} on ${problem.id}, seed ${seed}`;
    bs.forEach((b, k) => {
      if (!(Number.isInteger(b) && b >= 1)) out.push(`${where}: b_${k} = ${b} is not an integer ≥ 1`);
      if (b > cap) out.push(`${where}: b_${k} = ${b} exceeds the cap ${cap}`);
      if (row.monotone && k > 0 && b < bs[k - 1]!) out.push(`${where}: b_${k} = ${b} < b_${k - 1} = ${bs[k - 1]} (declared non-decreasing)`);
    });
    const fresh = sizesOf(row.make(problem).controller, problem, seed, steps);
    if (snapshot(fresh) !== snapshot(bs)) out.push(`${where}: a fresh controller gives other sizes (${snapshot(fresh)} vs ${snapshot(bs)})`);
    const reused = sizesOf(controller, problem, seed, steps);
    if (snapshot(reused) !== snapshot(bs)) out.push(`${where}: running the same controller again gives other sizes`);
  }
  return out;
}

// ---------------------------------------------------------------- optimizers

/** The seeded gradient stream of the optimizer contract: magnitudes 1e-3…1e3, a zero coordinate, an all-zero step. */
export function gradientStream(d: number, steps: number, seed = 7): Float64Array[] {
  const k = key(seed);
  return Array.from({ length: steps }, (_, t) => {
    if (t === 3) return new Float64Array(d);
    const g = normal(foldIn(k, t), d);
    const scale = Math.pow(10, 6 * uniform(foldIn(k, 1000 + t), 1)[0]! - 3);
    for (let j = 0; j < d; j++) g[j] = j === 0 ? 0 : g[j]! * scale;
    return g;
  });
}

function ctxOf(t: number): StepContext {
  return { step: t, batchSize: 4, samples: 4 * t, loss: 1, lrScale: 1 };
}

/** Run an optimizer over the stream; violations of purity, shape and finiteness are pushed to `out`. */
function updatesOf(opt: GradientTransformation<any>, x0: Float64Array, grads: readonly Float64Array[], out: string[], name: string): string {
  const xs = snapshot(x0);
  let state = opt.init(x0);
  if (snapshot(x0) !== xs) out.push(`${name}: init changed x`);
  let x = Float64Array.from(x0);
  const us: Float64Array[] = [];
  grads.forEach((g, t) => {
    const before = { s: snapshot(state), g: snapshot(g), x: snapshot(x) };
    const [u, next] = opt.update(g, state, x, ctxOf(t));
    if (snapshot(state) !== before.s) out.push(`${name}: update mutated its input state at step ${t}`);
    if (snapshot(g) !== before.g) out.push(`${name}: update mutated the gradient at step ${t}`);
    if (snapshot(x) !== before.x) out.push(`${name}: update mutated x at step ${t}`);
    if (!(u instanceof Float64Array) || u.length !== x.length) out.push(`${name}: update at step ${t} is not a Float64Array of length ${x.length}`);
    else if (!u.every(Number.isFinite)) out.push(`${name}: non-finite update at step ${t} on a finite gradient (${snapshot(Array.from(u).filter((v) => !Number.isFinite(v)).slice(0, 3))})`);
    us.push(u);
    x = Float64Array.from(x, (v, j) => v + (u[j] ?? 0));
    state = next;
  });
  return snapshot(us);
}

/** The optimizer contract for one row; `make` builds a fresh optimizer. Returns the violations found. */
export function optimizerViolations(name: string, make: () => GradientTransformation<any>, opts: { d?: number; steps?: number } = {}): string[] {
  const out: string[] = [];
  const d = opts.d ?? 6;
  const grads = gradientStream(d, opts.steps ?? 12);
  const x0 = normal(key(11), d);
  const opt = make();
  const a = updatesOf(opt, x0, grads, out, name);
  const b = updatesOf(make(), x0, grads, [], name);
  if (a !== b) out.push(`${name}: a fresh optimizer gives other updates for the same inputs`);
  const c = updatesOf(opt, x0, grads, [], name);
  if (a !== c) out.push(`${name}: reusing the optimizer gives other updates for the same inputs`);
  return [...new Set(out)];
}
