/**
 * Monte Carlo replicates: the Monte Carlo lemmas (L0, L1, L6, L9) draw their fresh
 * batches from keys passed through {@link replicateKey}. Replicate 0 (the default,
 * what `npm run proofs` reports) uses the keys as they are; replicate r > 0 folds r
 * in, so the same checks on the same stored iterates see independent resampling.
 * `npm run proofs -- --replicates N` uses this to measure each rung's catch rate
 * (its power) and the false-fail rate of the correct method.
 */
import { foldIn, type Key } from '../src/index.js';

let current = 0;

/** Set the replicate used by subsequent checks (0: the reported one). */
export function setReplicate(r: number): void {
  if (!Number.isInteger(r) || r < 0) throw new Error(`setReplicate: r must be an integer ≥ 0, got ${r}`);
  current = r;
}

/** The key of a Monte Carlo draw in the current replicate. */
export function replicateKey(k: Key): Key {
  return current === 0 ? k : foldIn(k, 7_000_000 + current);
}
