/**
 * `run --pooling official --devices M --test-micro-batch m` and the config field
 * testPooling: the official M-device pooled statistics reach the run (the trace's S_norm
 * is the pooled one), bad input exits 2 naming the field before any work, the unbiased
 * form resolves to the default run (same run id), and sweeps carry the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmp, writeJson } from './helpers.js';
import { parseRunConfig } from '../../src/cli/config.js';
import { parseSweepConfig } from '../../src/cli/config/sweep.js';
import { getProblem } from '../../problems/registry.js';
import { key, split } from '../../src/rng/index.js';
import { iidSampler } from '../../src/run/step.js';
import { pooledStatistics } from '../../src/batching/tests/officialPooled.js';

const P = 'nqm-rot_d16_i0_a2.5';
const BASE = ['run', '--problem', P, '--variant', 'adadagrad-norm', '--b0', '8', '--test-workers', '4', '--steps', '3'];

function steps(path: string): { b: number; S_norm: number | null }[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; b: number; S_norm: number | null }).filter((r) => r.type === 'step');
}

describe('run --pooling official', () => {
  it('the first step\'s S_norm is the official pooled one of the batch drawn (and differs from the default)', async () => {
    const dir = tmp();
    const off = await cli(...BASE, '--pooling', 'official', '--devices', '4', '--json', '--out', join(dir, 'off.jsonl'));
    expect(off.code, off.stderr).toBe(0);
    const rec = JSON.parse(off.stdout) as { config: { testPooling?: unknown } };
    expect(rec.config.testPooling).toEqual({ devices: 4, form: 'official' });
    const def = await cli(...BASE, '--json', '--out', join(dir, 'def.jsonl'));
    expect(def.code, def.stderr).toBe(0);
    // the same batch, recomputed from its per-sample gradients (run's data key: split(key(seed), 2)[1], step 0)
    const p = getProblem(P);
    const [kInit, kData] = split(key(0), 2);
    const x0 = p.x0(kInit!);
    const batch = iidSampler.draw({ problem: p, key: kData!, step: 0, samples: 0, b: 8, replace: true });
    const G = p.perSampleGrads!(x0, batch);
    const want = pooledStatistics({ data: G, b: 8, d: p.dim }, undefined, { devices: 4, form: 'official' }).S_norm;
    const unb = pooledStatistics({ data: G, b: 8, d: p.dim }, undefined, { devices: 4, form: 'unbiased' }).S_norm;
    const s0 = steps(join(dir, 'off.jsonl'))[0]!.S_norm!;
    expect(Math.abs(s0 - want) / want).toBeLessThan(1e-9);
    expect(Math.abs(steps(join(dir, 'def.jsonl'))[0]!.S_norm! - unb) / unb).toBeLessThan(1e-9);
    expect(Math.abs(unb - want) / want).toBeGreaterThan(1e-3);
  });

  it('bad input exits 2 naming the flag and field, before any work', async () => {
    const dir = tmp();
    const out = join(dir, 'never.jsonl');
    const cases: [string[], RegExp][] = [
      [['--pooling', 'offical'], /--pooling \(testPooling\.form\): expected 'official' or 'unbiased', got "offical"/],
      [['--pooling', 'official', '--devices', '0'], /--devices \(testPooling\.devices\): expected an integer ≥ 1/],
      [['--pooling', 'official', '--devices', '2', '--test-micro-batch', '2'], /--test-micro-batch \(testPooling\.microBatch\): expected an integer ≥ 3/],
      [['--pooling', 'official', '--devices', '5'], /--devices \(testPooling\.devices\): 5 devices need a first batch of at least 10 .*b₀ = 8/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(...BASE, ...args, '--out', out);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
    const cfg = writeJson(join(dir, 'run.json'), { problem: P, variant: 'adadagrad-norm', budget: { steps: 2 }, testPooling: { devices: 2, form: 'official', micro: 4 } });
    const r = await cli('run', '--config', cfg, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/testPooling\.micro: unknown field; expected one of devices, microBatch, form/);
    expect(() => readFileSync(out)).toThrow();
  });

  it('the unbiased form is the default run (same run id); devices without the official form warn', async () => {
    const a = await cli(...BASE, '--json');
    const b = await cli(...BASE, '--pooling', 'unbiased', '--devices', '4', '--test-micro-batch', '3', '--json');
    expect(b.code, b.stderr).toBe(0);
    expect((JSON.parse(b.stdout) as { run_id: string }).run_id).toBe((JSON.parse(a.stdout) as { run_id: string }).run_id);
    expect(b.stderr).toMatch(/warning: --devices\/--test-micro-batch has no effect without --pooling official/);
    expect(a.stderr).not.toMatch(/warning/);
  });

  it('config files: run and sweep carry testPooling (devices default 1); --help lists the flags', async () => {
    const c = parseRunConfig({ problem: P, variant: 'adadagrad-norm', budget: { steps: 2 }, testPooling: { form: 'official', microBatch: 4 } });
    expect(c.testPooling).toEqual({ devices: 1, microBatch: 4, form: 'official' });
    const { runs } = parseSweepConfig({ grid: { problem: [P], variant: ['adadagrad-norm'], seed: [0, 1] }, hyper: { b0: 8 }, budget: { steps: 2 }, testPooling: { devices: 4, form: 'official' } });
    expect(runs.map((r) => r.config.testPooling)).toEqual([{ devices: 4, form: 'official' }, { devices: 4, form: 'official' }]);
    expect(() => parseSweepConfig({ grid: { problem: [P], variant: ['adadagrad-norm'], seed: [0] }, hyper: { b0: 4 }, budget: { steps: 2 }, testPooling: { devices: 4, form: 'official' } }))
      .toThrow(/testPooling\.devices: 4 devices need a first batch of at least 8/);
    const h = await cli('run', '--help');
    expect(h.stdout).toMatch(/--pooling <form>/);
    expect(h.stdout).toMatch(/--devices <M>/);
    expect(h.stdout).toMatch(/--test-micro-batch <m>/);
  });
});
