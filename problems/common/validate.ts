// Argument validation for problems: every error names the problem and says what was wrong.

/**
 * A bad argument to a problem (or an unknown id). The message starts with the
 * problem id, e.g. `nclogreg_d50_n10000_i3: x has length 49, expected 50`.
 */
export class ProblemArgumentError extends Error {
  readonly problemId: string;
  constructor(problemId: string, message: string) {
    super(`${problemId}: ${message}`);
    this.name = 'ProblemArgumentError';
    this.problemId = problemId;
  }
}

/**
 * Check that `x` is a Float64Array of length `dim` with finite entries.
 *
 * @example
 * checkPoint('p', new Float64Array([1, NaN]), 2); // throws "p: x[1] is NaN; x must be finite"
 */
export function checkPoint(problemId: string, x: unknown, dim: number, name = 'x'): asserts x is Float64Array {
  if (!(x instanceof Float64Array)) {
    const what = x === null ? 'null' : typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
    throw new ProblemArgumentError(problemId, `${name} must be a Float64Array, got ${what}`);
  }
  if (x.length !== dim) {
    throw new ProblemArgumentError(problemId, `${name} has length ${x.length}, expected ${dim}`);
  }
  for (let j = 0; j < dim; j++) {
    const v = x[j]!;
    if (!Number.isFinite(v)) {
      throw new ProblemArgumentError(problemId, `${name}[${j}] is ${v}; ${name} must be finite`);
    }
  }
}

/**
 * Check a batch size b (an integer ≥ 1; without replacement also b ≤ n when the
 * problem is a finite sum of n terms).
 */
export function checkBatchSize(problemId: string, b: unknown, n: number | null, replace: boolean): asserts b is number {
  if (typeof b !== 'number' || !Number.isSafeInteger(b) || b < 1) {
    throw new ProblemArgumentError(problemId, `batch size b must be an integer ≥ 1, got ${String(b)}`);
  }
  if (!replace && n !== null && b > n) {
    throw new ProblemArgumentError(
      problemId,
      `batch size b = ${b} exceeds the ${n} samples; without replacement b must be ≤ n`,
    );
  }
}

/** Check the indices of a finite-sum batch (integers in [0, n)). */
export function checkIndices(problemId: string, indices: unknown, n: number): asserts indices is Int32Array {
  if (!(indices instanceof Int32Array)) {
    throw new ProblemArgumentError(problemId, 'batch.indices must be an Int32Array (use problem.sample)');
  }
  if (indices.length < 1) throw new ProblemArgumentError(problemId, 'batch is empty; b must be ≥ 1');
  for (let t = 0; t < indices.length; t++) {
    const i = indices[t]!;
    if (i < 0 || i >= n) {
      throw new ProblemArgumentError(problemId, `batch.indices[${t}] = ${i} is out of range [0, ${n})`);
    }
  }
}

/** Check the parameter tensors passed to perSampleLoss: count and shapes must match the blocks. */
export function checkParamShapes(
  problemId: string,
  params: readonly { readonly shape: readonly number[] }[],
  blocks: readonly { readonly name: string; readonly shape: readonly number[] }[],
): void {
  const count = Array.isArray(params) ? String(params.length) : typeof params;
  if (count !== String(blocks.length)) {
    throw new ProblemArgumentError(
      problemId,
      `expected ${blocks.length} parameter tensor(s) (${blocks.map((b) => b.name).join(', ')}), got ${count}`,
    );
  }
  blocks.forEach((blk, k) => {
    const got: readonly number[] = params[k]!.shape;
    if (got.length !== blk.shape.length || got.some((s, j) => s !== blk.shape[j])) {
      throw new ProblemArgumentError(
        problemId,
        `parameter '${blk.name}' has shape [${got.join(', ')}], expected [${blk.shape.join(', ')}]`,
      );
    }
  });
}
