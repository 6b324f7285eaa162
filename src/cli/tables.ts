/** The README's tables of optimizers, controllers and named variants, rendered from the registry. */
import { CONTROLLERS, OPTIMIZERS, VARIANTS } from '../run/registry.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const params = (ps: readonly string[]): string => (ps.length === 0 ? '–' : ps.map((p) => `\`${p}\``).join(', '));

/**
 * Markdown for the README: one table each for optimizers, controllers and
 * variants, one row per registry entry, in registry order. Names are what
 * `adadagrad run --optimizer/--controller/--variant` and config files accept;
 * hyperparameters are the `hyper` fields of a config (`--bmax` sets `bMax`).
 *
 * @example
 * registryTables().split('\n')[0]; // returns '| optimizer | update | hyperparameters |'
 */
export function registryTables(): string {
  const lines: string[] = [];
  lines.push('| optimizer | update | hyperparameters |', '|---|---|---|');
  for (const o of OPTIMIZERS) lines.push(`| \`${o.name}\` | ${cell(o.summary)} | ${params(o.params)} |`);
  lines.push('', '| controller | rule | hyperparameters |', '|---|---|---|');
  for (const c of CONTROLLERS) lines.push(`| \`${c.name}\` | ${cell(c.summary)} | ${params(c.params)} |`);
  lines.push('', '| variant | optimizer | controller | what |', '|---|---|---|---|');
  for (const v of VARIANTS) lines.push(`| \`${v.name}\` | \`${v.optimizer}\` | \`${v.controller}\` | ${cell(v.summary)} |`);
  return lines.join('\n') + '\n';
}
