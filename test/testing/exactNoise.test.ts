// withNoiseAlong: the exact E⟨∇f − ∇F, v⟩² for finite sums (full pass) and nqm (vᵀHv), against explicit sums and the problems' own.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Batch, Problem } from '../../src/index.js';
import { getProblem } from '../../problems/index.js';
import { withNoiseAlong } from '../../src/testing/index.js';

const SEED = 20240217;

function strip(p: Problem): Problem {
  const { noiseAlong: _drop, ...rest } = p;
  return rest as Problem;
}

/** (1/n) Σ_i ⟨g_i − ḡ, v⟩² from the n × d matrix of per-sample gradients, written out. */
function explicit(p: Problem, x: Float64Array, v: Float64Array): number {
  const n = p.n!;
  const d = p.dim;
  const G = p.perSampleGrads!(x, { size: n, indices: Int32Array.from({ length: n }, (_, i) => i) } as Batch);
  const dots = Array.from({ length: n }, (_, i) => v.reduce((s, vj, j) => s + G[i * d + j]! * vj, 0));
  const m = dots.reduce((a, b) => a + b, 0) / n;
  return dots.reduce((s, t) => s + (t - m) ** 2, 0) / n;
}

const vec = (d: number) => fc.array(fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: d, maxLength: d }).map((a) => Float64Array.from(a));

describe('withNoiseAlong', () => {
  it('keeps a problem that already has noiseAlong', () => {
    const p = getProblem('lsq-noisy_d3_n20_i0');
    if (p.noiseAlong !== undefined) expect(withNoiseAlong(p)).toBe(p);
    else expect(withNoiseAlong(p).noiseAlong).toBeTypeOf('function');
  });

  it('finite sums: equals the explicit centred sum, and σ_j² along the coordinate axes', () => {
    for (const id of ['lsq-noisy_d3_n20_i0', 'nclogreg_d4_n30_i1_k10']) {
      const p = getProblem(id);
      const q = withNoiseAlong(strip(p));
      fc.assert(
        fc.property(vec(p.dim), vec(p.dim), (x, v) => {
          const got = q.noiseAlong!(x, v);
          const want = explicit(p, x, v);
          expect(got, `${id} x=${x} v=${v}`).toBeCloseTo(want, 10);
          if (p.noiseAlong !== undefined) expect(got).toBeCloseTo(p.noiseAlong(x, v), 10);
          const per = p.noise!(x).sigma2PerCoord;
          for (let j = 0; j < p.dim; j++) {
            const e = new Float64Array(p.dim);
            e[j] = 1;
            expect(q.noiseAlong!(x, e)).toBeCloseTo(per[j]!, 10);
          }
        }),
        { seed: SEED, numRuns: 30 },
      );
    }
  });

  it('nqm: vᵀHv (the noise covariance is H)', () => {
    const p = getProblem('nqm_d5_i0_a0.7');
    const q = withNoiseAlong(strip(p));
    const h = Float64Array.from({ length: 5 }, (_, j) => Math.pow(j + 1, -0.7));
    fc.assert(
      fc.property(vec(5), vec(5), (x, v) => {
        expect(q.noiseAlong!(x, v)).toBeCloseTo(v.reduce((s, vj, j) => s + h[j]! * vj * vj, 0), 12);
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  it('throws for a problem it cannot handle', () => {
    expect(() => withNoiseAlong(strip(getProblem('rosenbrock_d2_i0')))).toThrow(/neither a finite sum/);
  });
});
