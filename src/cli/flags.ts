/** Command-line value parsers and the hyperparameter flags, derived from the registry's parameter table. */
import { InvalidArgumentError } from 'commander';
import { PARAMS, describeBounds, usesOf, type HyperName, type ParamSpec } from '../registry/index.js';

export function parseNumber(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || Number.isNaN(x)) throw new InvalidArgumentError(`expected a number, got '${v}'.`);
  return x;
}

export function parseInteger(v: string): number {
  const x = parseNumber(v);
  if (!Number.isInteger(x)) throw new InvalidArgumentError(`expected an integer, got '${v}'.`);
  return x;
}

/** A list of integers: `100,200,300` or `[100,200,300]`. */
export function parseIntegerList(v: string): number[] {
  const t = v.trim().replace(/^\[|\]$/g, '');
  if (t === '') throw new InvalidArgumentError(`expected a list of integers such as 100,200, got '${v}'.`);
  return t.split(',').map((s) => parseInteger(s.trim()));
}

export function collectPairs(v: string, prev: Record<string, unknown> = {}): Record<string, unknown> {
  const m = /^([A-Za-z0-9]+)=(.*)$/.exec(v);
  if (m === null) throw new InvalidArgumentError(`expected NAME=VALUE such as rho=2 or milestones=[100,200], got '${v}'.`);
  let value: unknown;
  try {
    value = JSON.parse(m[2]!);
  } catch {
    throw new InvalidArgumentError(`the value of ${m[1]} must be JSON (a number or an array), got '${m[2]}'.`);
  }
  return { ...prev, [m[1]!]: value };
}

export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

/** One flag of `run` that sets a hyperparameter. */
export interface HyperFlag {
  readonly flag: string;
  readonly field: HyperName;
  readonly placeholder: string;
  readonly desc: string;
  readonly parse: (v: string) => unknown;
}

/** `default 0.1 (sgd, adagrad), 1 (adagrad-norm)`: an entry's defaults, grouped by value. */
export function defaultsText(field: HyperName, maxNames = 4): string {
  const groups = new Map<string, string[]>();
  for (const u of usesOf(field)) groups.set(u.dflt, [...(groups.get(u.dflt) ?? []), u.entry]);
  const parts = [...groups].map(([d, names]) => `${d} (${names.length > maxNames ? `${names.slice(0, maxNames).join(', ')} +${names.length - maxNames} more` : names.join(', ')})`);
  return parts.length === 0 ? '' : `default ${parts.join('; ')}`;
}

/** `commander` camel-cases `--per-stage` to `perStage`. */
export function optionKey(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function flagOf(p: ParamSpec): HyperFlag {
  const integer = p.bounds.integer === true;
  return {
    flag: p.flag,
    field: p.name as HyperName,
    placeholder: p.kind === 'integers' ? 'list' : integer ? 'n' : 'x',
    desc: `${p.symbol}: ${p.doc}; ${p.kind === 'integers' ? 'integers' : describeBounds(p.bounds)}; ${defaultsText(p.name as HyperName)}`,
    parse: p.kind === 'integers' ? parseIntegerList : integer ? parseInteger : parseNumber,
  };
}

/** Every hyperparameter flag of `run`, in the order of the parameter table. */
export const HYPER_FLAGS: readonly HyperFlag[] = PARAMS.map((p) => flagOf(p));
