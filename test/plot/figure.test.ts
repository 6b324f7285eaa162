/** Saving a figure (SVG, PNG, CSV, spec), the index page, and `adadagrad plot` on run traces. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { seedData } from '../../src/experiments/seedData.js';
import type { RunJob, RunOutput } from '../../src/experiments/types.js';
import { escapeHtml, indexHtml, parseCsv, PNG_SIGNATURE, saveFigure, type Figure } from '../../src/plot/index.js';

const dir = mkdtempSync(join(tmpdir(), 'adadagrad-plot-'));

const fig: Figure = {
  name: 'demo',
  title: 'Demo <figure>',
  caption: 'First paragraph & more.\n\nSecond paragraph.',
  command: 'adadagrad reproduce demo --quick',
  spec: { width: 200, height: 100, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
  rows: [{ x: 1, y: 2 }, { x: 2, y: 3, note: 'a, "quoted" note' }],
  columns: ['x', 'y', 'note'],
};

describe('saveFigure', () => {
  it('writes SVG, PNG, CSV and a spec that reads the CSV', async () => {
    const saved = await saveFigure(dir, fig);
    expect(saved.files).toEqual({ svg: 'demo.svg', png: 'demo.png', csv: 'demo.csv', spec: 'demo.vl.json' });
    const svg = readFileSync(join(dir, 'demo.svg'), 'utf8');
    expect(svg).toMatch(/<text/);
    expect(readFileSync(join(dir, 'demo.png')).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(parseCsv(readFileSync(join(dir, 'demo.csv'), 'utf8'))).toEqual([{ x: 1, y: 2, note: null }, { x: 2, y: 3, note: 'a, "quoted" note' }]);
    const spec = JSON.parse(readFileSync(join(dir, 'demo.vl.json'), 'utf8')) as { data: { url: string }; config: { font: string }; mark: string };
    expect(spec.data.url).toBe('demo.csv');
    expect(spec.config.font).toBe('DejaVu Sans');
    expect(spec.mark).toBe('line');
  });

  it('the index page lists every figure with its caption paragraphs, command and files, escaped', async () => {
    const saved = await saveFigure(dir, fig);
    const html = indexHtml({ title: 'T', intro: ['intro'], figures: [saved, { ...saved, name: 'other', title: 'Other' }], notes: ['a note'] });
    expect(html).toContain('<h2>Demo &lt;figure&gt;</h2>');
    expect(html).toContain('<p>First paragraph &amp; more.</p>');
    expect(html).toContain('<p>Second paragraph.</p>');
    expect(html).toContain('<code>adadagrad reproduce demo --quick</code>');
    expect(html).toContain('<img src="demo.svg"');
    expect(html).toContain('href="demo.csv"');
    expect(html).toContain('id="other"');
    expect(html).toContain('a note');
    expect(escapeHtml('<a href="x">&')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;');
    expect(html).not.toContain('per-seed');
  });

  it('writes the per-seed data beside the figure, and the page links it', async () => {
    const job = { label: 'demo seed 3', problem: 'p', optimizer: 'sgd', controller: 'constant', hyper: {}, budget: { steps: 2 }, seed: 3, replace: true, evals: { steps: [0, 1] } } as unknown as RunJob;
    const out: RunOutput = {
      status: 'completed', message: '', steps: 2, samples: 4, finalB: 2, wallMs: 1, trace: { b: [2, 2], samples: [2, 4], loss: [1.25, null] },
      evals: [{ step: 0, samples: 0, F: 1.5, G: 2 }, { step: 1, samples: 2, F: 1, G: null }],
    };
    const seeds = seedData('demo', [job], [out]);
    const run = { run: 'demo seed 3', problem: 'p', optimizer: 'sgd', controller: 'constant', seed: 3, status: 'completed' };
    const saved = await saveFigure(dir, fig, { seeds });
    expect(saved.files.seeds).toBe('demo-seeds.csv');
    expect(parseCsv(readFileSync(join(dir, 'demo-seeds.csv'), 'utf8'))).toEqual([
      { ...run, kind: 'eval', step: 0, samples: 0, b: null, loss: null, F: 1.5, gradFNormSq: 2, testAccuracy: null },
      { ...run, kind: 'eval', step: 1, samples: 2, b: null, loss: null, F: 1, gradFNormSq: null, testAccuracy: null },
      { ...run, kind: 'step', step: 0, samples: 2, b: 2, loss: 1.25, F: null, gradFNormSq: null, testAccuracy: null },
      { ...run, kind: 'step', step: 1, samples: 4, b: 2, loss: null, F: null, gradFNormSq: null, testAccuracy: null },
    ]);
    expect(indexHtml({ title: 'T', intro: [], figures: [saved] })).toContain('<a href="demo-seeds.csv">per-seed data (CSV)</a>');
    expect(() => seedData('demo', [job, job], [out])).toThrow(/2 jobs but 1 outputs/);
  });
});

describe('adadagrad plot', () => {
  it('makes one figure per problem from run traces and an index page', async () => {
    const io = memoryIO();
    const traces = join(dir, 'traces');
    for (const [variant, seed] of [['adadagrad-norm', 0], ['adadagrad-norm', 1], ['adadagrad', 0]] as const) {
      const code = await runCli(['run', '--problem', 'lsq-noisy_d20_n2000_i0', '--variant', variant, '--eta', '0.5', '--bmax', '256', '--steps', '40', '--eval-every', '2', '--seed', String(seed), '--out', join(traces, `${variant}-${seed}.jsonl`)], io);
      expect(code, io.stderr()).toBe(0);
    }
    const out = join(dir, 'figs');
    const io2 = memoryIO();
    expect(await runCli(['plot', traces, '--out', out, '--json'], io2), io2.stderr()).toBe(0);
    const res = JSON.parse(io2.stdout()) as { runs: number; figures: { name: string; png: string }[] };
    expect(res.runs).toBe(3);
    expect(res.figures.map((f) => f.name)).toEqual(['lsq-noisy_d20_n2000_i0-trace']);
    expect(readFileSync(join(out, res.figures[0]!.png)).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const csv = parseCsv(readFileSync(join(out, 'lsq-noisy_d20_n2000_i0-trace.csv'), 'utf8'));
    expect(new Set(csv.map((r) => r['method']))).toEqual(new Set(['adadagrad-norm', 'adadagrad']));
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('lsq-noisy_d20_n2000_i0-trace.svg');
  });

  it('missing inputs and inputs without traces are bad input (exit 2)', async () => {
    const io = memoryIO();
    expect(await runCli(['plot', join(dir, 'nosuch')], io)).toBe(2);
    expect(io.stderr()).toMatch(/no such file/);
    const empty = mkdtempSync(join(tmpdir(), 'adadagrad-empty-'));
    const io2 = memoryIO();
    expect(await runCli(['plot', empty, '--out', join(dir, 'x')], io2)).toBe(2);
    expect(io2.stderr()).toMatch(/no run traces/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
