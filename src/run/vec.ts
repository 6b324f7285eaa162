/** Small float64 vector helpers shared by the run loops, the rate-check variants and the lemma harness. */
import type { Problem } from '../problem/types.js';

/** ||v||² (a plain left-to-right sum: the value every trace column and loop has used). */
export function sqNorm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}

/** ⟨a, b⟩ (left to right). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** True when every entry is finite. */
export function allFinite(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

/**
 * F and ||∇F||² at the last iterate of a run (null where not finite, or after an
 * error), and the running minimum of ||∇F||² updated with the final value when
 * the run completed.
 */
export function finalEvaluation(
  problem: Problem,
  x: Float64Array,
  status: string,
  minG: number,
): { finalF: number | null; finalG: number | null; minG: number } {
  let finalF: number | null = null;
  let finalG: number | null = null;
  if (status !== 'error') {
    try {
      const F = problem.value(x);
      const G = sqNorm(problem.gradient(x));
      finalF = Number.isFinite(F) ? F : null;
      finalG = Number.isFinite(G) ? G : null;
      if (finalG !== null && status === 'completed') minG = Math.min(minG, finalG);
    } catch {
      // keep nulls: the summary still records the status
    }
  }
  return { finalF, finalG, minG };
}
