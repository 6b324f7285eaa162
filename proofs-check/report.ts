/** Run the lemma checks and render the report (table, fault ladders and JSON). */
import { clearCaches, fmt, type LemmaReport, type Mode } from './harness.js';
import type { LadderReport } from './ladder.js';
import { LEMMAS } from './lemmas.js';
import { setReplicate } from './replicate.js';

/** A lemma's report with its fault ladder. */
export type LemmaResult = LemmaReport & { readonly ladder: LadderReport };

export interface ProofsReport {
  readonly mode: 'quick' | 'full';
  readonly seconds: number;
  /** Every lemma holds where SPEC says it should. */
  readonly allHold: boolean;
  /** Every negative check, and every lemma's claimed smallest fault, was caught. */
  readonly allCaught: boolean;
  readonly lemmas: readonly LemmaResult[];
}

export interface RunOptions {
  /** Only these lemma ids (default all). */
  readonly only?: readonly string[];
  /** Called after each lemma. */
  readonly onLemma?: (r: LemmaResult) => void;
}

/** Check every lemma (trajectories are simulated once and shared). */
export function runProofs(mode: Mode, opts: RunOptions = {}): ProofsReport {
  const t0 = performance.now();
  clearCaches();
  const out: LemmaResult[] = [];
  for (const lemma of LEMMAS) {
    if (opts.only && !opts.only.includes(lemma.id)) continue;
    const s = performance.now();
    const r = lemma.check(mode);
    const rep: LemmaResult = { id: lemma.id, title: lemma.title, statement: lemma.statement, kind: lemma.kind, ...r, seconds: (performance.now() - s) / 1000 };
    out.push(rep);
    opts.onLemma?.(rep);
  }
  clearCaches();
  return {
    mode: mode.quick ? 'quick' : 'full',
    seconds: (performance.now() - t0) / 1000,
    allHold: out.every((r) => r.status === 'holds'),
    allCaught: out.every((r) => r.negative_check.caught && claimedCaught(r)),
    lemmas: out,
  };
}

/** Whether the rung a lemma claims to catch was caught. */
export function claimedCaught(r: LemmaResult): boolean {
  return r.ladder.rungs.find((g) => g.id === r.ladder.claimed)?.caught === true;
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
      ladder: {
        claimed: l.ladder.claimed,
        claimed_caught: claimedCaught(l),
        smallest_caught: l.ladder.smallest_caught,
        not_caught: l.ladder.not_caught,
        tightening: l.ladder.tightening,
        rungs: l.ladder.rungs.map((g) => ({
          id: g.id, kind: g.kind, fault: g.fault, size: g.size, caught: g.caught,
          worst_margin: finiteOrNull(g.worst_margin), worst_at: g.worst_at,
          evaluated: g.evaluated, caught_on: g.caughtOn, checked: g.checked, ...(g.note !== undefined ? { note: g.note } : {}),
        })),
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
  const sw = opts.statementWidth ?? 48;
  const cols = [
    ['lemma', 5], ['kind', 11], ['statement', sw], ['runs', 5], ['checked', 8], ['worst margin', 12], ['status', 8], ['ladder', 7], ['smallest caught', 15], ['time', 6],
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
      `${l.ladder.rungs.filter((g) => g.caught).length}/${l.ladder.rungs.length}`,
      (l.ladder.smallest_caught ?? 'NONE') + (claimedCaught(l) ? '' : ` (CLAIMED ${l.ladder.claimed} NOT CAUGHT)`),
      `${l.seconds.toFixed(1)}s`,
    ]));
  }
  rows.push('');
  rows.push('fault ladders, gross to fine (✓ caught, ✗ not caught; * the smallest fault the lemma claims to catch):');
  for (const l of r.lemmas) {
    rows.push(`  ${pad(l.id, 4)} ${l.ladder.rungs.map((g) => `${g.caught ? '✓' : '✗'}${g.id}${g.id === l.ladder.claimed ? '*' : ''}`).join('  ')}`);
  }
  rows.push('');
  rows.push(`mode ${r.mode}, ${r.seconds.toFixed(1)} s; ${r.lemmas.filter((l) => l.status === 'holds').length}/${r.lemmas.length} lemmas hold, ${r.lemmas.filter((l) => l.negative_check.caught && claimedCaught(l)).length}/${r.lemmas.length} claimed faults caught.`);
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
      rows.push(`  tightening: ${l.ladder.tightening}`);
      for (const g of l.ladder.rungs) {
        rows.push(`  rung ${g.id} [${g.kind}, ${g.size}] ${g.caught ? 'caught' : 'not caught'} on ${g.caughtOn}/${g.evaluated}, worst ${fmt(g.worst_margin, 3)} at ${g.worst_at}${g.note ? ` — ${g.note}` : ''}`);
      }
    }
  }
  return rows.join('\n');
}

/** Catch rates over Monte Carlo replicates (see replicate.ts). */
export interface ReplicateReport {
  readonly mode: 'quick' | 'full';
  readonly replicates: number;
  readonly seconds: number;
  readonly lemmas: readonly {
    readonly id: string;
    /** Share of replicates in which the correct method was reported violated. */
    readonly false_fail_rate: number;
    readonly rungs: readonly { readonly id: string; readonly caught_rate: number }[];
  }[];
}

/** The lemmas whose checks draw Monte Carlo batches through replicateKey. */
export const MC_LEMMAS = ['L0', 'L1', 'L6', 'L9'];

/**
 * Run the Monte Carlo lemmas in replicates 0..n−1 (same stored iterates, independent
 * fresh batches) and report how often each lemma was violated (false-fail rate) and
 * each rung caught (power).
 */
export function runReplicates(mode: Mode, n: number, ids: readonly string[] = MC_LEMMAS, onReplicate?: (r: number) => void): ReplicateReport {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--replicates must be an integer ≥ 1, got ${n}`);
  const t0 = performance.now();
  clearCaches();
  const lemmas = LEMMAS.filter((l) => ids.includes(l.id));
  const fails = new Map<string, number>();
  const caught = new Map<string, Map<string, number>>();
  try {
    for (let r = 0; r < n; r++) {
      setReplicate(r);
      for (const l of lemmas) {
        const res = l.check(mode);
        if (res.status !== 'holds') fails.set(l.id, (fails.get(l.id) ?? 0) + 1);
        const m = caught.get(l.id) ?? new Map<string, number>();
        for (const g of res.ladder.rungs) m.set(g.id, (m.get(g.id) ?? 0) + (g.caught ? 1 : 0));
        caught.set(l.id, m);
      }
      onReplicate?.(r);
    }
  } finally {
    setReplicate(0);
    clearCaches();
  }
  return {
    mode: mode.quick ? 'quick' : 'full',
    replicates: n,
    seconds: (performance.now() - t0) / 1000,
    lemmas: lemmas.map((l) => ({
      id: l.id,
      false_fail_rate: (fails.get(l.id) ?? 0) / n,
      rungs: [...(caught.get(l.id) ?? new Map<string, number>())].map(([id, c]) => ({ id, caught_rate: c / n })),
    })),
  };
}

export function formatReplicates(r: ReplicateReport): string {
  const rows = [`Monte Carlo replicates: ${r.replicates} (mode ${r.mode}, ${r.seconds.toFixed(1)} s); rate = share of replicates`];
  for (const l of r.lemmas) {
    rows.push(`  ${pad(l.id, 4)} false fails ${fmt(l.false_fail_rate, 2)}; caught: ${l.rungs.map((g) => `${g.id} ${fmt(g.caught_rate, 2)}`).join(', ')}`);
  }
  return rows.join('\n');
}
