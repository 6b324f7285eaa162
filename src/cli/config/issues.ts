/** Problems found in a configuration: one `path: message` per issue, collected before any work starts. */
import type { z } from 'zod';

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

/** `a.b[1].c` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? String(p) : `.${String(p)}`;
  }
  return s;
}

/** The issues of a zod error; unknown keys list the known ones (`knownKeys` by path, '' for the top level). */
export function zodIssues(err: z.ZodError, knownKeys: Readonly<Record<string, readonly string[]>>): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const iss of err.issues) {
    const path = formatPath(iss.path);
    if (iss.code === 'unrecognized_keys') {
      const known = knownKeys[path] ?? [];
      for (const k of iss.keys) {
        out.push({ path: path === '' ? k : `${path}.${k}`, message: `unknown field${known.length > 0 ? `; expected one of ${known.join(', ')}` : ''}` });
      }
    } else {
      out.push({ path, message: iss.message });
    }
  }
  return out;
}

/** Drop repeated issues and keep at most `max`. */
export function dedupe(issues: ConfigIssue[], max = 25): ConfigIssue[] {
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

/** A copy of `o` without its undefined fields. */
export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
