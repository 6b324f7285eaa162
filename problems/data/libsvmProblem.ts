/** Families 1–3 (nclogreg, robust regression, sigmoid loss) on a user's own LIBSVM data. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { mul, type Tensor } from '../../src/index.js';
import { normal } from '../../src/rng/index.js';
import type { SmoothnessConstant } from '../../src/problem/types.js';
import { finiteSumProblem, type FiniteSumProblem } from '../common/finiteSum.js';
import { designFacts, glmBlocks, glmParts, type MarginLoss } from '../common/glm.js';
import { roundUp } from '../common/linalg.js';
import { ProblemArgumentError } from '../common/validate.js';
import { logisticLoss, ncRegulariser } from '../families/nclogreg.js';
import { robustLoss, type RobustLossName } from '../families/robust.js';
import { SIGMOID_MAX_CURVATURE, sigmoidLoss } from '../families/sigmoidloss.js';
import { DEFAULT_MAX_DENSE_ENTRIES, LibsvmParseError, denseBudgetMessage, parseLibsvm, type LibsvmData, type LibsvmOptions } from './libsvm.js';

export type LibsvmFamily = 'nclogreg' | 'robust-cauchy' | 'robust-gemanmcclure' | 'robust-welsch' | 'sigmoid';

const FAMILIES: readonly LibsvmFamily[] = ['nclogreg', 'robust-cauchy', 'robust-gemanmcclure', 'robust-welsch', 'sigmoid'];

export interface LibsvmProblemOptions extends Omit<LibsvmOptions, 'labels'> {
  readonly family: LibsvmFamily;
  /** nclogreg: the regularisation weight λ (default 0.1). */
  readonly lambda?: number;
  /** robust-*: the loss scale c (default 1). */
  readonly c?: number;
  /** Append a constant-1 feature (an intercept), default false. */
  readonly bias?: boolean;
  /** Data set name used in the id (default: the file's base name, or 'data'). */
  readonly name?: string;
}

/** Where the data comes from: a file path, text or bytes, or data already parsed. */
export type LibsvmSource = string | { readonly text: string | Uint8Array } | LibsvmData;

function isParsed(s: LibsvmSource): s is LibsvmData {
  return typeof s === 'object' && 'csr' in s && 'y' in s;
}

/** λ_max(XᵀX/n) and max_i ||x_i||²: exact (Jacobi) for d ≤ 500, power iteration with its residual beyond. */
function facts(X: Float64Array, n: number, d: number): { lambdaMax: number; maxRowNorm2: number; method: string } {
  if (d <= 500) return { ...designFacts(X, n, d), method: 'jacobi' };
  let maxRowNorm2 = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[i * d + j]! ** 2;
    maxRowNorm2 = Math.max(maxRowNorm2, s);
  }
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  let rho = 0;
  let res = Infinity;
  for (let it = 0; it < 500; it++) {
    const av = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += X[i * d + j]! * v[j]!;
      for (let j = 0; j < d; j++) av[j] = av[j]! + (X[i * d + j]! * z) / n;
    }
    let r = 0;
    let nrm = 0;
    for (let j = 0; j < d; j++) {
      r += v[j]! * av[j]!;
      nrm += av[j]! ** 2;
    }
    let r2 = 0;
    for (let j = 0; j < d; j++) r2 += (av[j]! - r * v[j]!) ** 2;
    res = Math.sqrt(r2);
    const prev = rho;
    rho = r;
    if (nrm === 0) break;
    v = av.map((t) => t / Math.sqrt(nrm));
    if (Math.abs(rho - prev) <= 1e-12 * rho && res <= 1e-6 * rho) break;
  }
  return { lambdaMax: rho + res, maxRowNorm2, method: 'power iteration (Rayleigh quotient + residual)' };
}

/**
 * Build one of the GLM families on LIBSVM data (a9a, w8a, or a user's own
 * file), with the same objective and derivation of constants as the synthetic
 * family (see `nclogreg`, `robustRegression`, `sigmoidClassification`):
 *
 * - 'nclogreg': F(w) = (1/n) Σ log(1 + exp(−y_i x_iᵀw)) + λ Σ w_j²/(1 + w_j²), L = λ_max(XᵀX/n)/4 + 2λ;
 * - 'robust-cauchy' | 'robust-gemanmcclure' | 'robust-welsch': F(w) = (1/n) Σ ρ_c(x_iᵀw − y_i), L = λ_max(XᵀX/n);
 * - 'sigmoid': F(w) = (1/n) Σ (1 − σ(y_i x_iᵀw)), L = λ_max(XᵀX/n)/(6√3).
 *
 * Classification families need exactly two distinct labels (mapped to ±1,
 * the larger to +1); regression keeps the labels as targets. The features are
 * used as given (add `bias: true` for an intercept column). x0(key) draws
 * w ~ N(0, s²I) with s = 1/√(mean_i ||x_i||²), so that initial margins have
 * unit scale. All constants are global; F_low = 0. The dense design matrix
 * (n × d float64) must fit the budget `maxDenseEntries` (default
 * DEFAULT_MAX_DENSE_ENTRIES = 2²⁵ entries, 256 MiB); a larger one is refused
 * with a LibsvmParseError before anything is allocated.
 *
 * @example
 * const p = libsvmProblem('test/fixtures/tiny.svm', { family: 'nclogreg' });
 * p.id;     // 'nclogreg-tiny_d8_n12_i0'
 * p.family; // 'nclogreg-tiny' (the tags hold 'nclogreg', 'libsvm', ...)
 * p.value(p.x0(key(0)));
 */
export function libsvmProblem(source: LibsvmSource, opts: LibsvmProblemOptions): FiniteSumProblem {
  const family = opts.family;
  if (!FAMILIES.includes(family)) {
    throw new ProblemArgumentError('libsvm', `unknown family ${String(family)}; expected one of ${FAMILIES.join(', ')}`);
  }
  const classification = family === 'nclogreg' || family === 'sigmoid';
  let parsed: LibsvmData;
  let name = opts.name;
  // parse to CSR only: the problem builds its own dense matrix (with the bias column) once, within the budget
  const parseOpts: LibsvmOptions = { ...opts, labels: classification ? 'binary' : 'raw', dense: false };
  if (typeof source === 'string') {
    name ??= basename(source).replace(/\.[^.]*$/, '');
    parsed = parseLibsvm(readFileSync(source), { ...parseOpts, source: parseOpts.source ?? source });
  } else if (isParsed(source)) {
    parsed = source;
    if (classification && source.labelMap === null && !Array.from(source.y).every((t) => t === 1 || t === -1)) {
      throw new ProblemArgumentError('libsvm', `family ${family} needs labels ±1 (parse with labels: 'binary' or 'auto')`);
    }
  } else {
    parsed = parseLibsvm(source.text, parseOpts);
  }
  name = (name ?? 'data').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'data';
  const { n } = parsed;
  const bias = opts.bias ?? false;
  const d = parsed.nFeatures + (bias ? 1 : 0);
  const budget = opts.maxDenseEntries ?? DEFAULT_MAX_DENSE_ENTRIES;
  if (n * d > budget) throw new LibsvmParseError(opts.source ?? (typeof source === 'string' ? source : '<input>'), 0, denseBudgetMessage(n, d, budget));
  const X = new Float64Array(n * d);
  const { rowPtr, col, val } = parsed.csr;
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) X[i * d + col[p]!] = val[p]!;
    if (bias) X[i * d + d - 1] = 1;
  }
  const y = Float64Array.from(parsed.y);
  const f = facts(X, n, d);
  let meanRow2 = 0;
  for (let t = 0; t < X.length; t++) meanRow2 += X[t]! ** 2;
  meanRow2 /= n;
  const initStd = meanRow2 > 0 ? 1 / Math.sqrt(meanRow2) : 1;

  let phi: MarginLoss;
  let L: SmoothnessConstant;
  let lambda = 0;
  let c = 1;
  if (family === 'nclogreg') {
    lambda = opts.lambda ?? 0.1;
    if (!(lambda >= 0 && Number.isFinite(lambda))) throw new ProblemArgumentError('libsvm', `lambda must be finite and ≥ 0, got ${lambda}`);
    phi = logisticLoss;
    L = {
      value: roundUp(0.25 * f.lambdaMax + ncRegulariser.maxCurvature * lambda),
      kind: 'global',
      perSample: roundUp(0.25 * f.maxRowNorm2 + ncRegulariser.maxCurvature * lambda),
    };
  } else if (family === 'sigmoid') {
    phi = sigmoidLoss;
    L = {
      value: roundUp(SIGMOID_MAX_CURVATURE * f.lambdaMax),
      kind: 'global',
      perSample: roundUp(SIGMOID_MAX_CURVATURE * f.maxRowNorm2),
    };
  } else {
    c = opts.c ?? 1;
    if (!(c > 0 && Number.isFinite(c))) throw new ProblemArgumentError('libsvm', `c must be finite and > 0, got ${c}`);
    const rl = robustLoss(family.slice('robust-'.length) as RobustLossName, c);
    phi = rl;
    L = { value: roundUp(rl.maxCurvature * f.lambdaMax), kind: 'global', perSample: roundUp(rl.maxCurvature * f.maxRowNorm2) };
  }
  // The family field is the id's prefix (objective family and data set), e.g. 'nclogreg-a9a'.
  const id = `${family}-${name}_d${d}_n${n}_i0`;
  const parts = glmParts({ X, y, n, d }, phi);
  return finiteSumProblem({
    id,
    family: `${family}-${name}`,
    tags: [
      family,
      'finite-sum',
      'nonconvex',
      'glm',
      classification ? 'classification' : 'regression',
      'real-data',
      'libsvm',
      ...(family.startsWith('robust') ? ['robust'] : []),
      ...(family === 'sigmoid' ? ['bounded'] : []),
    ],
    dim: d,
    n,
    blocks: glmBlocks(d),
    constants: { L, F_low: 0, noiseVanishesAtStationary: false },
    ...parts,
    ...(family === 'nclogreg'
      ? {
          shared: {
            value: (w: Float64Array) => lambda * ncRegulariser.value(w),
            gradInto: (w: Float64Array, out: Float64Array) => ncRegulariser.gradInto(w, out, lambda),
          },
          regularizer: (params: readonly Tensor[]) => mul(lambda, ncRegulariser.tensor(params[0]!)),
        }
      : {}),
    x0: (k) => normal(k, d, 0, initStd),
    info: {
      dataset: name,
      baseFamily: family,
      labelMap: parsed.labelMap,
      bias,
      lambdaMaxGram: f.lambdaMax,
      lambdaMaxMethod: f.method,
      ...(family === 'nclogreg' ? { lambda } : {}),
      ...(family.startsWith('robust') ? { c } : {}),
    },
  });
}
