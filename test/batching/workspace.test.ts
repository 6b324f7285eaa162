/**
 * batchGradStats / batchMeanGrad with a statistics workspace: the same bits as with fresh
 * arrays, call after call (buffers reused, zeroed, reallocated when d changes), on js and
 * wasm; the returned arrays are the workspace's; statistics() of an overwritten summary throws.
 */
import { describe, expect, it } from 'vitest';
import { batchGradStats, createStatsWorkspace, statistics, type BatchGradStats, type BatchGradStatsOptions, type StatsWorkspace } from '../../src/batching/index.js';
import { batchMeanGrad } from '../../src/batching/engine.js';
import { getBackend, setBackend } from '../../src/backend/index.js';
import { fallbackModel, mlpModel, type Model } from './helpers.js';

function run(m: Model, opts: BatchGradStatsOptions = {}): BatchGradStats {
  return batchGradStats(m.loss, m.params, m.batch, { names: m.names, ...(m.regularizer ? { regularizer: m.regularizer } : {}), ...opts });
}

/** Index of the first element that is not the same float64 (Object.is), or −1. */
function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameBits(label: string, got: BatchGradStats, want: BatchGradStats): void {
  const gs = statistics(got);
  const ws = statistics(want);
  const arrays: [string, ArrayLike<number>, ArrayLike<number>][] = [
    ['meanGrad', got.meanGrad, want.meanGrad], ['coordSumSq', got.coordSumSq, want.coordSumSq], ['coordSumSqDev', got.coordSumSqDev, want.coordSumSqDev],
    ['sqNorms', got.sqNorms, want.sqNorms], ['dots', got.dots, want.dots], ['devDots', got.devDots, want.devDots], ['S_j', gs.S_j, ws.S_j],
    ...got.meanGradBlocks.map((t, p) => [`meanGradBlocks[${p}]`, t.toFloat64Array(), want.meanGradBlocks[p]!.toFloat64Array()] as [string, ArrayLike<number>, ArrayLike<number>]),
  ];
  for (const [name, a, b] of arrays) {
    const i = firstDiff(a, b);
    if (i >= 0) throw new Error(`${label}: ${name}[${i}] = ${a[i]} with the workspace, ${b[i]} without`);
  }
  const scalars: [string, number, number][] = [
    ['loss', got.loss, want.loss], ['sumSqDev', got.sumSqDev, want.sumSqDev], ['gradNormSq', gs.gradNormSq, ws.gradNormSq], ['S_norm', gs.S_norm, ws.S_norm],
    ['S_ip', gs.S_ip, ws.S_ip], ['S_orth', gs.S_orth, ws.S_orth], ['blockwise.S_ip', gs.blockwise.S_ip, ws.blockwise.S_ip], ['blockwise.S_orth', gs.blockwise.S_orth, ws.blockwise.S_orth],
  ];
  for (const [name, a, b] of scalars) if (!Object.is(a, b)) throw new Error(`${label}: ${name} = ${a} with the workspace, ${b} without`);
}

/** Models of one d (seeds differ: other batches and weights) and one of another d, in the order a workspace sees them. */
function sequence(seed: number): Model[] {
  const cfg = { b: 48, din: 7, hidden: [9, 5], acts: ['tanh', 'softplus'] as const, head: 'softmax' as const, classes: 4, scale: true, regularizer: true };
  return [
    mlpModel({ ...cfg, seed }),
    mlpModel({ ...cfg, seed: seed + 1, b: 31 }),
    fallbackModel('twice', seed + 2, 20, 'logistic', true),
    mlpModel({ ...cfg, seed: seed + 3, b: 64 }),
    mlpModel({ ...cfg, seed: seed + 4, unusedParam: true }),
  ];
}

describe('statistics workspace', () => {
  for (const be of ['js', 'wasm'] as const) {
    it(`${be}: every array and statistic the same bits as without, call after call (reused, zeroed, reallocated for another d)`, () => {
      const prev = getBackend();
      setBackend(be, be === 'wasm' ? { threads: 2 } : undefined);
      try {
        const ws = createStatsWorkspace();
        for (const seed of [11, 2024]) {
          for (const [k, m] of sequence(seed).entries()) {
            const label = `${be} seed ${seed} model ${k} (${m.label})`;
            const got = run(m, { workspace: ws });
            expectSameBits(label, got, run(m));
            // the refinement path and a partial summary too
            expectSameBits(`${label} refine=always`, run(m, { workspace: ws, refine: 'always' }), run(m, { refine: 'always' }));
            const mg = batchMeanGrad(m.loss, m.params, m.batch, { workspace: ws, ...(m.regularizer ? { regularizer: m.regularizer } : {}) });
            const i = firstDiff(mg.meanGrad, run(m).meanGrad);
            if (i >= 0) throw new Error(`${label}: batchMeanGrad meanGrad[${i}] differs with the workspace`);
          }
        }
        expect(ws.generation).toBe(2 * 5 * 3);
      } finally {
        setBackend(prev.name);
      }
    });
  }

  it("the returned arrays are the workspace's: overwritten by the next call; statistics() of the older summary throws", () => {
    const ws: StatsWorkspace = createStatsWorkspace();
    const [m1, m2] = sequence(5) as [Model, Model];
    const s1 = run(m1, { workspace: ws });
    const st1 = statistics(s1);
    const kept = { meanGrad: s1.meanGrad.slice(), S_j: st1.S_j.slice(), S_norm: st1.S_norm };
    expect(statistics(s1).S_j).toBe(st1.S_j); // S_j is the workspace's buffer too
    const s2 = run(m2, { workspace: ws });
    expect(s2.meanGrad).toBe(s1.meanGrad);
    expect(s2.coordSumSqDev).toBe(s1.coordSumSqDev);
    expect(firstDiff(s1.meanGrad, kept.meanGrad)).toBeGreaterThanOrEqual(0); // overwritten, as documented
    expect(() => statistics(s1)).toThrow(/overwritten by a later call with the same workspace \(call 1, now 2\)/);
    expect(statistics(s2).S_j).toBe(st1.S_j);
    // what was copied is intact, and equals a fresh computation
    expect(firstDiff(kept.meanGrad, run(m1).meanGrad)).toBe(-1);
    expect(Object.is(kept.S_norm, statistics(run(m1)).S_norm)).toBe(true);
    // without a workspace, every call has its own arrays
    const f1 = run(m1);
    const f2 = run(m1);
    expect(f1.meanGrad).not.toBe(f2.meanGrad);
  });

  it('a workspace not made by createStatsWorkspace is refused', () => {
    const [m] = sequence(3);
    expect(() => run(m!, { workspace: { generation: 0 } })).toThrow(/workspace must come from createStatsWorkspace/);
  });
});
