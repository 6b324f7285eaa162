// proofs-check: the quick mode holds every SPEC §8 lemma and catches every negative check and
// each lemma's claimed smallest fault of its ladder;
// the harness loop is the run() loop; the margin and interval helpers are right.
import { beforeAll, describe, expect, it } from 'vitest';
import { adagrad, adagradNorm, coordNormTest, key, normal, normTest, oracle, run, testDriven, constant } from '../../src/index.js';
import { getProblem } from '../../problems/index.js';
import {
  PATH_TOL, adagradNormSpec, adagradSpec, binomialUpper, bonferroniZ, eqMargin, fallbackNoiseAlong, leMargin, mcEqMargin, mcLeMargin,
  normalQuantile, simulate, tQuantile, type ControllerSpec, type OptSpec,
} from '../../proofs-check/harness.js';
import { LEMMAS } from '../../proofs-check/lemmas.js';
import { runProofs, toJson, formatTable, type ProofsReport } from '../../proofs-check/report.js';

const SPEC_IDS = ['L0', 'L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8', 'L9', 'L10'];

describe('proofs-check quick mode', () => {
  let report: ProofsReport;
  beforeAll(() => {
    report = runProofs({ quick: true });
  }, 600_000); // ≈ 20 s of CPU; generous for wall time on a loaded machine

  it('covers every lemma of SPEC §8, once, in order', () => {
    expect(LEMMAS.map((l) => l.id)).toEqual(SPEC_IDS);
    expect(report.lemmas.map((l) => l.id)).toEqual(SPEC_IDS);
  });

  it.each(SPEC_IDS)('%s holds where SPEC says it should', (id) => {
    const l = report.lemmas.find((r) => r.id === id)!;
    expect(l.checked.steps, `${id} checked nothing`).toBeGreaterThan(0);
    expect(l.status, `${id}: worst margin ${l.worst_margin} at ${l.worst_at}`).toBe('holds');
    expect(l.worst_margin).toBeGreaterThanOrEqual(l.kind === 'pathwise' ? -PATH_TOL : 0);
  });

  it.each(SPEC_IDS)('%s: the negative check is caught (the check can fail)', (id) => {
    const n = report.lemmas.find((r) => r.id === id)!.negative_check;
    expect(n.description.length).toBeGreaterThan(10);
    expect(n.checked.steps).toBeGreaterThan(0);
    expect(n.caught, `${id}: negative worst margin ${n.worst_margin} at ${n.worst_at}`).toBe(true);
    expect(n.worst_margin).toBeLessThan(-PATH_TOL);
  });

  it.each(SPEC_IDS)('%s: its fault ladder catches the smallest fault it claims (a weakened check fails here)', (id) => {
    const l = report.lemmas.find((r) => r.id === id)!;
    const rungs = l.ladder.rungs;
    expect(rungs.length, `${id} ladder`).toBeGreaterThanOrEqual(3);
    const claimed = rungs.find((g) => g.id === l.ladder.claimed);
    expect(claimed, `${id}: claimed rung ${l.ladder.claimed} is in the ladder`).toBeDefined();
    expect(claimed!.evaluated, `${id}: rung ${claimed!.id} evaluated nothing`).toBeGreaterThan(0);
    expect(claimed!.caught, `${id}: claimed smallest fault ${claimed!.id} NOT caught (worst margin ${claimed!.worst_margin} at ${claimed!.worst_at})`).toBe(true);
    // the first (gross) rung is the negative check, and the reported smallest caught is at least as fine as the claim
    expect(rungs[0]!.caught).toBe(true);
    expect(rungs.findIndex((g) => g.id === l.ladder.smallest_caught)).toBeGreaterThanOrEqual(rungs.indexOf(claimed!));
    expect(l.ladder.not_caught).toEqual(rungs.filter((g) => !g.caught).map((g) => g.id));
  });

  it('L9 is not circular: σ² comes from fresh batches, and an oracle understating σ² by 10% is caught', () => {
    const l = report.lemmas.find((r) => r.id === 'L9')!;
    expect(l.checked.resamples).toBeGreaterThan(100_000);
    expect(l.criterion).toMatch(/S_norm/);
    expect(l.ladder.rungs.find((g) => g.id === 'σ²×0.9')?.caught).toBe(true);
  });

  it('checks pathwise lemmas on at least 3 problems, AdaGrad-Norm and diagonal AdaGrad, several seeds', () => {
    const l2 = report.lemmas.find((r) => r.id === 'L2')!;
    expect(l2.checked.runs).toBeGreaterThanOrEqual(3 * 2 * 2);
    // Branin's L is local: its steps outside the disk are skipped and counted, never silently dropped.
    expect(l2.checked.skipped).toBeGreaterThanOrEqual(0);
  });

  it('draws enough Monte Carlo samples for the CLT behind its z-intervals (M ≥ 25·skewness²)', () => {
    for (const id of ['L0', 'L1', 'L6']) {
      const c = report.lemmas.find((r) => r.id === id)!.checked;
      expect(c.cltAdequacy, id).toBeGreaterThanOrEqual(1);
      expect(c.resamples, id).toBeGreaterThan(1000);
    }
  });

  it('writes the JSON document of the issue and a table', () => {
    const j = JSON.parse(JSON.stringify(toJson(report))) as { lemmas: Record<string, unknown>[] };
    expect(j.lemmas).toHaveLength(SPEC_IDS.length);
    for (const l of j.lemmas) {
      for (const k of ['id', 'statement', 'checked', 'worst_margin', 'status', 'negative_check', 'ladder']) expect(l).toHaveProperty(k);
      for (const k of ['claimed', 'claimed_caught', 'smallest_caught', 'not_caught', 'rungs']) expect(l['ladder']).toHaveProperty(k);
      expect(l['negative_check']).toHaveProperty('description');
      expect(l['negative_check']).toHaveProperty('caught');
    }
    const table = formatTable(report);
    for (const id of SPEC_IDS) expect(table).toMatch(new RegExp(`^${id}\\s`, 'm'));
  });
});

describe('the harness loop mirrors run()', () => {
  const cases: { problemId: string; opt: OptSpec; controller: ControllerSpec; make: () => Parameters<typeof run>[0]['optimizer'] }[] = [
    {
      problemId: 'lsq-noisy_d20_n2000_i0', opt: adagradNormSpec(1, 1),
      controller: { label: 'test-norm', make: () => testDriven(normTest(0.5), { b0: 2, bMax: 256 }) }, make: () => adagradNorm(1, 1),
    },
    {
      problemId: 'nqm_d20_i0', opt: adagradSpec(0.5, 1e-10, 0.01),
      controller: { label: 'oracle-coord', make: () => oracle(coordNormTest(0.5), { b0: 2, bMax: 512 }) }, make: () => adagrad(0.5, 1e-10, 0.01),
    },
    { problemId: 'branin_d2_i0', opt: adagradNormSpec(2, 0.1), controller: { label: 'constant(3)', make: () => constant(3) }, make: () => adagradNorm(2, 0.1) },
  ];
  it.each(cases.map((c) => [c.problemId, c] as const))('%s: same b_k, ||g_k||², accumulator, F(x_k), ||∇F(x_k)||² and final x', (_id, c) => {
    const steps = 25;
    const seed = 11;
    const t = simulate({ problemId: c.problemId, opt: c.opt, controller: c.controller, steps, seed });
    const r = run({ problem: getProblem(c.problemId), optimizer: c.make(), controller: c.controller.make(), budget: { steps }, key: key(seed), evalEvery: 1 });
    expect(r.summary.status).toBe('completed');
    expect(t.steps).toHaveLength(steps);
    const col = r.trace.columns;
    t.steps.forEach((s, k) => {
      expect(s.b).toBe(col.b[k]);
      expect(s.gNormSq).toBe(col.gradNormSq[k]);
      expect(s.F).toBe(col.F[k]);
      expect(s.gradFNormSq).toBe(col.gradFNormSq[k]);
      expect(s.vState).toBe(col.accumulator[k]);
      // the accumulator read off the step agrees with the optimizer's state (L5 checks this everywhere)
      expect(eqMargin(s.v.reduce((a, b) => a + b, 0), col.accumulator[k]!)).toBeGreaterThan(-1e-12);
    });
    expect(Array.from(t.steps[steps - 1]!.xNext)).toEqual(Array.from(r.x));
  });
});

describe("the harness's noise along a direction", () => {
  it.each(['lsq-noisy_d20_n2000_i0', 'nqm_d20_i0', 'branin_d2_i0'])('%s: the problem\'s noiseAlong agrees with the harness\'s independent computation', (id) => {
    const p = getProblem(id);
    const mine = fallbackNoiseAlong(p);
    expect(mine).not.toBeNull();
    expect(p.noiseAlong).toBeDefined();
    const [kx, kv] = [key(5), key(6)];
    const x = p.x0(kx);
    const v = normal(kv, p.dim);
    const a = p.noiseAlong!(x, v);
    const b = mine!(x, v);
    expect(a).toBeGreaterThan(0);
    expect(Math.abs(a - b) / Math.max(a, b)).toBeLessThan(1e-10);
  });
});

describe('margins and intervals', () => {
  it('leMargin is ≥ 0 exactly when lhs ≤ rhs, relative to the largest term', () => {
    expect(leMargin(1, 2)).toBeCloseTo(0.5);
    expect(leMargin(2, 1)).toBeCloseTo(-0.5);
    expect(leMargin(1, 1)).toBe(0);
    expect(leMargin(1, 1 - 1e-3, 100)).toBeCloseTo(-1e-5);
    expect(leMargin(NaN, 1)).toBe(-Infinity);
  });

  it('eqMargin is 0 for equal values and negative otherwise', () => {
    expect(eqMargin(3, 3)).toBe(-0);
    expect(eqMargin(3, 4)).toBeCloseTo(-0.25);
  });

  it('Monte Carlo margins are ≥ 0 iff the target is inside the interval', () => {
    expect(mcEqMargin({ where: '', mean: 1, halfWidth: 0.1, target: 1.05, scale: 1 })).toBeCloseTo(0.05);
    expect(mcEqMargin({ where: '', mean: 1, halfWidth: 0.1, target: 1.2, scale: 1 })).toBeCloseTo(-0.1);
    expect(mcLeMargin({ where: '', mean: 1, halfWidth: 0.1, target: 0.95, scale: 1 })).toBeCloseTo(0.05);
    expect(mcLeMargin({ where: '', mean: 1, halfWidth: 0.1, target: 0.8, scale: 1 })).toBeCloseTo(-0.1);
  });

  it('normal and t quantiles match tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 5);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424, 4);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228, 2);
    expect(tQuantile(0.995, 11)).toBeCloseTo(3.106, 2);
    expect(bonferroniZ(0.01, 1, 2)).toBeCloseTo(2.575829, 5);
  });

  it('binomialUpper is the smallest c with P(X > c) ≤ α', () => {
    // Bin(10, 0.1): P(X > 3) ≈ 0.0128, P(X > 4) ≈ 0.00164
    expect(binomialUpper(10, 0.1, 0.01)).toBe(4);
    expect(binomialUpper(10, 0.1, 0.02)).toBe(3);
  });
});
