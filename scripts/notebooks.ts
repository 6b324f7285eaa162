/**
 * `npm run notebooks [-- --quick] [names...]`: execute every notebook in
 * notebooks/ headlessly, without Jupyter, and fail if any cell fails.
 *
 * Each notebook's code cells are concatenated in order into one TypeScript
 * module and run with tsx. The notebooks import the built package
 * (`../dist/src/...`, what the tslab kernel needs); here those imports are
 * pointed at the sources (`../src/...`), so no build is needed. Options:
 *   --quick   run at CI size (sets ADADAGRAD_QUICK=1, which the notebooks read)
 *   --built   keep the `../dist/` imports (run `npm run build` first)
 *   --out DIR where the notebooks save figures (ADADAGRAD_NOTEBOOK_OUT; default results/notebooks)
 *   --dir DIR run the notebooks of another directory (default notebooks/)
 * A failing cell is reported by its number; the exit code is 1 if any notebook failed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NOTEBOOKS = join(ROOT, 'notebooks');

/** tsx's ESM loader, by URL, so a notebook runs from any working directory. */
function tsxLoader(): string {
  const resolver = (import.meta as { resolve?: (s: string) => string }).resolve;
  return resolver !== undefined ? resolver('tsx') : 'tsx';
}

interface Cell {
  readonly cell_type: string;
  readonly source: string | string[];
}

/**
 * The code cells of a notebook as one module, with the first line of each cell.
 * With `dir`, relative import specifiers become absolute paths resolved against
 * it (the module then runs from anywhere).
 */
export function notebookModule(ipynb: string, opts: { built?: boolean; dir?: string } = {}): { code: string; cellStarts: number[] } {
  const nb = JSON.parse(ipynb) as { cells?: Cell[] };
  const cells = (nb.cells ?? []).filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
  const lines: string[] = [];
  const cellStarts: number[] = [];
  cells.forEach((src, i) => {
    lines.push(`// ---- cell ${i + 1} ----`);
    cellStarts.push(lines.length + 1);
    let s = src;
    if (opts.built !== true) s = s.replace(/(['"])\.\.\/dist\/(src|problems)\//g, '$1../$2/');
    const dir = opts.dir;
    if (dir !== undefined) s = s.replace(/(\bfrom\s*|\bimport\s*\(\s*)(['"])(\.\.?\/[^'"]+)\2/g, (_m, pre: string, q: string, spec: string) => `${pre}${q}${resolve(dir, spec)}${q}`);
    lines.push(...s.split('\n'));
  });
  return { code: `${lines.join('\n')}\n`, cellStarts };
}

/** The cell (1-based) that holds line `line` of the module. */
export function cellOfLine(cellStarts: readonly number[], line: number): number {
  let c = 0;
  for (let i = 0; i < cellStarts.length; i++) if (line >= cellStarts[i]!) c = i + 1;
  return c;
}

async function runOne(file: string, env: NodeJS.ProcessEnv, built: boolean): Promise<{ ok: boolean; seconds: number; cell: number | null }> {
  const name = basename(file, '.ipynb');
  const dir = dirname(file);
  const { code, cellStarts } = notebookModule(readFileSync(file, 'utf8'), { built, dir });
  // Under node_modules/.cache (ignored by git, and package imports resolve from there); the cells run with the notebook's directory as cwd, as in Jupyter.
  const cacheDir = join(ROOT, 'node_modules', '.cache', 'adadagrad-notebooks');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `${name}.${process.pid}.run.mts`);
  writeFileSync(tmp, code);
  const t0 = Date.now();
  let stderr = '';
  const status = await new Promise<number>((res) => {
    const child = spawn(process.execPath, ['--import', tsxLoader(), tmp], { cwd: dir, env, stdio: ['ignore', 'inherit', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      process.stderr.write(d);
    });
    child.on('close', (c) => res(c ?? 1));
  });
  rmSync(tmp, { force: true });
  const seconds = (Date.now() - t0) / 1000;
  if (status === 0) return { ok: true, seconds, cell: null };
  const m = new RegExp(`${basename(tmp).replace(/\./g, '\\.')}:(\\d+)`).exec(stderr);
  return { ok: false, seconds, cell: m === null ? null : cellOfLine(cellStarts, Number(m[1])) };
}

async function main(argv: readonly string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const built = argv.includes('--built');
  const outIdx = argv.indexOf('--out');
  const dirIdx = argv.indexOf('--dir');
  const out = outIdx >= 0 ? resolve(argv[outIdx + 1] ?? '') : process.env['ADADAGRAD_NOTEBOOK_OUT'] ?? join(ROOT, 'results', 'notebooks');
  const nbDir = dirIdx >= 0 ? resolve(argv[dirIdx + 1] ?? '') : NOTEBOOKS;
  const names = argv.filter((a, i) => !a.startsWith('--') && !(outIdx >= 0 && i === outIdx + 1) && !(dirIdx >= 0 && i === dirIdx + 1));
  const all = readdirSync(nbDir).filter((f) => f.endsWith('.ipynb') && !f.startsWith('_') && !f.startsWith('.')).sort();
  const picked = names.length === 0 ? all : all.filter((f) => names.some((n) => f === n || f.startsWith(n) || f === `${n}.ipynb`));
  if (picked.length === 0) {
    process.stderr.write(`notebooks: none matched ${names.join(', ')}; known: ${all.join(', ')}\n`);
    return 2;
  }
  mkdirSync(out, { recursive: true });
  const env = { ...process.env, ADADAGRAD_NOTEBOOK_OUT: out, ...(quick ? { ADADAGRAD_QUICK: '1' } : {}) };
  let failed = 0;
  for (const f of picked) {
    process.stderr.write(`notebook ${f}${quick ? ' (quick)' : ''}\n`);
    const r = await runOne(join(nbDir, f), env, built);
    if (r.ok) process.stderr.write(`notebook ${f}: ok (${r.seconds.toFixed(1)} s)\n`);
    else {
      failed++;
      process.stderr.write(`notebook ${f}: FAILED${r.cell !== null ? ` in code cell ${r.cell}` : ''} (${r.seconds.toFixed(1)} s)\n`);
    }
  }
  process.stderr.write(`notebooks: ${picked.length - failed} passed, ${failed} failed; figures in ${out}\n`);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
