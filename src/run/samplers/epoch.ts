/**
 * Epoch-based sampling, the way the official AdAdaGrad code reads MNIST (a
 * PyTorch DataLoader with shuffle = True): each epoch serves the n samples of a
 * finite sum in a fresh random order, as consecutive batches, so every sample is
 * used exactly once per epoch. Beside it the toolkit has i.i.d. sampling with
 * replacement (the default of the theory) and without replacement within a
 * step (`Problem.sample`).
 *
 * Where an epoch ends inside a batch (n not a multiple of b):
 * - 'short' (the official DataLoader, drop_last = False): the batch holds only
 *   the n − position samples left, and the next batch starts the next epoch;
 * - 'span' (toolkit default): the batch continues into the next epoch's order,
 *   so every batch has b samples (a sample can then appear twice in one batch,
 *   once from each epoch).
 * In both modes the position is a function of the samples served so far
 * (epoch = ⌊s/n⌋, position = s mod n), so a batch is a pure function of
 * (key, epoch, position, b).
 *
 * Differences from the official loop, labelled: the official code builds a new
 * DataLoader (a fresh epoch) whenever the batch size changes and counts a short
 * batch as a full one in its sample budget; here the epoch continues across a
 * change of b and the budget counts the samples actually served.
 */
import { foldIn, type Key } from '../../rng/index.js';
import { permutation } from '../../rng/random.js';

export type LastBatchRule = 'short' | 'span';

export interface EpochCursor {
  readonly epoch: number;
  /** Index in the epoch's order of the next sample to serve, 0 ≤ position < n. */
  readonly position: number;
}

export interface EpochBatch {
  readonly indices: Int32Array;
  /** Where the batch after this one starts. */
  readonly next: EpochCursor;
}

let cached: { k0: number; k1: number; epoch: number; n: number; order: Int32Array } | null = null;

/** The order of epoch e: a permutation of 0…n−1 from the key folded with e (the last one is cached). */
export function epochOrder(k: Key, epoch: number, n: number): Int32Array {
  if (!(Number.isInteger(epoch) && epoch >= 0)) throw new Error(`epochOrder: epoch must be an integer ≥ 0, got ${String(epoch)}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`epochOrder: n must be an integer ≥ 1, got ${String(n)}`);
  if (cached !== null && cached.k0 === k[0] && cached.k1 === k[1] && cached.epoch === epoch && cached.n === n) return cached.order;
  const order = permutation(foldIn(k, epoch), n);
  cached = { k0: k[0], k1: k[1], epoch, n, order };
  return order;
}

/** The cursor after s samples have been served (both rules end every epoch exactly at n). */
export function cursorAfter(samples: number, n: number): EpochCursor {
  if (!(Number.isInteger(samples) && samples >= 0)) throw new Error(`cursorAfter: samples must be an integer ≥ 0, got ${String(samples)}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`cursorAfter: n must be an integer ≥ 1, got ${String(n)}`);
  return { epoch: Math.floor(samples / n), position: samples % n };
}

/**
 * The batch of (up to) b samples starting at `cursor`.
 *
 * @example
 * // n = 5, b = 2, 'short': epoch 0 serves 2, 2, 1 samples, then epoch 1 starts
 * epochBatch(k, 5, { epoch: 0, position: 4 }, 2, 'short').indices.length; // 1
 */
export function epochBatch(k: Key, n: number, cursor: EpochCursor, b: number, rule: LastBatchRule = 'span'): EpochBatch {
  if (!(Number.isInteger(b) && b >= 1)) throw new Error(`epochBatch: b must be an integer ≥ 1, got ${String(b)}`);
  if (!(Number.isInteger(cursor.position) && cursor.position >= 0 && cursor.position < n)) {
    throw new Error(`epochBatch: position must be an integer in [0, ${n}), got ${String(cursor.position)}`);
  }
  if (rule !== 'short' && rule !== 'span') throw new Error(`epochBatch: rule must be 'short' or 'span', got ${String(rule)}`);
  const out: number[] = [];
  let { epoch, position } = cursor;
  const want = rule === 'short' ? Math.min(b, n - position) : b;
  while (out.length < want) {
    const order = epochOrder(k, epoch, n);
    const take = Math.min(want - out.length, n - position);
    for (let t = 0; t < take; t++) out.push(order[position + t]!);
    position += take;
    if (position === n) {
      epoch += 1;
      position = 0;
    }
  }
  return { indices: Int32Array.from(out), next: { epoch, position } };
}

/** The batch served after s samples: `epochBatch` at `cursorAfter(s, n)`. */
export function epochBatchAfter(k: Key, n: number, samples: number, b: number, rule: LastBatchRule = 'span'): EpochBatch {
  return epochBatch(k, n, cursorAfter(samples, n), b, rule);
}

/** What the epoch sampler reads of the step's sample request (a subset of run's SampleRequest). */
export interface EpochSampleRequest {
  readonly problem: { readonly id: string; readonly n: number | null };
  /** The run's data key. */
  readonly key: Key;
  /** Samples served before this step. */
  readonly samples: number;
  /** b_k. */
  readonly b: number;
}

/**
 * The epoch sampler as a batch sampler for `run` (its `sampler` option): batch k
 * is `epochBatchAfter(key, n, samples, b_k, rule)`. Finite sums only. With
 * 'short', `samples` must count the samples actually served (a short batch
 * counts its own size), so that every epoch ends at a multiple of n.
 */
export function epochSampler(rule: LastBatchRule = 'span'): { readonly name: string; draw(req: EpochSampleRequest): { size: number; indices: Int32Array } } {
  if (rule !== 'short' && rule !== 'span') throw new Error(`epochSampler: rule must be 'short' or 'span', got ${String(rule)}`);
  return {
    name: rule === 'short' ? 'epoch-short' : 'epoch',
    draw(req) {
      const n = req.problem.n;
      if (n === null) throw new Error(`epochSampler: problem ${req.problem.id} is not a finite sum (no epochs)`);
      const { indices } = epochBatchAfter(req.key, n, req.samples, req.b, rule);
      return { size: indices.length, indices };
    },
  };
}
