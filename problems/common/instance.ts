// Instance keys: the data of an instance is seeded by a key derived from (family, dims, n, instance).
import { foldIn, key, type Key } from '../../src/rng/index.js';

/** FNV-1a (32-bit) hash of a string, as a non-negative integer. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The key that seeds one instance: key(hash(family)) folded with each number
 * in `parts` (dimension(s), sample count or −1 for population problems, the
 * instance number). Two ids that differ in any part get unrelated keys.
 *
 * @example
 * instanceKey('nclogreg', [50, 10000, 3]); // the key of nclogreg_d50_n10000_i3
 */
export function instanceKey(family: string, parts: readonly number[]): Key {
  let k = key(hashString(family));
  for (const p of parts) k = foldIn(k, p);
  return k;
}
