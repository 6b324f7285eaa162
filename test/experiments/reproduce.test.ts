/**
 * `adadagrad reproduce --quick` end to end in a temporary directory (the CI size:
 * every figure family, worker threads, the run cache), and the pieces under it:
 * the evaluation probe, job hashes, figure selection.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { CACHE_VERSION, jobHash } from '../../src/experiments/cache.js';
import { executeJob } from '../../src/experiments/execute.js';
import { FAMILIES } from '../../src/experiments/figures/index.js';
import { selectFamilies } from '../../src/experiments/reproduce.js';
import type { RunJob } from '../../src/experiments/types.js';
import { PNG_SIGNATURE } from '../../src/plot/index.js';

const ALL = FAMILIES.flatMap((f) => f.figures.map((g) => g.name));

describe('adadagrad reproduce --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'adadagrad-reproduce-'));

  it('makes every figure (SVG, PNG, CSV, spec) and an index.html with caption and command for each', async () => {
    const io = memoryIO();
    const code = await runCli(['reproduce', '--quick', '--out', out, '--workers', '2', '--json'], io);
    expect(code, io.stderr()).toBe(0);
    const res = JSON.parse(io.stdout()) as { mode: string; figures: { name: string }[]; runs: { total: number; cached: number; failed: number } };
    expect(res.mode).toBe('quick');
    expect(res.figures.map((f) => f.name)).toEqual(ALL);
    expect(res.runs.cached).toBe(0);
    expect(ALL).toEqual(['fig1-rate', 'fig2-krate', 'fig3-batch', 'fig4-complexity', 'fig5-sebs', 'fig6-mnist', 'fig6b-cnn', 'fig7a-ecdf', 'fig7b-profile', 'fig8-sgdm', 'fig9-local', 'fig10-adagrad-sgd', 'fig11-surge']);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const name of ALL) {
      for (const ext of ['svg', 'png', 'csv', 'vl.json']) expect(existsSync(join(out, `${name}.${ext}`)), `${name}.${ext}`).toBe(true);
      expect(readFileSync(join(out, `${name}.png`)).subarray(0, 8).equals(PNG_SIGNATURE), name).toBe(true);
      const svg = readFileSync(join(out, `${name}.svg`), 'utf8');
      expect(svg, name).toMatch(/<text[^>]*>[^<]+<\/text>/);
      expect(readFileSync(join(out, `${name}.csv`), 'utf8').split('\n').length, name).toBeGreaterThan(10);
      expect(html, name).toContain(`<section id="${name}">`);
      expect(html, name).toContain(`<img src="${name}.svg"`);
      expect(html, name).toContain(`<code>adadagrad reproduce ${name} --quick</code>`);
    }
    expect(html.match(/<figcaption>/g)).toHaveLength(ALL.length);
    // progress went to stderr as plain lines (no TTY), one per run
    expect(io.stderr()).toMatch(/^\[1\/\d+\] /m);
    expect(readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json'))).toHaveLength(res.runs.total);
  }, 300_000); // about 25 s of CPU; the margin is for a shared, loaded machine

  it('a rerun of one figure reuses the cached runs and keeps the other figures on the index page', async () => {
    const io = memoryIO();
    const code = await runCli(['reproduce', 'fig5', '--quick', '--out', out, '--json'], io);
    expect(code, io.stderr()).toBe(0);
    const res = JSON.parse(io.stdout()) as { figures: { name: string }[]; runs: { total: number; cached: number } };
    expect(res.figures.map((f) => f.name)).toEqual(['fig5-sebs']);
    expect(res.runs.cached).toBe(res.runs.total);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const name of ALL) expect(html).toContain(`<section id="${name}">`);
  });

  it('an unknown figure is bad input and lists the known ones', async () => {
    const io = memoryIO();
    expect(await runCli(['reproduce', 'fig99', '--quick', '--out', join(out, 'x')], io)).toBe(2);
    expect(io.stderr()).toMatch(/unknown figure 'fig99'; known: rates, fig1-rate/);
  });
});

describe('pieces', () => {
  it('selectFamilies accepts names, prefixes and family ids', () => {
    expect(selectFamilies(['fig1']).map((f) => f.id)).toEqual(['rates']);
    // a figure number is not a prefix of a longer one (fig1 is not fig10, fig11)
    expect(selectFamilies(['fig10']).map((f) => f.id)).toEqual(['adagrad-sgd']);
    expect(selectFamilies(['fig7b-profile', 'batch']).map((f) => f.id)).toEqual(['batch', 'bench']);
    expect(selectFamilies(undefined)).toHaveLength(FAMILIES.length);
    expect(() => selectFamilies(['nope'])).toThrow(/unknown figure/);
  });

  it('jobs of every family and mode are hashable and distinct, and the hash ignores the label', () => {
    for (const mode of ['quick', 'default', 'full'] as const) {
      const jobs = FAMILIES.flatMap((f) => f.jobs(mode));
      const hashes = new Set(jobs.map(jobHash));
      expect(hashes.size, mode).toBe(jobs.length);
    }
    const j = FAMILIES[0]!.jobs('quick')[0]!;
    expect(jobHash({ ...j, label: 'other' })).toBe(jobHash(j));
    expect(jobHash({ ...j, seed: j.seed + 1 })).not.toBe(jobHash(j));
  });

  it('cache keys are those of the files written before the job system (so existing OUT/runs/ is still reused)', () => {
    // The key as it was computed before src/jobs/: SHA-256 of JSON.stringify({v, job}) with the
    // job's keys sorted at every level and every 'label' dropped, first 20 hex digits.
    const sorted = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sorted)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.keys(v).filter((k) => k !== 'label' && (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
          : v;
    const before = (job: RunJob): string => createHash('sha256').update(JSON.stringify({ v: CACHE_VERSION, job: sorted(job) })).digest('hex').slice(0, 20);
    let n = 0;
    for (const mode of ['quick', 'default', 'full'] as const) {
      for (const job of FAMILIES.flatMap((f) => f.jobs(mode))) {
        expect(jobHash(job), `${mode} ${job.label}`).toBe(before(job));
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  it('a job evaluates x₀, its schedule and the last iterate, and is deterministic', async () => {
    const job: RunJob = {
      label: 't',
      problem: 'lsq-noisy_d20_n2000_i0',
      optimizer: 'adagrad-norm',
      controller: 'norm',
      hyper: { lr: 1, eta: 0.5, b0: 2, bMax: 2000 },
      budget: { samples: 3000 },
      seed: 3,
      replace: false,
      evals: { samples: [10, 100, 1000] },
    };
    const a = await executeJob(job);
    const b = await executeJob(job);
    expect(a.status).toBe('completed');
    expect(a.evals[0]).toMatchObject({ step: 0, samples: 0 });
    const s = a.evals.map((e) => e.samples);
    expect(s.filter((v) => v >= 10).length).toBeGreaterThanOrEqual(3);
    expect(a.evals[a.evals.length - 1]!.step).toBe(a.steps);
    expect(a.evals[a.evals.length - 1]!.samples).toBe(a.samples);
    // each checkpoint is met by the first iterate at or past it
    for (const c of [10, 100, 1000]) {
      const first = a.trace!.samples.findIndex((v) => v >= c);
      expect(a.evals.some((e) => e.step === first + 1), `checkpoint ${c}`).toBe(true);
    }
    expect({ ...b, wallMs: 0 }).toEqual({ ...a, wallMs: 0 });
  });
});
