/**
 * `npm run rates:calibrate`: the measured false-fail rate, power and twin power of checkRate.
 *
 * For each claim of test/rates/claims.ts, N independent cases (instances,
 * hyperparameters and check seeds drawn by the claim's arbitrary with a fixed
 * fast-check seed) are checked:
 * - expected accept: false-fail rate = (rejected or inconclusive) / N, with an
 *   exact (Clopper–Pearson) one-sided 95% upper bound; and the twin power =
 *   the rejection rate of the no-growth twin, pooled over the cases' twin
 *   repeats, with a two-sided 95% interval;
 * - expected reject (negative controls): power = rejections / N.
 *
 * Power curve: series with a controlled exponent γ ∈ {1, 0.875, 0.75, 0.625, 0.5}:
 *   ||∇F(x_k)||² = A_r (k + 1)^(−γ) ||z_k||²/ν,  z_k = ρ z_{k−1} + √(1 − ρ²) ε_k ∈ R^ν,
 * ε_k ~ N(0, I), A_r = exp(0.5 N(0, 1)) per run. This is what the check sees of a
 * noise-dominated run on the C1 instances: the squared norm of a ν-dimensional
 * Gaussian gradient (ν drawn like the instances' d, 4–128), correlated along the
 * run (ρ ∈ [0.5, 0.99]: relaxation over 2–100 steps), with a seed-to-seed
 * spread of scale; only the exponent is set. SGD cannot serve here: with a
 * step k^(−γ) its rate on the κ ≥ K_max instances is not K^(−γ). Each γ is
 * checked with the decided statistic ('window-mean') and with 'min' (item 2:
 * the minimum over noisy iterates falls fast in low dimension by luck).
 *
 * Usage: npx tsx test/rates/calibrate.ts [--cases N] [--run-cases M] [--claims id,id] [--mode quick|full] [--seed S] [--json FILE]
 *        [--power-cases P] [--power-gammas 1,0.75] [--power-statistics window-mean,min]   (`--help` prints this)
 * `--claims power` runs the power curve alone; `--power-gammas 1 --power-statistics window-mean` only its
 * false-fail row (the decided statistic at the claim's edge: 300 series cost about 30 s in quick mode).
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { normal, split, type Key } from '../../src/index.js';
import {
  boundedDouble, boundedInt, checkClaim, checkRate, clopperPearsonInterval, clopperPearsonUpper, problemById, seedArb,
  type RateCase, type RateCheck, type RateStatistic, type SeriesVariant,
} from '../../src/testing/index.js';
import { key } from '../../src/rng/index.js';
import { CLAIMS, FULL, QUICK_REPORT as QUICK, modeOverrides, type ClaimEntry, type Mode } from './claims.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A series with exponent γ (see the file header). */
export function powerSeries(gamma: number, nu: number, rho: number): SeriesVariant {
  const f = (_p: unknown, K: number, k: Key): Float64Array => {
    const [kA, kZ] = split(k, 2) as [Key, Key];
    const A = Math.exp(0.5 * normal(kA, 1)[0]!);
    const eps = normal(kZ, (K + 1) * nu);
    const z = eps.slice(0, nu);
    const out = new Float64Array(K);
    const c = Math.sqrt(1 - rho * rho);
    for (let t = 0; t < K; t++) {
      if (t > 0) for (let j = 0; j < nu; j++) z[j] = rho * z[j]! + c * eps[(t + 1) * nu + j]!;
      let s = 0;
      for (let j = 0; j < nu; j++) s += z[j]! * z[j]!;
      out[t] = (A * Math.pow(t + 1, -gamma) * s) / nu;
    }
    return out;
  };
  Object.defineProperty(f, 'name', { value: `series-k^-${gamma}` });
  return f as SeriesVariant;
}

interface PowerCase {
  readonly nu: number;
  readonly rho: number;
  readonly seeds: number;
  readonly seed: number;
}

interface PowerRow {
  readonly gamma: number;
  readonly statistic: RateStatistic;
  readonly cases: number;
  readonly rejected: number;
  readonly rejectionRate: number;
  readonly ci95: readonly [number, number];
  readonly medianSlope: number | null;
  readonly seconds: number;
}

const ALL_GAMMAS = [1, 0.875, 0.75, 0.625, 0.5] as const;
const ALL_STATISTICS: readonly RateStatistic[] = ['window-mean', 'min'];

function powerCurve(mode: Mode, n: number, seed: number, gammas: readonly number[] = ALL_GAMMAS, statistics: readonly RateStatistic[] = ALL_STATISTICS): PowerRow[] {
  const cases: PowerCase[] = fc.sample(
    fc.record({ nu: boundedInt({ min: 4, max: 128 }), rho: boundedDouble({ min: 0.5, max: 0.99 }), seeds: boundedInt(mode.seeds), seed: seedArb() }),
    { numRuns: n, seed },
  );
  const p = problemById('nqm_d4_i0');
  const rows: PowerRow[] = [];
  for (const statistic of statistics) {
    for (const gamma of gammas) {
      const t0 = Date.now();
      let rejected = 0;
      const slopes: number[] = [];
      for (const c of cases) {
        const res = checkRate({ variant: powerSeries(gamma, c.nu, c.rho), problem: p, Ks: mode.Ks, seeds: c.seeds, key: key(c.seed), statistic, twin: 'off' });
        if (res.decision === 'reject') rejected++;
        if (res.slope !== null) slopes.push(res.slope);
      }
      rows.push({ gamma, statistic, cases: n, rejected, rejectionRate: rejected / n, ci95: clopperPearsonInterval(rejected, n, 0.05), medianSlope: median(slopes), seconds: (Date.now() - t0) / 1000 });
    }
  }
  return rows;
}

export interface CalibrationRow {
  readonly id: string;
  readonly expected: 'accept' | 'reject';
  readonly cost: string;
  readonly cases: number;
  readonly rejected: number;
  readonly inconclusive: number;
  /** Expected accept: (rejected + inconclusive)/cases; expected reject: accepted/cases (1 − power). */
  readonly falseFailRate: number;
  /** One-sided 95% Clopper–Pearson upper bound of falseFailRate. */
  readonly falseFailUpper95: number;
  /** Expected reject only: rejected/cases. */
  readonly power: number | null;
  /** The no-growth twin, pooled over the cases' repeats (null: no twin). */
  readonly twinChecks: number | null;
  readonly twinRejected: number | null;
  readonly twinPower: number | null;
  readonly twinPowerCI95: readonly [number, number] | null;
  readonly medianSlope: number | null;
  readonly medianTwinSlope: number | null;
  readonly seconds: number;
  readonly failures: readonly { readonly case: RateCase; readonly decision: string; readonly reasons: readonly string[] }[];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function calibrate(entry: ClaimEntry, mode: Mode, n: number, seed: number): CalibrationRow {
  const cases = fc.sample(entry.cases(mode), { numRuns: n, seed });
  const t0 = Date.now();
  let rejected = 0;
  let inconclusive = 0;
  let twinChecks = 0;
  let twinRejected = 0;
  const slopes: number[] = [];
  const twinSlopes: number[] = [];
  const failures: { case: RateCase; decision: string; reasons: readonly string[] }[] = [];
  for (const c of cases) {
    const res: RateCheck = checkClaim(entry.claim, c, modeOverrides(entry, mode));
    if (res.slope !== null) slopes.push(res.slope);
    if (res.decision === 'reject') rejected++;
    if (res.decision === 'inconclusive') inconclusive++;
    if (res.twin !== null) {
      twinChecks += res.twin.repeats;
      twinRejected += res.twin.rejected;
      for (const s of res.twin.slopes) if (s !== null) twinSlopes.push(s);
    }
    if (res.decision !== entry.claim.expected) failures.push({ case: c, decision: res.decision, reasons: res.reasons.length > 0 ? res.reasons : res.notes });
  }
  const wrong = failures.length;
  return {
    id: entry.claim.id,
    expected: entry.claim.expected,
    cost: entry.cost,
    cases: n,
    rejected,
    inconclusive,
    falseFailRate: wrong / n,
    falseFailUpper95: clopperPearsonUpper(wrong, n, 0.05),
    power: entry.claim.expected === 'reject' ? rejected / n : null,
    twinChecks: twinChecks > 0 ? twinChecks : null,
    twinRejected: twinChecks > 0 ? twinRejected : null,
    twinPower: twinChecks > 0 ? twinRejected / twinChecks : null,
    twinPowerCI95: twinChecks > 0 ? clopperPearsonInterval(twinRejected, twinChecks, 0.05) : null,
    medianSlope: median(slopes),
    medianTwinSlope: median(twinSlopes),
    seconds: (Date.now() - t0) / 1000,
    failures,
  };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

const USAGE = `Usage: npm run rates:calibrate -- [flags]
  --mode quick|full         grids and seeds (default quick)
  --cases N                 cases per cheap claim (default 100)
  --run-cases M             cases per claim run through run() (default 10)
  --claims id,id            only these claims; 'power' selects the power curve (default: every claim and the curve)
  --seed S                  fast-check seed of the cases (default 2024)
  --power-cases P           series per γ of the power curve (default N)
  --power-gammas g,g        exponents of the curve (default ${ALL_GAMMAS.join(',')})
  --power-statistics s,s    window-mean and/or min (default both)
  --json FILE               write the rows (failures trimmed to 5 per claim)`;

function main(): void {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const mode = arg('--mode') === 'full' ? FULL : QUICK;
  const n = Number(arg('--cases') ?? 100);
  const nRun = Number(arg('--run-cases') ?? 10);
  const nPower = Number(arg('--power-cases') ?? n);
  const seed = Number(arg('--seed') ?? 2024);
  const only = arg('--claims')?.split(',');
  const json = arg('--json');
  const entries = CLAIMS.filter((e) => only === undefined || only.includes(e.claim.id));
  console.log(`rates:calibrate — mode ${mode.name}, grids ${mode.Ks.join(',')} | run(): ${mode.KsRun.join(',')}, R ∈ [${mode.seeds.min}, ${mode.seeds.max}], fast-check seed ${seed}`);
  console.log(`cases per claim: ${n} (run(): ${nRun}); power curve: ${nPower} series per γ\n`);
  const rows: CalibrationRow[] = [];
  for (const e of entries) {
    const row = calibrate(e, mode, e.cost === 'cheap' ? n : nRun, seed);
    rows.push(row);
    const rate = row.expected === 'accept'
      ? `false-fail ${row.failures.length}/${row.cases} = ${pct(row.falseFailRate)} (95% upper ${pct(row.falseFailUpper95)}; ${row.inconclusive} inconclusive)`
      : `power ${row.rejected}/${row.cases} = ${pct(row.power!)}`;
    const twin = row.twinPower === null ? 'no twin' : `twin power ${row.twinRejected}/${row.twinChecks} = ${pct(row.twinPower)} [${pct(row.twinPowerCI95![0])}, ${pct(row.twinPowerCI95![1])}]`;
    console.log(`${row.id.padEnd(32)} ${rate}; ${twin}; median slope ${row.medianSlope?.toFixed(2) ?? '—'} (twin ${row.medianTwinSlope?.toFixed(2) ?? '—'})  ${row.seconds.toFixed(1)} s`);
    for (const f of row.failures.slice(0, 3)) console.log(`    ${f.decision} on ${JSON.stringify(f.case)}: ${f.reasons.join('; ')}`);
  }
  const gammas = arg('--power-gammas')?.split(',').map(Number) ?? ALL_GAMMAS;
  const statistics = (arg('--power-statistics')?.split(',') ?? ALL_STATISTICS) as RateStatistic[];
  for (const g of gammas) if (!(g > 0 && g <= 2)) throw new Error(`--power-gammas: each γ must be in (0, 2], got ${g}`);
  for (const st of statistics) if (!ALL_STATISTICS.includes(st)) throw new Error(`--power-statistics: unknown statistic ${st} (window-mean, min)`);
  const curve = only === undefined || only.includes('power') ? powerCurve(mode, nPower, seed, gammas, statistics) : [];
  for (const r of curve) {
    console.log(`power curve ${r.statistic.padEnd(11)} γ = ${String(r.gamma).padEnd(5)} rejected ${r.rejected}/${r.cases} = ${pct(r.rejectionRate)} [${pct(r.ci95[0])}, ${pct(r.ci95[1])}]  median slope ${r.medianSlope?.toFixed(2) ?? '—'}  ${r.seconds.toFixed(1)} s`);
  }
  if (json !== undefined) {
    const trimmed = rows.map((r) => ({ ...r, failures: r.failures.slice(0, 5) }));
    writeFileSync(json, JSON.stringify({ mode: mode.name, seed, cases: n, runCases: nRun, powerCases: nPower, rows: trimmed, powerCurve: curve }, null, 2) + '\n');
    console.log(`\nwrote ${json}`);
  }
}

main();
