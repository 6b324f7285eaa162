/**
 * Figure 9 (local SGD with adaptive local batches) at the quick size: the runs are the
 * local method the jobs ask for (rounds of the constant batches are exactly ⌊S/(M·H·b)⌋,
 * the two estimators give different batch paths), the adaptive local batch grows
 * monotonically, and the figure's data show the claimed ordering: against rounds the
 * adaptive local batch is ahead of the small constant local batch, at a final error within
 * a small factor of it on the same samples.
 *
 * Power: 2 (M, H) pairs × 2 seeds, each seed compared on its own; at the quick size the
 * margins are 1.29–3× on the rounds axis (bound 1.1) and the per-seed error ratio is ≤ 7.7 (bound 12: within an order of magnitude).
 */
import { describe, expect, it } from 'vitest';
import { runJobs } from '../../src/experiments/pool.js';
import { LOCAL_METHODS, LOCAL_PROBLEM, localEffects, localFamily, localSlice } from '../../src/experiments/figures/local.js';
import { SETTINGS } from '../../src/experiments/settings.js';
import { getProblem } from '../../problems/index.js';
import type { RunOutput } from '../../src/experiments/types.js';

const s = SETTINGS.quick.local;
const B0 = 8;

/** F − F★ at the last evaluated iterate whose round is ≤ r. */
function errorAtRound(o: RunOutput, r: number, Fstar: number): number {
  const e = o.evals.filter((q) => q.F !== null && q.step <= r);
  return e[e.length - 1]!.F! - Fstar;
}

describe('figure 9: local SGD, adaptive against constant local batches (quick)', () => {
  it('runs the local method asked for, and the adaptive local batch is ahead on rounds at a comparable error on samples', async () => {
    const outs = await runJobs(localFamily.jobs('quick'), { workers: 1 });
    const Fstar = getProblem(LOCAL_PROBLEM).constants.F_star!;
    expect(outs.every((o) => o.status === 'completed')).toBe(true);
    const idx = (k: string): number => LOCAL_METHODS.findIndex((m) => m.key === k);
    s.configs.forEach(([M, H], ci) => {
      const get = (k: string, seed: number): RunOutput => localSlice('quick', outs, ci, idx(k))[seed]!;
      for (let seed = 0; seed < s.seeds; seed++) {
        const where = `M=${M}, H=${H}, seed ${seed}`;
        // the constant local batches: exactly the rounds the budget allows
        expect(get('const', seed).steps, where).toBe(Math.floor(s.samples / (M * H * B0)));
        expect(get('const-big', seed).steps, where).toBe(Math.floor(s.samples / (M * H * 4 * B0)));
        expect(get('sync', seed).steps, where).toBe(Math.floor(s.samples / (M * H * B0)));
        for (const k of ['pooled', 'worker']) {
          const b = get(k, seed).trace!.b;
          expect(b[0], `${k} ${where}`).toBe(B0);
          for (let r = 1; r < b.length; r++) expect(b[r]!, `${k} ${where} round ${r}`).toBeGreaterThanOrEqual(b[r - 1]!);
          expect(b[b.length - 1]!, `${k} ${where}`).toBeGreaterThan(B0);
          // against rounds: at the adaptive run's last round, the constant b₀ run is behind
          const o = get(k, seed);
          const c = get('const', seed);
          expect(errorAtRound(c, o.steps, Fstar) / errorAtRound(o, o.steps, Fstar), `${k} ${where}`).toBeGreaterThan(1.1);
        }
        // the two estimators are different estimators: different batch paths on the same draws
        expect(get('pooled', seed).trace!.b.join(','), where).not.toBe(get('worker', seed).trace!.b.join(','));
      }
    });
    // on samples: the adaptive batch's final error within a small factor of the constant b₀ batch
    for (const e of localEffects('quick', outs).filter((q) => q.method === 'pooled' || q.method === 'worker')) {
      expect(e.errorRatio.max, `${e.method} ${e.config}`).toBeLessThan(12);
      expect(e.roundsSaved.min, `${e.method} ${e.config}`).toBeGreaterThan(1.5);
    }
    const [fig] = localFamily.build('quick', outs);
    const series = new Set(fig!.rows.filter((r) => Number.isFinite(r['median'] as number)).map((r) => `${r['config']}/${r['panel']}/${r['method']}`));
    expect(series.size).toBe(s.configs.length * 3 * LOCAL_METHODS.length);
  }, 120_000);
});
