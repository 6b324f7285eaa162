/**
 * `npm run rates -- --json FILE [--quick]`: check every claim of SPEC §7 on its
 * fixed example case (test/rates/claims.ts) and write, per claim,
 * `{id, variant, expected, decision, slope, slope_ci, false_fail_rate, ...}`.
 *
 * - false_fail_rate: the check's stated rate (2α, RateCheck.falseFailRate);
 * - measured_false_fail_rate / measured_cases: from the committed calibration
 *   (test/rates/calibration.json, written by `npm run rates:calibrate -- --json ...`):
 *   for an expected-accept claim the share of its generated cases that were
 *   rejected, for a negative control the share that were accepted (1 − power).
 * Without --quick the full grid is used (K up to 4096; run(): 1024).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { checkClaim } from '../../src/testing/index.js';
import { CLAIMS, FULL, QUICK, modeOverrides } from './claims.js';

interface MeasuredRow {
  readonly id: string;
  readonly cases: number;
  readonly falseFailRate: number | null;
  readonly falseFailUpper95: number | null;
  readonly power: number | null;
}

export interface ClaimReport {
  readonly id: string;
  readonly variant: string;
  readonly expected: 'accept' | 'reject';
  readonly decision: 'accept' | 'reject';
  readonly slope: number | null;
  readonly slope_ci: readonly [number, number] | null;
  readonly false_fail_rate: number;
  readonly measured_false_fail_rate: number | null;
  readonly measured_false_fail_upper95: number | null;
  readonly measured_power: number | null;
  readonly measured_cases: number | null;
  readonly growth: number | null;
  readonly growth_ci: readonly [number, number] | null;
  readonly problem: string;
  readonly case: unknown;
  readonly Ks: readonly number[];
  readonly quantiles: readonly number[];
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
  console.log(`rates — ${mode.name} mode; each claim on its example case`);
  for (const e of CLAIMS) {
    const t0 = Date.now();
    const res = checkClaim(e.claim, e.example, modeOverrides(e, mode));
    const m = measured.get(e.claim.id);
    const row: ClaimReport = {
      id: e.claim.id,
      variant: e.variant,
      expected: e.claim.expected,
      decision: res.decision,
      slope: res.slope,
      slope_ci: res.slopeCI,
      false_fail_rate: res.falseFailRate,
      measured_false_fail_rate: m?.falseFailRate ?? null,
      measured_false_fail_upper95: m?.falseFailUpper95 ?? null,
      measured_power: m?.power ?? null,
      measured_cases: m?.cases ?? null,
      growth: res.growth,
      growth_ci: res.growthCI,
      problem: res.problem,
      case: e.example,
      Ks: res.Ks,
      quantiles: res.quantiles,
      reasons: res.reasons,
      notes: res.notes,
      mode: mode.name,
      seconds: (Date.now() - t0) / 1000,
    };
    out.push(row);
    const ok = row.decision === row.expected ? 'ok' : 'UNEXPECTED';
    const slope = row.slope === null ? 'reached floor' : `slope ${row.slope.toFixed(2)} [${row.slope_ci![0].toFixed(2)}, ${row.slope_ci![1].toFixed(2)}]`;
    console.log(`${row.id.padEnd(34)} expected ${row.expected.padEnd(6)} decided ${row.decision.padEnd(6)} ${ok.padEnd(10)} ${slope}  on ${row.problem}  ${row.seconds.toFixed(1)} s`);
  }
  if (json !== undefined) {
    // ±Infinity (e.g. a slope interval end where a resample reached the floor everywhere) as strings, not null.
    const finite = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
    writeFileSync(json, JSON.stringify(out, finite, 2) + '\n');
    console.log(`wrote ${json}`);
  }
  if (out.some((r) => r.decision !== r.expected)) process.exitCode = 1;
}

main();
