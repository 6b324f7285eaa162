/** The executor module of the reproductions' jobs (imported by each job-pool worker, see src/jobs/worker.ts). */
import { executeJob } from './execute.js';
import type { RunJob, RunOutput } from './types.js';

/** Run one job (errors inside the run are reported in the output, not thrown). */
export function execute(job: RunJob): Promise<RunOutput> {
  return executeJob(job);
}
