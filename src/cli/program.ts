/**
 * The `adadagrad` command: run, sweep, merge, plot, problems, stats, reproduce.
 * Exit codes: 0 ok; 1 a run failed (diverged or error); 2 bad input (invalid
 * flags, configuration or names), reported before any work starts; 130 interrupted.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigFileError, parseRunConfig, HYPER_NAMES, type ConfigIssue } from './config.js';
import { runId } from './canonical.js';
import { executeRun } from './execute.js';
import { processIO, type CliIO } from './io.js';
import { MergeConflictError, mergeCommand } from './merge.js';
import { plotCommand } from './plot.js';
import { problemsListing } from './problems.js';
import { runProgress } from './progress.js';
import { reproduceCommand } from './reproduce.js';
import { statsReport } from './stats.js';
import { readJsonFile, sweepCommand } from './sweep.js';

/** Exit codes of the command line. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

function parseNumber(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || Number.isNaN(x)) throw new InvalidArgumentError(`expected a number, got '${v}'.`);
  return x;
}

function parseInteger(v: string): number {
  const x = parseNumber(v);
  if (!Number.isInteger(x)) throw new InvalidArgumentError(`expected an integer, got '${v}'.`);
  return x;
}

function collectPairs(v: string, prev: Record<string, unknown> = {}): Record<string, unknown> {
  const m = /^([A-Za-z0-9]+)=(.*)$/.exec(v);
  if (m === null) throw new InvalidArgumentError(`expected NAME=VALUE such as rho=2 or milestones=[100,200], got '${v}'.`);
  let value: unknown;
  try {
    value = JSON.parse(m[2]!);
  } catch {
    throw new InvalidArgumentError(`the value of ${m[1]} must be JSON (a number or an array), got '${m[2]}'.`);
  }
  return { ...prev, [m[1]!]: value };
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'adadagrad') return pkg.version ?? '0.0.0';
      } catch {
        // keep looking
      }
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

/** Hyperparameter flags of `run` and the config fields they set. */
const HYPER_FLAGS: readonly { flag: string; field: string; desc: string; integer?: boolean }[] = [
  { flag: 'eta', field: 'eta', desc: 'η of the norm / coordinate-wise norm tests' },
  { flag: 'theta', field: 'theta', desc: 'θ of the inner-product test' },
  { flag: 'nu', field: 'nu', desc: 'ν of the orthogonality test' },
  { flag: 'lr', field: 'lr', desc: 'learning rate α' },
  { flag: 'beta0', field: 'beta0', desc: 'β₀ of AdaGrad-Norm (v₋₁ = β₀²)' },
  { flag: 'b0', field: 'b0', desc: 'initial batch size', integer: true },
  { flag: 'bmax', field: 'bMax', desc: 'largest batch size', integer: true },
  { flag: 'interval', field: 'interval', desc: 'test every τ steps', integer: true },
];

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
  ...Object.fromEntries(HYPER_FLAGS.map((h) => [`hyper.${h.field}`, `--${h.flag}`])),
};

/** Name the flag next to the config field when the value came from the command line. */
function withFlags(issues: readonly ConfigIssue[], fromFlags: (path: string) => boolean): ConfigIssue[] {
  return issues.map((i) => {
    if (!fromFlags(i.path)) return i;
    const flag = FLAG_OF_PATH[i.path] ?? (i.path.startsWith('hyper.') ? `--hyper ${i.path.slice(6)}=...` : undefined);
    return flag === undefined ? i : { path: `${flag} (${i.path})`, message: i.message };
  });
}

const EXAMPLES = {
  root: `
Examples:
  $ adadagrad problems --family nqm
  $ adadagrad run --problem nqm_d100_i0 --variant adadagrad-norm --eta 0.5 --bmax 1024 --steps 200 --out results/run.jsonl
  $ adadagrad sweep --config test/fixtures/sweep-small.json --out results/sweep-small
  $ adadagrad stats --grads grads.json --eta 0.5

Exit codes: 0 ok, 1 a run failed (diverged or error), 2 bad input (flags, configuration, names), 130 interrupted.`,
  run: `
The last line of FILE.jsonl is a summary with the final status. Flags override the
fields of --config; budget flags replace the config's budget. Names: see the README's
table (optimizers, controllers, variants).

Examples:
  $ adadagrad run --problem nqm_d100_i0 --variant adadagrad-norm --eta 0.5 --bmax 1024 --steps 200 --out results/run.jsonl
  $ adadagrad run --problem lsq-noisy_d20_n2000_i0 --optimizer adagrad --controller coord-norm --eta 0.25 --bmax 512 --epochs 5 --no-replace --out results/lsq.jsonl --json
  $ adadagrad run --config run.json --seed 3 --out results/seed3.jsonl
    where run.json is {"problem": "nqm_d100_i0", "optimizer": "adagrad-norm", "controller": "norm",
                       "hyper": {"eta": 0.5, "lr": 1, "bMax": 1024}, "budget": {"steps": 300}, "seed": 0, "evalEvery": 10}`,
  sweep: `
A sweep config is JSON: {name?, grid: {problem: [...], variant: [...] | optimizer: [...] + controller: [...],
seed: [...], hyper?: {eta: [...], lr: [...], ...}}, hyper?: {fixed values}, budget: {steps?, samples?, epochs?},
evalEvery?, replace?}. The grid expands in the order problem → method (variant, or optimizer × controller)
→ grid.hyper fields in alphabetical order → seed (fastest). Each run is keyed by run_id, a hash of its
canonical configuration: a restarted sweep skips runs already in DIR/results.jsonl. --shard i/n keeps the
runs whose position, after sorting by run_id, is i−1 mod n. Results do not depend on --workers.

Examples:
  $ adadagrad sweep --config test/fixtures/sweep-small.json --out results/sweep-small
  $ adadagrad sweep --config sweep.json --out results/s --workers 2 --traces
  $ adadagrad sweep --config sweep.json --out results/shard-$SLURM_ARRAY_TASK_ID --shard $SLURM_ARRAY_TASK_ID/8
  $ adadagrad sweep --config sweep.json --out results/s --dry-run --json`,
  merge: `
Identical duplicates collapse; a run_id with conflicting results is an error (exit 2).

Examples:
  $ adadagrad merge results/shard-1 results/shard-2 results/shard-3 --out results/all
  $ adadagrad merge results/a/results.jsonl results/b --out results/all --traces`,
  plot: `
Examples:
  $ adadagrad plot results/sweep-small --out figures/`,
  problems: `
Examples:
  $ adadagrad problems
  $ adadagrad problems --family nqm --json
  $ adadagrad problems --tag population --tag nonconvex`,
  stats: `
The input is JSON: an array of b rows of length d (per-sample gradients), or
{"grads": [...], "blocks": [[start, end], ...]} with half-open ranges tiling [0, d).
next_batch is min(bmax, ⌈max(batch, T)⌉) for each test (docs/MATH.md §3).

Examples:
  $ echo '[[1, 2], [3, 4], [5, 0]]' > grads.json
  $ adadagrad stats --grads grads.json --eta 0.5 --theta 0.5 --nu 1
  $ adadagrad stats --grads grads.json --batch 64 --bmax 4096`,
  reproduce: `
Each run's output is cached in OUT/runs/ as soon as it ends: a rerun (or a run after a
crash) reuses it. Default mode takes a few minutes on 2 cores; --quick is the small CI size (times in the README).

Examples:
  $ adadagrad reproduce
  $ adadagrad reproduce --quick --out /tmp/figs
  $ adadagrad reproduce fig1 --out figures/
  $ adadagrad reproduce fig6-mnist --full`,
};

interface RunFlags {
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
  out: string;
  config?: string;
  json?: boolean;
  logEvery: number;
  [k: string]: unknown;
}

async function runCommand(o: RunFlags, cmd: Command, io: CliIO): Promise<number> {
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
  for (const [k, v] of Object.entries(o.hyper ?? {})) {
    hyper[k] = v;
    fromFlag.add(`hyper.${k}`);
    hyperTouched = true;
  }
  for (const h of HYPER_FLAGS) {
    const v = o[h.flag];
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
  const id = runId(config);
  if (dirname(o.out) !== '') mkdirSync(dirname(o.out), { recursive: true });
  const progress = runProgress(config.budget, { tty: io.errTTY, ...(io.errStream !== undefined ? { stream: io.errStream } : {}), line: (t) => io.err(`${t}\n`) }, o.logEvery);
  const rec = executeRun(id, config, { tracePath: o.out, observers: [progress] });
  progress.stop();
  if (rec.summary === null) {
    io.err(`adadagrad run: the run could not start: ${rec.error}\n`);
    return EXIT.badInput;
  }
  if (o.json) io.out(`${JSON.stringify({ run_id: id, out: o.out, status: rec.status, config, summary: rec.summary })}\n`);
  else io.out(`${id} ${rec.status}: ${rec.summary.message}; trace in ${o.out}\n`);
  return rec.status === 'completed' ? EXIT.ok : EXIT.failed;
}

async function problemsCommand(o: { family?: string[]; tag?: string[]; json?: boolean }, io: CliIO): Promise<number> {
  const rows = problemsListing({ ...(o.family !== undefined ? { family: o.family } : {}), ...(o.tag !== undefined ? { tags: o.tag } : {}) });
  if (o.json) {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  const table = rows.map((r) => {
    const c = r.constants as { L?: { value?: unknown; kind?: unknown }; F_low?: unknown; F_star?: unknown } | null;
    const L = c?.L;
    const num = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : '–');
    return [r.id, r.family, String(r.dim), r.n === null ? '∞' : String(r.n), L?.value !== undefined ? `${Number(L.value).toPrecision(4)} (${String(L.kind)})` : '–', num(c?.F_low), num(c?.F_star), r.tags.join(',')];
  });
  const head = ['id', 'family', 'dim', 'n', 'L', 'F_low', 'F*', 'tags'];
  const widths = head.map((h, j) => Math.max(h.length, ...table.map((r) => r[j]!.length)));
  const fmtRow = (r: string[]): string => r.map((c, j) => (j === r.length - 1 ? c : c.padEnd(widths[j]!))).join('  ');
  io.out(`${fmtRow(head)}\n${table.map(fmtRow).join('\n')}\n`);
  return EXIT.ok;
}

async function statsCommand(o: { grads: string; eta?: number; theta?: number; nu?: number; batch?: number; bmax?: number }, io: CliIO): Promise<number> {
  let text: string;
  try {
    text = readFileSync(o.grads, 'utf8');
  } catch (e) {
    throw new ConfigFileError(o.grads, [{ path: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})` }]);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    const hint = /\b(NaN|-?Infinity)\b/.test(text) ? ' (NaN and Infinity are not allowed: every gradient entry must be a finite number)' : '';
    throw new ConfigFileError(o.grads, [{ path: '', message: `not valid JSON${hint}: ${(e as Error).message}` }]);
  }
  for (const [name, v] of [['--eta', o.eta], ['--theta', o.theta], ['--nu', o.nu]] as const) {
    if (v !== undefined && !(v > 0 && Number.isFinite(v))) throw new ConfigFileError('command line', [{ path: name, message: `expected a positive number, got ${v}` }]);
  }
  if (o.batch !== undefined && !(o.batch >= 1)) throw new ConfigFileError('command line', [{ path: '--batch', message: `expected an integer ≥ 1, got ${o.batch}` }]);
  if (o.bmax !== undefined && !(o.bmax >= 1)) throw new ConfigFileError('command line', [{ path: '--bmax', message: `expected an integer ≥ 1, got ${o.bmax}` }]);
  const report = statsReport(input, o, o.grads);
  io.out(`${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return EXIT.ok;
}

/**
 * Build the command-line program. Actions report their exit code through `done`;
 * nothing here calls process.exit, so the program can run in-process (tests).
 */
export function buildProgram(io: CliIO, done: (code: number) => void): Command {
  const program = new Command();
  program
    .name('adadagrad')
    .description('Adaptive batch-size methods for adaptive gradient optimizers: runs, sweeps, statistics and the benchmark problems.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(add --help for usage and examples)')
    .addHelpText('after', EXAMPLES.root);

  const wrap =
    <A extends unknown[]>(f: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<void> => {
      done(await f(...args));
    };

  const run = program
    .command('run')
    .description('one run of an optimizer with a batch-size controller on a problem, traced as JSON Lines')
    .option('--problem <id>', 'problem id (adadagrad problems lists the suite)')
    .option('--variant <name>', 'named pairing (sets optimizer and controller)')
    .option('--optimizer <name>', 'optimizer name')
    .option('--controller <name>', 'controller name');
  for (const h of HYPER_FLAGS) run.option(`--${h.flag} <${h.integer ? 'n' : 'x'}>`, h.desc, h.integer ? parseInteger : parseNumber);
  run
    .option('--hyper <name=value>', `any other hyperparameter (repeatable): ${HYPER_NAMES.join(', ')}`, collectPairs)
    .option('--steps <n>', 'budget: steps', parseInteger)
    .option('--samples <n>', 'budget: samples', parseInteger)
    .option('--epochs <x>', 'budget: epochs of a finite sum', parseNumber)
    .option('--seed <n>', 'seed of the run key (default 0)', parseInteger)
    .option('--eval-every <n>', 'evaluate F and ||∇F||² every n steps (default 1)', parseInteger)
    .option('--no-replace', 'sample batches without replacement')
    .requiredOption('--out <file.jsonl>', 'trace file (JSON Lines; the last line is the summary)')
    .option('--config <file.json>', 'run configuration file (flags override its fields)')
    .option('--json', 'print the run id, configuration and summary as JSON on stdout')
    .addOption(new Option('--log-every <n>', 'without a TTY, log a line every n steps').argParser(parseInteger).default(100))
    .addHelpText('after', EXAMPLES.run)
    .action(wrap(async (o: RunFlags, cmd: Command) => runCommand(o, cmd, io)));

  program
    .command('sweep')
    .description('run a grid of configurations on worker threads, resumable and shardable')
    .requiredOption('--config <file.json>', 'sweep configuration')
    .requiredOption('--out <dir>', 'output directory (results.jsonl, runs/)')
    .option('--workers <n>', 'worker threads (default: available parallelism)', parseInteger)
    .option('--shard <i/n>', 'run only the i-th of n deterministic slices')
    .option('--traces', 'write each run\'s trace to DIR/runs/<run_id>.jsonl')
    .option('--retry-failed', 'run again the runs recorded as failed')
    .option('--dry-run', 'list the runs (run_id, state, configuration) without running')
    .option('--json', 'machine-readable output on stdout')
    .addHelpText('after', EXAMPLES.sweep)
    .action(
      wrap(async (o: { config: string; out: string; workers?: number; shard?: string; traces?: boolean; retryFailed?: boolean; dryRun?: boolean; json?: boolean }) => {
        if (o.workers !== undefined && !(o.workers >= 1)) throw new ConfigFileError('command line', [{ path: '--workers', message: `expected an integer ≥ 1, got ${o.workers}` }]);
        return sweepCommand(o, io);
      }),
    );

  program
    .command('merge')
    .description('merge sweep results (shards) by run_id')
    .argument('<inputs...>', 'result directories (or results .jsonl files)')
    .requiredOption('--out <dir>', 'output directory for the merged results.jsonl')
    .option('--traces', 'copy the runs\' traces (DIR/runs/<run_id>.jsonl) too')
    .option('--json', 'machine-readable summary on stdout')
    .addHelpText('after', EXAMPLES.merge)
    .action(wrap(async (inputs: string[], o: { out: string; traces?: boolean; json?: boolean }) => mergeCommand({ inputs, ...o }, io)));

  program
    .command('plot')
    .description('figures from run traces (run --out, sweep --traces): SVG, PNG, CSV, spec and index.html')
    .argument('[inputs...]', 'results directories or trace files')
    .option('--out <dir>', 'output directory for the figures (default: figures)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXAMPLES.plot)
    .action(wrap(async (inputs: string[], o: { out?: string; json?: boolean }) => plotCommand({ inputs, ...o }, io)));

  program
    .command('problems')
    .description('list the benchmark suite: id, family, dim, n, constants, tags')
    .option('--family <name>', 'only these families (repeatable, or comma-separated)', collect)
    .option('--tag <tag>', 'only problems with all these tags (repeatable)', collect)
    .option('--json', 'print the listing as JSON')
    .addHelpText('after', EXAMPLES.problems)
    .action(wrap(async (o: { family?: string[]; tag?: string[]; json?: boolean }) => problemsCommand(o, io)));

  program
    .command('stats')
    .description('batch statistics and the next batch size of each test from a per-sample gradient matrix (prints JSON)')
    .requiredOption('--grads <file.json>', 'per-sample gradients: [[...], ...] or {"grads": [...], "blocks": [[s, e], ...]}')
    .option('--eta <x>', 'η of the norm tests (default 0.1)', parseNumber)
    .option('--theta <x>', 'θ of the inner-product test (default 0.9)', parseNumber)
    .option('--nu <x>', 'ν of the orthogonality test (default 5.84)', parseNumber)
    .option('--batch <b>', 'current batch size b_k (default: the number of rows)', parseInteger)
    .option('--bmax <n>', 'cap of the next batch size (default: none)', parseInteger)
    .option('--json', 'JSON output (always on; accepted for symmetry)')
    .addHelpText('after', EXAMPLES.stats)
    .action(wrap(async (o: { grads: string; eta?: number; theta?: number; nu?: number; batch?: number; bmax?: number }) => statsCommand(o, io)));

  program
    .command('reproduce')
    .description('regenerate the theory figures (SVG, PNG, CSV, spec) and an index.html')
    .argument('[figure]', 'figure name (fig1-rate), prefix (fig1) or family (rates), comma-separated; default: all')
    .option('--out <dir>', 'output directory (default: results)')
    .option('--quick', 'small runs for CI')
    .option('--full', 'paper scale (MNIST for 100 epochs; hours)')
    .option('--workers <n>', 'worker threads (default: available parallelism)', parseInteger)
    .option('--fresh', 'recompute runs even when OUT/runs/ holds them')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXAMPLES.reproduce)
    .action(
      wrap(async (figure: string | undefined, o: { out?: string; json?: boolean; quick?: boolean; full?: boolean; workers?: number; fresh?: boolean }) =>
        reproduceCommand({ ...(figure !== undefined ? { figure } : {}), ...o }, io),
      ),
    );

  return program;
}

/**
 * Run the command line on `args` (without `node` and the script) and return the
 * exit code. Bad input is reported as `adadagrad <command>: ...` on stderr with code 2.
 *
 * @example
 * await runCli(['stats', '--grads', 'grads.json', '--eta', '0.5']); // returns 0 and prints the JSON report
 */
export async function runCli(args: readonly string[], io: CliIO = processIO()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  const command = args.find((a) => !a.startsWith('-')) ?? '';
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.badInput;
    }
    const where = `adadagrad${command !== '' ? ` ${command}` : ''}`;
    if (e instanceof ConfigFileError || e instanceof MergeConflictError || (e instanceof Error && e.name === 'ProblemArgumentError')) {
      io.err(`${where}: ${e.message}\n`);
      return EXIT.badInput;
    }
    io.err(`${where}: error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.failed;
  }
}
