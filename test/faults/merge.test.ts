/**
 * Faults of `merge` (#16 items 1, 3, 15): a run_id that is a path, an existing
 * output directory, shards of different sweeps.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/cli/results.js';
import { cli, expectNoStack, scratch, sweepFile, sweepInto, tinySweep } from './helpers.js';

const base = scratch();
const cfg = sweepFile(base);
const a = join(base, 'a');
let lines: string[];

beforeAll(async () => {
  await sweepInto(a, cfg);
  lines = readFileSync(join(a, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
});

describe('merge faults', () => {
  it('#16.1 a run_id that is a path never becomes one: merge --traces refuses it and writes nothing outside --out', async () => {
    // the victim: another directory's results; the attacker's input sits one level deeper
    const victim = join(base, 'victim');
    mkdirSync(victim, { recursive: true });
    writeFileSync(join(victim, 'results.jsonl'), 'precious\n');
    const evil = join(base, 'deep', 'in');
    mkdirSync(join(evil, 'runs'), { recursive: true });
    mkdirSync(join(base, 'deep', 'victim'), { recursive: true });
    writeFileSync(join(base, 'deep', 'victim', 'results.jsonl'), 'overwritten\n');
    const rec = JSON.parse(lines[0]!);
    writeFileSync(join(evil, 'results.jsonl'), `${JSON.stringify({ ...rec, run_id: '../../victim/results' })}\n`);
    const out = join(base, 'evil-out');
    const r = await cli('merge', evil, '--out', out, '--traces');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/run_id/);
    expectNoStack(r.stderr);
    expect(readFileSync(join(victim, 'results.jsonl'), 'utf8')).toBe('precious\n');
  });

  it('#16.3 merge into an existing results directory adds by run_id instead of replacing it', async () => {
    const out = join(base, 'existing');
    const other = join(base, 'other');
    for (const [dir, shard] of [[out, '1/2'], [other, '2/2']] as const) {
      const r = await cli('sweep', '--config', cfg, '--out', dir, '--workers', '1', '--shard', shard);
      expect(r.code, r.stderr).toBe(0);
    }
    const before = readResults(join(out, 'results.jsonl')).records.length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(6);
    const r = await cli('merge', other, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(readResults(join(out, 'results.jsonl')).records).toHaveLength(6);
  });

  it('#16.15 merge refuses shards of different sweep configurations, naming both', async () => {
    const b = join(base, 'b');
    await sweepInto(b, sweepFile(join(base, 'b-cfg'), tinySweep({ budget: { steps: 9 } })));
    const out = join(base, 'mixed');
    const r = await cli('merge', a, b, '--out', out);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(a);
    expect(r.stderr).toContain(b);
    expect(r.stderr).toMatch(/different sweep/);
    expect(existsSync(join(out, 'results.jsonl'))).toBe(false);
  });
});
