/**
 * Showing figures from a notebook: inline in the tslab Jupyter kernel, and as
 * files (SVG, PNG, CSV, spec) everywhere, so a headless run of the notebook
 * (`npm run notebooks`) leaves the same figures on disk.
 */
import { join } from 'node:path';
import { saveFigure, type Figure } from './figure.js';
import { specToSvg } from './render.js';
import { inlineSpec } from './figure.js';

/** True inside a tslab kernel (the process was started as `tslab kernel ...`). */
export function inTslab(): boolean {
  return process.argv.includes('kernel') && process.argv.some((a) => /tslab/.test(a));
}

/** Where notebooks save figures: $ADADAGRAD_NOTEBOOK_OUT, else results/notebooks (relative to the working directory). */
export function notebookOut(): string {
  return process.env['ADADAGRAD_NOTEBOOK_OUT'] ?? join('..', 'results', 'notebooks');
}

/** Whether notebooks run at CI size ($ADADAGRAD_QUICK=1, set by `npm run notebooks -- --quick`). */
export function notebookMode(): 'quick' | 'default' {
  return process.env['ADADAGRAD_QUICK'] === '1' ? 'quick' : 'default';
}

/**
 * Save a figure into `dir` (default notebookOut()) and, inside tslab, display
 * it inline. Returns the path of the PNG.
 */
export async function show(fig: Figure, dir: string = notebookOut()): Promise<string> {
  const saved = await saveFigure(dir, fig);
  const png = join(dir, saved.files.png);
  if (inTslab()) {
    const svg = await specToSvg(inlineSpec(fig));
    const tslab = (await import('tslab')) as unknown as { display: { html(s: string): void } };
    tslab.display.html(svg);
  } else {
    console.log(`figure ${fig.name}: ${png}`);
  }
  return png;
}
