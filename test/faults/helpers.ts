/** Shared pieces of the fault suite: a tiny sweep (6 runs of 8 steps), temporary directories, stderr checks. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cli } from '../cli/helpers.js';

export { cli, spawnCli, completeLines, comparable } from '../cli/helpers.js';

/** A fresh temporary directory. */
export function scratch(prefix = 'adadagrad-faults-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The tiny sweep of the fault suite: 2 variants × 3 seeds on a 20-dimensional quadratic, 8 steps each. */
export function tinySweep(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'faults',
    grid: { problem: ['nqm_d20_i0'], variant: ['adadagrad-norm', 'adadagrad'], seed: [0, 1, 2] },
    hyper: { eta: 0.5, lr: 0.5, bMax: 64 },
    budget: { steps: 8 },
    evalEvery: 4,
    ...overrides,
  };
}

/** Write a sweep config into `dir` and return its path. */
export function sweepFile(dir: string, cfg: Record<string, unknown> = tinySweep(), name = 'sweep.json'): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(cfg));
  return p;
}

/** Run the tiny sweep into `out` in this process; fails the test unless it exits 0. */
export async function sweepInto(out: string, cfgPath: string): Promise<void> {
  const r = await cli('sweep', '--config', cfgPath, '--out', out, '--workers', '1');
  expect(r.code, r.stderr).toBe(0);
}

/** A CLI failure reported as one message, not a stack trace. */
export function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(stderr).not.toMatch(/TypeError|RangeError|ReferenceError/);
}
