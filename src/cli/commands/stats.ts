/** `adadagrad stats`: read a per-sample gradient file, check the flags, print the report of stats.ts. */
import { readFileSync } from 'node:fs';
import { paramSpec, satisfies, describeBounds } from '../../registry/index.js';
import { ConfigFileError } from '../config.js';
import { parseJsonText, type CliIO } from '../io.js';
import { statsReport, type StatsOptions } from '../stats.js';

export interface StatsFlags extends StatsOptions {
  readonly grads: string;
}

export async function statsCommand(o: StatsFlags, io: CliIO): Promise<number> {
  let text: string;
  try {
    text = readFileSync(o.grads, 'utf8');
  } catch (e) {
    throw new ConfigFileError(o.grads, [{ path: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})` }]);
  }
  const hint = /\b(NaN|-?Infinity)\b/.test(text) ? ' (NaN and Infinity are not allowed: every gradient entry must be a finite number)' : '';
  const input = parseJsonText(text, (message) => new ConfigFileError(o.grads, [{ path: '', message: message.replace(/^not valid JSON/, `not valid JSON${hint}`) }]));
  for (const [flag, field, v] of [['--eta', 'eta', o.eta], ['--theta', 'theta', o.theta], ['--nu', 'nu', o.nu]] as const) {
    const b = paramSpec(field)!.bounds;
    if (v !== undefined && !satisfies(v, b)) throw new ConfigFileError('command line', [{ path: flag, message: `expected ${describeBounds(b)}, got ${v}` }]);
  }
  const int1 = { integer: true, min: 1 };
  if (o.batch !== undefined && !satisfies(o.batch, int1)) throw new ConfigFileError('command line', [{ path: '--batch', message: `expected ${describeBounds(int1)}, got ${o.batch}` }]);
  if (o.bmax !== undefined && !satisfies(o.bmax, int1)) throw new ConfigFileError('command line', [{ path: '--bmax', message: `expected ${describeBounds(int1)}, got ${o.bmax}` }]);
  const report = statsReport(input, o, o.grads);
  io.out(`${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return 0;
}
