/** A test executor module: squares a number, fails on a negative one, posts one progress note. */
import type { JobContext } from '../../src/jobs/job.js';

export function execute(spec: number, ctx: JobContext): number {
  if (spec < 0) throw Object.assign(new Error(`negative ${spec}`), { code: 'EBADJOB', path: `/jobs/${spec}` });
  ctx.progress({ half: spec / 2 });
  return spec * spec;
}
