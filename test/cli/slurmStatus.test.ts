/**
 * `adadagrad slurm status` on a prepared directory (shard 1 complete, shard 2
 * cut after one run as a killed task leaves it, shard 3 complete with one run
 * recorded as diverged), and what a resubmission then plans.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSweepConfig, shardOf } from '../../src/cli/config.js';
import type { SlurmStatus } from '../../src/cli/slurmStatus.js';
import { cli, tmp, writeJson, FIXTURE } from './helpers.js';

const base = tmp('adadagrad-slurm-status-');
const dir = join(base, 'sweep dir');
const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
const config = writeJson(join(base, 'sweep.json'), { ...fx, name: 'status-test', budget: { steps: 20 } });
const { runs } = parseSweepConfig(JSON.parse(readFileSync(config, 'utf8')));
const shardIds = (i: number): string[] => shardOf(runs, { index: i, count: 3 }).map((r) => r.runId).sort();
let divergedId = '';

beforeAll(async () => {
  const plan = await cli('slurm', 'sweep', '--config', config, '--out', dir, '--tasks', '3', '--json');
  expect(plan.code, plan.stderr).toBe(0);
  for (const i of [1, 2, 3]) {
    const r = await cli('sweep', '--config', join(dir, 'slurm', 'config.json'), '--out', join(dir, 'shards', String(i)), '--shard', `${i}/3`, '--workers', '1');
    expect(r.code, r.stderr).toBe(0);
  }
  // shard 2: only its first run finished (a task killed mid-run)
  const f2 = join(dir, 'shards', '2', 'results.jsonl');
  writeFileSync(f2, readFileSync(f2, 'utf8').split('\n')[0] + '\n');
  // shard 3: one run recorded as diverged
  const f3 = join(dir, 'shards', '3', 'results.jsonl');
  const lines = readFileSync(f3, 'utf8').trim().split('\n');
  const rec = JSON.parse(lines[0]!) as { run_id: string; status: string; error?: string; summary: { status: string; message: string } };
  divergedId = rec.run_id;
  rec.status = 'diverged';
  rec.error = 'loss not finite at step 7';
  rec.summary = { ...rec.summary, status: 'diverged', message: 'loss not finite at step 7' };
  lines[0] = JSON.stringify(rec);
  writeFileSync(f3, lines.join('\n') + '\n');
}, 120_000);

describe('adadagrad slurm status', () => {
  it('reports per shard: done, failed with the message, missing; exit 1 while runs are missing', async () => {
    const r = await cli('slurm', 'status', dir, '--json');
    expect(r.code).toBe(1);
    const st = JSON.parse(r.stdout) as SlurmStatus;
    expect(st).toMatchObject({ kind: 'sweep', tasks: 3, runs: 12, merged: 0 });
    expect(st.shards.map((s) => [s.shard, s.runs, s.done, s.failed.length, s.missing.length])).toEqual([
      [1, 4, 4, 0, 0],
      [2, 4, 1, 0, 3],
      [3, 4, 3, 1, 0],
    ]);
    expect(st.shards[1]!.missing.every((id) => shardIds(2).includes(id))).toBe(true);
    expect(st.shards[2]!.failed[0]).toMatchObject({ run_id: divergedId, status: 'diverged', message: 'loss not finite at step 7' });
    const text = await cli('slurm', 'status', dir);
    expect(text.stdout).toContain('shard 2/3: 4 runs, 1 done, 0 failed, 3 missing');
    expect(text.stdout).toContain(`failed ${divergedId}`);
    expect(text.stdout).toContain('loss not finite at step 7');
    expect(text.stdout).toContain('incomplete shards: 2;');
  });

  it('--shard i: exit 0 for a complete shard (diverged runs are results), 1 for an incomplete one, 2 out of range', async () => {
    expect((await cli('slurm', 'status', dir, '--shard', '1')).code).toBe(0);
    expect((await cli('slurm', 'status', dir, '--shard', '3')).code).toBe(0);
    expect((await cli('slurm', 'status', dir, '--shard', '2')).code).toBe(1);
    const bad = await cli('slurm', 'status', dir, '--shard', '4');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard: expected an integer from 1 to 3/);
  });

  it('a directory without a plan is bad input', async () => {
    const r = await cli('slurm', 'status', base);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no slurm\/plan\.json/);
  });

  it('writing the plan again plans only the incomplete shard (and the failed one with --retry-failed)', async () => {
    const again = await cli('slurm', 'sweep', '--config', config, '--out', dir, '--tasks', '3', '--json');
    expect(again.code, again.stderr).toBe(0);
    const rep = JSON.parse(again.stdout) as { shards_to_run: number[]; commands: string };
    expect(rep.shards_to_run).toEqual([2]);
    expect(rep.commands).toContain('--array=2 ');
    const retry = JSON.parse((await cli('slurm', 'sweep', '--config', config, '--out', dir, '--tasks', '3', '--retry-failed', '--json')).stdout) as { shards_to_run: number[] };
    expect(retry.shards_to_run).toEqual([2, 3]);
  });

  it('refuses another number of tasks or another sweep in the same directory (exit 2, naming the flag)', async () => {
    const tasks = await cli('slurm', 'sweep', '--config', config, '--out', dir, '--tasks', '4');
    expect(tasks.code).toBe(2);
    expect(tasks.stderr).toMatch(/--tasks: .*3 tasks/);
    const other = writeJson(join(base, 'other.json'), { ...fx, budget: { steps: 21 } });
    const diff = await cli('slurm', 'sweep', '--config', other, '--out', dir, '--tasks', '3');
    expect(diff.code).toBe(2);
    expect(diff.stderr).toMatch(/--config: .*different sweep/);
  });
});
