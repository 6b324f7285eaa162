/**
 * The `adadagrad` command: run, sweep, merge, plot, problems, stats, reproduce.
 * Exit codes: 0 ok; 1 a run failed (diverged or error); 2 bad input (invalid
 * flags, configuration or names), reported before any work starts; 130 interrupted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { HYPER_NAMES, echo } from '../registry/index.js';
import { exampleCommand } from './commands/example.js';
import { problemsCommand } from './commands/problems.js';
import { runCommand, type RunFlags } from './commands/run.js';
import { statsCommand } from './commands/stats.js';
import { ConfigFileError } from './config.js';
import { HYPER_FLAGS, collect, collectPairs, parseInteger, parseNumber } from './flags.js';
import { EXAMPLES } from './help.js';
import { CliError, processIO, type CliIO } from './io.js';
import { MergeConflictError, mergeCommand } from './merge.js';
import { plotCommand } from './plot.js';
import { reproduceCommand } from './reproduce.js';
import { addSlurmCommand } from './slurmCommand.js';
import { sweepCommand } from './sweep.js';

/** Exit codes of the command line. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

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
  for (const h of HYPER_FLAGS) run.option(`--${h.flag} <${h.placeholder}>`, h.desc, h.parse);
  run
    .option('--hyper <name=value>', `any other hyperparameter (repeatable): ${HYPER_NAMES.join(', ')}`, collectPairs)
    .option('--steps <n>', 'budget: steps', parseInteger)
    .option('--samples <n>', 'budget: samples', parseInteger)
    .option('--epochs <x>', 'budget: epochs of a finite sum', parseNumber)
    .option('--seed <n>', 'seed of the run key (default 0)', parseInteger)
    .option('--eval-every <n>', 'evaluate F and ||∇F||² every n steps (default 1)', parseInteger)
    .option('--no-replace', 'sample batches without replacement')
    .option(
      '--pooling <form>',
      "where the test statistics are computed: 'unbiased' (default: the whole batch, the unbiased pooled estimator however it is split) or 'official' (the official AdAdaGrad tests.py: each device's micro-batches pooled by the law of total variance with equal weights, biased up by about 1 + (M−1)/(M·b_m), +37.5% at M = 4, b_m = 2)",
    )
    .option('--devices <M>', 'with --pooling official: devices M the batch is split over (default 1; b₀ ≥ 2M; --test-workers M keeps the shares equal, as officially)', parseInteger)
    .option('--test-micro-batch <m>', 'with --pooling official: largest micro-batch per device, gradient accumulation beyond it (the official max_test_micro_batch_size; integer ≥ 3; default: none)', parseInteger)
    .option('--out <file.jsonl>', '(optional) trace file, JSON Lines ending in a summary line; without it only the summary is printed')
    .option('--config <file.json>', 'run configuration file (flags override its fields)')
    .option('--json', 'print the run id, configuration and summary as JSON on stdout')
    .addOption(new Option('--log-every <n>', 'without a TTY, log a line every n steps').argParser(parseInteger).default(100))
    .addHelpText('after', EXAMPLES.run)
    .action(wrap(async (o: RunFlags, cmd: Command) => runCommand(o, cmd, io)));

  program
    .command('sweep')
    .description('run a grid of configurations on worker threads, resumable and shardable')
    .requiredOption('--config <file.json>', 'sweep configuration (required)')
    .requiredOption('--out <dir>', 'output directory (required)')
    .option('--workers <n>', 'worker threads (default: $SLURM_CPUS_PER_TASK in a Slurm task, else available parallelism)', parseInteger)
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
    .requiredOption('--out <dir>', 'output directory for the merged results.jsonl; runs already there are kept (required)')
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
    .requiredOption('--grads <file.json>', 'per-sample gradients: [[...], ...] or {"grads": [...], "blocks": [[s, e], ...]} (required)')
    .option('--eta <x>', 'η of the norm tests (default 0.1, the official code\'s)', parseNumber)
    .option('--theta <x>', 'θ of the inner-product test (default 0.9, Bollapragada et al.; official code 0.1)', parseNumber)
    .option('--nu <x>', 'ν of the orthogonality test (default 5.84, Bollapragada et al.; official code 0.1)', parseNumber)
    .option('--batch <b>', 'current batch size b_k (default: the number of rows)', parseInteger)
    .option('--bmax <n>', 'cap of the next batch size (default: none)', parseInteger)
    .option('--json', 'JSON output (always on; accepted for symmetry)')
    .addHelpText('after', EXAMPLES.stats)
    .action(wrap(async (o: { grads: string; eta?: number; theta?: number; nu?: number; batch?: number; bmax?: number }) => statsCommand(o, io)));

  program
    .command('example')
    .description('print an example file that ships with the package (run, sweep, grads, svm); without a name, list them')
    .argument('[name]', 'example name')
    .option('--path', 'print the file\'s path instead of its contents')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXAMPLES.example)
    .action(wrap(async (name: string | undefined, o: { path?: boolean; json?: boolean }) => exampleCommand(name, o, io)));

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

  addSlurmCommand(program, io, wrap);

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
    if (e instanceof CliError) {
      io.err(`${where}: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof ConfigFileError || e instanceof MergeConflictError || (e instanceof Error && e.name === 'ProblemArgumentError')) {
      io.err(`${where}: ${e.message.split('\n').map((l) => (l.length > 400 ? echo(l) : l)).join('\n')}\n`);
      return EXIT.badInput;
    }
    io.err(`${where}: error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.failed;
  }
}
