/**
 * Figures 1, 2 and 4 at the quick size: the data show the separation the captions claim
 * (the methods that grow their batch fall at least like K^(−0.8) in the window mean W(K),
 * the constant-batch ones no faster than K^(−0.7)), the captions print the slopes computed
 * from the runs, and the job options the figures use (gradientSource, startNear) change
 * what runs and its hash.
 *
 * Near-miss control: the same quick build with the constant-batch AdaGrad-Norm runs put in
 * the place of AdAdaGrad-Norm (same optimizer, step, instance and seeds; only the batch rule
 * differs) must fail the separation check.
 *
 * Margins measured at the quick size (4 seeds, K 32…256): adaptive medians −1.48 to −1.95
 * (worst seed −1.09), constant-batch −0.47 to 0.11 (lowest seed −0.57).
 */
import { describe, expect, it } from 'vitest';
import { jobHash } from '../../src/experiments/cache.js';
import { executeJob } from '../../src/experiments/execute.js';
import { complexityFamily, complexitySlopes, COMPLEXITY_METHODS } from '../../src/experiments/figures/complexity.js';
import { RATE_METHODS, RATE_SEPARATION, rateSlopes, ratesFamily, separationFailures } from '../../src/experiments/figures/rates.js';
import { formatSlope } from '../../src/experiments/figures/slopes.js';
import { runJobs } from '../../src/experiments/pool.js';
import { SETTINGS } from '../../src/experiments/settings.js';
import type { RunJob, RunOutput } from '../../src/experiments/types.js';

const R = SETTINGS.quick.rates.seeds;

/** The outputs with method `to`'s block of seeds replaced by method `from`'s (the blocks are in RATE_METHODS order). */
function swapIn(outs: readonly RunOutput[], from: string, to: string): RunOutput[] {
  const idx = (k: string): number => RATE_METHODS.findIndex((m) => m.key === k) * R;
  const out = [...outs];
  for (let r = 0; r < R; r++) out[idx(to) + r] = outs[idx(from) + r]!;
  return out;
}

describe('figures 1–2: the rate separation (quick)', () => {
  it('adaptive methods fall like 1/K or faster, constant batches like 1/√K or a plateau; the captions print the measured slopes', async () => {
    const outs = await runJobs(ratesFamily.jobs('quick'), { workers: 1 });
    expect(outs.every((o) => o.status === 'completed')).toBe(true);
    const slopes = rateSlopes('quick', outs);
    const all = JSON.stringify(Object.fromEntries([...slopes].map(([k, v]) => [k, v.perSeed.map((x) => +x.toFixed(3))])));
    expect(separationFailures(slopes), all).toEqual([]);
    // every seed has a slope (no run stopped or left the grid)
    for (const [k, v] of slopes) expect(v.n, k).toBe(R);

    const [fig1, fig2] = ratesFamily.build('quick', outs);
    for (const m of RATE_METHODS) expect(fig1!.caption, m.key).toContain(`${m.label} ${formatSlope(slopes.get(m.key)!)}`);
    expect(fig2!.caption).toMatch(/log K·W\(K\)/);

    // near miss: constant-batch AdaGrad-Norm in AdAdaGrad-Norm's place fails the check, naming it
    const swapped = separationFailures(rateSlopes('quick', swapIn(outs, 'adagrad-norm-b2', 'adadagrad-norm')));
    expect(swapped.length).toBe(1);
    expect(swapped[0]).toMatch(/^adadagrad-norm: median slope/);
    // and the other way round: a growing batch in the constant batch's place
    const swapped2 = separationFailures(rateSlopes('quick', swapIn(outs, 'adadagrad-norm', 'adagrad-norm-b2')));
    expect(swapped2).toEqual([expect.stringMatching(/^adagrad-norm-b2: median slope/)]);
    expect(RATE_SEPARATION.adaptiveMax).toBeLessThan(RATE_SEPARATION.constantMin);
  }, 240_000);
});

describe('figure 4: complexity captions (quick)', () => {
  it('prints the slopes and exponents computed from the runs', async () => {
    const outs = await runJobs(complexityFamily.jobs('quick'), { workers: 1 });
    expect(outs.every((o) => o.status === 'completed')).toBe(true);
    const slopes = complexitySlopes('quick', outs);
    const [fig] = complexityFamily.build('quick', outs);
    for (const m of COMPLEXITY_METHODS) {
      expect(fig!.caption, m.key).toContain(`${m.label} ${formatSlope(slopes.get(m.key)!.curve)}`);
      expect(fig!.caption, m.key).toContain(`${m.label} ${formatSlope(slopes.get(m.key)!.eps)}`);
    }
    // C5 on this instance: the norm test's samples-to-ε exponent is at most 2 on every seed
    for (const p of slopes.get('norm')!.eps.perSeed) expect(p).toBeLessThanOrEqual(2);
  }, 240_000);
});

describe('job options of the figures', () => {
  const base: RunJob = {
    label: 'opt', problem: 'nqm-rot_d16_i0_a3', optimizer: 'adagrad-norm', controller: 'norm', hyper: { lr: 1, beta0: 1, eta: 1, b0: 2, bMax: 1 << 24 },
    budget: { steps: 8 }, seed: 0, replace: true, evals: { steps: 'all', value: false }, trace: true,
  };

  it('startNear starts at x★ + s·z (s = 0: at x★, where ∇F = 0; s = 10⁻³: just off it)', async () => {
    const at = await executeJob({ ...base, startNear: 0, gradientSource: 'gaussian-stats' });
    const off = await executeJob({ ...base, startNear: 1e-3, gradientSource: 'gaussian-stats' });
    expect(at.evals[0]!.G).toBe(0);
    expect(off.evals[0]!.G!).toBeGreaterThan(0);
    expect(off.evals[0]!.G!).toBeLessThan(1e-5);
  });

  it('gradientSource gaussian-stats runs the test on drawn statistics, differs from sampled batches, and both options enter the hash', async () => {
    const g = await executeJob({ ...base, gradientSource: 'gaussian-stats', startNear: 1 });
    const g2 = await executeJob({ ...base, gradientSource: 'gaussian-stats', startNear: 1 });
    const s = await executeJob({ ...base, gradientSource: 'sampled', startNear: 1 });
    expect(g.trace!.b).toEqual(g2.trace!.b);
    expect(g.evals.map((e) => e.G)).toEqual(g2.evals.map((e) => e.G));
    expect(g.evals.map((e) => e.G)).not.toEqual(s.evals.map((e) => e.G));
    // the practical norm test grew the batch from the drawn statistics
    expect(Math.max(...g.trace!.b)).toBeGreaterThan(2);
    const h = new Set([jobHash(base), jobHash({ ...base, gradientSource: 'gaussian-stats' }), jobHash({ ...base, startNear: 1 }), jobHash({ ...base, startNear: 0.5 })]);
    expect(h.size).toBe(4);
    // the label does not count
    expect(jobHash({ ...base, label: 'other' })).toBe(jobHash(base));
  });

  it('refuses a source that does not apply and a bad start, naming them', async () => {
    await expect(executeJob({ ...base, problem: 'nclogreg_d5_n50_i0_k10', gradientSource: 'gaussian-stats' })).rejects.toThrow(/gaussianStatsSource: .*cannot be drawn/);
    await expect(executeJob({ ...base, startNear: -1 })).rejects.toThrow(/startNear must be/);
    await expect(executeJob({ ...base, gradientSource: 'wishart' as never })).rejects.toThrow(/gradientSource must be/);
    await expect(executeJob({ ...base, problem: 'nclogreg_d5_n50_i0_k10', startNear: 0.1 })).rejects.toThrow(/startNear: .*xStar/);
  });
});
