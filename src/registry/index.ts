/**
 * The registry: names → optimizers, controllers, batch-size tests and named
 * variants, each described once (src/registry/*.ts), and the builders the
 * command line, configs, sweeps and experiments call.
 */
import type { Controller } from '../batching/controllers.js';
import type { GradientTransformation } from '../optim/transform.js';
import type { Problem } from '../problem/types.js';
import { CONTROLLERS, type AnyControllerDescriptor } from './controllers.js';
import { OPTIMIZERS } from './optimizers.js';
import { HYPER_NAMES, MAX_BATCH, type HyperName, type HyperParams } from './params.js';
import { buildFrom, resolveValues } from './resolve.js';
import type { AnyDescriptor, BuildContext } from './types.js';
import { ConfigError, echo } from './validate.js';
import { VARIANTS, type VariantEntry } from './variants.js';

export { CONTROLLERS, controller, defaultBMax, type AnyControllerDescriptor, type ControllerDescriptor } from './controllers.js';
export { OPTIMIZERS, optimizer, type OptimizerDescriptor } from './optimizers.js';
export { TESTS, sizeTest, testNamed, type AnyTestDescriptor, type TestDescriptor } from './tests.js';
export { VARIANTS, type VariantEntry } from './variants.js';
export { PARAMS, HYPER_NAMES, MAX_BATCH, paramSpec, type HyperName, type HyperParams, type ParamSpec } from './params.js';
export { boundsOf, defaultText, resolveValues, buildFrom } from './resolve.js';
export type { AnyDescriptor, BuildContext, CrossCheck, Descriptor, ParamUse, ParamUses, Values } from './types.js';
export { ConfigError, RULES, checkValue, describeBounds, echo, satisfies, tighten, ECHO_LIMIT, type Bounds } from './validate.js';

/** The optimizer descriptor type of the table. */
export type OptimizerEntry = AnyDescriptor<GradientTransformation<any>>;
/** The controller descriptor type of the table. */
export type ControllerEntry = AnyControllerDescriptor;

function lookup<T extends { name: string }>(table: readonly T[], name: string, field: string): T {
  const e = table.find((t) => t.name === name);
  if (e === undefined) {
    throw new ConfigError(field, `unknown name '${echo(name)}'; known: ${table.map((t) => t.name).join(', ')}`);
  }
  return e;
}

/** The optimizer row of a name; errors name the field `optimizer`. */
export function optimizerEntry(name: string): OptimizerEntry {
  return lookup(OPTIMIZERS, name, 'optimizer');
}

/** The controller row of a name; errors name the field `controller`. */
export function controllerEntry(name: string): ControllerEntry {
  return lookup(CONTROLLERS, name, 'controller');
}

/** Resolve a variant name to its optimizer and controller names. */
export function resolveVariant(name: string): VariantEntry {
  return lookup(VARIANTS, name, 'variant');
}

/** Optimizers read no problem; a stand-in context for their builders. */
const NO_PROBLEM = { problem: null as unknown as Problem, replace: true } satisfies BuildContext;

/** Build an optimizer by name; errors are ConfigErrors naming the field. */
export function makeOptimizer(name: string, h: HyperParams = {}): GradientTransformation<any> {
  return buildFrom(optimizerEntry(name), h, NO_PROBLEM);
}

/** Options of {@link makeController}. */
export interface ControllerOptions {
  /** Batches are drawn with replacement (default true); without, the cap must be ≤ n. */
  readonly replace?: boolean;
}

/**
 * Build a controller by name for a problem; errors are ConfigErrors naming the
 * field, raised before any step: bounds of every field, b_max ≥ b₀, and, when
 * sampling without replacement, the cap (b_max, or b₀ of a constant batch) ≤ n.
 */
export function makeController(name: string, h: HyperParams, problem: Problem, opts: ControllerOptions = {}): Controller<any> {
  const d = controllerEntry(name);
  const ctx: BuildContext = { problem, replace: opts.replace ?? true };
  const v = resolveValues(d, h, ctx) as Record<string, unknown>;
  const cap = v[d.cap] as number;
  if (!ctx.replace && problem.n !== null && cap > problem.n) {
    throw new ConfigError(d.cap, `must be ≤ n = ${problem.n} of ${problem.id} when sampling without replacement, got ${cap}`);
  }
  return d.build(v as never, ctx);
}

/** The hyperparameter fields an optimizer and a controller read (the union of their rows' params). */
export function usedParams(optimizerName: string, controllerName: string): Set<HyperName> {
  const o = optimizerEntry(optimizerName);
  const c = controllerEntry(controllerName);
  return new Set([...Object.keys(o.params), ...Object.keys(c.params)] as HyperName[]);
}

/** The fields of `h` that neither the optimizer nor the controller reads (to warn about). */
export function unusedParams(optimizerName: string, controllerName: string, h: HyperParams): HyperName[] {
  const used = usedParams(optimizerName, controllerName);
  return (Object.keys(h) as HyperName[]).filter((k) => h[k] !== undefined && !used.has(k));
}

/** Which entries read a field, and with what default (for `--help` and the README). */
export function usesOf(field: HyperName): { readonly entry: string; readonly kind: 'optimizer' | 'controller'; readonly dflt: string }[] {
  const out: { entry: string; kind: 'optimizer' | 'controller'; dflt: string }[] = [];
  const text = (u: { default: unknown; defaultDoc?: string }): string =>
    typeof u.default === 'function' ? (u.defaultDoc ?? 'computed') : Array.isArray(u.default) ? `[${u.default.join(',')}]` : String(u.default);
  for (const o of OPTIMIZERS) {
    const u = o.params[field];
    if (u !== undefined) out.push({ entry: o.name, kind: 'optimizer', dflt: text(u) });
  }
  for (const c of CONTROLLERS) {
    const u = c.params[field];
    if (u !== undefined) out.push({ entry: c.name, kind: 'controller', dflt: text(u) });
  }
  return out;
}

/** Sanity of the tables, checked once at load: unique names, known fields, variants that resolve. */
function checkTables(): void {
  for (const [what, table] of [['optimizer', OPTIMIZERS], ['controller', CONTROLLERS], ['variant', VARIANTS]] as const) {
    const seen = new Set<string>();
    for (const e of table) {
      if (seen.has(e.name)) throw new Error(`registry: ${what} '${e.name}' is registered twice`);
      seen.add(e.name);
    }
  }
  for (const e of [...OPTIMIZERS, ...CONTROLLERS]) {
    for (const k of Object.keys(e.params)) if (!(HYPER_NAMES as readonly string[]).includes(k)) throw new Error(`registry: '${e.name}' reads unknown field '${k}'`);
  }
  for (const v of VARIANTS) {
    optimizerEntry(v.optimizer);
    controllerEntry(v.controller);
  }
  if (!(MAX_BATCH > 0)) throw new Error('registry: MAX_BATCH');
}
checkTables();
