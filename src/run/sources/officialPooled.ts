/**
 * The official AdAdaGrad code's test statistics as a gradient source: the batch of
 * b_k, drawn by the run's sampler, is split into M device shares, each device's
 * statistics are computed on micro-batches of at most `microBatch` samples (gradient
 * accumulation) and pooled across devices by the law of total variance with equal
 * weights, as `tests.py` does (`var_sample_grad_distributed`,
 * `var_sample_batch_grad_distributed`, `var_orthogonality_distributed`,
 * `norm_test_distributed_accumulate`; github.com/timlautk/AdAdaGrad). The formulas,
 * the split and what differs are in src/batching/tests/officialPooled.ts
 * (`poolSummaries`, `officialPartition`).
 *
 * Labelled, not the default: the pooled variance is biased upward by about
 * 1 + (U − 1)/(U b_u) for U equal units of b_u samples (1 + (M − 1)/(M b_m) without
 * accumulation: +37.5% at M = 4, b_m = 2), where our default, the statistics of the
 * whole batch, is the unbiased pooled estimator; and its orthogonality squares a sum
 * where the law of total variance sums squares (reproduced; rounding-level here).
 * The official code has accumulation for the norm test only (the ip and ip+orth tests
 * raise NotImplementedError); here every statistic is pooled over the same units.
 *
 * What the step gets: g = ḡ and the loss of the whole batch (bit for bit those of the
 * 'sampled' source: the update is the same), and the pooled statistics as `stats`
 * (the record's `summary` is null).
 * Cost: the batch statistics engine on the whole batch (for ḡ and ⟨g_i − ḡ, ḡ⟩, which
 * need the pooled mean) plus once on each unit: about twice the default.
 * A batch with fewer than 2 samples per device (a short last batch of an epoch) gives
 * no statistics, so no test at that step. With one unit (M = 1 and no micro-batch
 * smaller than b) the statistics are those of the default path exactly.
 */
import type { Batch } from '../../problem/types.js';
import { checkPoolingSplit, officialPartition, poolSummaries, type PoolingSplit, type PoolUnit } from '../../batching/tests/officialPooled.js';
import { statistics } from '../../batching/summary.js';
import { batchMeanAt, batchStatsAt, type GradientSource } from '../step.js';

/** Rows [start, end) of a batch: index batches (finite sums, MNIST) and ξ-draw batches (population problems). */
export function subBatch(problemId: string, batch: Batch, start: number, end: number): Batch {
  const keys = Object.keys(batch).sort().join(',');
  if (batch.indices !== null && keys === 'indices,size') return { size: end - start, indices: batch.indices.subarray(start, end) };
  const pb = batch as Batch & { xi?: unknown; xiDim?: unknown };
  if (batch.indices === null && keys === 'indices,size,xi,xiDim' && pb.xi instanceof Float64Array && typeof pb.xiDim === 'number') {
    const k = pb.xiDim;
    return { size: end - start, indices: null, xi: pb.xi.subarray(start * k, end * k), xiDim: k } as Batch;
  }
  throw new Error(`officialPooledSource: cannot split a batch of ${problemId} into device shares (it is neither an index batch nor a batch of ξ draws; fields ${keys})`);
}

/**
 * A gradient source with the official M-device pooled statistics (see the module comment).
 *
 * @example
 * run({ problem, optimizer, controller, budget, key, gradient: officialPooledSource({ devices: 4, microBatch: 15000 }) });
 * // or, the same: run({ ..., testPooling: { devices: 4, microBatch: 15000, form: 'official' } })
 */
export function officialPooledSource(split: PoolingSplit): GradientSource {
  checkPoolingSplit('officialPooledSource', split);
  const M = split.devices;
  const m = split.microBatch ?? Infinity;
  return {
    name: `official-pooled-M${M}${Number.isFinite(m) ? `-m${m}` : ''}`,
    gradient(r) {
      const batch = r.sampler.draw(r);
      if (!r.withStats) {
        const g = batchMeanAt(r.problem, r.x, batch);
        return { g: g.meanGrad, loss: g.loss, summary: null, batch };
      }
      const whole = batchStatsAt(r.problem, r.x, batch);
      // the step takes `stats` as given (summary null, as step.ts asks of a source that pools its own way)
      const base = { g: whole.meanGrad, loss: whole.loss, summary: null, batch };
      if (batch.size < 2 * M) return { ...base, stats: null };
      const units: PoolUnit[] = officialPartition(batch.size, M, m);
      if (units.length === 1) return { ...base, stats: statistics(whole) };
      const per = units.map((u) => batchStatsAt(r.problem, r.x, subBatch(r.problem.id, batch, u.start, u.end)));
      return { ...base, stats: poolSummaries(whole, units, per) };
    },
  };
}
