/**
 * The zod schemas of run and sweep configuration files. The hyperparameter
 * fields and their rules come from the registry (src/registry/params.ts), so a
 * new field is declared once; every failure says `expected <rule>, got <input>`.
 */
import { z } from 'zod';
import { CONTROLLERS, HYPER_NAMES, OPTIMIZERS, PARAMS, VARIANTS, describeBounds, echo, satisfies, type Bounds, type HyperName, type HyperParams } from '../../registry/index.js';
import type { Budget } from '../../run/run.js';

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
  /** The official M-device pooled test statistics (absent: the whole batch's, the default). */
  readonly testPooling?: TestPoolingConfig;
}

/**
 * A resolved `testPooling`: present only for the official form (the unbiased form is the
 * whole batch's statistics whatever the split, so it resolves to no field and the same run id).
 */
export interface TestPoolingConfig {
  readonly devices: number;
  readonly microBatch?: number;
  readonly form: 'official';
}

/** A number schema for a rule; every failure says `expected <rule>, got <input>`. */
export function boundedNumber(b: Bounds, what = describeBounds(b)): z.ZodType<number> {
  const msg = (input: unknown): string => (input === undefined ? `required: expected ${what}` : `expected ${what}, got ${echo(input, { quote: true })}`);
  return z.number({ error: (iss) => msg(iss.input) }).superRefine((v, ctx) => {
    if (!satisfies(v, b)) ctx.addIssue({ code: 'custom', message: msg(v) });
  });
}

/** The schema of each hyperparameter field, from its declared bounds (entries apply tighter ones when they build). */
const HYPER_FIELDS = Object.fromEntries(
  PARAMS.map((p) => [
    p.name,
    p.kind === 'integers'
      ? z.array(boundedNumber(p.bounds), { error: (iss) => `expected an array of ${describeBounds(p.bounds).replace(/^an? /, '')}s, got ${echo(iss.input, { quote: true })}` })
      : boundedNumber(p.bounds),
  ]),
) as Record<HyperName, z.ZodType>;

const objectOf = (what: string) => ({ error: (iss: { input: unknown }) => (iss.input === undefined ? `required: expected ${what}` : `expected ${what}, got ${echo(iss.input, { quote: true })}`) });

const hyperSchema = z
  .object(Object.fromEntries(HYPER_NAMES.map((k) => [k, HYPER_FIELDS[k].optional()])) as Record<HyperName, z.ZodOptional<z.ZodType>>, objectOf('an object of hyperparameters'))
  .strict();

const gridHyperSchema = z
  .object(
    Object.fromEntries(
      HYPER_NAMES.map((k) => [k, z.array(HYPER_FIELDS[k], objectOf(`a non-empty array of values for ${k}`)).min(1, { error: `expected a non-empty array of values for ${k}` }).optional()]),
    ) as unknown as Record<HyperName, z.ZodOptional<z.ZodType>>,
    objectOf('an object mapping hyperparameter names to arrays of values'),
  )
  .strict();

const intAtLeast = (m: number) => boundedNumber({ integer: true, min: m });

const budgetSchema = z
  .object({ steps: intAtLeast(1).optional(), samples: intAtLeast(1).optional(), epochs: boundedNumber({ min: 0, minOpen: true }).optional() }, objectOf('an object {steps?, samples?, epochs?}'))
  .strict()
  .superRefine((b, ctx) => {
    if (b.steps === undefined && b.samples === undefined && b.epochs === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected at least one of steps, samples, epochs' });
    }
  });

function nameField(kind: string, known: readonly string[]): z.ZodType<string> {
  return z
    .string({ error: (iss) => (iss.input === undefined ? `required: expected ${kind === 'problem' ? 'a problem id' : `a ${kind} name`}` : `expected a ${kind} name (a string), got ${echo(iss.input, { quote: true })}`) })
    .superRefine((v, ctx) => {
      if (known.length > 0 && !known.includes(v)) {
        ctx.addIssue({ code: 'custom', message: `unknown ${kind} '${echo(v)}'; expected one of ${known.join(', ')}` });
      }
    });
}

const optimizerName = () => nameField('optimizer', OPTIMIZERS.map((o) => o.name));
const controllerName = () => nameField('controller', CONTROLLERS.map((c) => c.name));
const variantName = () => nameField('variant', VARIANTS.map((v) => v.name));
const problemId = () => nameField('problem', []);
const seedField = () => boundedNumber({ integer: true, min: 0 }, 'an integer seed ≥ 0');
const evalEveryField = () => intAtLeast(1);
const testPoolingField = () =>
  z
    .object(
      {
        devices: boundedNumber({ integer: true, min: 1 }, 'an integer ≥ 1 (devices)').optional(),
        microBatch: boundedNumber({ integer: true, min: 3 }, 'an integer ≥ 3 (a micro-batch needs 2 samples for its variance, and an odd share cannot be cut into pairs)').optional(),
        form: z
          .string({ error: (iss) => `expected 'official' or 'unbiased', got ${echo(iss.input, { quote: true })}` })
          .superRefine((v, ctx) => {
            if (v !== 'official' && v !== 'unbiased') ctx.addIssue({ code: 'custom', message: `expected 'official' or 'unbiased', got ${echo(v, { quote: true })}` });
          })
          .optional(),
      },
      objectOf('an object {devices?, microBatch?, form?}'),
    )
    .strict();

/** The resolved field of a raw `testPooling` (see {@link TestPoolingConfig}); defaults devices 1, form 'unbiased'. */
export function resolveTestPooling(tp: { devices?: number | undefined; microBatch?: number | undefined; form?: string | undefined } | undefined): TestPoolingConfig | undefined {
  if (tp === undefined || (tp.form ?? 'unbiased') !== 'official') return undefined;
  return { devices: tp.devices ?? 1, ...(tp.microBatch !== undefined ? { microBatch: tp.microBatch } : {}), form: 'official' };
}

const replaceField = () => z.boolean({ error: (iss) => `expected true or false, got ${echo(iss.input, { quote: true })}` });

function nonEmptyUnique<T extends z.ZodType>(el: T, what: string) {
  return z
    .array(el, objectOf(`a non-empty array of ${what}`))
    .min(1, { error: `expected a non-empty array of ${what}` })
    .superRefine((xs, ctx) => {
      const seen = new Map<string, number>();
      xs.forEach((x, i) => {
        const k = JSON.stringify(x);
        const first = seen.get(k);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate of [${first}] (${echo(x, { quote: true })})` });
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
      testPooling: testPoolingField().optional(),
    },
    objectOf('a JSON object'),
  )
  .strict()
  .superRefine((o, ctx) => methodRefine(o, ctx, ''));

/** The schema of a sweep configuration file. */
export const sweepConfigSchema = z
  .object(
    {
      name: z.string({ error: (iss) => `expected a string, got ${echo(iss.input, { quote: true })}` }).optional(),
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
      testPooling: testPoolingField().optional(),
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

export type RawRunConfig = z.infer<typeof runConfigSchema>;
export type SweepConfig = z.infer<typeof sweepConfigSchema>;

/** The known keys at each path, for messages about unknown fields. */
export const RUN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': ['problem', 'variant', 'optimizer', 'controller', 'hyper', 'budget', 'seed', 'evalEvery', 'replace', 'testPooling'],
  hyper: HYPER_NAMES,
  budget: ['steps', 'samples', 'epochs'],
  testPooling: ['devices', 'microBatch', 'form'],
};
export const SWEEP_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': ['name', 'grid', 'hyper', 'budget', 'evalEvery', 'replace', 'testPooling'],
  testPooling: ['devices', 'microBatch', 'form'],
  hyper: HYPER_NAMES,
  'grid.hyper': HYPER_NAMES,
  budget: ['steps', 'samples', 'epochs'],
  grid: ['problem', 'variant', 'optimizer', 'controller', 'seed', 'hyper'],
};
