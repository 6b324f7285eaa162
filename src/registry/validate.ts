/**
 * The one set of value rules for hyperparameters, flags and configuration fields:
 * a {@link Bounds} says what a value may be, {@link satisfies} checks it,
 * {@link describeBounds} says it in words ("an integer ≥ 2", "a number in [0, 1)"),
 * and {@link checkValue} throws a {@link ConfigError} naming the field. The
 * registry, the config schema (zod), the CLI flags and `stats` use these rules.
 */

/** A bad name or value; `field` names the offending field (a config field such as `bMax`, or a flag). */
export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** What a numeric value may be. Every value must also be finite. */
export interface Bounds {
  /** An integer (a safe integer). */
  readonly integer?: boolean;
  /** Lower end (inclusive unless `minOpen`). */
  readonly min?: number;
  readonly minOpen?: boolean;
  /** Upper end (inclusive unless `maxOpen`). */
  readonly max?: number;
  readonly maxOpen?: boolean;
}

/** True when `v` is a finite number within `b`. */
export function satisfies(v: unknown, b: Bounds): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (b.integer && !Number.isSafeInteger(v)) return false;
  if (b.min !== undefined && (b.minOpen ? !(v > b.min) : !(v >= b.min))) return false;
  if (b.max !== undefined && (b.maxOpen ? !(v < b.max) : !(v <= b.max))) return false;
  return true;
}

/**
 * The rule in words.
 *
 * @example
 * describeBounds({ integer: true, min: 2 });            // returns 'an integer ≥ 2'
 * describeBounds({ min: 0, max: 1, maxOpen: true });    // returns 'a number in [0, 1)'
 * describeBounds({ min: 0, minOpen: true });            // returns 'a positive number'
 */
export function describeBounds(b: Bounds): string {
  const what = b.integer ? 'an integer' : 'a number';
  const lo = b.min;
  const hi = b.max;
  if (lo !== undefined && hi !== undefined && b.integer) return `${what} ${b.minOpen ? '>' : '≥'} ${lo} and ${b.maxOpen ? '<' : '≤'} ${hi}`;
  if (lo !== undefined && hi !== undefined) return `${what} in ${b.minOpen ? '(' : '['}${lo}, ${hi}${b.maxOpen ? ')' : ']'}`;
  if (lo === 0 && b.minOpen && !b.integer) return 'a positive number';
  if (lo !== undefined) return `${what} ${b.minOpen ? '>' : '≥'} ${lo}`;
  if (hi !== undefined) return `${what} ${b.maxOpen ? '<' : '≤'} ${hi}`;
  return b.integer ? 'an integer' : 'a finite number';
}

/** The intersection of two rules (the tighter end of each side). */
export function tighten(a: Bounds, b: Bounds | undefined): Bounds {
  if (b === undefined) return a;
  const out: { -readonly [K in keyof Bounds]: Bounds[K] } = { ...a };
  if (b.integer) out.integer = true;
  if (b.min !== undefined && (a.min === undefined || b.min > a.min || (b.min === a.min && b.minOpen))) {
    out.min = b.min;
    out.minOpen = b.minOpen ?? false;
  }
  if (b.max !== undefined && (a.max === undefined || b.max < a.max || (b.max === a.max && b.maxOpen))) {
    out.max = b.max;
    out.maxOpen = b.maxOpen ?? false;
  }
  return out;
}

/** Longest echo of a user's input in a message. */
export const ECHO_LIMIT = 60;

/**
 * A short rendering of user input for messages: JSON for values, the text for
 * strings, cut to a prefix with the total length when longer than {@link ECHO_LIMIT}.
 *
 * @example
 * echo('x'.repeat(1000)); // returns 'xxx…xxx… (1000 characters)' (a 60-character prefix)
 * echo('ten', { quote: true }); // returns '"ten"' (a value, shown as JSON)
 */
export function echo(v: unknown, opts: { quote?: boolean } = {}): string {
  let s: string;
  if (typeof v === 'string') s = opts.quote ? JSON.stringify(v) : v;
  else if (v === undefined) s = 'nothing';
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > ECHO_LIMIT ? `${s.slice(0, ECHO_LIMIT)}… (${s.length} characters)` : s;
}

/**
 * `v` when it satisfies `b`, else a {@link ConfigError} on `field`:
 * `field: must be <rule>, got <v>`.
 *
 * @example
 * checkValue('b0', 1, { integer: true, min: 2 }); // throws ConfigError "b0: must be an integer ≥ 2, got 1"
 */
export function checkValue(field: string, v: unknown, b: Bounds): number {
  if (!satisfies(v, b)) throw new ConfigError(field, `must be ${describeBounds(b)}, got ${echo(v, { quote: true })}`);
  return v;
}

/** Common rules, by name. */
export const RULES = {
  positive: { min: 0, minOpen: true },
  nonneg: { min: 0 },
  unit: { min: 0, max: 1, maxOpen: true },
  gt1: { min: 1, minOpen: true },
  int1: { integer: true, min: 1 },
  int2: { integer: true, min: 2 },
  quantile: { min: 0, minOpen: true, max: 1 },
} as const satisfies Record<string, Bounds>;
