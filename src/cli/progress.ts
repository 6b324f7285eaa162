/**
 * Progress for sweeps (runs done, failed, elapsed, ETA) and long runs (steps,
 * samples, batch size, ||ḡ||²): a cli-progress bar when stderr is a TTY, plain
 * log lines otherwise.
 */
import cliProgress from 'cli-progress';
import type { Budget, Observer, RunSummary } from '../run/run.js';
import type { TraceRow } from '../run/trace.js';
import type { RunRecord } from './execute.js';

/** Where progress goes: a TTY stream gets a bar, anything else gets lines. */
export interface ProgressSink {
  readonly tty: boolean;
  /** The TTY stream for the bar (used only when tty). */
  readonly stream?: NodeJS.WritableStream;
  /** Write one plain log line (no trailing newline needed). */
  line(text: string): void;
}

const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(digits - 1) : v.toPrecision(digits);

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** One line describing a finished run. */
export function describeRecord(r: RunRecord): string {
  const c = r.config;
  const method = c.variant ?? `${c.optimizer}/${c.controller}`;
  const s = r.summary;
  const tail =
    r.status === 'completed' && s !== null
      ? `steps=${s.steps} samples=${s.samples} b=${s.finalB} F=${fmt(s.finalF)} min||∇F||²=${fmt(s.minGradFNormSq)}`
      : `${r.error ?? ''}`;
  return `${r.run_id} ${c.problem} ${method} seed=${c.seed} ${r.status} ${tail}`.trimEnd();
}

export interface SweepProgress {
  done(r: RunRecord): void;
  note(text: string): void;
  stop(): void;
}

/** Progress of a sweep over `total` runs to do. */
export function sweepProgress(total: number, sink: ProgressSink, label = 'sweep'): SweepProgress {
  const t0 = Date.now();
  let n = 0;
  let failed = 0;
  if (sink.tty && total > 0) {
    const bar = new cliProgress.SingleBar(
      {
        stream: sink.stream ?? process.stderr,
        format: `${label} |{bar}| {value}/{total} runs | failed {failed} | elapsed {duration_formatted} | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { failed: 0 });
    return {
      done(r) {
        n++;
        if (r.status !== 'completed') failed++;
        bar.update(n, { failed });
      },
      note(text) {
        bar.stop();
        sink.line(text);
        bar.start(total, n, { failed });
      },
      stop() {
        bar.stop();
      },
    };
  }
  return {
    done(r) {
      n++;
      if (r.status !== 'completed') failed++;
      const dt = Date.now() - t0;
      const eta = n < total ? ` eta ${elapsed((dt / n) * (total - n))}` : '';
      sink.line(`[${n}/${total}] failed ${failed} elapsed ${elapsed(dt)}${eta} | ${describeRecord(r)}`);
    },
    note(text) {
      sink.line(text);
    },
    stop() {},
  };
}

/**
 * An observer showing a single run's progress: a bar over steps (or samples,
 * when the budget has no steps) on a TTY, otherwise a line every `logEvery` steps
 * and one at the end.
 */
export function runProgress(budget: Budget, sink: ProgressSink, logEvery = 100): Observer & { stop(): void } {
  const bySteps = budget.steps !== undefined;
  const total = bySteps ? budget.steps! : budget.samples ?? Infinity;
  let bar: cliProgress.SingleBar | null = null;
  const t0 = Date.now();
  return {
    onStart() {
      if (sink.tty && Number.isFinite(total)) {
        bar = new cliProgress.SingleBar(
          {
            stream: sink.stream ?? process.stderr,
            format: `run |{bar}| ${bySteps ? 'step' : 'samples'} {value}/{total} | samples {samples} | b {b} | ||ḡ||² {gns} | {duration_formatted} | ETA {eta_formatted}`,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { samples: 0, b: '–', gns: '–' });
      }
    },
    onStep(row: TraceRow) {
      if (bar !== null) {
        bar.update(bySteps ? row.k + 1 : row.samples, { samples: row.samples, b: row.b, gns: fmt(row.gradNormSq, 3) });
      } else if ((row.k + 1) % logEvery === 0) {
        sink.line(`step ${row.k + 1} samples ${row.samples} b ${row.b} ||ḡ||² ${fmt(row.gradNormSq)} loss ${fmt(row.loss)} elapsed ${elapsed(Date.now() - t0)}`);
      }
    },
    onEnd(s: RunSummary) {
      if (bar !== null) {
        bar.stop();
        bar = null;
      }
      sink.line(`${s.status}: ${s.message}; steps ${s.steps} samples ${s.samples} final b ${s.finalB} F ${fmt(s.finalF)} ||∇F||² ${fmt(s.finalGradFNormSq)} (${elapsed(s.wallMs)})`);
    },
    stop() {
      if (bar !== null) {
        bar.stop();
        bar = null;
      }
    },
  };
}
