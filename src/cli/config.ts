/**
 * Run and sweep configuration files: zod schemas, messages that name the
 * offending field, semantic checks against the registries (every run is built
 * once before any work starts) and the deterministic expansion of a sweep grid.
 */
import { z } from 'zod';
import { problemById } from '../../problems/registry.js';
import type { Problem } from '../problem/types.js';
import { CONTROLLERS, ConfigError, OPTIMIZERS, VARIANTS, makeController, makeOptimizer, type HyperParams } from '../run/registry.js';
import type { Budget } from '../run/run.js';
import { runId } from './canonical.js';

/** One problem with a configuration file: `path` names the field (`grid.optimizer[1]`, `hyper.eta`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** A configuration rejected before any work started; the message has one `path: message` line per issue. */
export class ConfigFileError extends Error {
  constructor(readonly source: string, readonly issues: readonly ConfigIssue[]) {
    super(`${source}: invalid configuration\n${issues.map((i) => `  ${i.path === '' ? '(top level)' : i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigFileError';
  }
}

/** A fully resolved run configuration: what `run_id` hashes. */
export interface RunConfig {
  readonly problem: string;
  /** The variant name when the run was given as a named pairing (a label; optimizer and controller are resolved). */
  readonly variant?: string;
  readonly optimizer: string;
  readonly controller: string;
  readonly hyper: HyperParams;
  readonly budget: Budget;
  readonly seed: number;
  readonly evalEvery: number;
  readonly replace: boolean;
}

// ---------------------------------------------------------------- field rules

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
};

/** A number schema whose every failure says `expected <what>, got <input>`. */
function numberField(what: string, check: (v: number) => boolean, integer = false): z.ZodType<number> {
  const msg = (input: unknown): string => (input === undefined ? `required: expected ${what}` : `expected ${what}, got ${show(input)}`);
  return z
    .number({ error: (iss) => msg(iss.input) })
    .superRefine((v, ctx) => {
      if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || !check(v)) {
        ctx.addIssue({ code: 'custom', message: msg(v) });
      }
    });
}

const positive = () => numberField('a positive number', (v) => v > 0);
const nonneg = () => numberField('a number ≥ 0', (v) => v >= 0);
const unit = () => numberField('a number in [0, 1)', (v) => v >= 0 && v < 1);
const gt1 = () => numberField('a number > 1', (v) => v > 1);
const intAtLeast = (m: number) => numberField(`an integer ≥ ${m}`, (v) => v >= m, true);
const quantile = () => numberField('a number in (0, 1]', (v) => v > 0 && v <= 1);

/** Element rules of HyperParams fields (the registry applies the entry-specific ones when it builds). */
const HYPER_FIELDS = {
  lr: positive(),
  beta0: positive(),
  beta: unit(),
  eps: nonneg(),
  b1: unit(),
  b2: unit(),
  eta: positive(),
  theta: positive(),
  nu: positive(),
  b0: intAtLeast(1),
  bMax: intAtLeast(2),
  bMin: intAtLeast(2),
  interval: intAtLeast(1),
  workers: intAtLeast(1),
  rho: gt1(),
  stages: intAtLeast(1),
  perStage: positive(),
  delta: intAtLeast(1),
  every: positive(),
  factor: gt1(),
  milestones: z.array(intAtLeast(1), { error: (iss) => `expected an array of integers ≥ 1, got ${show(iss.input)}` }),
  scale: positive(),
  coordFloor: nonneg(),
  quantile: quantile(),
} satisfies Record<keyof HyperParams, z.ZodType>;

/** The names of the hyperparameters a config may set. */
export const HYPER_NAMES = Object.keys(HYPER_FIELDS) as (keyof HyperParams)[];

const objectOf = (what: string) => ({ error: (iss: { input: unknown }) => (iss.input === undefined ? `required: expected ${what}` : `expected ${what}, got ${show(iss.input)}`) });

const hyperSchema = z
  .object(Object.fromEntries(HYPER_NAMES.map((k) => [k, HYPER_FIELDS[k].optional()])) as Record<keyof HyperParams, z.ZodOptional<z.ZodType>>, objectOf('an object of hyperparameters'))
  .strict();

const gridHyperSchema = z
  .object(
    Object.fromEntries(
      HYPER_NAMES.map((k) => [k, z.array(HYPER_FIELDS[k] as z.ZodType, objectOf(`a non-empty array of values for ${k}`)).min(1, { error: `expected a non-empty array of values for ${k}` }).optional()]),
    ) as unknown as Record<keyof HyperParams, z.ZodOptional<z.ZodType>>,
    objectOf('an object mapping hyperparameter names to arrays of values'),
  )
  .strict();

const budgetSchema = z
  .object(
    {
      steps: intAtLeast(1).optional(),
      samples: intAtLeast(1).optional(),
      epochs: positive().optional(),
    },
    objectOf('an object {steps?, samples?, epochs?}'),
  )
  .strict()
  .superRefine((b, ctx) => {
    if (b.steps === undefined && b.samples === undefined && b.epochs === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected at least one of steps, samples, epochs' });
    }
  });

function nameField(kind: string, known: readonly string[]): z.ZodType<string> {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `required: expected ${kind === 'problem' ? 'a problem id' : `a ${kind} name`}` : `expected a ${kind} name (a string), got ${show(iss.input)}`) })
    .superRefine((v, ctx) => {
      if (known.length > 0 && !known.includes(v)) {
        ctx.addIssue({ code: 'custom', message: `unknown ${kind} '${v}'; expected one of ${known.join(', ')}` });
      }
    });
}

const optimizerName = () => nameField('optimizer', OPTIMIZERS.map((o) => o.name));
const controllerName = () => nameField('controller', CONTROLLERS.map((c) => c.name));
const variantName = () => nameField('variant', VARIANTS.map((v) => v.name));
const problemId = () => nameField('problem', []);
const seedField = () => numberField('an integer seed ≥ 0', (v) => v >= 0 && Number.isSafeInteger(v), true);
const evalEveryField = () => intAtLeast(1);
const replaceField = () => z.boolean({ error: (iss) => `expected true or false, got ${show(iss.input)}` });

function nonEmptyUnique<T extends z.ZodType>(el: T, what: string) {
  return z
    .array(el, objectOf(`a non-empty array of ${what}`))
    .min(1, { error: `expected a non-empty array of ${what}` })
    .superRefine((xs, ctx) => {
      const seen = new Map<string, number>();
      xs.forEach((x, i) => {
        const k = JSON.stringify(x);
        const first = seen.get(k);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate of [${first}] (${show(x)})` });
        else seen.set(k, i);
      });
    });
}

function methodRefine(o: { variant?: unknown; optimizer?: unknown; controller?: unknown }, ctx: z.RefinementCtx, prefix: string): void {
  if (o.variant !== undefined) {
    if (o.optimizer !== undefined || o.controller !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['variant'], message: `give either ${prefix}variant or ${prefix}optimizer and ${prefix}controller, not both` });
    }
  } else {
    if (o.optimizer === undefined) ctx.addIssue({ code: 'custom', path: ['optimizer'], message: `required (or give ${prefix}variant): expected ${prefix === '' ? 'an optimizer name' : 'an array of optimizer names'}` });
    if (o.controller === undefined) ctx.addIssue({ code: 'custom', path: ['controller'], message: `required (or give ${prefix}variant): expected ${prefix === '' ? 'a controller name' : 'an array of controller names'}` });
  }
}

/** The schema of a run configuration file. */
export const runConfigSchema = z
  .object(
    {
      problem: problemId(),
      variant: variantName().optional(),
      optimizer: optimizerName().optional(),
      controller: controllerName().optional(),
      hyper: hyperSchema.optional(),
      budget: budgetSchema,
      seed: seedField().optional(),
      evalEvery: evalEveryField().optional(),
      replace: replaceField().optional(),
    },
    objectOf('a JSON object'),
  )
  .strict()
  .superRefine((o, ctx) => methodRefine(o, ctx, ''));

/** The schema of a sweep configuration file. */
export const sweepConfigSchema = z
  .object(
    {
      name: z.string({ error: (iss) => `expected a string, got ${show(iss.input)}` }).optional(),
      grid: z
        .object(
          {
            problem: nonEmptyUnique(problemId(), 'problem ids'),
            variant: nonEmptyUnique(variantName(), 'variant names').optional(),
            optimizer: nonEmptyUnique(optimizerName(), 'optimizer names').optional(),
            controller: nonEmptyUnique(controllerName(), 'controller names').optional(),
            seed: nonEmptyUnique(seedField(), 'integer seeds'),
            hyper: gridHyperSchema.optional(),
          },
          objectOf('an object {problem, variant | optimizer + controller, seed, hyper?}'),
        )
        .strict()
        .superRefine((o, ctx) => methodRefine(o, ctx, 'grid.')),
      hyper: hyperSchema.optional(),
      budget: budgetSchema,
      evalEvery: evalEveryField().optional(),
      replace: replaceField().optional(),
    },
    objectOf('a JSON object'),
  )
  .strict()
  .superRefine((o, ctx) => {
    const fixed = o.hyper ?? {};
    for (const k of Object.keys(o.grid.hyper ?? {})) {
      if ((fixed as Record<string, unknown>)[k] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['grid', 'hyper', k], message: `also set in hyper.${k}; give it in one place` });
      }
    }
  });

const RUN_KEYS = ['problem', 'variant', 'optimizer', 'controller', 'hyper', 'budget', 'seed', 'evalEvery', 'replace'];
const SWEEP_KEYS = ['name', 'grid', 'hyper', 'budget', 'evalEvery', 'replace'];

export type RawRunConfig = z.infer<typeof runConfigSchema>;
export type SweepConfig = z.infer<typeof sweepConfigSchema>;

/** `a.b[1].c` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? String(p) : `.${String(p)}`;
  }
  return s;
}

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': [],
  hyper: HYPER_NAMES,
  'grid.hyper': HYPER_NAMES,
  budget: ['steps', 'samples', 'epochs'],
  grid: ['problem', 'variant', 'optimizer', 'controller', 'seed', 'hyper'],
};

function zodIssues(err: z.ZodError, topKeys: readonly string[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const iss of err.issues) {
    const path = formatPath(iss.path);
    if (iss.code === 'unrecognized_keys') {
      const known = path === '' ? topKeys : KNOWN_KEYS[path] ?? [];
      for (const k of iss.keys) {
        out.push({ path: path === '' ? k : `${path}.${k}`, message: `unknown field${known.length > 0 ? `; expected one of ${known.join(', ')}` : ''}` });
      }
    } else {
      out.push({ path, message: iss.message });
    }
  }
  return out;
}

// ---------------------------------------------------------------- semantic checks

/** Problems by id through the shared memoised lookup (problems/registry.ts problemById), remembering failures too. */
export class ProblemCache {
  private readonly map = new Map<string, Problem | Error>();
  get(id: string): Problem {
    let p = this.map.get(id);
    if (p === undefined) {
      try {
        p = problemById(id);
      } catch (e) {
        p = e instanceof Error ? e : new Error(String(e));
      }
      this.map.set(id, p);
    }
    if (p instanceof Error) throw p;
    return p;
  }
}

/** Where each part of a resolved run came from, to name fields in messages. */
interface Origin {
  readonly problem: string;
  readonly method: string;
  readonly optimizer: string;
  readonly controller: string;
  readonly hyper: (field: string) => string;
  readonly budget: string;
}

/** Build the problem, optimizer and controller of a run; the issues name fields through `origin`. */
function checkRun(cfg: RunConfig, origin: Origin, problems: ProblemCache): ConfigIssue[] {
  let problem: Problem;
  try {
    problem = problems.get(cfg.problem);
  } catch (e) {
    return [{ path: origin.problem, message: e instanceof Error ? e.message : String(e) }];
  }
  const issues: ConfigIssue[] = [];
  const mapErr = (e: unknown, where: 'optimizer' | 'controller'): ConfigIssue => {
    if (e instanceof ConfigError) {
      const f = e.field;
      const path = f === 'optimizer' ? origin.optimizer : f === 'controller' ? origin.controller : f === 'variant' ? origin.method : origin.hyper(f);
      return { path, message: `${e.message.slice(f.length + 2)} (${where} '${where === 'optimizer' ? cfg.optimizer : cfg.controller}' on ${cfg.problem})` };
    }
    return { path: where === 'optimizer' ? origin.optimizer : origin.controller, message: e instanceof Error ? e.message : String(e) };
  };
  try {
    makeOptimizer(cfg.optimizer, cfg.hyper);
  } catch (e) {
    issues.push(mapErr(e, 'optimizer'));
  }
  try {
    makeController(cfg.controller, cfg.hyper, problem);
  } catch (e) {
    issues.push(mapErr(e, 'controller'));
  }
  if (cfg.budget.epochs !== undefined && problem.n === null) {
    issues.push({ path: `${origin.budget}.epochs`, message: `needs a finite-sum problem; '${cfg.problem}' is a population problem (use steps or samples)` });
  }
  return issues;
}

function dedupe(issues: ConfigIssue[], max = 25): ConfigIssue[] {
  const seen = new Set<string>();
  const out: ConfigIssue[] = [];
  for (const i of issues) {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(i);
  }
  if (out.length > max) return [...out.slice(0, max), { path: '', message: `... and ${out.length - max} more` }];
  return out;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------- run configs

/**
 * Validate a run configuration (parsed JSON) and build its problem, optimizer
 * and controller once. Defaults: seed 0, evalEvery 1, replace true, hyper {}.
 *
 * @example
 * parseRunConfig({ problem: 'nqm_d20_i0', variant: 'adadagrad-norm', hyper: { eta: 0.5 }, budget: { steps: 100 } });
 * // returns { problem: 'nqm_d20_i0', variant: 'adadagrad-norm', optimizer: 'adagrad-norm', controller: 'norm', hyper: { eta: 0.5 }, budget: { steps: 100 }, seed: 0, evalEvery: 1, replace: true }
 * parseRunConfig({ problem: 'nqm_d20_i0', optimizer: 'adamw', controller: 'norm', budget: { steps: 1 } });
 * // throws ConfigFileError "optimizer: unknown optimizer 'adamw'; expected one of sgd, momentum, ..."
 */
export function parseRunConfig(raw: unknown, source = 'config', problems = new ProblemCache()): RunConfig {
  const r = runConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigFileError(source, dedupe(zodIssues(r.error, RUN_KEYS)));
  const o = r.data;
  const v = o.variant !== undefined ? VARIANTS.find((x) => x.name === o.variant)! : undefined;
  const cfg: RunConfig = dropUndefined({
    problem: o.problem,
    variant: o.variant,
    optimizer: v?.optimizer ?? o.optimizer!,
    controller: v?.controller ?? o.controller!,
    hyper: dropUndefined({ ...(o.hyper ?? {}) }) as HyperParams,
    budget: dropUndefined({ ...o.budget }),
    seed: o.seed ?? 0,
    evalEvery: o.evalEvery ?? 1,
    replace: o.replace ?? true,
  });
  const issues = checkRun(
    cfg,
    {
      problem: 'problem',
      method: 'variant',
      optimizer: v !== undefined ? 'variant' : 'optimizer',
      controller: v !== undefined ? 'variant' : 'controller',
      hyper: (f) => `hyper.${f}`,
      budget: 'budget',
    },
    problems,
  );
  if (issues.length > 0) throw new ConfigFileError(source, dedupe(issues));
  return cfg;
}

// ---------------------------------------------------------------- sweeps

/** One run of an expanded sweep. `index` is its position in the expansion order. */
export interface PlannedRun {
  readonly index: number;
  readonly runId: string;
  readonly config: RunConfig;
}

/**
 * Expand a sweep grid to its runs, in this documented order (the first varies slowest):
 * problem (as listed) → method (variants as listed, or optimizer as listed × controller
 * as listed) → grid.hyper fields in alphabetical order of their names, each over its
 * values as listed → seed (as listed, fastest). Each run's `hyper` is the fixed
 * `hyper` merged with one value of every `grid.hyper` field.
 */
export function expandSweep(s: SweepConfig): PlannedRun[] {
  const methods: { variant?: string; optimizer: string; controller: string; i: number; j: number }[] = [];
  if (s.grid.variant !== undefined) {
    s.grid.variant.forEach((name, i) => {
      const v = VARIANTS.find((x) => x.name === name)!;
      methods.push({ variant: name, optimizer: v.optimizer, controller: v.controller, i, j: i });
    });
  } else {
    s.grid.optimizer!.forEach((o, i) => s.grid.controller!.forEach((c, j) => methods.push({ optimizer: o, controller: c, i, j })));
  }
  const gridHyper = (s.grid.hyper ?? {}) as Record<string, unknown[] | undefined>;
  const hyperKeys = Object.keys(gridHyper).filter((k) => gridHyper[k] !== undefined).sort();
  let combos: Record<string, unknown>[] = [{}];
  for (const k of hyperKeys) {
    const next: Record<string, unknown>[] = [];
    for (const c of combos) for (const v of gridHyper[k]!) next.push({ ...c, [k]: v });
    combos = next;
  }
  const out: PlannedRun[] = [];
  for (const problem of s.grid.problem) {
    for (const m of methods) {
      for (const h of combos) {
        for (const seed of s.grid.seed) {
          const config: RunConfig = dropUndefined({
            problem,
            variant: m.variant,
            optimizer: m.optimizer,
            controller: m.controller,
            hyper: dropUndefined({ ...(s.hyper ?? {}), ...h }) as HyperParams,
            budget: dropUndefined({ ...s.budget }),
            seed,
            evalEvery: s.evalEvery ?? 1,
            replace: s.replace ?? true,
          });
          out.push({ index: out.length, runId: runId(config), config });
        }
      }
    }
  }
  return out;
}

/**
 * Validate a sweep configuration (parsed JSON), expand it and build every run's
 * problem, optimizer and controller once, so a bad grid fails before any run starts.
 */
export function parseSweepConfig(raw: unknown, source = 'config', problems = new ProblemCache()): { sweep: SweepConfig; runs: PlannedRun[] } {
  const r = sweepConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigFileError(source, dedupe(zodIssues(r.error, SWEEP_KEYS)));
  const sweep = r.data;
  const runs = expandSweep(sweep);
  const issues: ConfigIssue[] = [];
  const gridHyper = (sweep.grid.hyper ?? {}) as Record<string, unknown[] | undefined>;
  for (const run of runs) {
    const c = run.config;
    const pi = sweep.grid.problem.indexOf(c.problem);
    const vi = c.variant !== undefined ? sweep.grid.variant!.indexOf(c.variant) : -1;
    const origin: Origin = {
      problem: `grid.problem[${pi}]`,
      method: `grid.variant[${vi}]`,
      optimizer: vi >= 0 ? `grid.variant[${vi}]` : `grid.optimizer[${sweep.grid.optimizer!.indexOf(c.optimizer)}]`,
      controller: vi >= 0 ? `grid.variant[${vi}]` : `grid.controller[${sweep.grid.controller!.indexOf(c.controller)}]`,
      hyper: (f) => {
        const vals = gridHyper[f];
        if (vals === undefined) return `hyper.${f}`;
        const v = (c.hyper as Record<string, unknown>)[f];
        return `grid.hyper.${f}[${vals.findIndex((x) => JSON.stringify(x) === JSON.stringify(v))}]`;
      },
      budget: 'budget',
    };
    issues.push(...checkRun(c, origin, problems));
    if (issues.length > 200) break;
  }
  if (issues.length > 0) throw new ConfigFileError(source, dedupe(issues));
  return { sweep, runs };
}

/** Parse `i/n` (1 ≤ i ≤ n). */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (m === null) throw new ConfigFileError('--shard', [{ path: '--shard', message: `expected i/n such as 2/4, got '${s}'` }]);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!(count >= 1 && index >= 1 && index <= count)) {
    throw new ConfigFileError('--shard', [{ path: '--shard', message: `expected 1 ≤ i ≤ n, got ${index}/${count}` }]);
  }
  return { index, count };
}

/**
 * The deterministic slice `i/n` of a sweep: sort the runs by run_id and keep
 * those whose position p (0-based) has p mod n = i − 1. The slices of 1/n … n/n
 * partition the sweep whatever the machine or the number of workers.
 */
export function shardOf(runs: readonly PlannedRun[], shard: { index: number; count: number }): PlannedRun[] {
  const sorted = [...runs].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  const keep = new Set(sorted.filter((_, p) => p % shard.count === shard.index - 1).map((r) => r.runId));
  return runs.filter((r) => keep.has(r.runId));
}
