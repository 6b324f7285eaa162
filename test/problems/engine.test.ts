// The batch statistics engine consumes every synthetic problem's perSampleLoss on its fast path and agrees with the closed forms.
import { describe, expect, it } from 'vitest';
import { batchGradStats, statsFromPerSampleGrads } from '../../src/batching/index.js';
import { cast } from '../../src/index.js';
import { key, split } from '../../src/rng/index.js';
import type { Batch, Problem } from '../../src/problem/types.js';
import { paramsOf, probePoints } from './checks.js';
import { SYNTHETIC_FAMILIES } from './families.js';

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / (1 + den);
}

const problems = SYNTHETIC_FAMILIES.flatMap((f) => f.defaultIds.map((id) => f.build(id))) as Problem<Batch>[];

describe('batchGradStats on the synthetic problems', () => {
  for (const p of problems) {
    it(`${p.id}: no block falls back to per-sample sweeps, and the statistics match perSampleGrads`, () => {
      const [kPts, kB] = split(key(7), 2);
      const x = probePoints(p, kPts!)[1]!;
      const batch = p.sample(kB!, 16);
      const s = batchGradStats((ps, bt: Batch) => p.perSampleLoss(ps, bt), paramsOf(p, x), batch, {
        ...(p.regularizer ? { regularizer: (ps) => p.regularizer!(ps) } : {}),
        names: p.blocks.map((b) => b.name),
      });
      for (const blk of s.blocks) expect(['linear', 'linear-refined', 'materialized', 'conv-factored', 'conv-materialised', 'conv-refined'], blk.name).toContain(blk.method);
      const G = p.perSampleGrads!(x, batch);
      const ref = statsFromPerSampleGrads({ data: G, b: batch.size, d: p.dim });
      expect(maxRel(s.meanGrad, ref.meanGrad)).toBeLessThan(1e-10);
      expect(maxRel(s.sqNorms, ref.sqNorms)).toBeLessThan(1e-10);
      expect(maxRel(s.dots, ref.dots)).toBeLessThan(1e-10);
      expect(maxRel(s.coordSumSqDev, ref.coordSumSqDev)).toBeLessThan(1e-9);
    });
  }
});

describe('perSampleLoss in float32', () => {
  for (const p of problems) {
    it(`${p.id}: float32 parameters give float32 losses within 1e-5 of float64`, () => {
      const [kPts, kB] = split(key(8), 2);
      const x = probePoints(p, kPts!)[0]!;
      const batch = p.sample(kB!, 8);
      const l64 = p.perSampleLoss(paramsOf(p, x), batch).toFloat64Array();
      const l32 = p.perSampleLoss(paramsOf(p, x).map((t) => cast(t, 'float32')), batch);
      expect(l32.dtype).toBe('float32');
      expect(maxRel(l32.toFloat64Array(), l64)).toBeLessThan(1e-5);
    });
  }
});
