/** Trace: columnar per-step records of a run (DESIGN.md, the data path). */

/** One step k of a run. Exact quantities (F, ||∇F||²) are null off the evaluation schedule. */
export interface TraceRow {
  /** Step index k. */
  readonly k: number;
  /** Batch size b_k. */
  readonly b: number;
  /** Samples processed after this step (Σ_{j≤k} b_j). */
  readonly samples: number;
  /** Mean batch loss at x_k. */
  readonly loss: number;
  /** ||ḡ_k||². */
  readonly gradNormSq: number;
  /** S_norm of the batch (null for b < 2, and when the per-sample statistics were not computed: run computes them only for controllers that need them, unless `statistics: 'always'`). */
  readonly S_norm: number | null;
  /** The controller's test statistic (lhs/rhs; ≤ 1 means the test held), null when no test ran. */
  readonly statistic: number | null;
  /** The batch size T_k the test asked for. */
  readonly T: number | null;
  /** The learning rate used at this step, when the optimizer exposes it. */
  readonly lr: number | null;
  /** The optimizer's accumulator after the step (v_k for AdaGrad-Norm, Σ_j v_{k,j} for AdaGrad). */
  readonly accumulator: number | null;
  /** F(x_k), on the evaluation schedule. */
  readonly F: number | null;
  /** ||∇F(x_k)||², on the evaluation schedule. */
  readonly gradFNormSq: number | null;
}

export const TRACE_COLUMNS = [
  'k', 'b', 'samples', 'loss', 'gradNormSq', 'S_norm', 'statistic', 'T', 'lr', 'accumulator', 'F', 'gradFNormSq',
] as const satisfies readonly (keyof TraceRow)[];

export type TraceColumn = (typeof TRACE_COLUMNS)[number];

/** Columnar storage of trace rows. */
export class Trace {
  readonly columns: { [C in TraceColumn]: (number | null)[] };

  constructor() {
    this.columns = Object.fromEntries(TRACE_COLUMNS.map((c) => [c, []])) as unknown as Trace['columns'];
  }

  get length(): number {
    return this.columns.k.length;
  }

  push(row: TraceRow): void {
    for (const c of TRACE_COLUMNS) this.columns[c].push(row[c]);
  }

  row(i: number): TraceRow {
    if (i < 0 || i >= this.length) throw new Error(`Trace.row: index ${i} out of range [0, ${this.length})`);
    return Object.fromEntries(TRACE_COLUMNS.map((c) => [c, this.columns[c][i]])) as unknown as TraceRow;
  }

  rows(): TraceRow[] {
    return Array.from({ length: this.length }, (_, i) => this.row(i));
  }

  /** A column as numbers (null → NaN). */
  column(c: TraceColumn): Float64Array {
    return Float64Array.from(this.columns[c], (v) => (v === null ? NaN : v));
  }

  static fromRows(rows: readonly TraceRow[]): Trace {
    const t = new Trace();
    for (const r of rows) t.push(r);
    return t;
  }
}
