/** `adadagrad run`: merge --config and flags into a run configuration, validate it, run it, print the summary. */
import type { Command } from 'commander';
import { unusedParams } from '../../registry/index.js';
import { runId } from '../canonical.js';
import { ConfigFileError, parseRunConfig, type ConfigIssue } from '../config.js';
import { HYPER_FLAGS, optionKey } from '../flags.js';
import type { CliIO } from '../io.js';
import { runJob } from '../runJob.js';
import { readJsonFile } from '../sweep.js';

export interface RunFlags {
  problem?: string;
  variant?: string;
  optimizer?: string;
  controller?: string;
  hyper?: Record<string, unknown>;
  steps?: number;
  samples?: number;
  epochs?: number;
  seed?: number;
  evalEvery?: number;
  replace: boolean;
  pooling?: string;
  devices?: number;
  testMicroBatch?: number;
  out?: string;
  config?: string;
  json?: boolean;
  logEvery: number;
  [k: string]: unknown;
}

const FLAG_OF_PATH: Record<string, string> = {
  problem: '--problem',
  variant: '--variant',
  optimizer: '--optimizer',
  controller: '--controller',
  budget: '--steps/--samples/--epochs',
  'budget.steps': '--steps',
  'budget.samples': '--samples',
  'budget.epochs': '--epochs',
  seed: '--seed',
  evalEvery: '--eval-every',
  replace: '--no-replace',
  testPooling: '--pooling/--devices/--test-micro-batch',
  'testPooling.form': '--pooling',
  'testPooling.devices': '--devices',
  'testPooling.microBatch': '--test-micro-batch',
  ...Object.fromEntries(HYPER_FLAGS.map((h) => [`hyper.${h.field}`, `--${h.flag}`])),
};

/** The flag of a config path (`hyper.bMax` → `--bmax`), or undefined. */
export function flagOfPath(path: string): string | undefined {
  const base = path.replace(/\[\d+\]$/, '');
  return FLAG_OF_PATH[base] ?? (base.startsWith('hyper.') ? `--hyper ${base.slice(6)}=...` : undefined);
}

/** Name the flag next to the config field when the value came from the command line. */
function withFlags(issues: readonly ConfigIssue[], fromFlags: (path: string) => boolean): ConfigIssue[] {
  return issues.map((i) => {
    if (!fromFlags(i.path.replace(/\[\d+\]$/, ''))) return i;
    const flag = flagOfPath(i.path);
    return flag === undefined ? i : { path: `${flag} (${i.path})`, message: i.message };
  });
}

export async function runCommand(o: RunFlags, cmd: Command, io: CliIO): Promise<number> {
  let raw: Record<string, unknown> = {};
  if (o.config !== undefined) {
    const c = readJsonFile(o.config);
    if (c === null || typeof c !== 'object' || Array.isArray(c)) {
      throw new ConfigFileError(o.config, [{ path: '', message: 'expected a JSON object' }]);
    }
    raw = { ...(c as Record<string, unknown>) };
  }
  const fromFlag = new Set<string>();
  const set = (field: string, v: unknown): void => {
    if (v === undefined) return;
    raw[field] = v;
    fromFlag.add(field);
  };
  if (o.variant !== undefined) {
    delete raw['optimizer'];
    delete raw['controller'];
  }
  if (o.optimizer !== undefined || o.controller !== undefined) delete raw['variant'];
  set('problem', o.problem);
  set('variant', o.variant);
  set('optimizer', o.optimizer);
  set('controller', o.controller);
  const hyperIn = raw['hyper'];
  const hyper: Record<string, unknown> = hyperIn !== null && typeof hyperIn === 'object' && !Array.isArray(hyperIn) ? { ...(hyperIn as object) } : {};
  let hyperTouched = false;
  const viaPairs = new Set<string>();
  for (const [k, v] of Object.entries(o.hyper ?? {})) {
    hyper[k] = v;
    viaPairs.add(k);
    fromFlag.add(`hyper.${k}`);
    hyperTouched = true;
  }
  for (const h of HYPER_FLAGS) {
    const v = o[optionKey(h.flag)];
    if (v !== undefined) {
      hyper[h.field] = v;
      fromFlag.add(`hyper.${h.field}`);
      hyperTouched = true;
    }
  }
  if (hyperTouched || raw['hyper'] === undefined) raw['hyper'] = hyper;
  if (o.steps !== undefined || o.samples !== undefined || o.epochs !== undefined) {
    raw['budget'] = Object.fromEntries(Object.entries({ steps: o.steps, samples: o.samples, epochs: o.epochs }).filter(([, v]) => v !== undefined));
    fromFlag.add('budget');
    for (const k of ['steps', 'samples', 'epochs']) fromFlag.add(`budget.${k}`);
  }
  set('seed', o.seed);
  set('evalEvery', o.evalEvery);
  if (cmd.getOptionValueSource('replace') === 'cli') set('replace', o.replace);
  if (o.pooling !== undefined || o.devices !== undefined || o.testMicroBatch !== undefined) {
    const tpIn = raw['testPooling'];
    const tp: Record<string, unknown> = tpIn !== null && typeof tpIn === 'object' && !Array.isArray(tpIn) ? { ...(tpIn as object) } : {};
    for (const [field, v] of [['form', o.pooling], ['devices', o.devices], ['microBatch', o.testMicroBatch]] as const) {
      if (v === undefined) continue;
      tp[field] = v;
      fromFlag.add(`testPooling.${field}`);
    }
    raw['testPooling'] = tp;
  }

  const source = o.config ?? 'command line';
  let config;
  try {
    config = parseRunConfig(raw, source);
  } catch (e) {
    if (e instanceof ConfigFileError) {
      const all = o.config === undefined;
      throw new ConfigFileError(e.source, withFlags(e.issues, (p) => all || fromFlag.has(p) || fromFlag.has(p.split('.')[0]!)));
    }
    throw e;
  }
  const tpRaw = raw['testPooling'] as { form?: unknown; devices?: unknown; microBatch?: unknown } | undefined;
  if (config.testPooling === undefined && tpRaw !== undefined && (tpRaw.devices !== undefined || tpRaw.microBatch !== undefined)) {
    const where = fromFlag.has('testPooling.devices') || fromFlag.has('testPooling.microBatch') ? '--devices/--test-micro-batch' : `testPooling in ${source}`;
    io.err(`adadagrad run: warning: ${where} has no effect without --pooling official (testPooling.form 'official'): the unbiased pooled statistics are those of the whole batch however it is split\n`);
  }
  for (const k of unusedParams(config.optimizer, config.controller, config.hyper)) {
    const path = `hyper.${k}`;
    const flag = viaPairs.has(k) ? `--hyper ${k}=...` : flagOfPath(path);
    const where = fromFlag.has(path) ? `${flag} (${path})` : `${path} in ${source}`;
    io.err(`adadagrad run: warning: ${where} is not read by optimizer '${config.optimizer}' or controller '${config.controller}'; it has no effect\n`);
  }
  return runJob(runId(config), config, { ...(o.out !== undefined ? { out: o.out } : {}), ...(o.json === true ? { json: true } : {}), logEvery: o.logEvery }, io);
}
