/** `adadagrad reproduce`: regenerate the toolkit's theory figures into a directory with an index.html. */
import cliProgress from 'cli-progress';
import { reproduce, selectFamilies } from '../experiments/reproduce.js';
import type { Mode } from '../experiments/types.js';
import { ensureDir, type CliIO } from './io.js';

export interface ReproduceOptions {
  /** Figure name (`fig1-rate`), prefix (`fig1`) or family id (`rates`); comma-separated for several; all when absent. */
  readonly figure?: string;
  readonly out?: string;
  readonly json?: boolean;
  /** CI size (< 2 minutes). */
  readonly quick?: boolean;
  /** Paper size (MNIST for 100 epochs; hours). */
  readonly full?: boolean;
  /** Worker threads (default: available parallelism). */
  readonly workers?: number;
  /** Recompute runs even when OUT/runs/ holds them. */
  readonly fresh?: boolean;
}

/**
 * Reproduce the figures (or the selected ones) and write OUT/index.html.
 * Exit codes: 0 done, 1 a figure could not be made, 2 bad flags or figure name.
 */
export async function reproduceCommand(opts: ReproduceOptions, io: CliIO): Promise<number> {
  if (opts.quick === true && opts.full === true) {
    io.err('adadagrad reproduce: --quick and --full exclude each other\n');
    return 2;
  }
  if (opts.workers !== undefined && !(Number.isInteger(opts.workers) && opts.workers >= 1)) {
    io.err(`adadagrad reproduce: --workers must be an integer ≥ 1, got ${String(opts.workers)}\n`);
    return 2;
  }
  const mode: Mode = opts.quick === true ? 'quick' : opts.full === true ? 'full' : 'default';
  const only = opts.figure === undefined ? undefined : opts.figure.split(',').map((s) => s.trim()).filter((s) => s !== '');
  try {
    selectFamilies(only);
  } catch (e) {
    io.err(`adadagrad reproduce: ${(e as Error).message}\n`);
    return 2;
  }
  const out = opts.out ?? 'results';
  ensureDir(out);
  let bar: cliProgress.SingleBar | null = null;
  try {
    const res = await reproduce({
      mode,
      out,
      ...(only !== undefined ? { only } : {}),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.fresh === true ? { fresh: true } : {}),
      log: (t) => {
        if (bar === null) io.err(`${t}\n`);
      },
      ...(io.errTTY
        ? {
            onProgress: (done: number, total: number, label: string) => {
              if (bar === null) {
                bar = new cliProgress.SingleBar(
                  { stream: io.errStream ?? process.stderr, format: 'reproduce |{bar}| {value}/{total} runs | {duration_formatted} | ETA {eta_formatted} | {label}', hideCursor: true, etaBuffer: 30 },
                  cliProgress.Presets.shades_classic,
                );
                bar.start(total, 0, { label: '' });
              }
              bar.update(done, { label: label.slice(0, 60) });
              if (done === total && total > 0) {
                bar.stop();
                bar = null;
              }
            },
          }
        : {}),
    });
    if (bar !== null) (bar as cliProgress.SingleBar).stop();
    if (opts.json === true) {
      io.out(`${JSON.stringify({ out: res.out, mode, index: `${res.out}/index.html`, figures: res.figures.map((f) => ({ name: f.name, ...f.files })), runs: res.runs, seconds: res.seconds })}\n`);
    } else {
      io.out(`${res.figures.length} figures in ${res.out}/ (${res.runs.total} runs, ${res.runs.cached} reused, ${res.seconds.toFixed(0)} s); open ${res.out}/index.html\n`);
    }
    return 0;
  } catch (e) {
    if (bar !== null) (bar as cliProgress.SingleBar).stop();
    io.err(`adadagrad reproduce: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
