/** Worker threads inside a Slurm task default to the CPUs Slurm granted. */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultWorkers } from '../../src/cli/slurmEnv.js';

describe('defaultWorkers', () => {
  it('is $SLURM_CPUS_PER_TASK inside a task, else the available parallelism', () => {
    const other = availableParallelism() + 3; // differs from the machine's count
    expect(defaultWorkers({ SLURM_CPUS_PER_TASK: String(other) })).toBe(other);
    expect(defaultWorkers({})).toBe(availableParallelism());
    expect(defaultWorkers({ SLURM_CPUS_PER_TASK: '0' })).toBe(availableParallelism());
    expect(defaultWorkers({ SLURM_CPUS_PER_TASK: 'two' })).toBe(availableParallelism());
  });
});
