/** Checks of the options shared by `slurm sweep` and `slurm reproduce`: bad values are reported (exit 2) before anything is written. */
import { ConfigFileError } from './config.js';
import { directiveValue } from './slurmScript.js';
import type { SlurmResources } from './slurmPlan.js';

const bad = (path: string, message: string): ConfigFileError => new ConfigFileError('command line', [{ path, message }]);

export function checkTasks(tasks: number): void {
  if (!(Number.isInteger(tasks) && tasks >= 1)) throw bad('--tasks', `expected an integer ≥ 1, got ${tasks}`);
}

/** Resources must fit on an #SBATCH line; CPUs per task is a positive integer. */
export function checkResources(r: SlurmResources): void {
  if (r.cpusPerTask !== undefined && !(Number.isInteger(r.cpusPerTask) && r.cpusPerTask >= 1)) throw bad('--cpus-per-task', `expected an integer ≥ 1, got ${r.cpusPerTask}`);
  for (const [flag, v] of [['--partition', r.partition], ['--time', r.time], ['--mem', r.mem], ['--account', r.account]] as const) {
    if (v === undefined) continue;
    if (v.trim() === '') throw bad(flag, 'expected a value, got an empty string');
    try {
      directiveValue(v);
    } catch (e) {
      throw bad(flag, (e as Error).message);
    }
  }
}

/** The output directory appears in #SBATCH lines and bash words. */
export function checkDir(dir: string): void {
  try {
    directiveValue(dir);
  } catch (e) {
    throw bad('--out', (e as Error).message);
  }
}
