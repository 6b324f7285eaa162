// The contract every benchmark problem must satisfy, as reusable vitest suites (problems and family entries).
import { describe, expect, it } from 'vitest';
import { add, grad, mean, type Tensor } from '../../src/index.js';
import { foldIn, key, normal, split, type Key } from '../../src/rng/index.js';
import type { Batch, Problem } from '../../src/problem/types.js';
import type { FamilyEntry } from '../../problems/common/family.js';
import {
  autodiffPerSampleGrads,
  finiteDifferenceCheck,
  flattenGrads,
  lipschitzSearch,
  meanPerSampleLoss,
  noiseMonteCarlo,
  norm,
  paramsOf,
  perSampleGradsOf,
  probePoints,
  scaleNoise,
  withUnderstatedL,
  zCritical,
} from './checks.js';

/** Budgets of the contract checks (defaults sized for problems with n·d up to ~5·10⁵). */
export interface ContractOptions {
  /** Seed of every key the checks use (default 20240217). */
  readonly seed?: number;
  /** Points at which the gradient is compared with finite differences (default 3). */
  readonly fdPoints?: number;
  /** Coordinates per finite-difference check (default 60, spread evenly). */
  readonly fdCoords?: number;
  /** Gradient evaluations of the smoothness search (default 300). */
  readonly lipschitzBudget?: number;
  /** Monte Carlo draws of the noise check (default 4000). */
  readonly mcSamples?: number;
  /** Run the full-pass checks of finite sums (default true). */
  readonly fullPass?: boolean;
  /** Why the L/10 tightness half of the smoothness check does not apply (the validity half still runs). */
  readonly looseL?: string;
}

function relErr(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let j = 0; j < a.length; j++) {
    num = Math.max(num, Math.abs(a[j]! - b[j]!));
    den = Math.max(den, Math.abs(b[j]!));
  }
  return num / (1 + den);
}

function meanRows(G: Float64Array, b: number, d: number): Float64Array {
  const m = new Float64Array(d);
  for (let t = 0; t < b; t++) for (let j = 0; j < d; j++) m[j]! += G[t * d + j]!;
  return m.map((v) => v / b);
}

/** Expect `fn` to throw an error whose message names the problem and matches `what`. */
function expectNamedError(p: Problem, fn: () => unknown, what: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an error (${String(what)})`).toBeInstanceOf(Error);
  const msg = (caught as Error).message;
  expect(msg).toContain(p.id);
  expect(msg).toMatch(what);
}

/**
 * The problem contract (issue 4), one `describe` per problem:
 * metadata and x0; gradient against central finite differences (with a
 * perturbed-gradient negative control); value ≥ F_low; the stated L survives a
 * search for violating pairs while L/10 does not; closed-form per-sample
 * gradients against autodiff; full-pass means against value and gradient
 * (finite sums); noise(x) against a Monte Carlo estimate (with a ×1.5
 * negative control); sampling; and bad arguments rejected with the problem's id.
 *
 * @example
 * describeProblemContract([nclogregFamily.build('nclogreg_d20_n2000_i0')]);
 */
export function describeProblemContract(problems: readonly Problem[], options: ContractOptions = {}): void {
  const seed = options.seed ?? 20240217;
  const fdPoints = options.fdPoints ?? 3;
  const fdCoords = options.fdCoords ?? 60;
  const budget = options.lipschitzBudget ?? 300;
  const mc = options.mcSamples ?? 4000;
  const fullPass = options.fullPass ?? true;

  for (const p of problems as readonly Problem<Batch>[]) {
    describe(`problem contract: ${p.id}`, () => {
      const k = foldIn(key(seed), p.dim);
      const [kPts, kFd, kLip, kMc, kBatch, kMisc] = split(k, 6) as [Key, Key, Key, Key, Key, Key];
      const pts = probePoints(p, kPts);

      it('has consistent metadata, blocks and constants', () => {
        expect(p.id.startsWith(`${p.family}_`)).toBe(true);
        expect(Number.isInteger(p.dim) && p.dim >= 1).toBe(true);
        expect(p.n === null || (Number.isInteger(p.n) && p.n >= 1)).toBe(true);
        let offset = 0;
        for (const b of p.blocks) {
          expect(b.offset).toBe(offset);
          expect(b.size).toBe(b.shape.reduce((a, c) => a * c, 1));
          offset += b.size;
        }
        expect(offset).toBe(p.dim);
        const { L, F_low, F_star } = p.constants;
        expect(L.value > 0 && Number.isFinite(L.value)).toBe(true);
        expect(Number.isFinite(F_low)).toBe(true);
        if (F_star !== undefined) expect(F_star).toBeGreaterThanOrEqual(F_low);
        if (L.kind === 'local') {
          expect(typeof L.region).toBe('string');
          expect(L.ball?.radius).toBeGreaterThan(0);
        }
        if (L.perSample !== undefined) expect(L.perSample).toBeGreaterThanOrEqual(L.value * (1 - 1e-12));
      });

      it('x0 is finite, of length dim, and a function of the key', () => {
        const [k1, k2] = split(kMisc, 2) as [Key, Key];
        const a = p.x0(k1);
        expect(a.length).toBe(p.dim);
        expect(a.every(Number.isFinite)).toBe(true);
        expect(Array.from(p.x0(k1))).toEqual(Array.from(a));
        expect(p.x0(k2).length).toBe(p.dim);
      });

      it('gradient(x) matches central finite differences of value(x); a perturbed gradient is caught', () => {
        for (const x of pts.slice(0, fdPoints)) {
          const r = finiteDifferenceCheck(p, x, undefined, fdCoords);
          expect(r.worst, `coordinate ${r.worstCoord}`).toBeLessThanOrEqual(1);
        }
        // Negative control: the same check on a gradient with one coordinate off by 1e-4 (1 + ||g||∞).
        const x = pts[0]!;
        const j = Math.floor(normal(kFd, 1)[0]! ** 2 * 7919) % p.dim;
        const bad = (z: Float64Array): Float64Array => {
          const g = p.gradient(z);
          const gInf = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          g[j]! += 1e-4 * (1 + gInf);
          return g;
        };
        const rBad = finiteDifferenceCheck(p, x, bad, p.dim);
        expect(rBad.worst).toBeGreaterThan(1);
      });

      it('value(x) ≥ F_low (and ≥ F★ when stated) at probe points and far points', () => {
        const far = [10, 30].map((s, t) => normal(foldIn(kMisc, 100 + t), p.dim, 0, s));
        const { F_low, F_star } = p.constants;
        const all = p.constants.L.kind === 'local' ? pts : [...pts, ...far];
        let lowest = Infinity;
        for (const x of all) {
          const v = p.value(x);
          expect(Number.isFinite(v)).toBe(true);
          lowest = Math.min(lowest, v);
        }
        expect(lowest).toBeGreaterThanOrEqual(F_low - 1e-12 * (1 + Math.abs(F_low)));
        if (F_star !== undefined) expect(lowest).toBeGreaterThanOrEqual(F_star - 1e-9 * (1 + Math.abs(F_star)));
      });

      it('the stated L survives a search for violating pairs, and L/10 is caught by the same search', () => {
        const ok = lipschitzSearch(p, p.constants.L.value, kLip, budget);
        expect(ok.violated, `ratio ${ok.maxRatio} > L = ${p.constants.L.value} (${ok.how})`).toBe(false);
        if (options.looseL !== undefined) {
          console.log(`contract: ${p.id}: L/10 tightness not checked (${options.looseL}); largest ratio found ${ok.maxRatio}, L = ${p.constants.L.value}`);
          return;
        }
        const under = withUnderstatedL(p, 10);
        const caught = lipschitzSearch(under, under.constants.L.value, kLip, budget);
        expect(
          caught.violated,
          `largest ratio found ${ok.maxRatio} ≤ L/10 = ${under.constants.L.value}: the search cannot tell`,
        ).toBe(true);
      });

      it('closed-form per-sample gradients match autodiff of perSampleLoss + regularizer', () => {
        const batch = p.sample(kBatch, 4);
        for (const x of pts.slice(0, 2)) {
          const ad = autodiffPerSampleGrads(p, x, batch);
          expect(ad.every(Number.isFinite)).toBe(true);
          if (p.perSampleGrads) expect(relErr(p.perSampleGrads(x, batch), ad)).toBeLessThan(1e-9);
        }
      });

      if (p.n !== null && fullPass) {
        const n = p.n;
        it('a full pass: mean per-sample gradient = gradient(x), mean loss = value(x), autodiff mean = gradient(x)', () => {
          const all = p.sample(kBatch, n, { replace: false });
          expect(new Set(all.indices ?? []).size).toBe(n);
          const x = pts[1]!;
          const g = p.gradient(x);
          expect(relErr(meanRows(perSampleGradsOf(p, x, all), n, p.dim), g)).toBeLessThan(1e-10);
          const v = p.value(x);
          expect(Math.abs(meanPerSampleLoss(p, x, all) - v)).toBeLessThan(1e-10 * (1 + Math.abs(v)));
          const params = paramsOf(p, x);
          const f = (...ps: Tensor[]): Tensor => {
            const m = mean(p.perSampleLoss(ps, all));
            return p.regularizer ? add(m, p.regularizer(ps)) : m;
          };
          const gs = grad(f, params.map((_, i) => i))(...params) as Tensor[];
          expect(relErr(flattenGrads(p, gs), g)).toBeLessThan(1e-10);
        });
      } else if (p.n === null) {
        it('the mean per-sample loss over many draws agrees with value(x) (z-test, false-fail rate 1e-6)', () => {
          const x = pts[1]!;
          const draws = split(kBatch, 4).map((kk) => p.sample(kk, Math.ceil(mc / 4)));
          const params = paramsOf(p, x);
          const losses: number[] = [];
          for (const b of draws) {
            const l = p.perSampleLoss(params, b).toFloat64Array();
            const r = p.regularizer ? p.regularizer(params).item() : 0;
            for (const v of l) losses.push(v + r);
          }
          const m = losses.reduce((a, c) => a + c, 0) / losses.length;
          const sd = Math.sqrt(losses.reduce((a, c) => a + (c - m) ** 2, 0) / (losses.length - 1));
          const v = p.value(x);
          const se = sd / Math.sqrt(losses.length);
          // Rounding slack 1e-12 (1 + |F|): a surrogate whose losses all equal F(x) has se ≈ 0.
          expect(Math.abs(m - v)).toBeLessThanOrEqual(zCritical(1e-6) * se + 1e-12 * (1 + Math.abs(v)));
        });
      }

      if (p.noise) {
        const noise = p.noise.bind(p);
        it('noise(x) agrees with a Monte Carlo estimate (σ², each σ_j², unbiased mean); ×1.5 and swapped σ_j² are rejected', () => {
          const xs = [pts[0]!, pts[1]!];
          xs.forEach((x, t) => {
            const stated = noise(x);
            let sum = 0;
            for (const v of stated.sigma2PerCoord) sum += v;
            expect(stated.sigma2PerCoord.length).toBe(p.dim);
            expect(Math.abs(sum - stated.sigma2)).toBeLessThanOrEqual(1e-12 * (1 + stated.sigma2));
            const r = noiseMonteCarlo(p, x, stated, foldIn(kMc, t), mc);
            expect(r.pass, JSON.stringify(r)).toBe(true);
          });
          const x = xs.find((z) => noise(z).sigma2 > 0);
          expect(x, 'a probe point with σ² > 0 for the negative control').toBeDefined();
          const wrong = noiseMonteCarlo(p, x!, scaleNoise(noise(x!), 1.5), foldIn(kMc, 0), mc);
          expect(wrong.pass).toBe(false);
          // Per-coordinate control: the same total, with the largest σ_j² moved to the smallest coordinate.
          const stated = noise(x!);
          const per = stated.sigma2PerCoord.slice();
          let hi = 0;
          let lo = 0;
          per.forEach((v, j) => {
            if (v > per[hi]!) hi = j;
            if (v < per[lo]!) lo = j;
          });
          if (p.dim > 1 && per[hi]! > 1.5 * per[lo]!) {
            [per[hi], per[lo]] = [per[lo]!, per[hi]!];
            const moved = noiseMonteCarlo(p, x!, { sigma2: stated.sigma2, sigma2PerCoord: per }, foldIn(kMc, 0), mc);
            expect(moved.pass).toBe(false);
          }
        });
      }

      it('sample(key, b) draws b samples for any b, reproducibly from the key', () => {
        for (const b of [1, 2, 7, 64]) {
          const batch = p.sample(kBatch, b);
          expect(batch.size).toBe(b);
          if (p.n !== null) {
            expect(batch.indices?.length).toBe(b);
            expect(Array.from(batch.indices ?? []).every((i) => i >= 0 && i < p.n!)).toBe(true);
          }
          const again = p.sample(kBatch, b);
          expect(JSON.stringify(again, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))).toBe(
            JSON.stringify(batch, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)),
          );
        }
        if (p.n !== null) {
          const b = Math.min(p.n, 50);
          const distinct = p.sample(kBatch, b, { replace: false });
          expect(new Set(distinct.indices ?? []).size).toBe(b);
        }
        const g1 = perSampleGradsOf(p, pts[0]!, p.sample(kBatch, 3));
        expect(g1.length).toBe(3 * p.dim);
      });

      it('rejects bad arguments with errors that name the problem', () => {
        const x = pts[0]!;
        const short = new Float64Array(p.dim + 1);
        expectNamedError(p, () => p.value(short), /length/);
        expectNamedError(p, () => p.gradient(new Float64Array(Math.max(0, p.dim - 1))), /length/);
        const nan = x.slice();
        nan[0] = NaN;
        expectNamedError(p, () => p.value(nan), /NaN|finite/);
        const inf = x.slice();
        inf[p.dim - 1] = Infinity;
        expectNamedError(p, () => p.gradient(inf), /Infinity|finite/);
        if (p.noise) expectNamedError(p, () => p.noise!(nan), /NaN|finite/);
        expectNamedError(p, () => p.value(Array.from(x) as unknown as Float64Array), /Float64Array/);
        for (const b of [0, -3, 1.5, NaN]) expectNamedError(p, () => p.sample(kBatch, b), /batch size|b must/);
        if (p.n !== null) expectNamedError(p, () => p.sample(kBatch, p.n! + 1, { replace: false }), /exceeds|≤ n/);
        const batch = p.sample(kBatch, 2);
        if (p.perSampleGrads) expectNamedError(p, () => p.perSampleGrads!(short, batch), /length/);
        expectNamedError(p, () => p.perSampleLoss([], batch), /parameter/);
      });
    });
  }
}

/** Options of the family contract. */
export interface FamilyContractOptions {
  /** Ids to build instead of each entry's defaultIds (e.g. smaller instances). */
  readonly ids?: (entry: FamilyEntry) => readonly string[];
}

/** The next instance's id: the `_i<k>` field incremented. */
export function nextInstanceId(id: string): string {
  return id.replace(/_i(\d+)/, (_m, k: string) => `_i${Number(k) + 1}`);
}

/**
 * The family contract, one `describe` per entry: its default ids match its
 * pattern and build problems with that id; the same id builds the same
 * instance (values, gradients, draws); the next instance number builds a
 * different one; ids that do not match throw errors naming the id.
 */
export function describeFamilyContract(entries: readonly FamilyEntry[], options: FamilyContractOptions = {}): void {
  for (const entry of entries) {
    describe(`family contract: ${entry.family}`, () => {
      const ids = options.ids ? options.ids(entry) : entry.defaultIds;

      it('describes itself and its default ids match its pattern', () => {
        expect(entry.description.length).toBeGreaterThan(20);
        expect(entry.defaultIds.length).toBeGreaterThan(0);
        for (const id of entry.defaultIds) {
          expect(entry.idPattern.test(id), id).toBe(true);
          expect(id.startsWith(`${entry.family}_`)).toBe(true);
        }
      });

      it('the same id gives an identical instance; the next instance number a different one', () => {
        for (const id of ids) {
          const a = entry.build(id);
          const b = entry.build(id);
          expect(a.id).toBe(id);
          expect(a.family).toBe(entry.family);
          const x = a.x0(key(1));
          expect(b.value(x)).toBe(a.value(x));
          expect(Array.from(b.gradient(x))).toEqual(Array.from(a.gradient(x)));
          const y = normal(key(2), a.dim);
          expect(b.value(y)).toBe(a.value(y));
          const sa = a.sample(key(3), 5);
          const sb = b.sample(key(3), 5);
          expect(Array.from(sb.indices ?? [])).toEqual(Array.from(sa.indices ?? []));
          expect(Array.from(b.perSampleGrads?.(x, sb) ?? [])).toEqual(Array.from(a.perSampleGrads?.(x, sa) ?? []));
          const other = entry.build(nextInstanceId(id));
          expect(other.id).not.toBe(id);
          expect(other.dim).toBe(a.dim);
          expect(other.value(y)).not.toBe(a.value(y));
        }
      });

      it('rejects ids it does not match, naming the id', () => {
        const bad = [
          `${entry.family}_bogus`,
          '',
          `${entry.family}_d0_n0_i0`,
          `${entry.defaultIds[0]!}_extra`,
          `not-${entry.defaultIds[0]!}`,
        ];
        for (const id of bad) {
          let msg = '';
          try {
            entry.build(id);
          } catch (e) {
            msg = (e as Error).message;
          }
          expect(msg, `build('${id}') should throw`).not.toBe('');
          if (id !== '') expect(msg).toContain(id);
        }
      });
    });
  }
}

/** Keys for ad-hoc use in family-specific tests. */
export function testKey(seed: number): Key {
  return key(seed);
}

export { norm };
