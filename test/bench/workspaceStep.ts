/**
 * Child of the workspace benchmark (test/bench/workspace.ts): a loop of the engine's
 * statistics step (batchGradStats + statistics, a fresh companion per call as in every
 * benchmark case) on one model and batch size, on wasm with 2 threads, with or without a
 * statistics workspace, in a process of its own; prints one JSON line.
 * Usage: node --import tsx test/bench/workspaceStep.ts mlp|softmax B fresh|workspace WARMUP_MS REPS SEED
 */
import { setBackend } from '../../src/backend/index.js';
import { createStatsWorkspace } from '../../src/batching/index.js';
import { key, split, type Key } from '../../src/rng/index.js';
import { drawBatch, engineStats, loadData, makeModel, type ModelName } from './cases.js';
import { measure } from './harness.js';

const [model, bArg, mode, warmupArg, repsArg, seedArg] = process.argv.slice(2);
const b = Number(bArg);
if (!['mlp', 'softmax'].includes(model ?? '') || !(b >= 2) || !['fresh', 'workspace'].includes(mode ?? '')) {
  process.stderr.write('usage: workspaceStep.ts mlp|softmax B fresh|workspace WARMUP_MS REPS SEED\n');
  process.exit(2);
}
const seed = Number(seedArg);
setBackend('wasm', { threads: 2 });
const [kModel, kBatch] = split(key(seed), 2) as [Key, Key];
const data = await loadData(seed, 8192);
const m = makeModel(model as ModelName, kModel);
const batch = drawBatch(data, b, kBatch);
const ws = mode === 'workspace' ? createStatsWorkspace() : undefined;
const r = measure(() => engineStats(m, batch, ws), { warmup: 3, warmupMs: Number(warmupArg), reps: Number(repsArg) });
const st = engineStats(m, batch, ws).st;
process.stdout.write(`${JSON.stringify({ median_ms: r.median_ms, min_ms: Math.min(...r.times_ms), S_norm: st.S_norm, S_j0: st.S_j[0] })}\n`);
process.exit(0);
