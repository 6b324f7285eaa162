/** Worker-thread entry of `adadagrad sweep`: runs one configuration per message and posts its record back. */
import { parentPort } from 'node:worker_threads';
import { ProblemCache, type RunConfig } from './config.js';
import { executeRun, type RunRecord } from './execute.js';

/** Parent → worker. */
export type WorkerRequest = { readonly type: 'run'; readonly runId: string; readonly config: RunConfig; readonly tracePath?: string };

/** Worker → parent. */
export type WorkerReply = { readonly type: 'ready' } | { readonly type: 'done'; readonly runId: string; readonly record: RunRecord };

if (parentPort === null) throw new Error('sweepWorker: must run in a worker thread');
const port = parentPort;
const problems = new ProblemCache();

port.on('message', (m: WorkerRequest) => {
  if (m.type !== 'run') return;
  const record = executeRun(m.runId, m.config, { problems, ...(m.tracePath !== undefined ? { tracePath: m.tracePath } : {}) });
  port.postMessage({ type: 'done', runId: m.runId, record } satisfies WorkerReply);
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
