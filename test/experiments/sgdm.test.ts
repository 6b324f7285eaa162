/**
 * Figure 8 (SGDM with growing batches) at the quick size: the figure's data show the
 * claim on the noisy instance and its absence on the interpolating twin (same X, no
 * label noise), the near-miss control that differs only in σ²(x★).
 *
 * Power: at the quick size (3 seeds, K = 400) the per-seed ratios separate with margin
 * (constant-batch decrease K/4 → late: noisy ≤ 3.2, interpolating ≥ 9; growing-batch
 * advantage: noisy ≥ 6.5, interpolating ≤ 5.1), and every seed is compared, not a mean.
 */
import { describe, expect, it } from 'vitest';
import { runJobs } from '../../src/experiments/pool.js';
import { sgdmEffects, sgdmFamily } from '../../src/experiments/figures/sgdm.js';
import { SETTINGS } from '../../src/experiments/settings.js';

describe('figure 8: SGDM, constant against growing batches (quick)', () => {
  it('the constant batch stalls only where the noise does not vanish at the optimum, and growing batches gain more there', async () => {
    const jobs = sgdmFamily.jobs('quick');
    const outs = await runJobs(jobs, { workers: 1 });
    expect(outs.every((o) => o.status === 'completed'), `seeds 0..${SETTINGS.quick.sgdm.seeds - 1}`).toBe(true);
    const e = sgdmEffects('quick', outs);
    const noisy = e['noisy']!;
    const interp = e['interp']!;
    const seeds = `seeds 0..${SETTINGS.quick.sgdm.seeds - 1}: ${JSON.stringify(e)}`;
    // the effect: growing batches end well below the constant batch on the noisy instance
    for (const k of ['geometric', 'norm']) expect(noisy.gap[k]!.min, `${k} ${seeds}`).toBeGreaterThan(3);
    // the constant batch's decrease: a floor on the noisy instance, still converging on the twin
    expect(noisy.constantDecrease.max, seeds).toBeLessThan(interp.constantDecrease.min);
    // the advantage of growing batches is larger where the noise stays (every seed of one above every seed of the other)
    for (const k of ['geometric', 'norm']) expect(noisy.gap[k]!.min, `${k} ${seeds}`).toBeGreaterThan(interp.gap[k]!.max);
    // the figure holds the curves it plots: both problems, both panels, every method
    const [fig] = sgdmFamily.build('quick', outs);
    const series = new Set(fig!.rows.filter((r) => r['median'] !== null && Number.isFinite(r['median'] as number)).map((r) => `${r['problem']}/${r['panel']}/${r['method']}`));
    expect(series.size).toBe(2 * 2 * 3);
    expect(fig!.caption).toMatch(/lsq-interp/);
  }, 120_000);
});
