/** The commands run, stats, problems, plot, reproduce and --help; the entry point as a child process. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl } from '../../src/run/jsonl.js';
import { key } from '../../src/rng/index.js';
import { problemsListing } from '../../src/cli/problems.js';
import { cli, MAIN, ROOT, spawnCli, tmp, writeJson } from './helpers.js';

const base = tmp();

describe('adadagrad run', () => {
  it('writes a JSON Lines trace whose last line is the summary with the final status', async () => {
    const out = join(base, 'runs', 'run.jsonl');
    const r = await cli('run', '--problem', 'nqm_d100_i0', '--variant', 'adadagrad-norm', '--eta', '0.5', '--bmax', '128', '--steps', '25', '--eval-every', '5', '--seed', '3', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]!['type']).toBe('meta');
    const last = lines[lines.length - 1]!;
    expect(last['type']).toBe('summary');
    expect(last['status']).toBe('completed');
    expect(last['steps']).toBe(25);
    expect(lines.filter((l) => l['type'] === 'step')).toHaveLength(25);
    const printed = JSON.parse(r.stdout) as { run_id: string; config: Record<string, unknown>; summary: { steps: number } };
    expect(printed.config).toMatchObject({ problem: 'nqm_d100_i0', optimizer: 'adagrad-norm', controller: 'norm', seed: 3, evalEvery: 5, hyper: { eta: 0.5, bMax: 128 } });
    expect(printed.summary.steps).toBe(25);
    const meta = readJsonl(out).meta as unknown as { config: { run_id: string } };
    expect(meta.config.run_id).toBe(printed.run_id);
    // no TTY: plain progress lines
    expect(r.stderr).toMatch(/^completed: budget reached; steps 25/m);
  });

  it('takes a config file and lets flags override it; the same configuration gives the same trace', async () => {
    const cfg = writeJson(join(base, 'run.json'), {
      problem: 'lsq-noisy_d20_n2000_i0', optimizer: 'adagrad', controller: 'coord-norm', hyper: { eta: 0.25, bMax: 256 }, budget: { steps: 15 }, seed: 0, evalEvery: 5, replace: false,
    });
    const a = join(base, 'a.jsonl');
    const b = join(base, 'b.jsonl');
    const c = join(base, 'c.jsonl');
    expect((await cli('run', '--config', cfg, '--out', a)).code).toBe(0);
    expect((await cli('run', '--config', cfg, '--out', b)).code).toBe(0);
    expect((await cli('run', '--config', cfg, '--seed', '1', '--out', c)).code).toBe(0);
    const rows = (p: string): string => JSON.stringify(readJsonl(p).rows);
    expect(rows(b)).toBe(rows(a));
    expect(rows(c)).not.toBe(rows(a));
    expect(readJsonl(a).meta!.replace).toBe(false);
  });

  it('a diverging run exits 1 and still ends its file with the summary', async () => {
    const out = join(base, 'diverge.jsonl');
    const r = await cli('run', '--problem', 'nqm_d100_i0', '--optimizer', 'sgd', '--controller', 'constant', '--lr', '1e6', '--steps', '50', '--out', out);
    expect(r.code).toBe(1);
    const { summary } = readJsonl(out);
    expect(summary?.status).toBe('diverged');
  });

  it('unknown names are bad input (exit 2) and no file is written', async () => {
    const out = join(base, 'never.jsonl');
    for (const args of [
      ['--problem', 'nqm_d100_i0', '--optimizer', 'sgd', '--controller', 'nosuch', '--steps', '3'],
      ['--problem', 'nosuch_d2_i0', '--variant', 'adadagrad', '--steps', '3'],
      ['--problem', 'nqm_d100_i0', '--variant', 'adadagrad', '--steps', '3', '--bogus-flag'],
    ]) {
      const r = await cli('run', ...args, '--out', out);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe('adadagrad stats', () => {
  // g_1 = (1, 2), g_2 = (3, 4), g_3 = (5, 0): ḡ = (3, 2), ||ḡ||² = 13,
  // g_i − ḡ = (−2, 0), (0, 2), (2, −2): S_norm = (4 + 4 + 8)/(b − 1) = 8.
  // ⟨g_i − ḡ, ḡ⟩ = −6, 4, 2 → S_ip = (36 + 16 + 4)/2 = 28; S_orth = (16 − 56/13)/2 = 76/13.
  // S_j = (4 + 0 + 4)/2 = 4 and (0 + 4 + 4)/2 = 4.
  // η = 0.5: T_norm = 8/(0.25·13) = 2.46 → next = max(3, 3) = 3; T_coord = max(4/(0.25·9), 4/(0.25·4)) = 4 → 4.
  // θ = 0.5, ν = 1: T_ip = 28/(0.25·169) = 0.66, T_orth = (76/13)/13 = 0.45 → next 3.
  const grads = [[1, 2], [3, 4], [5, 0]];

  it('prints the statistics and the next batch size of each test for a hand-made matrix', async () => {
    const f = writeJson(join(base, 'grads.json'), grads);
    const r = await cli('stats', '--grads', f, '--eta', '0.5', '--theta', '0.5', '--nu', '1');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.b).toBe(3);
    expect(s.grad_norm_sq).toBeCloseTo(13, 12);
    expect(s.S_norm).toBeCloseTo(8, 12);
    expect(s.S_ip).toBeCloseTo(28, 12);
    expect(s.S_orth).toBeCloseTo(76 / 13, 12);
    expect(s.B_simple).toBeCloseTo(8 / 13, 12);
    expect(s.tests.norm.T).toBeCloseTo(8 / (0.25 * 13), 12);
    expect(s.tests.coord_norm.T).toBeCloseTo(4, 12);
    expect(s.next_batch).toEqual({ norm: 3, ip: 3, aug_ip: 3, coord_norm: 4 });
  });

  it('uses --batch as the current size and --bmax as the cap; blocks give block-wise values', async () => {
    const f = writeJson(join(base, 'grads-blocks.json'), { grads, blocks: [[0, 1], [1, 2]] });
    const r = await cli('stats', '--grads', f, '--eta', '0.1', '--batch', '10', '--bmax', '300');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    // T_norm = 8/(0.01·13) = 61.5 → 62; T_coord = max(4/(0.01·9), 4/(0.01·4)) = 100 → 100
    expect(s.next_batch.norm).toBe(62);
    expect(s.next_batch.coord_norm).toBe(100);
    expect(s.batch).toBe(10);
    // block 0 is coordinate 0: ḡ = 3, S = 4; block 1 is coordinate 1: ḡ = 2, S = 4
    expect(s.blockwise.blocks).toEqual([
      { range: [0, 1], grad_norm_sq: 9, S_norm: 4 },
      { range: [1, 2], grad_norm_sq: 4, S_norm: 4 },
    ]);
    // block-wise S_ip = Σ_p Var_i ⟨g_i^p − ḡ^p, ḡ^p⟩: block 0: (−6, 0, 6) → 36; block 1: (0, 4, −4) → 16
    expect(s.blockwise.S_ip).toBeCloseTo(52, 12);
    const capped = JSON.parse((await cli('stats', '--grads', f, '--eta', '0.1', '--bmax', '50')).stdout);
    expect(capped.next_batch.coord_norm).toBe(50);
  });

  it('rejects ragged rows, bad JSON and non-finite values with exit 2 and a message naming the problem', async () => {
    const cases: [string, string, RegExp][] = [
      ['ragged.json', '[[1, 2], [3], [5, 0]]', /\[1\]: row 1 has length 1, expected 2/],
      ['broken.json', '[[1, 2], [3, 4]', /not valid JSON/],
      ['nan.json', '[[1, NaN], [3, 4]]', /not valid JSON \(NaN and Infinity are not allowed/],
      ['nanstr.json', '{"grads": [[1, "NaN"], [3, 4]]}', /grads\[0\]\[1\]: expected a finite number, got "NaN"/],
      ['one.json', '[[1, 2]]', /at least 2 rows/],
      ['blocks.json', '{"grads": [[1, 2], [3, 4]], "blocks": [[0, 1], [2, 3]]}', /blocks\[1\]: .*tile \[0, 2\)/],
    ];
    for (const [name, text, msg] of cases) {
      const f = join(base, name);
      writeFileSync(f, text);
      const r = await cli('stats', '--grads', f);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(msg);
      expect(r.stdout).toBe('');
    }
  });
});

describe('adadagrad problems', () => {
  it('lists the suite as JSON, filtered by family and tag', async () => {
    const r = await cli('problems', '--family', 'nqm', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; family: string; dim: number; n: number | null; tags: string[]; constants: unknown }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const p of rows) {
      expect(p.family).toBe('nqm');
      expect(p).toHaveProperty('constants');
    }
    expect(rows.map((p) => p.id)).toContain('nqm_d100_i0');
    const tagged = JSON.parse((await cli('problems', '--family', 'lsq-noisy,nqm', '--tag', 'finite-sum', '--json')).stdout) as { tags: string[]; family: string }[];
    expect(tagged.length).toBeGreaterThan(0);
    expect(tagged.every((p) => p.tags.includes('finite-sum') && p.family === 'lsq-noisy')).toBe(true);
    const text = await cli('problems', '--family', 'nqm');
    expect(text.stdout).toMatch(/^id\s+family\s+dim\s+n\s+L\s+F_low\s+F\*\s+tags/);
    const nqm = problemsListing({ family: 'nqm' }).find((p) => p.id === 'nqm_d100_i0')!.constants as { F_low: number; F_star?: number };
    expect(text.stdout).toMatch(new RegExp(`^nqm_d100_i0\\s.*\\)\\s+${nqm.F_low}\\s+${nqm.F_star ?? '–'}\\s+population`, 'm'));
    const bad = await cli('problems', '--family', 'nosuch');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nosuch/);
  });
});

describe('help and placeholders', () => {
  const commands = ['run', 'sweep', 'merge', 'plot', 'problems', 'stats', 'reproduce', 'example'];

  it('--help of every command shows an example of that command', async () => {
    for (const c of commands) {
      const r = await cli(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(/Examples:/);
      expect(r.stdout, c).toContain(`$ adadagrad ${c}`);
    }
    const root = await cli('--help');
    expect(root.code).toBe(0);
    for (const c of commands) expect(root.stdout).toContain(c);
  });

  it('plot without inputs and reproduce with contradictory flags are bad input (exit 2)', async () => {
    const p = await cli('plot');
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/give result directories or trace files/);
    const r = await cli('reproduce', '--quick', '--full', '--out', join(base, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--quick and --full/);
    expect(existsSync(join(base, 'never'))).toBe(false);
  });

  it('help examples chain: every file they read ships in examples/ or is written by an earlier example line', async () => {
    const listing = JSON.parse((await cli('example', '--json')).stdout) as Record<string, string>;
    const shipped = new Set(Object.values(listing).map((p) => p.replace(`${ROOT}/`, '')));
    expect(shipped.size).toBeGreaterThanOrEqual(4);
    for (const c of ['', ...commands]) {
      const help = (await cli(...(c === '' ? [] : [c]), '--help')).stdout;
      const lines = help.split('\n').filter((l) => l.trim().startsWith('$ '));
      const written = new Set<string>();
      for (const l of lines) {
        expect(l, `${c} --help names a file outside the package`).not.toMatch(/test\/fixtures/);
        for (const m of l.matchAll(/(?:--config|--grads) (\S+)|libsvm:([^?'\s]+)/g)) {
          const f = m[1] ?? m[2]!;
          expect(written.has(f) || shipped.has(f), `${c} --help reads ${f}, which no earlier example writes and examples/ does not hold`).toBe(true);
        }
        const w = /> (\S+)$/.exec(l);
        if (w !== null) written.add(w[1]!);
      }
    }
  });

  it('example prints a shipped file, lists them, and rejects an unknown name (exit 2)', async () => {
    const sweep = await cli('example', 'sweep');
    expect(sweep.code).toBe(0);
    expect(JSON.parse(sweep.stdout)).toMatchObject({ grid: { problem: expect.any(Array) } });
    const list = await cli('example');
    expect(list.stdout).toMatch(/^run\s+\S+examples\/run\.json$/m);
    const bad = await cli('example', 'nosuch');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown example 'nosuch'; expected one of/);
  });

  it('run --help says which θ, ν the CLI uses and whose they are', async () => {
    const h = (await cli('run', '--help')).stdout.replace(/\s+/g, ' ');
    expect(h).toMatch(/θ = 0\.9, ν = 5\.84 \(Bollapragada, Byrd, Nocedal 2018/);
    expect(h).toMatch(/official AdAdaGrad code defaults to θ = ν = 0\.1 and its README example uses θ = 0\.5, ν = 1\.0/);
    expect(h).toMatch(/--theta <x> θ: .* default 0\.9 \(ip/);
  });

  it('an unknown command is bad input', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
  });
});

describe('LIBSVM files by id (libsvm:PATH?family=F)', () => {
  it('run, a config and a sweep accept a libsvm id; a bad family is bad input naming --problem', async () => {
    const ok = await cli('run', '--problem', 'libsvm:examples/tiny.svm?family=nclogreg', '--variant', 'adadagrad-norm', '--steps', '20', '--out', join(base, 'svm.jsonl'), '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).config.problem).toBe('libsvm:examples/tiny.svm?family=nclogreg');
    const sweep = await cli('sweep', '--config', join(ROOT, 'examples/sweep-libsvm.json'), '--out', join(base, 'svm-sweep'), '--dry-run', '--json');
    expect(sweep.code, sweep.stderr).toBe(0);
    const bad = await cli('run', '--problem', 'libsvm:examples/tiny.svm?family=logreg', '--variant', 'adadagrad-norm', '--steps', '5', '--out', join(base, 'svm-bad.jsonl'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--problem \(problem\): .*family=logreg: expected one of nclogreg, robust-cauchy/);
    const missing = await cli('run', '--problem', 'libsvm:no/such.svm?family=sigmoid', '--variant', 'adadagrad-norm', '--steps', '5', '--out', join(base, 'svm-missing.jsonl'));
    expect(missing.code).toBe(2);
  });

  it('getProblem builds the same problem as libsvmProblem, with the options of the id', async () => {
    const { getProblem } = await import('../../problems/registry.js');
    const { libsvmProblem } = await import('../../problems/data/libsvmProblem.js');
    const a = getProblem('libsvm:examples/tiny.svm?family=sigmoid&bias=1');
    const b = libsvmProblem(join(ROOT, 'examples/tiny.svm'), { family: 'sigmoid', bias: true });
    expect(a.id).toBe(b.id);
    const x = b.x0(key(0));
    expect(a.value(x)).toBe(b.value(x));
    expect(() => getProblem('libsvm:examples/tiny.svm?family=nclogreg&lambda=x')).toThrow(/lambda=x: expected a finite number/);
    expect(() => getProblem('libsvm:examples/tiny.svm?family=nclogreg&gamma=1')).toThrow(/unknown option 'gamma'/);
  });
});

describe('the entry point as a child process', () => {
  it('runs src/cli/main.ts and returns the exit codes', async () => {
    const f = writeJson(join(base, 'child-grads.json'), [[1, 2], [3, 4], [5, 0]]);
    const ok = await spawnCli(['stats', '--grads', f, '--eta', '0.5']).done;
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).S_norm).toBeCloseTo(8, 12);
    const bad = await spawnCli(['stats', '--grads', f, '--eta', 'abc']).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--eta/);
    const src = readFileSync(MAIN, 'utf8');
    expect(src.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
