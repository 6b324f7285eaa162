/**
 * The `adadagrad slurm` command group: `sweep`, `reproduce`, `status`, and the
 * array tasks' `reproduce-task`. Registered on the program by `addSlurmCommand`.
 */
import { Command, InvalidArgumentError } from 'commander';
import type { CliIO } from './io.js';
import { reproduceTaskCommand, slurmReproduceCommand } from './slurmReproduce.js';
import { SlurmPlanError } from './slurmPlan.js';
import { slurmStatusCommand } from './slurmStatus.js';
import { SlurmSubmitError } from './slurmSubmit.js';
import { slurmSweepCommand } from './slurmSweep.js';

function parsePositiveInteger(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isInteger(x)) throw new InvalidArgumentError(`expected an integer, got '${v}'.`);
  return x;
}

const RESOURCE_HELP = `
The scripts call the toolkit by an absolute command: from the build (the installed
adadagrad bin) "<node> <abs>/dist/src/cli/main.js"; from a source checkout
"<node> --import <abs tsx loader URL> <abs>/src/cli/main.ts". Pass --command when
compute nodes need another one (a module, a container). Jobs inherit the submitting
environment (sbatch's default), so ADADAGRAD_BACKEND / ADADAGRAD_THREADS reach the tasks.`;

const EXAMPLES = {
  sweep: `
Task i runs "sweep --shard i/N --out DIR/shards/i --workers $SLURM_CPUS_PER_TASK" (i =
$SLURM_ARRAY_TASK_ID, 1-based) and succeeds when every run of shard i has a result; the
merge job (--dependency=afterok:<array id>) writes DIR/results.jsonl. Logs: DIR/logs/.
Submitting again runs only the shards with missing runs (finished runs are skipped by run id).
${RESOURCE_HELP}

Examples:
  $ adadagrad slurm sweep --config sweep.json --out results/big --tasks 8 --cpus-per-task 4 --time 02:00:00
  $ adadagrad slurm sweep --config sweep.json --out results/big --tasks 8 --cpus-per-task 4 --time 02:00:00 --submit
  $ adadagrad slurm status results/big`,
  reproduce: `
The distinct runs of the selected figures are dealt into N shards; task i runs shard i
into DIR/runs/ (the reproduce cache), and the dependent job runs "reproduce" with the same
figures and mode, which finds every run cached and draws the figures into DIR.
${RESOURCE_HELP}

Examples:
  $ adadagrad slurm reproduce --full --out results/paper --tasks 16 --cpus-per-task 2 --time 04:00:00 --submit
  $ adadagrad slurm reproduce fig1 --quick --out /tmp/figs --tasks 2`,
  status: `
done = completed, failed = recorded as diverged or error (with the message), missing = no
result yet. Exit code 0 when nothing is missing, 1 otherwise.

Examples:
  $ adadagrad slurm status results/big
  $ adadagrad slurm status results/big --shard 3 --json`,
};

type Wrap = <A extends unknown[]>(f: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

/** Report a bad directory or plan (exit 2) and a failed Slurm call (exit 1) as one line naming the subcommand. */
function guarded<A extends unknown[]>(sub: string, io: CliIO, f: (...args: A) => Promise<number>): (...args: A) => Promise<number> {
  return async (...args: A) => {
    try {
      return await f(...args);
    } catch (e) {
      if (e instanceof SlurmPlanError) {
        io.err(`adadagrad slurm ${sub}: ${e.message}\n`);
        return 2;
      }
      if (e instanceof SlurmSubmitError) {
        io.err(`adadagrad slurm ${sub}: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  };
}

/** Add `slurm` and its subcommands to the program. */
export function addSlurmCommand(program: Command, io: CliIO, wrap: Wrap): void {
  const slurm = program.command('slurm').description('sweeps and reproductions as Slurm array jobs: write or submit the scripts, report shard status');
  const resources = (c: Command): Command =>
    c
      .option('--partition <name>', 'sbatch --partition')
      .option('--time <limit>', 'sbatch --time of each task (e.g. 01:00:00)')
      .option('--cpus-per-task <n>', 'sbatch --cpus-per-task; the worker threads of each task', parsePositiveInteger)
      .option('--mem <size>', 'sbatch --mem of each task (e.g. 4G)')
      .option('--account <name>', 'sbatch --account')
      .option('--command <cmd>', 'the toolkit command in the scripts (default: this installation, absolute)')
      .option('--submit', 'submit with sbatch (default: print the scripts and the sbatch commands)')
      .option('--json', 'machine-readable output on stdout');

  resources(
    slurm
      .command('sweep')
      .description('a sweep as an array job (one shard per task) and a merge job depending on it')
      .requiredOption('--config <file.json>', 'sweep configuration (copied to DIR/slurm/config.json)')
      .requiredOption('--out <dir>', 'output directory (slurm/, shards/, logs/, results.jsonl)')
      .requiredOption('--tasks <n>', 'array tasks = shards', parsePositiveInteger)
      .option('--retry-failed', 'run again the runs recorded as failed')
      .option('--traces', "write each run's trace (DIR/shards/i/runs/)"),
  )
    .addHelpText('after', EXAMPLES.sweep)
    .action(wrap(guarded('sweep', io, async (o: Parameters<typeof slurmSweepCommand>[0]) => slurmSweepCommand(o, io))));

  resources(
    slurm
      .command('reproduce')
      .description("the figures' runs as an array job and a job drawing the figures once they are all done")
      .argument('[figure]', 'figure name, prefix or family (as for reproduce); default: all')
      .requiredOption('--out <dir>', 'output directory (the figures, runs/, slurm/, logs/)')
      .requiredOption('--tasks <n>', 'array tasks = shards', parsePositiveInteger)
      .option('--quick', 'small runs')
      .option('--full', 'paper scale'),
  )
    .addHelpText('after', EXAMPLES.reproduce)
    .action(wrap(guarded('reproduce', io, async (figure: string | undefined, o: Omit<Parameters<typeof slurmReproduceCommand>[0], 'figure'>) => slurmReproduceCommand({ ...o, ...(figure !== undefined ? { figure } : {}) }, io))));

  slurm
    .command('status')
    .description('per shard: runs done, failed (with messages) and missing')
    .argument('<dir>', 'the --out of slurm sweep or slurm reproduce')
    .option('--shard <i>', 'only shard i (1-based)', parsePositiveInteger)
    .option('--json', 'machine-readable output on stdout')
    .addHelpText('after', EXAMPLES.status)
    .action(wrap(guarded('status', io, async (dir: string, o: { shard?: number; json?: boolean }) => slurmStatusCommand({ dir, ...o }, io))));

  slurm
    .command('reproduce-task')
    .description('(run by the array tasks of slurm reproduce) run shard i/n of the figures\' runs into DIR/runs/')
    .argument('[figure]', 'figure selector, as for reproduce')
    .requiredOption('--out <dir>', 'the reproduction directory')
    .requiredOption('--shard <i/n>', 'the shard (1-based)')
    .option('--quick', 'small runs')
    .option('--full', 'paper scale')
    .option('--workers <n>', 'worker threads (default: $SLURM_CPUS_PER_TASK, else available parallelism)', parsePositiveInteger)
    .option('--json', 'machine-readable output on stdout')
    .action(wrap(async (figure: string | undefined, o: Omit<Parameters<typeof reproduceTaskCommand>[0], 'figure'>) => reproduceTaskCommand({ ...o, ...(figure !== undefined ? { figure } : {}) }, io)));
}
