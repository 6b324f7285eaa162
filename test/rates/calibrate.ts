/**
 * `npm run rates:calibrate`: the measured false-fail rate and power of checkRate.
 *
 * For each claim of test/rates/claims.ts, N independent cases (instances,
 * hyperparameters and check seeds drawn by the claim's arbitrary with a fixed
 * fast-check seed) are checked:
 * - expected accept: false-fail rate = rejections / N, with an exact
 *   (Clopper–Pearson) one-sided 95% upper bound;
 * - expected reject (negative controls): power = rejections / N, with a 95%
 *   lower bound.
 * Plus controls with a known exponent γ (SGD with step (k + 2)^(−γ) on nqm,
 * ||∇F(x_k)||² ∝ k^(−γ)): γ = 1 is the edge of what the check must accept (its
 * rejection rate is the false-fail rate where it is hardest), γ = 0.75 sits on
 * the threshold −1 + tol (the test's size), γ = 1/2 is the rejected alternative.
 * For the controls the line reads "rejected r/N" whatever is expected.
 *
 * Usage: npx tsx test/rates/calibrate.ts [--cases N] [--run-cases M] [--claims id,id] [--mode quick|full] [--seed S] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { constant, sgd } from '../../src/index.js';
import { clopperPearsonUpper, hyperArb, nqmExactBatch, problemIdArb, rateCaseArb, checkClaim, type RateCase, type RateCheck } from '../../src/testing/index.js';
import { CLAIMS, FULL, QUICK, modeOverrides, type ClaimEntry, type Mode } from './claims.js';

/**
 * Controls with a known exponent: SGD with step (k + 2)^(−γ) and b = 1 on nqm with every
 * curvature h_j ∈ (1/2, 1] has E||∇F(x_k)||² ∝ k^(−γ) (γ = 1: exactly the claimed 1/K, the
 * edge of what must be accepted; γ = 0.75: the threshold −1 + tol; γ = 1/2: the rate of the
 * rejected alternative). The rejection rate against γ is the check's operating curve.
 */
function sgdPower(gamma: number): ClaimEntry {
  return {
    variant: `SGD with α_k = (k + 2)^(−${gamma}) + constant batch 1, nqm with h_j ∈ (1/2, 1] (true rate K^(−${gamma}))`,
    cost: 'cheap',
    claim: {
      id: `control-sgd-step-k^-${gamma}`,
      // at or faster than the threshold slope −0.75 the check is designed to accept (rejecting at most α of the time there)
      expected: gamma >= 0.75 ? 'accept' : 'reject',
      statement: `||∇F(x_k)||² of SGD with step (k + 2)^(−${gamma}) decays like k^(−${gamma}) on nqm with h_min > 1/2`,
      variant: () => nqmExactBatch(() => sgd((ctx) => Math.pow(ctx.step + 2, -gamma)), () => constant(1), `sgd-k^-${gamma}+constant`),
    },
    cases: (m) => rateCaseArb({ problems: problemIdArb({ family: 'nqm', d: { min: 16, max: 32 }, spectrum: { min: 0.05, max: 0.2 } }), hyper: hyperArb(), seeds: m.seeds }),
    example: { problem: 'nqm_d20_i0_a0.1', hyper: { lr: 1, beta0: 1, eta: 0.5, theta: 0.9, nu: 5.84, b0: 1, bMax: 1 }, seeds: 10, seed: 1 },
  };
}

const CONTROLS: readonly ClaimEntry[] = [1, 0.875, 0.75, 0.625, 0.5].map(sgdPower);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface CalibrationRow {
  readonly id: string;
  /** 'claim': a row of test/rates/claims.ts; 'control': a known-exponent control (no expected decision). */
  readonly kind: 'claim' | 'control';
  readonly expected: 'accept' | 'reject';
  readonly cases: number;
  readonly rejected: number;
  /** Claims: for expected accept rejected/cases, for expected reject accepted/cases (1 − power); null for controls. */
  readonly falseFailRate: number | null;
  /** One-sided 95% Clopper–Pearson upper bound of falseFailRate. */
  readonly falseFailUpper95: number | null;
  /** rejected/cases and its 95% upper bound (every row). */
  readonly rejectionRate: number;
  readonly rejectionUpper95: number;
  /** Expected reject only: rejected/cases. */
  readonly power: number | null;
  readonly powerLower95: number | null;
  readonly medianSlope: number | null;
  readonly seconds: number;
  readonly failures: readonly { readonly case: RateCase; readonly reasons: readonly string[] }[];
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
  const slopes: number[] = [];
  const failures: { case: RateCase; reasons: readonly string[] }[] = [];
  for (const c of cases) {
    const res: RateCheck = checkClaim(entry.claim, c, modeOverrides(entry, mode));
    if (res.slope !== null) slopes.push(res.slope);
    if (res.decision === 'reject') rejected++;
    if (res.decision !== entry.claim.expected) failures.push({ case: c, reasons: res.reasons.length > 0 ? res.reasons : res.notes });
  }
  const wrong = failures.length;
  const control = entry.claim.id.startsWith('control-');
  const isNeg = entry.claim.expected === 'reject' && !control;
  return {
    id: entry.claim.id,
    kind: control ? 'control' : 'claim',
    expected: entry.claim.expected,
    cases: n,
    rejected,
    falseFailRate: control ? null : wrong / n,
    falseFailUpper95: control ? null : clopperPearsonUpper(wrong, n, 0.05),
    rejectionRate: rejected / n,
    rejectionUpper95: clopperPearsonUpper(rejected, n, 0.05),
    power: isNeg ? rejected / n : null,
    powerLower95: isNeg ? 1 - clopperPearsonUpper(wrong, n, 0.05) : null,
    medianSlope: median(slopes),
    seconds: (Date.now() - t0) / 1000,
    failures,
  };
}

function main(): void {
  const mode = arg('--mode') === 'full' ? FULL : QUICK;
  const n = Number(arg('--cases') ?? 100);
  const nRun = Number(arg('--run-cases') ?? 10);
  const seed = Number(arg('--seed') ?? 2024);
  const only = arg('--claims')?.split(',');
  const json = arg('--json');
  const entries = [...CLAIMS, ...CONTROLS].filter((e) => only === undefined || only.includes(e.claim.id));
  console.log(`rates:calibrate — mode ${mode.name}, grid ${mode.Ks.join(',')} (run(): ${mode.KsRun.join(',')}), R ∈ [${mode.seeds.min}, ${mode.seeds.max}], fast-check seed ${seed}`);
  console.log(`cases per claim: ${n} (claims through run(): ${nRun})\n`);
  const rows: CalibrationRow[] = [];
  for (const e of entries) {
    const row = calibrate(e, mode, e.cost === 'run' ? nRun : n, seed);
    rows.push(row);
    const isControl = row.kind === 'control';
    const rate = isControl
      ? `rejected ${row.rejected}/${row.cases} = ${(100 * row.rejectionRate).toFixed(1)}% (95% upper ${(100 * row.rejectionUpper95).toFixed(1)}%)`
      : row.expected === 'accept'
        ? `false-fail ${row.failures.length}/${row.cases} = ${(100 * row.falseFailRate!).toFixed(1)}% (95% upper ${(100 * row.falseFailUpper95!).toFixed(1)}%)`
        : `power ${row.rejected}/${row.cases} = ${(100 * row.power!).toFixed(1)}% (95% lower ${(100 * row.powerLower95!).toFixed(1)}%)`;
    const label = isControl ? 'control        ' : `expected ${row.expected.padEnd(6)}`;
    console.log(`${row.id.padEnd(34)} ${label} ${rate}  median slope ${row.medianSlope?.toFixed(2) ?? '—'}  ${row.seconds.toFixed(1)} s`);
    if (!isControl) for (const f of row.failures.slice(0, 3)) console.log(`    wrong on ${JSON.stringify(f.case)}: ${f.reasons.join('; ')}`);
  }
  if (json !== undefined) {
    // at most 5 wrong cases per row in the file (the count is in falseFailRate)
    const trimmed = rows.map((r) => ({ ...r, failures: r.failures.slice(0, 5) }));
    writeFileSync(json, JSON.stringify({ mode: mode.name, seed, cases: n, runCases: nRun, rows: trimmed }, null, 2) + '\n');
    console.log(`\nwrote ${json}`);
  }
}

main();
