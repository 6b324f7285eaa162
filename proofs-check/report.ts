/** Run the lemma checks and render the report (table and JSON). */
import { clearCaches, fmt, type LemmaReport, type Mode } from './harness.js';
import { LEMMAS } from './lemmas.js';

export interface ProofsReport {
  readonly mode: 'quick' | 'full';
  readonly seconds: number;
  /** Every lemma holds where SPEC says it should. */
  readonly allHold: boolean;
  /** Every negative check was caught. */
  readonly allCaught: boolean;
  readonly lemmas: readonly LemmaReport[];
}

export interface RunOptions {
  /** Only these lemma ids (default all). */
  readonly only?: readonly string[];
  /** Called after each lemma. */
  readonly onLemma?: (r: LemmaReport) => void;
}

/** Check every lemma (trajectories are simulated once and shared). */
export function runProofs(mode: Mode, opts: RunOptions = {}): ProofsReport {
  const t0 = performance.now();
  clearCaches();
  const out: LemmaReport[] = [];
  for (const lemma of LEMMAS) {
    if (opts.only && !opts.only.includes(lemma.id)) continue;
    const s = performance.now();
    const r = lemma.check(mode);
    const rep: LemmaReport = { id: lemma.id, title: lemma.title, statement: lemma.statement, kind: lemma.kind, ...r, seconds: (performance.now() - s) / 1000 };
    out.push(rep);
    opts.onLemma?.(rep);
  }
  clearCaches();
  return {
    mode: mode.quick ? 'quick' : 'full',
    seconds: (performance.now() - t0) / 1000,
    allHold: out.every((r) => r.status === 'holds'),
    allCaught: out.every((r) => r.negative_check.caught),
    lemmas: out,
  };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The JSON document: {mode, seconds, lemmas: [{id, statement, checked, worst_margin, status, negative_check: {description, caught}, …}]}. */
export function toJson(r: ProofsReport): unknown {
  return {
    mode: r.mode,
    seconds: r.seconds,
    all_hold: r.allHold,
    all_caught: r.allCaught,
    lemmas: r.lemmas.map((l) => ({
      id: l.id,
      title: l.title,
      statement: l.statement,
      kind: l.kind,
      checked: l.checked,
      worst_margin: finiteOrNull(l.worst_margin),
      worst_at: l.worst_at,
      status: l.status,
      criterion: l.criterion,
      negative_check: {
        description: l.negative_check.description,
        caught: l.negative_check.caught,
        worst_margin: finiteOrNull(l.negative_check.worst_margin),
        worst_at: l.negative_check.worst_at,
        checked: l.negative_check.checked,
      },
      notes: l.notes,
      seconds: l.seconds,
    })),
  };
}

function pad(s: string, n: number): string {
  const chars = [...s];
  return chars.length >= n ? chars.slice(0, n).join('') : s + ' '.repeat(n - chars.length);
}

function truncate(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : chars.slice(0, n - 1).join('') + '…';
}

/** A plain-text table: lemma, statement, runs and steps checked, worst margin, status, negative check. */
export function formatTable(r: ProofsReport, opts: { statementWidth?: number; verbose?: boolean } = {}): string {
  const sw = opts.statementWidth ?? 64;
  const cols = [
    ['lemma', 5], ['kind', 11], ['statement', sw], ['runs', 5], ['checked', 8], ['worst margin', 12], ['status', 8], ['negative check', 14], ['time', 6],
  ] as const;
  const line = (cells: string[]) => cells.map((c, i) => pad(c, cols[i]![1])).join('  ').trimEnd();
  const rows = [line(cols.map((c) => c[0])), line(cols.map((c) => '─'.repeat(c[1])))];
  for (const l of r.lemmas) {
    rows.push(line([
      l.id,
      l.kind,
      truncate(l.statement, sw),
      String(l.checked.runs),
      String(l.checked.steps),
      fmt(l.worst_margin, 3),
      l.status,
      l.negative_check.caught ? `caught (${fmt(l.negative_check.worst_margin, 2)})` : 'NOT CAUGHT',
      `${l.seconds.toFixed(1)}s`,
    ]));
  }
  rows.push('');
  rows.push(`mode ${r.mode}, ${r.seconds.toFixed(1)} s; ${r.lemmas.filter((l) => l.status === 'holds').length}/${r.lemmas.length} lemmas hold, ${r.lemmas.filter((l) => l.negative_check.caught).length}/${r.lemmas.length} negative checks caught.`);
  rows.push('margin ≥ 0 means the inequality holds; pathwise lemmas pass at ≥ −1e-10 (relative rounding), Monte Carlo lemmas at ≥ 0 with family-wise 99% confidence.');
  if (opts.verbose) {
    for (const l of r.lemmas) {
      rows.push('');
      rows.push(`${l.id} ${l.title}: ${l.statement}`);
      rows.push(`  criterion: ${l.criterion}`);
      const c = l.checked;
      rows.push(`  checked: ${c.runs} runs, ${c.steps} steps/points${c.resamples ? `, ${c.resamples} resampled batches` : ''}${c.cltAdequacy !== undefined ? `, CLT adequacy min M/(25γ̂²) = ${fmt(c.cltAdequacy, 3)}` : ''}${c.skipped ? `, ${c.skipped} skipped (${c.skippedReason ?? ''})` : ''}`);
      rows.push(`  worst: ${fmt(l.worst_margin, 3)} at ${l.worst_at}`);
      rows.push(`  negative: ${l.negative_check.description} → ${l.negative_check.caught ? 'caught' : 'NOT caught'}, worst ${fmt(l.negative_check.worst_margin, 3)} at ${l.negative_check.worst_at}`);
      for (const n of l.notes) rows.push(`  note: ${n}`);
    }
  }
  return rows.join('\n');
}
