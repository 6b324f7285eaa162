/**
 * `npm run rates -- --json FILE [--quick]`: check every claim of SPEC §7 on its
 * fixed example case (test/rates/claims.ts, test/rates/complexityClaims.ts) and
 * write, per claim, `{id, expected, decision, status, twin_power, twin_power_ci,
 * instances, slope, ...}`.
 *
 * - decision: the check's ('accept' | 'reject' | 'inconclusive': a batch reached
 *   b_max before K_max);
 * - twin_power: the rejection rate of the variant's no-growth twin over the
 *   check's twin repeats (same optimizer, instance, grid and seeds, constant b₀),
 *   with a two-sided 95% Clopper–Pearson interval (null: no twin, e.g. L7);
 * - status: 'ok' (decided as expected, and for an accepted claim with a twin,
 *   twin_power ≥ 0.9), 'not a check' (accepted, but its twin was rejected in
 *   fewer than 90% of repeats: these instances cannot separate), or 'UNEXPECTED';
 * - measured_*: from the committed calibration (test/rates/calibration.json).
 * Without --quick the full grids are used.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { checkClaim, TWIN_POWER_GOAL } from '../../src/testing/index.js';
import { CLAIMS, FULL, QUICK_REPORT as QUICK, modeOverrides } from './claims.js';
import { COMPLEXITY_CLAIMS } from './complexityClaims.js';

interface MeasuredRow {
  readonly id: string;
  readonly cases: number;
  readonly falseFailRate: number | null;
  readonly falseFailUpper95: number | null;
  readonly power: number | null;
  readonly twinPower: number | null;
  readonly twinPowerCI95: readonly [number, number] | null;
}

export interface ClaimReport {
  readonly id: string;
  readonly variant: string;
  readonly expected: 'accept' | 'reject';
  readonly decision: 'accept' | 'reject' | 'inconclusive';
  readonly status: 'ok' | 'not a check' | 'UNEXPECTED';
  readonly twin_power: number | null;
  readonly twin_power_ci: readonly [number, number] | null;
  readonly twin: string | null;
  readonly instances: string;
  readonly problem: string;
  readonly slope: number | null;
  readonly slope_ci: readonly [number, number] | null;
  readonly growth: number | null;
  readonly false_fail_rate: number | null;
  readonly measured_false_fail_rate: number | null;
  readonly measured_false_fail_upper95: number | null;
  readonly measured_power: number | null;
  readonly measured_twin_power: number | null;
  readonly measured_twin_power_ci: readonly [number, number] | null;
  readonly measured_cases: number | null;
  readonly largest_batch: number | null;
  readonly figures: Record<string, unknown> | null;
  readonly case: unknown;
  readonly reasons: readonly string[];
  readonly notes: readonly string[];
  readonly mode: string;
  readonly seconds: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function loadCalibration(): Map<string, MeasuredRow> {
  const file = new URL('./calibration.json', import.meta.url);
  const out = new Map<string, MeasuredRow>();
  if (!existsSync(file)) return out;
  const data = JSON.parse(readFileSync(file, 'utf8')) as { rows: MeasuredRow[] };
  for (const r of data.rows) out.set(r.id, r);
  return out;
}

function main(): void {
  const mode = process.argv.includes('--quick') ? QUICK : FULL;
  const json = arg('--json');
  const measured = loadCalibration();
  const out: ClaimReport[] = [];
  console.log(`rates — ${mode.name} mode; each claim on its example case, beside its no-growth twin`);
  for (const e of CLAIMS) {
    const example = e.example(mode);
    const res = checkClaim(e.claim, example, modeOverrides(e, mode));
    const m = measured.get(e.claim.id);
    const twinPower = res.twin?.power ?? null;
    const asExpected = res.decision === e.claim.expected;
    const status: ClaimReport['status'] = !asExpected ? 'UNEXPECTED' : e.claim.expected === 'accept' && twinPower !== null && twinPower < TWIN_POWER_GOAL ? 'not a check' : 'ok';
    const maxB = res.runs.map((r) => r.maxBatch).filter((b): b is number => b !== null);
    const row: ClaimReport = {
      id: e.claim.id,
      variant: e.variant,
      expected: e.claim.expected,
      decision: res.decision,
      status,
      twin_power: twinPower,
      twin_power_ci: res.twin?.powerCI ?? null,
      twin: res.twin?.variant ?? null,
      instances: e.instances,
      problem: res.problem,
      slope: res.slope,
      slope_ci: res.slopeCI,
      growth: res.growth,
      false_fail_rate: res.falseFailRate,
      measured_false_fail_rate: m?.falseFailRate ?? null,
      measured_false_fail_upper95: m?.falseFailUpper95 ?? null,
      measured_power: m?.power ?? null,
      measured_twin_power: m?.twinPower ?? null,
      measured_twin_power_ci: m?.twinPowerCI95 ?? null,
      measured_cases: m?.cases ?? null,
      largest_batch: maxB.length > 0 ? Math.max(...maxB) : null,
      figures: null,
      case: example,
      reasons: res.reasons,
      notes: res.notes,
      mode: mode.name,
      seconds: res.seconds,
    };
    out.push(row);
    const slope = row.slope === null ? 'reached floor' : `slope ${row.slope.toFixed(2)} [${row.slope_ci![0].toFixed(2)}, ${row.slope_ci![1].toFixed(2)}]`;
    const twin = res.twin === null ? 'no twin' : `twin power ${res.twin.rejected}/${res.twin.repeats} [${res.twin.powerCI[0].toFixed(2)}, ${res.twin.powerCI[1].toFixed(2)}]`;
    console.log(`${row.id.padEnd(32)} expected ${row.expected.padEnd(6)} decided ${row.decision.padEnd(12)} ${status.padEnd(11)} ${slope}  ${twin}  on ${row.problem}  ${row.seconds.toFixed(1)} s`);
  }
  for (const c of COMPLEXITY_CLAIMS) {
    const r = c.run(mode);
    const status: ClaimReport['status'] = r.decision === r.expected ? 'ok' : 'UNEXPECTED';
    const twinOf = c.id.includes('-twin-') ? null : COMPLEXITY_CLAIMS.find((t) => t.id.startsWith(c.id.split('-')[0]!) && t.id.includes('-twin-'));
    out.push({
      id: r.id, variant: r.statement, expected: r.expected, decision: r.decision, status,
      // the twins of C5/C6 are separate rows (one check each): their decisions are the power here
      twin_power: null, twin_power_ci: null, twin: twinOf?.id ?? null,
      instances: r.instance, problem: r.instance, slope: typeof r.figures['slope'] === 'number' ? (r.figures['slope'] as number) : null,
      slope_ci: (r.figures['slope_ci'] as [number, number] | undefined) ?? null, growth: null, false_fail_rate: null,
      measured_false_fail_rate: null, measured_false_fail_upper95: null, measured_power: null, measured_twin_power: null, measured_twin_power_ci: null, measured_cases: null,
      largest_batch: null, figures: r.figures, case: null, reasons: r.reasons, notes: [], mode: mode.name, seconds: r.seconds,
    });
    console.log(`${r.id.padEnd(32)} expected ${r.expected.padEnd(6)} decided ${r.decision.padEnd(12)} ${status.padEnd(11)} ${JSON.stringify(r.figures).slice(0, 140)}  ${r.seconds.toFixed(1)} s`);
  }
  // C5/C6: the twin rows' decisions give each claim's power on its one twin check.
  for (const row of out) {
    if (row.twin === null || row.twin_power !== null) continue;
    const t = out.find((o) => o.id === row.twin);
    if (t === undefined) continue;
    const rej = t.decision === 'reject' ? 1 : 0;
    (row as { twin_power: number | null }).twin_power = rej;
    (row as { twin_power_ci: readonly [number, number] | null }).twin_power_ci = rej === 1 ? [0.025, 1] : [0, 0.975];
  }
  if (json !== undefined) {
    // ±Infinity as strings, not null.
    const finite = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
    writeFileSync(json, JSON.stringify(out, finite, 2) + '\n');
    console.log(`wrote ${json}`);
  }
  if (out.some((r) => r.status === 'UNEXPECTED')) process.exitCode = 1;
}

main();
