/**
 * `adadagrad stats`: the statistics of SPEC §2 and the batch sizes the tests of
 * SPEC §3 ask for, from a per-sample gradient matrix brought from elsewhere.
 */
import { z } from 'zod';
import { applyRule } from '../batching/controllers.js';
import { statsFromPerSampleGrads, type BlockRange } from '../batching/explicit.js';
import { augIpTest, coordNormTest, ipTest, normTest, type TestDecision } from '../batching/tests/index.js';
import { compensatedSum, statistics } from '../batching/summary.js';
import { testNamed } from '../registry/index.js';
import { ConfigFileError, formatPath } from './config.js';

export interface StatsOptions {
  readonly eta?: number;
  readonly theta?: number;
  readonly nu?: number;
  /** The current batch size b_k (default: the number of rows). */
  readonly batch?: number;
  /** Cap of the next batch size (default: none). */
  readonly bmax?: number;
}

const finite = z.number({ error: (iss) => `expected a finite number, got ${JSON.stringify(iss.input) ?? String(iss.input)}` }).refine(Number.isFinite, {
  error: 'expected a finite number',
});
const rowsSchema = z.array(z.array(finite, { error: 'expected a row: an array of numbers' }), { error: 'expected an array of rows' }).min(2, {
  error: 'expected at least 2 rows (b ≥ 2 per-sample gradients)',
});
const inputSchema = z.union([
  rowsSchema,
  z
    .object({
      grads: rowsSchema,
      blocks: z
        .array(z.tuple([z.number().int().min(0), z.number().int().min(1)], { error: 'expected [start, end] with integers 0 ≤ start < end' }), {
          error: 'expected an array of [start, end] ranges',
        })
        .min(1)
        .optional(),
    })
    .strict(),
]);

/** η, θ, ν default to the registry's test rows (norm, aug-ip). */
const DEFAULTS = {
  eta: testNamed('norm')!.params.eta!.default as number,
  theta: testNamed('aug-ip')!.params.theta!.default as number,
  nu: testNamed('aug-ip')!.params.nu!.default as number,
};

function describe(d: TestDecision): Record<string, unknown> {
  return {
    T: d.noInfo ? null : d.T,
    holds: d.holds,
    statistic: d.noInfo ? null : d.statistic,
    no_info: d.noInfo,
    ...(d.skipped !== undefined ? { skipped_coordinates: d.skipped } : {}),
  };
}

/**
 * Compute the report printed by `adadagrad stats` from parsed JSON: an array of b
 * rows of length d, or `{grads, blocks}` with [start, end) ranges tiling [0, d).
 * `next_batch` applies b_{k+1} = min(b_max, ⌈max(b_k, T)⌉) with b_k = `batch`; a
 * test without information (||ḡ||² = 0) keeps b_k. Defaults: η = 0.1, θ = 0.9, ν = 5.84.
 *
 * @example
 * statsReport([[1, 2], [3, 4], [5, 0]], { eta: 0.5 }).S_norm; // returns 8 (ḡ = (3, 2); deviations (−2, 0), (0, 2), (2, −2))
 * statsReport([[1, 2], [3, 4], [5, 0]], { eta: 0.5 }).next_batch; // returns { norm: 4, ip: 3, aug_ip: 3, coord_norm: 4 }
 */
export function statsReport(input: unknown, opts: StatsOptions = {}, source = 'grads'): Record<string, unknown> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    // report the branch that matches the input's shape
    const branch = Array.isArray(input) ? rowsSchema.safeParse(input) : input !== null && typeof input === 'object' ? inputSchema.options[1].safeParse(input) : parsed;
    const issues = (branch.success ? parsed.error! : branch.error).issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    throw new ConfigFileError(source, issues.slice(0, 20));
  }
  const data = parsed.data;
  const rows = Array.isArray(data) ? data : data.grads;
  const prefix = Array.isArray(data) ? '' : 'grads';
  const d = rows[0]!.length;
  if (d === 0) throw new ConfigFileError(source, [{ path: `${prefix}[0]`, message: 'a row must have at least one value' }]);
  rows.forEach((r, i) => {
    if (r.length !== d) throw new ConfigFileError(source, [{ path: `${prefix}[${i}]`, message: `row ${i} has length ${r.length}, expected ${d} (the length of row 0): rows must not be ragged` }]);
  });
  const blocks = Array.isArray(data) ? undefined : (data.blocks as BlockRange[] | undefined);
  if (blocks !== undefined) {
    let expect = 0;
    blocks.forEach(([s, e], p) => {
      if (s !== expect || !(e > s) || e > d) {
        throw new ConfigFileError(source, [{ path: `blocks[${p}]`, message: `expected [${expect}, end] with ${expect} < end ≤ ${d}: blocks must tile [0, ${d}) in order, got [${s}, ${e}]` }]);
      }
      expect = e;
    });
    if (expect !== d) throw new ConfigFileError(source, [{ path: 'blocks', message: `the blocks cover [0, ${expect}) but the rows have d = ${d}` }]);
  }
  const b = rows.length;
  const batch = opts.batch ?? b;
  const bmax = opts.bmax ?? Infinity;
  if (bmax < batch) {
    throw new ConfigFileError('command line', [{ path: '--bmax', message: `expected ≥ the current batch size b = ${batch} (the next batch never shrinks), got ${bmax}` }]);
  }
  const eta = opts.eta ?? DEFAULTS.eta;
  const theta = opts.theta ?? DEFAULTS.theta;
  const nu = opts.nu ?? DEFAULTS.nu;

  const summary = statsFromPerSampleGrads(rows, blocks);
  const st = statistics(summary);
  const overflow = (
    [
      ['||ḡ||²', st.gradNormSq],
      ['S_norm', st.S_norm],
      ['S_ip', st.S_ip],
      ['S_orth', st.S_orth],
      ['ḡ', Array.from(st.meanGrad).find((v) => !Number.isFinite(v)) ?? 0],
      ['S_j', Array.from(st.S_j).find((v) => !Number.isFinite(v)) ?? 0],
    ] as const
  ).filter(([, v]) => !Number.isFinite(v));
  if (overflow.length > 0) {
    throw new ConfigFileError(source, [
      {
        path: prefix,
        message: `the statistics overflow float64 (${overflow.map(([n, v]) => `${n} = ${v}`).join(', ')}): entries this large cannot be tested (S_ip grows as |g|⁴, past 1e308 from about 1e77); rescale the gradients`,
      },
    ]);
  }
  const tests = {
    norm: normTest(eta).sample(st),
    ip: ipTest(theta).sample(st),
    aug_ip: augIpTest(theta, nu).sample(st),
    coord_norm: coordNormTest(eta).sample(st),
  };
  const next = (t: TestDecision): number | null => {
    const v = t.noInfo ? batch : applyRule(batch, t.T, bmax, 1);
    return Number.isFinite(v) ? v : null;
  };
  const report: Record<string, unknown> = {
    b,
    d,
    batch,
    grad_norm_sq: st.gradNormSq,
    S_norm: st.S_norm,
    S_ip: st.S_ip,
    S_orth: st.S_orth,
    B_simple: st.B_simple,
    S_coord: Array.from(st.S_j),
    mean_grad: Array.from(st.meanGrad),
    params: { eta, theta, nu, bmax: Number.isFinite(bmax) ? bmax : null },
    tests: { norm: describe(tests.norm), ip: describe(tests.ip), aug_ip: describe(tests.aug_ip), coord_norm: describe(tests.coord_norm) },
    next_batch: { norm: next(tests.norm), ip: next(tests.ip), aug_ip: next(tests.aug_ip), coord_norm: next(tests.coord_norm) },
  };
  if (blocks !== undefined) {
    report['blockwise'] = {
      note: 'block-wise variants drop cross-block covariance; they are not the tests of the papers',
      S_ip: st.blockwise.S_ip,
      S_orth: st.blockwise.S_orth,
      blocks: summary.blocks.map((blk, p) => ({
        range: blocks[p],
        grad_norm_sq: compensatedSum(blk.meanGrad.map((v) => v * v)),
        S_norm: compensatedSum(blk.devSqNorms) / (b - 1),
      })),
    };
  }
  return report;
}
