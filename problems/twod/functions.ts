/** Raw mathematics of the 2-D test functions (Rosenbrock, Beale, Branin): F, ∇F, ∇²F and Hessian enclosures. */
import { type Interval, iadd, isub, imul, isqr, ipow, iscale, icos, imag, iv } from './interval.js';

/** A 2-D test function with its derivatives and known optimum. */
export interface TwoDFunction {
  readonly name: 'rosenbrock' | 'beale' | 'branin';
  /** The formula, for docs and listings. */
  readonly formula: string;
  value(u: number, v: number): number;
  gradient(u: number, v: number): [number, number];
  /** [F_uu, F_uv, F_vv]. */
  hessian(u: number, v: number): [number, number, number];
  /** Enclosures of [F_uu, F_uv, F_vv] over the box U × V. */
  hessianBox(U: Interval, V: Interval): [Interval, Interval, Interval];
  /** The minimum value F* (attained) and one or more minimisers. */
  readonly fStar: number;
  readonly minimizers: readonly (readonly [number, number])[];
  /** A proven lower bound on F over R². */
  readonly fLow: number;
  /** DeepOBS's starting point. */
  readonly start: readonly [number, number];
  /**
   * The disk ||x − center||₂ ≤ radius on which the local smoothness constant
   * is stated; it contains DeepOBS's start and a minimiser.
   */
  readonly disk: { readonly center: readonly [number, number]; readonly radius: number };
}

/**
 * Rosenbrock's function F(u, v) = (1 − u)² + 100 (v − u²)² (Rosenbrock 1960).
 * F ≥ 0 (sum of squares), F* = 0 at (1, 1). ∇²F = [[2 − 400v + 1200u², −400u], [−400u, 200]].
 */
export const rosenbrock: TwoDFunction = {
  name: 'rosenbrock',
  formula: 'F(u, v) = (1 − u)² + 100 (v − u²)²',
  value: (u, v) => (1 - u) ** 2 + 100 * (v - u * u) ** 2,
  gradient: (u, v) => [-2 * (1 - u) - 400 * u * (v - u * u), 200 * (v - u * u)],
  hessian: (u, v) => [2 - 400 * v + 1200 * u * u, -400 * u, 200],
  hessianBox: (U, V) => [iadd(iv(2), iadd(iscale(-400, V), iscale(1200, isqr(U)))), iscale(-400, U), iv(200)],
  fStar: 0,
  minimizers: [[1, 1]],
  fLow: 0,
  start: [-0.5, 1.5],
  disk: { center: [0.25, 1.25], radius: 2 },
};

const BEALE_C = [1.5, 2.25, 2.625] as const;

/**
 * Beale's function F(u, v) = Σ_{k=1..3} t_k², t_k = c_k − u + u v^k with
 * c = (1.5, 2.25, 2.625) (Beale 1958). F ≥ 0, F* = 0 at (3, 0.5).
 * With ∂_u t_k = v^k − 1, ∂_v t_k = k u v^{k−1}, ∂_uv t_k = k v^{k−1},
 * ∂_vv t_k = k(k−1) u v^{k−2}:
 * F_uu = 2 Σ (∂_u t_k)², F_uv = 2 Σ (∂_u t_k ∂_v t_k + t_k ∂_uv t_k),
 * F_vv = 2 Σ ((∂_v t_k)² + t_k ∂_vv t_k).
 */
export const beale: TwoDFunction = {
  name: 'beale',
  formula: 'F(u, v) = (1.5 − u + uv)² + (2.25 − u + uv²)² + (2.625 − u + uv³)²',
  value(u, v) {
    let s = 0;
    for (let k = 1; k <= 3; k++) s += (BEALE_C[k - 1]! - u + u * v ** k) ** 2;
    return s;
  },
  gradient(u, v) {
    let gu = 0;
    let gv = 0;
    for (let k = 1; k <= 3; k++) {
      const t = BEALE_C[k - 1]! - u + u * v ** k;
      gu += 2 * t * (v ** k - 1);
      gv += 2 * t * k * u * v ** (k - 1);
    }
    return [gu, gv];
  },
  hessian(u, v) {
    let huu = 0;
    let huv = 0;
    let hvv = 0;
    for (let k = 1; k <= 3; k++) {
      const t = BEALE_C[k - 1]! - u + u * v ** k;
      const tu = v ** k - 1;
      const tv = k * u * v ** (k - 1);
      huu += 2 * tu * tu;
      huv += 2 * (tu * tv + t * k * v ** (k - 1));
      hvv += 2 * (tv * tv + t * k * (k - 1) * u * (k >= 2 ? v ** (k - 2) : 0));
    }
    return [huu, huv, hvv];
  },
  hessianBox(U, V) {
    let huu = iv(0);
    let huv = iv(0);
    let hvv = iv(0);
    for (let k = 1; k <= 3; k++) {
      const vk = ipow(V, k);
      const vk1 = ipow(V, k - 1);
      const t = iadd(isub(iv(BEALE_C[k - 1]!), U), imul(U, vk));
      const tu = isub(vk, iv(1));
      const tv = iscale(k, imul(U, vk1));
      huu = iadd(huu, iscale(2, isqr(tu)));
      huv = iadd(huv, iscale(2, iadd(imul(tu, tv), iscale(k, imul(t, vk1)))));
      const tvv = k >= 2 ? iscale(k * (k - 1), imul(U, ipow(V, k - 2))) : iv(0);
      hvv = iadd(hvv, iscale(2, iadd(isqr(tv), imul(t, tvv))));
    }
    return [huu, huv, hvv];
  },
  fStar: 0,
  minimizers: [[3, 0.5]],
  fLow: 0,
  start: [-4.5, 4.5],
  disk: { center: [-0.75, 2.5], radius: 4.5 },
};

const BR = { a: 1, b: 5.1 / (4 * Math.PI ** 2), c: 5 / Math.PI, r: 6, s: 10, t: 1 / (8 * Math.PI) } as const;

/**
 * Branin's function F(u, v) = a q² + s(1 − t) cos u + s with
 * q = v − b u² + c u − r, a = 1, b = 5.1/(4π²), c = 5/π, r = 6, s = 10,
 * t = 1/(8π) (Dixon and Szegő 1978). Since q² ≥ 0 and cos u ≥ −1,
 * F ≥ s t = 5/(4π) = 0.397887…, attained where cos u = −1 and q = 0:
 * (−π, 12.275), (π, 2.275), (3π, 2.475), … F_uu = 2a(q_u² − 2b q) − s(1 − t) cos u
 * with q_u = c − 2bu, F_uv = 2a q_u, F_vv = 2a.
 */
export const branin: TwoDFunction = {
  name: 'branin',
  formula: 'F(u, v) = (v − 5.1u²/(4π²) + 5u/π − 6)² + 10(1 − 1/(8π)) cos u + 10',
  value(u, v) {
    const q = v - BR.b * u * u + BR.c * u - BR.r;
    return BR.a * q * q + BR.s * (1 - BR.t) * Math.cos(u) + BR.s;
  },
  gradient(u, v) {
    const q = v - BR.b * u * u + BR.c * u - BR.r;
    const qu = BR.c - 2 * BR.b * u;
    return [2 * BR.a * q * qu - BR.s * (1 - BR.t) * Math.sin(u), 2 * BR.a * q];
  },
  hessian(u, v) {
    const q = v - BR.b * u * u + BR.c * u - BR.r;
    const qu = BR.c - 2 * BR.b * u;
    return [2 * BR.a * (qu * qu - 2 * BR.b * q) - BR.s * (1 - BR.t) * Math.cos(u), 2 * BR.a * qu, 2 * BR.a];
  },
  hessianBox(U, V) {
    const q = iadd(isub(V, iscale(BR.b, isqr(U))), iadd(iscale(BR.c, U), iv(-BR.r)));
    const qu = isub(iv(BR.c), iscale(2 * BR.b, U));
    const huu = isub(iscale(2 * BR.a, isub(isqr(qu), iscale(2 * BR.b, q))), iscale(BR.s * (1 - BR.t), icos(U)));
    return [huu, iscale(2 * BR.a, qu), iv(2 * BR.a)];
  },
  fStar: BR.s * BR.t,
  minimizers: [
    [-Math.PI, 12.275],
    [Math.PI, 2.275],
    [3 * Math.PI, 2.475],
  ],
  fLow: BR.s * BR.t,
  start: [2.5, 12.5],
  disk: { center: [2.5, 7.5], radius: 7.5 },
};

export const TWOD_FUNCTIONS = { rosenbrock, beale, branin } as const;

/** ||H||₂ of the symmetric 2×2 matrix [[a, b], [b, c]]: |a + c|/2 + √(((a − c)/2)² + b²). */
export function spectralNorm2(a: number, b: number, c: number): number {
  return Math.abs(a + c) / 2 + Math.hypot((a - c) / 2, b);
}

/** A box [[uLo, uHi], [vLo, vHi]]. */
export type Box = readonly [readonly [number, number], readonly [number, number]];

/**
 * An upper bound on sup ||∇²F||₂ over a box (or over the part of it inside a
 * disk), hence a smoothness constant of F on that convex region: the box is cut
 * into `cells × cells` sub-boxes; on each (that meets the disk, when one is
 * given) an interval enclosure [A], [B], [C] of the Hessian entries bounds
 * ||H||₂ ≤ max|[A] + [C]|/2 + √(max|([A] − [C])/2|² + max|[B]|²).
 * The maximum over sub-boxes, inflated by 1e-9 relative to cover float64
 * rounding, is returned. It tends to the true supremum as `cells` grows.
 *
 * @example
 * hessianBound(rosenbrock, [[-2, 2], [-1, 3]]); // returns ≈ 5327 (the supremum is at (±2, −1))
 */
export function hessianBound(
  f: TwoDFunction,
  box: Box,
  cells = 256,
  disk?: { readonly center: readonly [number, number]; readonly radius: number },
): number {
  const [[u0, u1], [v0, v1]] = box;
  if (!(u0 < u1 && v0 < v1) || ![u0, u1, v0, v1].every(Number.isFinite)) {
    throw new Error(`hessianBound: box must be finite with lo < hi, got [[${u0}, ${u1}], [${v0}, ${v1}]]`);
  }
  const du = (u1 - u0) / cells;
  const dv = (v1 - v0) / cells;
  let best = 0;
  for (let i = 0; i < cells; i++) {
    const U = iv(u0 + i * du, i === cells - 1 ? u1 : u0 + (i + 1) * du);
    for (let j = 0; j < cells; j++) {
      const V = iv(v0 + j * dv, j === cells - 1 ? v1 : v0 + (j + 1) * dv);
      if (disk !== undefined) {
        // skip sub-boxes whose nearest point to the centre lies outside the disk
        const [cu, cv] = disk.center;
        const nu = Math.min(Math.max(cu, U.lo), U.hi) - cu;
        const nv = Math.min(Math.max(cv, V.lo), V.hi) - cv;
        if (nu * nu + nv * nv > disk.radius * disk.radius) continue;
      }
      const [A, B, C] = f.hessianBox(U, V);
      const bound = imag(iadd(A, C)) / 2 + Math.hypot(imag(isub(A, C)) / 2, imag(B));
      if (bound > best) best = bound;
    }
  }
  return best * (1 + 1e-9);
}

/**
 * The local smoothness constant of F on its disk: {@link hessianBound} over
 * the disk's bounding box restricted to the disk.
 *
 * @example
 * diskHessianBound(rosenbrock); // sup of ||∇²F||₂ over ||x − (0.25, 1.25)|| ≤ 2
 */
export function diskHessianBound(f: TwoDFunction, cells = 256): number {
  const { center, radius } = f.disk;
  const box: Box = [
    [center[0] - radius, center[0] + radius],
    [center[1] - radius, center[1] + radius],
  ];
  return hessianBound(f, box, cells, f.disk);
}
