// Numerical checks of a Problem's claims, as pure functions returning reports (so negative controls reuse them).
import { fromArray, grad, mul, sum, add, type Tensor } from '../../src/index.js';
import { foldIn, normal, split, type Key } from '../../src/rng/index.js';
import type { Batch, NoiseInfo, Problem, ProblemConstants } from '../../src/problem/types.js';
import { normalCdf } from '../../problems/common/special.js';

// ------------------------------------------------------------------ small vector helpers

export function norm(v: Float64Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j]! * v[j]!;
  return Math.sqrt(s);
}

function axpy(x: Float64Array, a: number, v: Float64Array): Float64Array {
  return Float64Array.from(x, (xj, j) => xj + a * v[j]!);
}

function diffNorm(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j]! - b[j]!) ** 2;
  return Math.sqrt(s);
}

/** The two-sided critical value z with P(|N(0,1)| > z) = alpha (bisection on the normal CDF). */
export function zCritical(alpha: number): number {
  let lo = 0;
  let hi = 40;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (2 * (1 - normalCdf(mid)) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ------------------------------------------------------------------ region and probe points

/** Project x into the region where the stated L holds (the ball of a local constant, shrunk by `margin`). */
export function intoRegion(p: Problem, x: Float64Array, margin = 0.97): Float64Array {
  const ball = p.constants.L.kind === 'local' ? p.constants.L.ball : undefined;
  if (ball === undefined) return x;
  const c = ball.center;
  const rel = c === undefined ? x : Float64Array.from(x, (v, j) => v - c[j]!);
  const r = norm(rel);
  const lim = margin * ball.radius;
  if (r <= lim) return x;
  return Float64Array.from(rel, (v, j) => (c === undefined ? 0 : c[j]!) + (v * lim) / r);
}

/**
 * Points at which to check a problem: x0 from two keys, x0 scaled by
 * {0, 0.3, 3}, Gaussian points at three scales (relative to the size of x0),
 * and for problems with several parameter blocks one point per block that puts
 * most of the norm in that block. All are moved into the region of a local L;
 * repeated points are dropped.
 */
export function probePoints(p: Problem, k: Key, count = 12): Float64Array[] {
  const keys = split(k, count + 8);
  const x0 = p.x0(keys[0]!);
  const rms = norm(x0) / Math.sqrt(p.dim);
  const base = 1 + rms;
  const pts: Float64Array[] = [x0, p.x0(keys[1]!)];
  for (const s of [0, 0.3, 3]) pts.push(x0.map((v) => s * v));
  const scales = [0.3, 1, 3];
  for (let t = 0; pts.length < count - p.blocks.length && t < count; t++) {
    pts.push(normal(keys[2 + t]!, p.dim, 0, base * scales[t % 3]!));
  }
  const ball = p.constants.L.kind === 'local' ? p.constants.L.ball : undefined;
  const big = ball !== undefined ? ball.radius : base * 3 * Math.sqrt(p.dim);
  if (p.blocks.length > 1) {
    p.blocks.forEach((blk, bi) => {
      const x = normal(keys[count + (bi % 8)]!, p.dim, 0, 0.05 * base);
      const dir = normal(split(keys[count + (bi % 8)]!, 2)[1]!, blk.size);
      const dn = norm(dir);
      for (let j = 0; j < blk.size; j++) x[blk.offset + j] = (0.9 * big * dir[j]!) / dn;
      pts.push(x);
    });
  }
  // Drop repeated points (x0 may not depend on the key, and 0·x0 = x0 when x0 = 0).
  const seen = new Set<string>();
  return pts
    .map((x) => intoRegion(p, x))
    .filter((x) => {
      const sig = Array.from(x).join(',');
      if (seen.has(sig)) return false;
      seen.add(sig);
      return true;
    });
}

// ------------------------------------------------------------------ gradient vs finite differences

export interface FdReport {
  /** max_j |central difference_j − gradient_j| / tolerance_j; the check passes when ≤ 1. */
  readonly worst: number;
  readonly worstCoord: number;
  readonly checkedCoords: number;
}

/**
 * Central differences of value(x) against gradient(x), coordinate by
 * coordinate (all of them for dim ≤ maxCoords, else an evenly spread subset).
 * Step h_j = 1e-5 · max(1, |x_j|); the tolerance 1e-6 (1 + ||g||∞) covers the
 * O(h²) truncation, and 1e-14 (1 + |F|)/h the rounding error of value.
 */
export function finiteDifferenceCheck(
  p: Problem,
  x: Float64Array,
  gradient: (x: Float64Array) => Float64Array = (z) => p.gradient(z),
  maxCoords = 60,
): FdReport {
  const g = gradient(x);
  const f0 = p.value(x);
  let gInf = 0;
  for (const v of g) gInf = Math.max(gInf, Math.abs(v));
  const step = Math.max(1, Math.ceil(p.dim / maxCoords));
  let worst = 0;
  let worstCoord = -1;
  let checked = 0;
  for (let j = 0; j < p.dim; j += step) {
    const h = 1e-5 * Math.max(1, Math.abs(x[j]!));
    const xp = x.slice();
    const xm = x.slice();
    xp[j]! += h;
    xm[j]! -= h;
    const fd = (p.value(xp) - p.value(xm)) / (2 * h);
    const tol = 1e-6 * (1 + gInf) + (1e-14 * (1 + Math.abs(f0))) / h;
    const r = Math.abs(fd - g[j]!) / tol;
    checked++;
    if (!(r <= worst)) {
      worst = r;
      worstCoord = j;
    }
  }
  return { worst, worstCoord, checkedCoords: checked };
}

// ------------------------------------------------------------------ smoothness

export interface LipschitzReport {
  /** Largest ||∇F(x) − ∇F(y)|| / ||x − y|| found. */
  readonly maxRatio: number;
  /** Whether the stated L was exceeded (beyond rounding). */
  readonly violated: boolean;
  /** Gradient evaluations used. */
  readonly evaluations: number;
  /** How the worst pair was found ('far', 'power' or 'search'). */
  readonly how: string;
}

/**
 * Search for a pair x, y (in the region of a local L) with
 * ||∇F(x) − ∇F(y)|| > L ||x − y||, within a budget of gradient evaluations:
 *
 * 1. far pairs: all pairs of probe points;
 * 2. near pairs: at each probe point, power iteration on finite-difference
 *    Hessian–vector products, v ← (∇F(x + εv) − ∇F(x))/ε, which drives the pair
 *    (x, x + εv) towards the largest local curvature;
 * 3. curvature ascent: from the point of largest curvature, step along the
 *    x-gradient of the Rayleigh quotient vᵀ∇²F(x)v (a second difference of ∇F
 *    along v), keeping steps that increase the curvature; stops early on a
 *    violation.
 *
 * The search does not depend on L except for stopping early once L is
 * exceeded, so the same call with L understated 10× is the negative control.
 */
export function lipschitzSearch(p: Problem, L: number, k: Key, budget = 400): LipschitzReport {
  const limit = L * (1 + 1e-7) + 1e-12;
  let evals = 0;
  let best = 0;
  let how = 'none';
  const gradAt = (x: Float64Array): Float64Array => {
    evals++;
    return p.gradient(x);
  };
  const [kPts, kDir, kSearch] = split(k, 3) as [Key, Key, Key];
  const pts = probePoints(p, kPts);
  const grads = pts.map(gradAt);
  const note = (r: number, tag: string): boolean => {
    if (r > best) {
      best = r;
      how = tag;
    }
    return best > limit;
  };
  const done = (): LipschitzReport => ({ maxRatio: best, violated: best > limit, evaluations: evals, how });

  for (let a = 0; a < pts.length; a++) {
    for (let b = a + 1; b < pts.length; b++) {
      const dx = diffNorm(pts[a]!, pts[b]!);
      if (dx > 0 && note(diffNorm(grads[a]!, grads[b]!) / dx, 'far')) return done();
    }
  }

  /** Power iteration at x from v: returns the curvature estimate (an exact pair ratio) and the direction. */
  const curvature = (x: Float64Array, g0: Float64Array, v0: Float64Array, iters: number): [number, Float64Array] => {
    let v = v0;
    let ratio = 0;
    const eps = 1e-5 * (1 + norm(x) / Math.sqrt(p.dim));
    for (let it = 0; it < iters; it++) {
      const nv = norm(v);
      if (!(nv > 0)) break;
      v = v.map((c) => c / nv);
      const y = intoRegion(p, axpy(x, eps, v), 0.999);
      const dy = diffNorm(x, y);
      if (dy === 0) break;
      const gy = gradAt(y);
      ratio = diffNorm(gy, g0) / dy;
      v = Float64Array.from(gy, (c, j) => (c - g0[j]!) / dy);
    }
    return [ratio, v];
  };

  const dirs = split(kDir, pts.length);
  let bestX = pts[0]!;
  let bestG = grads[0]!;
  let bestV = normal(dirs[0]!, p.dim);
  let bestC = -1;
  const powerIters = 12;
  for (let t = 0; t < pts.length && evals + powerIters <= budget; t++) {
    const [c, v] = curvature(pts[t]!, grads[t]!, normal(dirs[t]!, p.dim), powerIters);
    if (note(c, 'power')) return done();
    if (c > bestC) {
      bestC = c;
      bestX = pts[t]!;
      bestG = grads[t]!;
      bestV = v;
    }
  }

  // 3. Curvature ascent: the gradient in x of the Rayleigh quotient vᵀ∇²F(x)v is
  // D³F(x)[v, v] ≈ (∇F(x + εv) − 2∇F(x) + ∇F(x − εv))/ε²; step along it (signed
  // so that |vᵀ∇²F v| grows), re-run a few power iterations, keep improvements,
  // and halve the step on failure (random moves when the step gets small).
  const innerIters = 5;
  let stepLen = 0.3 * (0.1 + norm(bestX));
  for (let step = 0; evals + innerIters + 3 <= budget; step++) {
    const scale = 1e-3 * (1 + norm(bestX) / Math.sqrt(p.dim));
    const v = bestV.map((c) => c / norm(bestV));
    const xp = intoRegion(p, axpy(bestX, scale, v), 0.999);
    const xm = intoRegion(p, axpy(bestX, -scale, v), 0.999);
    const gp = gradAt(xp);
    const gm = gradAt(xm);
    let rq = 0;
    for (let j = 0; j < p.dim; j++) rq += v[j]! * (gp[j]! - gm[j]!);
    const d3 = Float64Array.from(gp, (c, j) => (Math.sign(rq) || 1) * (c - 2 * bestG[j]! + gm[j]!));
    let dir: Float64Array = d3;
    const dn = norm(d3);
    if (!(dn > 0) || stepLen < 1e-4 * (0.1 + norm(bestX))) {
      dir = normal(foldIn(kSearch, step), p.dim);
      stepLen = 0.1 * (0.1 + norm(bestX));
    }
    const cand = intoRegion(p, axpy(bestX, stepLen / norm(dir), dir));
    const gc = gradAt(cand);
    const [c, vNew] = curvature(cand, gc, bestV, innerIters);
    if (note(c, 'search')) return done();
    if (c > bestC) {
      bestC = c;
      bestX = cand;
      bestG = gc;
      bestV = vNew;
      stepLen *= 1.5;
    } else {
      stepLen *= 0.5;
    }
  }
  return done();
}

// ------------------------------------------------------------------ per-sample gradients

/** x split into tensors, one per parameter block. */
export function paramsOf(p: Problem, x: Float64Array): Tensor[] {
  return p.blocks.map((b) => fromArray(x.slice(b.offset, b.offset + b.size), b.shape));
}

/** Flatten per-block gradient tensors back into the layout of x. */
export function flattenGrads(p: Problem, gs: readonly Tensor[]): Float64Array {
  const out = new Float64Array(p.dim);
  p.blocks.forEach((b, i) => out.set(gs[i]!.toFloat64Array(), b.offset));
  return out;
}

/**
 * Per-sample gradients by autodiff: for each sample t, the gradient of
 * perSampleLoss_t + R with respect to all parameter blocks (row-major b × d).
 */
export function autodiffPerSampleGrads<B extends Batch>(p: Problem<B>, x: Float64Array, batch: B): Float64Array {
  const b = batch.size;
  const out = new Float64Array(b * p.dim);
  const params = paramsOf(p, x);
  const argnums = params.map((_, i) => i);
  for (let t = 0; t < b; t++) {
    const pick = new Float64Array(b);
    pick[t] = 1;
    const onehot = fromArray(pick, [b]);
    const f = (...ps: Tensor[]): Tensor => {
      const lt = sum(mul(p.perSampleLoss(ps, batch), onehot));
      return p.regularizer ? add(lt, p.regularizer(ps)) : lt;
    };
    const gs = grad(f, argnums)(...params) as Tensor[];
    out.set(flattenGrads(p, gs), t * p.dim);
  }
  return out;
}

/** Per-sample gradients: closed form when the problem has it, else autodiff. */
export function perSampleGradsOf<B extends Batch>(p: Problem<B>, x: Float64Array, batch: B): Float64Array {
  return p.perSampleGrads ? p.perSampleGrads(x, batch) : autodiffPerSampleGrads(p, x, batch);
}

/** Mean over the batch of perSampleLoss + R, by the autodiff forward pass. */
export function meanPerSampleLoss<B extends Batch>(p: Problem<B>, x: Float64Array, batch: B): number {
  const params = paramsOf(p, x);
  const l = p.perSampleLoss(params, batch).toFloat64Array();
  let s = 0;
  for (const v of l) s += v;
  return s / l.length + (p.regularizer ? p.regularizer(params).item() : 0);
}

// ------------------------------------------------------------------ Monte Carlo noise

export interface NoiseMcReport {
  readonly samples: number;
  /** Mean of ||g_i − ∇F||² over the draws. */
  readonly estimate: number;
  readonly standardError: number;
  /** (estimate − stated σ²)/standardError. */
  readonly z: number;
  /** max_j |z_j| over the coordinates (per-coordinate σ_j²). */
  readonly zCoordMax: number;
  /** max_j |z_j| of the mean per-sample gradient against ∇F (unbiasedness). */
  readonly zMeanMax: number;
  /** Critical values used (two-sided, false-fail rate alpha; Bonferroni over coordinates). */
  readonly zCrit: number;
  readonly zCritCoord: number;
  readonly pass: boolean;
}

/** |z| for a mean with standard error se against a target; exact zero variance means "must be equal". */
function zScore(mean: number, target: number, se: number): number {
  const diff = mean - target;
  if (se > 0) return diff / se;
  return Math.abs(diff) <= 1e-12 * (1 + Math.abs(target)) ? 0 : Infinity;
}

/**
 * Compare a stated noise(x) with a Monte Carlo estimate from `m` draws (i.i.d.,
 * with replacement), using the exact ∇F(x): e_i = ||g_i − ∇F||² has mean σ²(x),
 * so z = (mean e − σ²)/(sd e/√m) is approximately N(0, 1). The same for each
 * coordinate (σ_j²) and for the mean gradient against ∇F (unbiased oracle).
 * Rejects when |z| exceeds the two-sided critical value at false-fail rate
 * `alpha` (Bonferroni over the d coordinates for the per-coordinate checks).
 */
export function noiseMonteCarlo<B extends Batch>(
  p: Problem<B>,
  x: Float64Array,
  stated: NoiseInfo,
  k: Key,
  m = 4000,
  alpha = 1e-6,
): NoiseMcReport {
  const d = p.dim;
  const gF = p.gradient(x);
  const chunk = 500;
  let s1 = 0;
  let s2 = 0;
  const c1 = new Float64Array(d);
  const c2 = new Float64Array(d);
  const g1 = new Float64Array(d);
  const keys = split(k, Math.ceil(m / chunk));
  let drawn = 0;
  for (const kc of keys) {
    const b = Math.min(chunk, m - drawn);
    const batch = p.sample(kc, b, { replace: true });
    const G = perSampleGradsOf(p, x, batch);
    for (let t = 0; t < b; t++) {
      let e = 0;
      for (let j = 0; j < d; j++) {
        const dev = G[t * d + j]! - gF[j]!;
        const dj = dev * dev;
        e += dj;
        c1[j]! += dj;
        c2[j]! += dj * dj;
        g1[j]! += dev;
      }
      s1 += e;
      s2 += e * e;
    }
    drawn += b;
  }
  const mean = s1 / m;
  const sd = Math.sqrt(Math.max(0, s2 / m - mean * mean) * (m / (m - 1)));
  const se = sd / Math.sqrt(m);
  const z = zScore(mean, stated.sigma2, se);
  let zCoordMax = 0;
  let zMeanMax = 0;
  for (let j = 0; j < d; j++) {
    const mj = c1[j]! / m;
    const sdj = Math.sqrt(Math.max(0, c2[j]! / m - mj * mj) * (m / (m - 1)));
    zCoordMax = Math.max(zCoordMax, Math.abs(zScore(mj, stated.sigma2PerCoord[j]!, sdj / Math.sqrt(m))));
    // The mean deviation has variance σ_j²/m (using the stated σ_j², checked above).
    const seMean = Math.sqrt(Math.max(stated.sigma2PerCoord[j]!, 0) / m);
    zMeanMax = Math.max(zMeanMax, Math.abs(zScore(g1[j]! / m, 0, seMean)));
  }
  const zCrit = zCritical(alpha);
  const zCritCoord = zCritical(alpha / d);
  return {
    samples: m,
    estimate: mean,
    standardError: se,
    z,
    zCoordMax,
    zMeanMax,
    zCrit,
    zCritCoord,
    pass: Math.abs(z) <= zCrit && zCoordMax <= zCritCoord && zMeanMax <= zCritCoord,
  };
}

// ------------------------------------------------------------------ negative-control copies

/** A copy of the problem with some constants replaced (everything else shared). */
export function withConstants<B extends Batch>(p: Problem<B>, patch: Partial<ProblemConstants>): Problem<B> {
  return Object.assign(Object.create(p) as Problem<B>, { constants: { ...p.constants, ...patch } });
}

/** A copy whose stated L is divided by `factor` (the smoothness negative control). */
export function withUnderstatedL<B extends Batch>(p: Problem<B>, factor: number): Problem<B> {
  return withConstants(p, { L: { ...p.constants.L, value: p.constants.L.value / factor } });
}

/** Scale a stated noise (σ² and every σ_j²) by `factor` (the noise negative control). */
export function scaleNoise(n: NoiseInfo, factor: number): NoiseInfo {
  return { sigma2: n.sigma2 * factor, sigma2PerCoord: n.sigma2PerCoord.map((v) => v * factor) };
}
