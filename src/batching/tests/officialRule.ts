/**
 * The official size rule of a test-driven controller, as a labelled option
 * beside our default (`testDriven`, docs/MATH.md §3: b_{k+1} = min(b_max, ⌈max(b_k, T_k)⌉),
 * never decreasing). The official code (`tests.py`, `main.py`) takes the max with
 * the size of the batch the test ran on,
 *   b_{k+1} = min(b_max, ⌈max(|B_k|, T_k)⌉),
 * which is b_k except when B_k was the short last batch of an epoch (the epoch
 * sampler's 'short' rule): then the next batch can be SMALLER than b_k. Tests run
 * at k = 0, τ, 2τ, … while b_k < b_max, as in testDriven. A batch of one sample
 * has no statistics: b is kept (the official code would compute a NaN variance),
 * and ||ḡ||² = 0 keeps b (the official code would divide by 0).
 */
import type { BatchSizeTest } from './types.js';
import type { Controller } from '../controllers/types.js';
import type { TestDrivenOptions } from '../controllers/testDriven.js';

export function officialTestDriven(test: BatchSizeTest, o: TestDrivenOptions): Controller<null> {
  for (const [f, v] of [['b0', o.b0], ['bMax', o.bMax]] as const) {
    if (!(Number.isInteger(v) && v >= 2)) throw new Error(`officialTestDriven: ${f} must be an integer ≥ 2, got ${String(v)}`);
  }
  if (o.bMax < o.b0) throw new Error(`officialTestDriven: bMax (${o.bMax}) must be ≥ b0 (${o.b0})`);
  const tau = o.interval ?? 1;
  if (!(Number.isInteger(tau) && tau >= 1)) throw new Error(`officialTestDriven: interval must be an integer ≥ 1, got ${String(tau)}`);
  if ((o.workers ?? 1) !== 1) throw new Error('officialTestDriven: one device only (workers = 1)');
  return {
    name: `official-test-${test.name}`,
    needs: 'stats',
    reads: test.reads,
    init: () => ({ b: o.b0, state: null }),
    next(stats, _st, ctx) {
      if (stats === null || ctx.b >= o.bMax || ctx.step % tau !== 0) return { b: ctx.b, state: null };
      const d = test.sample(stats);
      if (d.noInfo) return { b: ctx.b, state: null, test: d };
      const want = Math.max(stats.b, Number.isFinite(d.T) ? Math.ceil(d.T) : o.bMax);
      return { b: Math.min(o.bMax, want), state: null, test: d };
    },
  };
}
