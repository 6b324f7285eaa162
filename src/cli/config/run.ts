/** Run configuration files: validate, resolve the variant, and build the run once before any work. */
import { VARIANTS, type HyperParams } from '../../registry/index.js';
import { checkRun, ProblemCache } from './check.js';
import { ConfigFileError, dedupe, dropUndefined, zodIssues } from './issues.js';
import { RUN_KEYS, resolveTestPooling, runConfigSchema, type RunConfig } from './schema.js';

/**
 * Validate a run configuration (parsed JSON) and build its problem, optimizer
 * and controller once. Defaults: seed 0, evalEvery 1, replace true, hyper {}; a
 * `testPooling` is kept only with form 'official' (devices default 1).
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
    testPooling: resolveTestPooling(o.testPooling),
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
