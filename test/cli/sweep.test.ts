/**
 * Sweeps: resumable after SIGKILL, shardable and mergeable, independent of the
 * number of workers, tolerant of a torn last line and of failing runs.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSweepConfig } from '../../src/cli/config.js';
import { readResults } from '../../src/cli/results.js';
import { cli, comparable, completeLines, FIXTURE, spawnCli, testSweepConfig, tmp, writeJson } from './helpers.js';

const base = tmp();
const configPath = writeJson(join(base, 'sweep.json'), testSweepConfig());
const refDir = join(base, 'ref');
let ref: Map<string, string>;
const TOTAL = 24;

beforeAll(async () => {
  const r = await cli('sweep', '--config', configPath, '--out', refDir, '--workers', '2', '--traces');
  expect(r.code, r.stderr).toBe(0);
  ref = comparable(refDir);
});

describe('adadagrad sweep', () => {
  it('records every run of the grid once, keyed by run_id, with config and summary', () => {
    expect(ref.size).toBe(TOTAL);
    const { records } = readResults(join(refDir, 'results.jsonl'));
    expect(records).toHaveLength(TOTAL);
    const planned = parseSweepConfig(JSON.parse(readFileSync(configPath, 'utf8'))).runs.map((r) => r.runId).sort();
    expect(records.map((r) => r.run_id).sort()).toEqual(planned);
    for (const r of records) {
      expect(r.status).toBe('completed');
      expect(r.summary?.steps).toBe(30);
      expect(r.config.budget).toEqual({ steps: 30 });
    }
    // --traces: one trace per run whose last line is its summary
    const traces = readdirSync(join(refDir, 'runs'));
    expect(traces.sort()).toEqual(planned.map((id) => `${id}.jsonl`));
    const lines = readFileSync(join(refDir, 'runs', traces[0]!), 'utf8').trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!).type).toBe('summary');
  });

  it('a restarted sweep skips the finished runs', async () => {
    const r = await cli('sweep', '--config', configPath, '--out', refDir, '--workers', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ runs: TOTAL, skipped: TOTAL, ran: 0, failed: 0 });
    expect(completeLines(join(refDir, 'results.jsonl'))).toBe(TOTAL);
  });

  it('results do not depend on the number of workers (1 vs 2)', async () => {
    const dir = join(base, 'w1');
    const r = await cli('sweep', '--config', configPath, '--out', dir, '--workers', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(comparable(dir)).toEqual(ref);
  });

  it('--shard 1/3 … 3/3 partition the sweep, and merged they equal the unsharded sweep', async () => {
    const dirs: string[] = [];
    const seen = new Set<string>();
    for (let i = 1; i <= 3; i++) {
      const dir = join(base, `shard${i}`);
      const r = await cli('sweep', '--config', configPath, '--out', dir, '--shard', `${i}/3`, '--workers', '1');
      expect(r.code, r.stderr).toBe(0);
      const ids = [...comparable(dir).keys()];
      expect(ids.length).toBeGreaterThanOrEqual(Math.floor(TOTAL / 3));
      for (const id of ids) {
        expect(seen.has(id), `run ${id} in two shards`).toBe(false);
        seen.add(id);
      }
      dirs.push(dir);
    }
    const merged = join(base, 'merged');
    const m = await cli('merge', ...dirs, '--out', merged, '--json');
    expect(m.code, m.stderr).toBe(0);
    expect(JSON.parse(m.stdout)).toMatchObject({ runs: TOTAL, failed: 0 });
    expect(comparable(merged)).toEqual(ref);
    // merging the merged result with a shard again: identical duplicates collapse
    const again = join(base, 'merged2');
    expect((await cli('merge', merged, dirs[0]!, '--out', again)).code).toBe(0);
    expect(comparable(again)).toEqual(ref);
  });

  it('merge rejects conflicting duplicates, naming the run_id', async () => {
    const { records } = readResults(join(refDir, 'results.jsonl'));
    const victim = records[3]!;
    const bad = join(base, 'conflict');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'results.jsonl'), `${JSON.stringify({ ...victim, summary: { ...victim.summary!, finalF: 123.456 } })}\n`);
    const out = join(base, 'conflict-out');
    const r = await cli('merge', refDir, bad, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`run_id ${victim.run_id}`);
    expect(existsSync(join(out, 'results.jsonl'))).toBe(false);
  });

  it('a sweep killed with SIGKILL midway and restarted has exactly the runs and results of an uninterrupted sweep', async () => {
    const dir = join(base, 'killed');
    const file = join(dir, 'results.jsonl');
    const { child, done } = spawnCli(['sweep', '--config', configPath, '--out', dir, '--workers', '1']);
    // kill as soon as the first result line is on disk
    await new Promise<void>((res) => {
      const poll = setInterval(() => {
        if (completeLines(file) >= 1 || child.exitCode !== null) {
          clearInterval(poll);
          child.kill('SIGKILL');
          res();
        }
      }, 5);
    });
    const killed = await done;
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const before = readResults(file);
    expect(before.records.length).toBeGreaterThanOrEqual(1);
    expect(before.records.length, 'the kill must interrupt the sweep midway').toBeLessThan(TOTAL);
    for (const r of before.records) expect(ref.get(r.run_id)).toBeDefined();

    const restarted = spawnCli(['sweep', '--config', configPath, '--out', dir, '--workers', '2']);
    const r = await restarted.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${before.records.length} already done`);
    expect(comparable(dir)).toEqual(ref);
    expect(completeLines(file)).toBe(TOTAL);
  });

  it('SIGINT stops dispatching, lets the runs in flight finish, keeps whole lines and exits 130', async () => {
    const dir = join(base, 'sigint');
    const file = join(dir, 'results.jsonl');
    const { child, done } = spawnCli(['sweep', '--config', configPath, '--out', dir, '--workers', '2']);
    await new Promise<void>((res) => {
      const poll = setInterval(() => {
        if (completeLines(file) >= 1 || child.exitCode !== null) {
          clearInterval(poll);
          child.kill('SIGINT');
          res();
        }
      }, 5);
    });
    const r = await done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/interrupted: no new runs/);
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const got = comparable(dir);
    expect(got.size).toBeLessThan(TOTAL);
    for (const [id, rec] of got) expect(rec).toBe(ref.get(id));
    // and the restart (in-process here) completes it
    const again = await cli('sweep', '--config', configPath, '--out', dir, '--workers', '2');
    expect(again.code, again.stderr).toBe(0);
    expect(comparable(dir)).toEqual(ref);
  });

  it('a torn last line is reported, cut off, and the restarted sweep completes with whole lines only', async () => {
    const dir = join(base, 'torn');
    mkdirSync(dir, { recursive: true });
    const lines = readFileSync(join(refDir, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
    const keep = lines.slice(0, 20);
    writeFileSync(join(dir, 'results.jsonl'), keep.map((l) => `${l}\n`).join(''));
    appendFileSync(join(dir, 'results.jsonl'), lines[20]!.slice(0, 57)); // an interrupted write
    const read = readResults(join(dir, 'results.jsonl'));
    expect(read.torn).toBe(true);
    expect(read.records).toHaveLength(20);
    expect(read.warnings.join('\n')).toMatch(/torn last line/);

    const r = await cli('sweep', '--config', configPath, '--out', dir, '--workers', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/torn last line/);
    const text = readFileSync(join(dir, 'results.jsonl'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const l of text.trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
    expect(comparable(dir)).toEqual(ref);
  });

  it('a failing run is recorded with its error, does not stop the sweep, and gives exit code 1', async () => {
    const cfg = writeJson(join(base, 'diverge.json'), {
      grid: { problem: ['nqm_d100_i0'], optimizer: ['sgd'], controller: ['constant'], seed: [0], hyper: { lr: [1e6, 0.01] } },
      hyper: { b0: 4 },
      budget: { steps: 40 },
    });
    const dir = join(base, 'diverge');
    const r = await cli('sweep', '--config', cfg, '--out', dir, '--workers', '1');
    expect(r.code).toBe(1);
    const { records } = readResults(join(dir, 'results.jsonl'));
    expect(records).toHaveLength(2);
    const bad = records.find((x) => x.config.hyper.lr === 1e6)!;
    const good = records.find((x) => x.config.hyper.lr === 0.01)!;
    expect(bad.status).toBe('diverged');
    expect(bad.error).toMatch(/non-finite/);
    expect(good.status).toBe('completed');
    expect(r.stderr).toContain(`failed ${bad.run_id}`);
    // the restart keeps the exit code: the failed run is still a failure
    expect((await cli('sweep', '--config', cfg, '--out', dir)).code).toBe(1);
  });

  it('the shipped example sweep is valid and has at least 12 runs on problems of the suite', () => {
    const { runs } = parseSweepConfig(JSON.parse(readFileSync(FIXTURE, 'utf8')), FIXTURE);
    expect(runs.length).toBeGreaterThanOrEqual(12);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(runs.length);
  });

  it('a results file written before backends and sweep ids were recorded is still recognised', async () => {
    const dir = join(base, 'older');
    mkdirSync(dir, { recursive: true });
    const old = readFileSync(join(refDir, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '').map((l) => {
      const { backend: _b, sweep: _s, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return `${JSON.stringify(rest)}\n`;
    });
    writeFileSync(join(dir, 'results.jsonl'), old.join(''));
    const r = await cli('sweep', '--config', configPath, '--out', dir, '--workers', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: TOTAL, skipped: TOTAL, ran: 0 });
  });

  it('a copied results file keeps its runs: the run_id is a function of the configuration only', async () => {
    const dir = join(base, 'copied');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(refDir, 'results.jsonl'), join(dir, 'results.jsonl'));
    const r = await cli('sweep', '--config', configPath, '--out', dir, '--dry-run', '--json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { state: string }[];
    expect(plan).toHaveLength(TOTAL);
    expect(plan.every((p) => p.state === 'completed')).toBe(true);
  });
});
