// noiseAlong(x, v) = E⟨∇f(x; ξ) − ∇F(x), v⟩² against a Monte Carlo estimate, on every suite problem that has it.
import { describe, expect, it } from 'vitest';
import { getProblem, suite } from '../../problems/index.js';
import { foldIn, key, normal, split, type Key } from '../../src/rng/index.js';
import type { Problem } from '../../src/problem/types.js';
import { perSampleGradsOf, zCritical } from './checks.js';

const SEED = 20261122;
const DRAWS = 4000;
const ALPHA = 1e-6; // false-fail rate of each comparison (two-sided z at 1e-6)

/** Sample mean and standard error of ⟨g_t − ∇F, v⟩² over `DRAWS` draws. */
function monteCarlo(p: Problem, x: Float64Array, v: Float64Array, k: Key): { mean: number; se: number } {
  const g = p.gradient(x);
  let gv = 0;
  for (let j = 0; j < p.dim; j++) gv += g[j]! * v[j]!;
  const vals: number[] = [];
  const chunk = 500;
  for (let c = 0; c * chunk < DRAWS; c++) {
    const batch = p.sample(foldIn(k, c), chunk, { replace: true });
    const G = perSampleGradsOf(p, x, batch);
    for (let t = 0; t < chunk; t++) {
      let s = 0;
      for (let j = 0; j < p.dim; j++) s += G[t * p.dim + j]! * v[j]!;
      vals.push((s - gv) ** 2);
    }
  }
  const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
  const varr = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1);
  return { mean, se: Math.sqrt(varr / vals.length) };
}

const candidates = suite()
  .map((e) => e.id)
  .filter((id) => !id.startsWith('mnist'));

describe('noiseAlong against Monte Carlo (seed ' + SEED + ')', () => {
  const z = zCritical(ALPHA);
  for (const id of candidates) {
    const p = getProblem(id);
    if (p.noiseAlong === undefined) continue;
    it(`${id}: exact value inside the ${z.toFixed(2)}·SE interval, ×1.5 outside`, () => {
      const [kx, kv, kmc] = split(foldIn(key(SEED), id.length), 3) as [Key, Key, Key];
      const x = p.x0(kx);
      const v = p.gradient(x);
      const w = normal(kv, p.dim);
      for (const dir of [v, w]) {
        const exact = p.noiseAlong!(x, dir);
        const mc = monteCarlo(p, x, dir, kmc);
        const tol = z * mc.se + 1e-12 * Math.abs(exact);
        expect(Math.abs(exact - mc.mean), `${id}: noiseAlong ${exact} vs MC ${mc.mean} ± ${mc.se} (seed ${SEED})`).toBeLessThanOrEqual(tol);
        // negative control: a 1.5× error is caught whenever the noise along dir is resolvable
        if (mc.mean > 10 * z * mc.se) expect(Math.abs(1.5 * exact - mc.mean)).toBeGreaterThan(tol);
      }
    });
  }

  it('covers the finite-sum and population adapters', () => {
    const withIt = candidates.filter((id) => getProblem(id).noiseAlong !== undefined);
    expect(withIt.some((id) => getProblem(id).n !== null)).toBe(true);
    expect(withIt.some((id) => getProblem(id).n === null)).toBe(true);
  });
});
