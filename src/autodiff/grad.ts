/** JAX-like differentiation API: grad, valueAndGrad, and a finite-difference checker. */
import { cast, fmtShape, makeTensor, Tensor, zeros } from '../tensor/tensor.js';
import { backward, leaf, withTape } from './tape.js';

type Argnums = number | readonly number[];

function normArgnums(argnums: Argnums, nargs: number, where: string): number[] {
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= nargs) {
      throw new Error(`${where}: argnum ${a} out of range for ${nargs} argument(s)`);
    }
  }
  return list;
}

/**
 * Value of f and its gradient with respect to the arguments in `argnums`.
 * f must return a tensor of size 1; arguments not differentiated may be anything.
 * Returns one gradient for a number `argnums`, an array for an array.
 *
 * @example
 * const f = (x: Tensor) => sum(square(x));
 * const [v, g] = valueAndGrad(f)(tensor([1, 2]));
 * v.item();      // 5
 * g.toArray();   // [2, 4]
 */
export function valueAndGrad<Args extends unknown[]>(
  f: (...args: Args) => Tensor,
  argnums: Argnums = 0,
): (...args: Args) => [Tensor, Tensor | Tensor[]] {
  return (...args: Args) => {
    const idx = normArgnums(argnums, args.length, 'valueAndGrad');
    return withTape((tape) => {
      const traced = args.slice() as Args;
      for (const i of idx) {
        const a = args[i];
        if (!(a instanceof Tensor)) throw new Error(`valueAndGrad: argument ${i} must be a Tensor to be differentiated`);
        traced[i] = leaf(tape, a);
      }
      const out = f(...traced);
      if (!(out instanceof Tensor)) throw new Error('valueAndGrad: f must return a Tensor');
      if (out.size !== 1) throw new Error(`valueAndGrad: f must return a scalar, got shape ${fmtShape(out.shape)}`);
      const seedData = out.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]);
      const cts = backward(tape, out, makeTensor(seedData, out.shape));
      const grads = idx.map((i) => {
        const t = traced[i] as Tensor;
        return cts[t.node!.index] ?? zeros(t.shape, t.dtype);
      });
      const value = makeTensor(out.contiguous(), out.shape);
      return [value, typeof argnums === 'number' ? grads[0]! : grads];
    });
  };
}

/**
 * Gradient of a scalar function f with respect to the arguments in `argnums`.
 *
 * @example
 * grad((x: Tensor) => sum(mul(x, x)))(tensor([3])).toArray(); // [6]
 */
export function grad<Args extends unknown[]>(f: (...args: Args) => Tensor, argnums: Argnums = 0): (...args: Args) => Tensor | Tensor[] {
  const vg = valueAndGrad(f, argnums);
  return (...args: Args) => vg(...args)[1];
}

export interface CheckGradOptions {
  /** Central-difference step (default 1e-6, scaled by max(1, |x_j|)). */
  readonly eps?: number;
  /** Relative tolerance (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-7). */
  readonly atol?: number;
  /** Check at most this many coordinates per argument (evenly spaced). Default: all. */
  readonly maxChecks?: number;
  /** Which arguments to check (default: all tensor arguments). */
  readonly argnums?: readonly number[];
}

export interface CheckGradReport {
  readonly ok: boolean;
  readonly checked: number;
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** The coordinate with the largest tolerance-scaled error. */
  readonly worst: { argnum: number; index: number; analytic: number; numeric: number } | null;
}

/**
 * Compare the autodiff gradient of a scalar f with central differences
 * (f(x + h e_j) − f(x − h e_j)) / 2h, in float64, coordinate by coordinate.
 * A coordinate passes when |analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|).
 *
 * @example
 * checkGrad((x: Tensor) => sum(tanh(x)), [tensor([0.3, -1.2])]).ok; // true
 */
export function checkGrad(f: (...args: Tensor[]) => Tensor, args: readonly Tensor[], opts: CheckGradOptions = {}): CheckGradReport {
  const eps = opts.eps ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-7;
  const xs = args.map((a) => cast(a, 'float64'));
  const which = opts.argnums ?? xs.map((_, i) => i);
  const grads = grad(f, [...which])(...xs) as Tensor[];
  let checked = 0;
  let maxAbs = 0;
  let maxRel = 0;
  let worstScore = -1;
  let worst: CheckGradReport['worst'] = null;
  let ok = true;
  which.forEach((argnum, gi) => {
    const base = xs[argnum]!.toFloat64Array();
    const analytic = grads[gi]!.toFloat64Array();
    const n = base.length;
    const m = Math.min(n, opts.maxChecks ?? n);
    for (let c = 0; c < m; c++) {
      const j = m === n ? c : Math.floor((c * n) / m);
      const h = eps * Math.max(1, Math.abs(base[j]!));
      const evalAt = (v: number): number => {
        const x = base.slice();
        x[j] = v;
        const call = xs.slice();
        call[argnum] = makeTensor(x, xs[argnum]!.shape);
        return f(...call).item();
      };
      const numeric = (evalAt(base[j]! + h) - evalAt(base[j]! - h)) / (2 * h);
      const a = analytic[j]!;
      const err = Math.abs(a - numeric);
      const scale = Math.max(Math.abs(a), Math.abs(numeric));
      const score = err / (atol + rtol * scale);
      maxAbs = Math.max(maxAbs, err);
      if (scale > 0) maxRel = Math.max(maxRel, err / scale);
      if (!(score <= 1)) ok = false;
      if (score > worstScore || Number.isNaN(score)) {
        worstScore = Number.isNaN(score) ? Infinity : score;
        worst = { argnum, index: j, analytic: a, numeric };
      }
      checked++;
    }
  });
  return { ok, checked, maxAbsError: maxAbs, maxRelError: maxRel, worst };
}
