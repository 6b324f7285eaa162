/** Turn a descriptor and a config's hyperparameters into checked values, then into the built object. */
import { paramSpec, type HyperParams } from './params.js';
import type { AnyDescriptor, BuildContext, ParamUse, ParamUses, Values } from './types.js';
import { ConfigError, checkValue, describeBounds, echo, tighten, type Bounds } from './validate.js';

/** The bounds an entry applies to one of its fields: the field's own, tightened by the entry's. */
export function boundsOf(name: string, use: ParamUse | undefined): Bounds {
  const spec = paramSpec(name);
  if (spec === undefined) throw new Error(`registry: unknown hyperparameter '${name}'`);
  return tighten(spec.bounds, use?.bounds);
}

/** The default of a field as text (`0.9`, `n`, `[100,200,300]`). */
export function defaultText(use: ParamUse): string {
  if (typeof use.default === 'function') return use.defaultDoc ?? 'computed';
  return Array.isArray(use.default) ? `[${use.default.join(', ')}]` : String(use.default);
}

/**
 * The values of every field `d` declares: the config's value, else the default;
 * each checked against its bounds, then the cross-field checks. Errors are
 * {@link ConfigError}s naming the field.
 *
 * @example
 * resolveValues(geometricDescriptor, { rho: 1 }, ctx); // throws ConfigError "rho: must be a number > 1, got 1"
 */
export function resolveValues<P extends ParamUses>(d: AnyDescriptor<unknown> & { params: P }, h: HyperParams, ctx: BuildContext): Values<P> {
  const out: Record<string, unknown> = {};
  for (const [name, use] of Object.entries(d.params) as [string, ParamUse][]) {
    const given = (h as Record<string, unknown>)[name];
    const raw = given !== undefined ? given : typeof use.default === 'function' ? use.default(ctx) : use.default;
    const b = boundsOf(name, use);
    if (paramSpec(name)!.kind === 'integers') {
      if (!Array.isArray(raw)) throw new ConfigError(name, `must be an array of ${describeBounds(b).replace(/^an? /, '')}s, got ${echo(raw, { quote: true })}`);
      raw.forEach((x, i) => checkValue(`${name}[${i}]`, x, b));
      out[name] = [...(raw as number[])];
    } else {
      out[name] = checkValue(name, raw, b);
    }
  }
  const v = out as Values<P>;
  for (const c of d.checks ?? []) {
    const msg = c.check(v, ctx);
    if (msg !== undefined) throw new ConfigError(c.field, msg);
  }
  return v;
}

/** Resolve the values and build. */
export function buildFrom<T>(d: AnyDescriptor<T>, h: HyperParams, ctx: BuildContext): T {
  return d.build(resolveValues(d, h, ctx), ctx);
}
