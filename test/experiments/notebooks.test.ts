/** The notebooks (valid Jupyter files for the tslab kernel) and their headless runner `npm run notebooks`. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cellOfLine, notebookModule } from '../../scripts/notebooks.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = join(ROOT, 'notebooks');
const RUNNER = join(ROOT, 'scripts/notebooks.ts');

function runner(args: readonly string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

interface Notebook {
  nbformat: number;
  metadata: { kernelspec: { name: string; language: string } };
  cells: { cell_type: string; id: string; source: string[] }[];
}

describe('notebooks', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ipynb')).sort();

  it('one per figure family, each a tslab (TypeScript) notebook with an explanation before its code', () => {
    expect(files).toEqual(['01-rates.ipynb', '02-batch-sizes.ipynb', '03-complexity.ipynb', '04-sebs.ipynb', '05-mnist.ipynb', '06-benchmark.ipynb', '07-sgdm.ipynb', '08-local.ipynb', '09-cnn.ipynb', '10-adagrad-sgd.ipynb', '11-surge.ipynb']);
    for (const f of files) {
      const nb = JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Notebook;
      expect(nb.nbformat, f).toBe(4);
      expect(nb.metadata.kernelspec, f).toMatchObject({ name: 'tslab', language: 'typescript' });
      expect(nb.cells[0]!.cell_type, f).toBe('markdown');
      expect(nb.cells[0]!.source[0], f).toMatch(/^# /);
      expect(nb.cells.filter((c) => c.cell_type === 'code').length, f).toBeGreaterThanOrEqual(3);
      expect(new Set(nb.cells.map((c) => c.id)).size, f).toBe(nb.cells.length);
      // every code cell imports the package through ../dist/ (what tslab loads), never through ../src/
      const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join('')).join('\n');
      expect(code, f).not.toMatch(/from '\.\.\/src\//);
      expect(code, f).toMatch(/from '\.\.\/dist\/src\/experiments\/index\.js'/);
    }
  });

  it('the runner concatenates code cells, points ../dist/ imports at the sources and maps lines to cells', () => {
    const nb = JSON.stringify({
      cells: [
        { cell_type: 'markdown', source: ['# t'] },
        { cell_type: 'code', source: ["import { key } from '../dist/src/index.js';\n", 'const a = 1;'] },
        { cell_type: 'code', source: "import { suite } from '../dist/problems/index.js';\nthrow new Error('x');" },
      ],
    });
    const m = notebookModule(nb);
    expect(m.code).toContain("from '../src/index.js'");
    expect(m.code).toContain("from '../problems/index.js'");
    expect(m.code).not.toContain('../dist/');
    expect(notebookModule(nb, { built: true }).code).toContain("from '../dist/src/index.js'");
    const lines = m.code.split('\n');
    const throwLine = lines.findIndex((l) => l.startsWith('throw')) + 1;
    expect(cellOfLine(m.cellStarts, throwLine)).toBe(2);
    expect(cellOfLine(m.cellStarts, 2)).toBe(1);
  });

  it('npm run notebooks -- --quick executes a notebook headlessly and saves its figures', async () => {
    const out = mkdtempSync(join(tmpdir(), 'adadagrad-nb-'));
    const r = await runner(['--quick', '04-sebs', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/notebook 04-sebs\.ipynb: ok/);
    expect(r.stderr).toMatch(/notebooks: 1 passed, 0 failed/);
    expect(r.stdout).toMatch(/mode: quick/);
    for (const ext of ['svg', 'png', 'csv', 'vl.json']) expect(existsSync(join(out, `fig5-sebs.${ext}`)), ext).toBe(true);
    expect(readdirSync(DIR).filter((f) => f.endsWith('.run.ts'))).toEqual([]);
    expect(readdirSync(join(ROOT, 'node_modules', '.cache', 'adadagrad-notebooks')).filter((f) => f.startsWith('04-sebs'))).toEqual([]);
  });

  it('a failing cell fails the run and is named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adadagrad-nbfail-'));
    writeFileSync(
      join(dir, 'bad.ipynb'),
      JSON.stringify({ cells: [{ cell_type: 'code', source: ['const a: number = 1;\n', 'console.log(a);'] }, { cell_type: 'code', source: ["throw new Error('cell two fails');"] }] }),
    );
    const r = await runner(['--dir', dir, '--out', join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cell two fails/);
    expect(r.stderr).toMatch(/notebook bad\.ipynb: FAILED in code cell 2/);
    expect(r.stderr).toMatch(/notebooks: 0 passed, 1 failed/);
  });
});
