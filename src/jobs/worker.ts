/**
 * The worker-thread entry of the job pool: imports the executor module named in
 * workerData, says 'ready', then runs one job per message and posts its output
 * (or its error as plain data) back. Any executor module works: sweeps, single
 * runs and the reproductions share this entry.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorData, type ErrorData, type ExecutorModule } from './job.js';

/** Parent → worker. */
export type ToWorker = { readonly type: 'job'; readonly index: number; readonly spec: unknown };

/** Worker → parent. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly index: number; readonly output: unknown }
  | { readonly type: 'failed'; readonly index: number; readonly error: ErrorData }
  | { readonly type: 'progress'; readonly index: number; readonly note: unknown };

/** What the pool passes as workerData. */
export interface WorkerInit {
  readonly executor: string;
}

if (parentPort === null) throw new Error('jobs/worker: must run in a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;
const mod = (await import(init.executor)) as ExecutorModule<unknown, unknown>;
if (typeof mod.execute !== 'function') throw new Error(`jobs/worker: ${init.executor} does not export execute(spec, ctx)`);

port.on('message', (m: ToWorker) => {
  if (m.type !== 'job') return;
  const ctx = { progress: (note: unknown) => port.postMessage({ type: 'progress', index: m.index, note } satisfies FromWorker) };
  Promise.resolve()
    .then(() => mod.execute(m.spec, ctx))
    .then(
      (output) => port.postMessage({ type: 'done', index: m.index, output } satisfies FromWorker),
      (e: unknown) => port.postMessage({ type: 'failed', index: m.index, error: errorData(e) } satisfies FromWorker),
    );
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
