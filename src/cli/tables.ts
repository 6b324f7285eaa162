/** The README's tables of optimizers, controllers, variants and hyperparameters, rendered from the registry. */
import { CONTROLLERS, OPTIMIZERS, PARAMS, VARIANTS, defaultText, describeBounds, type AnyDescriptor, type ParamUse } from '../registry/index.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** `lr`=0.1, `beta0`=1: the fields an entry reads with its defaults. */
function params(d: AnyDescriptor<unknown>): string {
  const ps = Object.entries(d.params) as [string, ParamUse][];
  return ps.length === 0 ? '–' : ps.map(([k, u]) => `\`${k}\`=${cell(defaultText(u))}`).join(', ');
}

/**
 * Markdown for the README: one table each for optimizers, controllers,
 * variants and hyperparameters, one row per registry entry, in registry order.
 * Names are what `adadagrad run --optimizer/--controller/--variant` and config
 * files accept; hyperparameters are the `hyper` fields of a config, each with
 * the entry's default, and the last table gives each field's flag and bounds.
 *
 * @example
 * registryTables().split('\n')[0]; // returns '| optimizer | update | hyperparameters (defaults) | reference |'
 */
export function registryTables(): string {
  return registryTablesFor({});
}

/** The tables of other rows (e.g. a table with one more row, to see how it renders). */
export function registryTablesFor(t: { optimizers?: readonly AnyDescriptor<unknown>[]; controllers?: typeof CONTROLLERS }): string {
  const optimizers = t.optimizers ?? OPTIMIZERS;
  const controllers = t.controllers ?? CONTROLLERS;
  const lines: string[] = [];
  lines.push('| optimizer | update | hyperparameters (defaults) | reference |', '|---|---|---|---|');
  for (const o of optimizers) lines.push(`| \`${o.name}\` | ${cell(o.summary)}: ${cell(o.formula)} | ${params(o)} | ${cell(o.reference)} |`);
  lines.push('', '| controller | rule | hyperparameters (defaults) | reference |', '|---|---|---|---|');
  for (const c of controllers) lines.push(`| \`${c.name}\` | ${cell(c.summary)}: ${cell(c.formula)}${c.monotone ? '' : ' (may decrease)'} | ${params(c)} | ${cell(c.reference)} |`);
  lines.push('', '| variant | optimizer | controller | what |', '|---|---|---|---|');
  for (const v of VARIANTS) lines.push(`| \`${v.name}\` | \`${v.optimizer}\` | \`${v.controller}\` | ${cell(v.summary)} |`);
  lines.push('', '| field | flag | symbol | meaning | values |', '|---|---|---|---|---|');
  for (const p of PARAMS) {
    const values = p.kind === 'integers' ? `array of ${describeBounds(p.bounds).replace(/^an? /, '')}s` : describeBounds(p.bounds);
    lines.push(`| \`${p.name}\` | \`--${p.flag}\` | ${p.symbol} | ${cell(p.doc)} | ${cell(values)} |`);
  }
  return lines.join('\n') + '\n';
}
