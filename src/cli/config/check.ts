/**
 * Semantic checks of a resolved run against the registry and its problem, before
 * the first step: the problem builds, the optimizer and the controller build
 * (every bound, b_max ≥ b₀, and no batch above n without replacement), the
 * budget fits the problem, and an official `testPooling` gets 2 samples per device.
 */
import { problemById } from '../../../problems/registry.js';
import type { Problem } from '../../problem/types.js';
import { ConfigError, echo, makeController, makeOptimizer } from '../../registry/index.js';
import type { ConfigIssue } from './issues.js';
import type { RunConfig } from './schema.js';

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
export interface Origin {
  readonly problem: string;
  readonly method: string;
  readonly optimizer: string;
  readonly controller: string;
  readonly hyper: (field: string) => string;
  readonly budget: string;
  /** Where `testPooling` came from (default 'testPooling'). */
  readonly testPooling?: string;
}

/** Build the problem, optimizer and controller of a run; the issues name fields through `origin`. */
export function checkRun(cfg: RunConfig, origin: Origin, problems: ProblemCache): ConfigIssue[] {
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
      const base = f.replace(/\[\d+\]$/, '');
      const path = f === 'optimizer' ? origin.optimizer : f === 'controller' ? origin.controller : f === 'variant' ? origin.method : `${origin.hyper(base)}${f.slice(base.length)}`;
      return { path, message: `${e.message.slice(f.length + 2)} (${where} '${where === 'optimizer' ? cfg.optimizer : cfg.controller}' on ${echo(cfg.problem)})` };
    }
    return { path: where === 'optimizer' ? origin.optimizer : origin.controller, message: e instanceof Error ? e.message : String(e) };
  };
  try {
    makeOptimizer(cfg.optimizer, cfg.hyper);
  } catch (e) {
    issues.push(mapErr(e, 'optimizer'));
  }
  try {
    const c = makeController(cfg.controller, cfg.hyper, problem, { replace: cfg.replace });
    const tp = cfg.testPooling;
    if (tp !== undefined && c.needs === 'stats') {
      const b0 = c.init({ n: problem.n, exact: null }).b;
      if (b0 >= 2 && b0 < 2 * tp.devices) {
        issues.push({ path: `${origin.testPooling ?? 'testPooling'}.devices`, message: `${tp.devices} devices need a first batch of at least ${2 * tp.devices} (2 samples per device); controller '${cfg.controller}' starts at b₀ = ${b0}` });
      }
    }
  } catch (e) {
    issues.push(mapErr(e, 'controller'));
  }
  if (cfg.budget.epochs !== undefined && problem.n === null) {
    issues.push({ path: `${origin.budget}.epochs`, message: `needs a finite-sum problem; '${echo(cfg.problem)}' is a population problem (use steps or samples)` });
  }
  return issues;
}
