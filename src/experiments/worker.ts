/** Worker-thread entry of the reproductions: runs one job per message and posts the output back. */
import { parentPort } from 'node:worker_threads';
import { executeJob } from './execute.js';
import type { RunJob, RunOutput } from './types.js';

export type ToWorker = { readonly type: 'job'; readonly index: number; readonly job: RunJob };
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly index: number; readonly output: RunOutput }
  | { readonly type: 'failed'; readonly index: number; readonly error: string };

if (parentPort === null) throw new Error('experiments/worker: must run in a worker thread');
const port = parentPort;

port.on('message', (m: ToWorker) => {
  if (m.type !== 'job') return;
  executeJob(m.job).then(
    (output) => port.postMessage({ type: 'done', index: m.index, output } satisfies FromWorker),
    (e: unknown) => port.postMessage({ type: 'failed', index: m.index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies FromWorker),
  );
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
