/**
 * Decided checks of the sample-complexity claims of SPEC §7:
 *
 * - C5 `checkSampleComplexity`: N(ε) = Σ_{k<k(ε)} b_k, the samples a run needs
 *   until ||∇F(x_k)||² ≤ ε, grows at most like ε^(−2). Per run r, N_r(ε) is read
 *   at a geometric grid of ε (relative to the median ||∇F(x₀)||²); Q(ε) is the
 *   q-quantile over runs; slope = least-squares slope of log Q on log(1/ε), with
 *   a bootstrap interval over runs. Reject when a run never reaches the
 *   smallest ε, or when slope > 2(1 + tol) AND the interval's lower end > 2.
 *   (Under the exact norm test b_k ≈ σ²/(η²||∇F||²); for ||∇F(x_k)||² ∝ k^(−p)
 *   this gives N(ε) ∝ ε^(−(p+1)/p) ≤ ε^(−2) for p ≥ 1.)
 * - C6 `checkSebsVersusStagewise`: at matched samples per stage, SEBS (batch
 *   ρ^{s−1} b₁, constant step) reaches the error of stagewise SGD (batch b₁,
 *   step α/ρ^{s−1}, stage length ρ^{s−1} M) within a factor `errorTol`, with at
 *   least `updateFactor` times fewer updates. Error: the mean of ||∇F(x_k)||²
 *   over the last `tail` steps, median over seeds.
 * Both run their variants through `variantSeries` (the same step as checkRate).
 */
import type { Problem } from '../problem/types.js';
import { foldIn, integers, keyData, split, type Key } from '../rng/index.js';
import { runKey, variantSeries, type PairVariant } from './rate.js';
import { olsSlope, quantile } from './stats.js';

export interface SampleComplexityOptions {
  readonly variant: PairVariant;
  readonly problem: Problem;
  /** Steps per run (the largest ε must be reached before). */
  readonly steps: number;
  /** ε relative to the median ||∇F(x₀)||², decreasing (at least 3). */
  readonly epsRel: readonly number[];
  readonly seeds?: number;
  readonly quantile?: number;
  /** Reject a slope above 2(1 + tol) (default 0.1). */
  readonly tol?: number;
  readonly alpha?: number;
  readonly bootstrap?: number;
  readonly key: Key;
}

export interface SampleComplexityCheck {
  readonly decision: 'accept' | 'reject';
  readonly reasons: readonly string[];
  readonly variant: string;
  readonly problem: string;
  readonly eps: readonly number[];
  /** Q(ε): the q-quantile over runs of N(ε). */
  readonly samples: readonly number[];
  readonly slope: number | null;
  readonly slopeCI: readonly [number, number] | null;
  readonly threshold: number;
  readonly seconds: number;
  readonly key: readonly [number, number];
}

/** C5: does Σ b_k to reach ||∇F||² ≤ ε grow at most like ε^(−2)? */
export function checkSampleComplexity(o: SampleComplexityOptions): SampleComplexityCheck {
  const t0 = Date.now();
  const R = o.seeds ?? 10;
  const q = o.quantile ?? 0.5;
  const tol = o.tol ?? 0.1;
  const alpha = o.alpha ?? 0.01;
  const B = o.bootstrap ?? 1000;
  if (o.epsRel.length < 3) throw new Error(`checkSampleComplexity: epsRel needs at least 3 values, got ${o.epsRel.length}`);
  for (let i = 1; i < o.epsRel.length; i++) if (!(o.epsRel[i]! < o.epsRel[i - 1]!)) throw new Error('checkSampleComplexity: epsRel must be decreasing');
  const reasons: string[] = [];
  const series = Array.from({ length: R }, (_, r) => variantSeries(o.variant, o.problem, o.steps, runKey(o.key, r)));
  const g0 = quantile(series.map((s) => s.g[0] ?? NaN).filter((v) => Number.isFinite(v)), 0.5);
  const eps = o.epsRel.map((e) => e * g0);
  const N: number[][] = series.map((s, r) => {
    if (s.b === null) throw new Error(`checkSampleComplexity: variant ${o.variant.name ?? ''} does not report batch sizes`);
    const out: number[] = [];
    let acc = 0;
    let k = 0;
    for (const e of eps) {
      while (k < s.g.length && !(s.g[k]! <= e)) acc += s.b[k++]!;
      if (k >= s.g.length) {
        out.push(Infinity);
        continue;
      }
      out.push(acc);
    }
    if (out.some((v) => !Number.isFinite(v))) reasons.push(`run ${r} did not reach ε = ${eps[eps.length - 1]!.toExponential(2)} in ${o.steps} steps`);
    return out;
  });
  const threshold = 2 * (1 + tol);
  const fit = (Q: readonly number[]): number | null => {
    const xs: number[] = [];
    const ys: number[] = [];
    Q.forEach((v, i) => {
      if (v > 0 && Number.isFinite(v)) {
        xs.push(-Math.log(eps[i]!));
        ys.push(Math.log(v));
      }
    });
    return xs.length >= 2 ? olsSlope(xs, ys) : null;
  };
  const Q = eps.map((_, i) => quantile(N.map((n) => n[i]!), q));
  const slope = reasons.length === 0 ? fit(Q) : null;
  let slopeCI: [number, number] | null = null;
  if (slope !== null) {
    const [, kBoot] = split(o.key, 2) as [Key, Key];
    const bs = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      const idx = integers(foldIn(kBoot, b), R, 0, R);
      bs[b] = fit(eps.map((_, i) => quantile(Array.from(idx, (t) => N[t]![i]!), q))) ?? NaN;
    }
    const ok = Array.from(bs).filter((v) => Number.isFinite(v));
    slopeCI = [quantile(ok, alpha), quantile(ok, 1 - alpha)];
    if (slope > threshold && slopeCI[0] > 2) reasons.push(`samples to reach ε grow like ε^(−${slope.toFixed(2)}) (allowed ε^(−${threshold.toFixed(2)})), and the interval [${slopeCI[0].toFixed(2)}, ${slopeCI[1].toFixed(2)}] excludes 2`);
  }
  return {
    decision: reasons.length === 0 ? 'accept' : 'reject',
    reasons,
    variant: o.variant.name ?? 'optimizer+controller',
    problem: o.problem.id,
    eps,
    samples: Q,
    slope,
    slopeCI,
    threshold,
    seconds: (Date.now() - t0) / 1000,
    key: keyData(o.key),
  };
}

export interface SebsComparisonOptions {
  /** SEBS (or its twin) as a pair variant. */
  readonly sebs: PairVariant;
  /** Stagewise SGD as a pair variant. */
  readonly stagewise: PairVariant;
  readonly problem: Problem;
  readonly sebsSteps: number;
  readonly stagewiseSteps: number;
  /** SEBS's error may be at most this factor above stagewise SGD's (default 1.5). */
  readonly errorTol?: number;
  /** SEBS must use at least this factor fewer updates (default 5). */
  readonly updateFactor?: number;
  /** Steps at the end of each run averaged into its error (default 20). */
  readonly tail?: number;
  readonly seeds?: number;
  readonly key: Key;
}

export interface SebsComparison {
  readonly decision: 'accept' | 'reject';
  readonly reasons: readonly string[];
  readonly problem: string;
  readonly sebsError: number;
  readonly stagewiseError: number;
  readonly errorRatio: number;
  readonly sebsSamples: number;
  readonly stagewiseSamples: number;
  readonly updateRatio: number;
  readonly errorTol: number;
  readonly updateFactor: number;
  readonly seconds: number;
}

/** C6: SEBS against stagewise SGD at matched samples. */
export function checkSebsVersusStagewise(o: SebsComparisonOptions): SebsComparison {
  const t0 = Date.now();
  const R = o.seeds ?? 20;
  const tail = o.tail ?? 20;
  const errorTol = o.errorTol ?? 1.5;
  const updateFactor = o.updateFactor ?? 5;
  const measure = (v: PairVariant, K: number): { err: number; samples: number } => {
    const errs: number[] = [];
    const samples: number[] = [];
    for (let r = 0; r < R; r++) {
      const s = variantSeries(v, o.problem, K, runKey(o.key, r));
      if (s.g.length < K) throw new Error(`checkSebsVersusStagewise: ${v.name ?? 'variant'} stopped after ${s.g.length} of ${K} steps (${s.status}: ${s.message})`);
      let e = 0;
      for (let k = K - tail; k < K; k++) e += s.g[k]!;
      errs.push(e / tail);
      let n = 0;
      for (let k = 0; k < K; k++) n += s.b?.[k] ?? NaN;
      samples.push(n);
    }
    return { err: quantile(errs, 0.5), samples: quantile(samples, 0.5) };
  };
  const a = measure(o.sebs, o.sebsSteps);
  const b = measure(o.stagewise, o.stagewiseSteps);
  const reasons: string[] = [];
  const errorRatio = a.err / b.err;
  const updateRatio = o.stagewiseSteps / o.sebsSteps;
  if (!(Math.abs(a.samples - b.samples) <= 0.01 * b.samples)) reasons.push(`samples not matched: ${a.samples} against ${b.samples}`);
  if (!(errorRatio <= errorTol)) reasons.push(`error ${a.err.toExponential(3)} is ${errorRatio.toFixed(2)}× stagewise SGD's ${b.err.toExponential(3)} (allowed ${errorTol}×)`);
  if (!(updateRatio >= updateFactor)) reasons.push(`only ${updateRatio.toFixed(2)}× fewer updates (needed ${updateFactor}×)`);
  return {
    decision: reasons.length === 0 ? 'accept' : 'reject',
    reasons,
    problem: o.problem.id,
    sebsError: a.err,
    stagewiseError: b.err,
    errorRatio,
    sebsSamples: a.samples,
    stagewiseSamples: b.samples,
    updateRatio,
    errorTol,
    updateFactor,
    seconds: (Date.now() - t0) / 1000,
  };
}
