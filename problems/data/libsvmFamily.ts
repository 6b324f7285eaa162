/**
 * Your own LIBSVM/svmlight file as a problem id, usable from the CLI, configs and
 * sweeps: `libsvm:PATH?family=F[&lambda=λ][&c=c][&bias=1]`, with F one of
 * nclogreg, robust-cauchy, robust-gemanmcclure, robust-welsch, sigmoid (see
 * libsvmProblem for each objective and its constants). PATH is relative to the
 * working directory. The built problem is named `<F>-<file>_d<d>_n<n>_i0`.
 */
import type { Problem } from '../../src/problem/types.js';
import { shortId, type FamilyEntry } from '../common/family.js';
import { ProblemArgumentError } from '../common/validate.js';
import { libsvmProblem, type LibsvmFamily } from './libsvmProblem.js';

const OBJECTIVES: readonly LibsvmFamily[] = ['nclogreg', 'robust-cauchy', 'robust-gemanmcclure', 'robust-welsch', 'sigmoid'];
const OPTIONS = ['family', 'lambda', 'c', 'bias'];
const FORM = 'libsvm:PATH?family=<nclogreg|robust-cauchy|robust-gemanmcclure|robust-welsch|sigmoid>[&lambda=<λ>][&c=<c>][&bias=1]';

/** The parts of a `libsvm:` id. */
export interface LibsvmId {
  readonly path: string;
  readonly family: LibsvmFamily;
  readonly lambda?: number;
  readonly c?: number;
  readonly bias: boolean;
}

/**
 * Parse a `libsvm:` id.
 *
 * @example
 * parseLibsvmId('libsvm:data/a1a.svm?family=nclogreg&lambda=0.01');
 * // returns { path: 'data/a1a.svm', family: 'nclogreg', lambda: 0.01, bias: false }
 */
export function parseLibsvmId(id: string): LibsvmId {
  const m = /^libsvm:([^?]+)(?:\?(.*))?$/.exec(id);
  if (m === null) throw new ProblemArgumentError(shortId(id), `expected the form ${FORM}`);
  const path = m[1]!;
  const q = new URLSearchParams(m[2] ?? '');
  for (const k of q.keys()) {
    if (!OPTIONS.includes(k)) throw new ProblemArgumentError(shortId(id), `unknown option '${shortId(k, 20)}'; expected ${OPTIONS.join(', ')}`);
  }
  const family = q.get('family');
  if (family === null || !OBJECTIVES.includes(family as LibsvmFamily)) {
    throw new ProblemArgumentError(shortId(id), `family=${family === null ? '(missing)' : shortId(family, 20)}: expected one of ${OBJECTIVES.join(', ')}`);
  }
  const num = (k: string): number | undefined => {
    const v = q.get(k);
    if (v === null) return undefined;
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new ProblemArgumentError(shortId(id), `${k}=${shortId(v, 20)}: expected a finite number`);
    return x;
  };
  const bias = q.get('bias');
  if (bias !== null && bias !== '0' && bias !== '1') throw new ProblemArgumentError(shortId(id), `bias=${shortId(bias, 20)}: expected 0 or 1`);
  const lambda = num('lambda');
  const c = num('c');
  return { path, family: family as LibsvmFamily, ...(lambda !== undefined ? { lambda } : {}), ...(c !== undefined ? { c } : {}), bias: bias === '1' };
}

/** The `libsvm` family: a user's file, read when the id is built. */
export const libsvmFamily: FamilyEntry = {
  family: 'libsvm',
  idPattern: /^libsvm:[^?]+(\?.*)?$/,
  build(id: string): Problem {
    const o = parseLibsvmId(id);
    return libsvmProblem(o.path, { family: o.family, bias: o.bias, ...(o.lambda !== undefined ? { lambda: o.lambda } : {}), ...(o.c !== undefined ? { c: o.c } : {}) });
  },
  defaultIds: [],
  description:
    'A LIBSVM/svmlight file of your own as one of the GLM objectives of families 1–3 (nonconvex logistic regression, robust regression, sigmoid loss), by id libsvm:PATH?family=F; constants derived from the data as for the synthetic families.',
};
