/** A strict reader for LIBSVM / svmlight text files: every malformed line is reported with its number and what was wrong. */

/**
 * Thrown for malformed input. `line` is the 1-based line number of the
 * offending line, or 0 when the input as a whole is at fault (empty, too large).
 */
export class LibsvmParseError extends Error {
  readonly line: number;
  /** The source name (file path or '<input>'). */
  readonly source: string;
  constructor(source: string, line: number, message: string) {
    super(line > 0 ? `${source}:${line}: ${message}` : `${source}: ${message}`);
    this.name = 'LibsvmParseError';
    this.line = line;
    this.source = source;
  }
}

/** Compressed sparse rows: row i owns entries rowPtr[i] .. rowPtr[i+1]−1 (0-based column indices). */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

export interface LibsvmData {
  /** Number of rows (data lines). */
  readonly n: number;
  /** Number of features (columns). */
  readonly nFeatures: number;
  /** Dense row-major n × nFeatures features (null when `dense: false`). */
  readonly X: Float64Array | null;
  /** The same features as CSR (always present). */
  readonly csr: CsrMatrix;
  /** Targets: the labels as read, or ±1 after the binary mapping. */
  readonly y: Float64Array;
  /** For binary mapping: the original label values sent to −1 and +1 (null when labels are kept raw). */
  readonly labelMap: { readonly negative: number; readonly positive: number } | null;
}

export interface LibsvmOptions {
  /**
   * Number of features. Indices beyond it are an error. Default: the largest
   * index seen (as a count, so 1-based index k means k features).
   */
  readonly nFeatures?: number;
  /** Indices start at 0 instead of the usual 1. */
  readonly zeroBased?: boolean;
  /**
   * 'auto' (default): map to ±1 when there are exactly two distinct labels
   * (the smaller to −1, the larger to +1), else keep them; 'binary': require
   * exactly two distinct labels and map them; 'raw': keep the labels as read
   * (regression targets).
   */
  readonly labels?: 'auto' | 'binary' | 'raw';
  /** Also build the dense matrix X (default true). */
  readonly dense?: boolean;
  /**
   * Size guards, each a positive integer (defaults: 256 MiB of text, 10⁷ features,
   * {@link DEFAULT_MAX_DENSE_ENTRIES} dense entries, 10⁸ non-zeros). Features and
   * non-zeros are at most 2³¹ − 1 (CSR indices are 32-bit).
   */
  readonly maxChars?: number;
  readonly maxFeatures?: number;
  readonly maxDenseEntries?: number;
  readonly maxNonZeros?: number;
  /** Name used in error messages (default '<input>'). */
  readonly source?: string;
}

/** The dense budget: 2²⁵ entries, 256 MiB of float64 (a9a needs 4·10⁶, w8a 1.5·10⁷). */
export const DEFAULT_MAX_DENSE_ENTRIES = 2 ** 25;

/** The largest value of maxFeatures and maxNonZeros: CSR column indices and row pointers are Int32. */
export const MAX_INT32 = 2 ** 31 - 1;

/** Check a guard option: a positive safe integer, at most `max`. */
function guard(source: string, name: string, v: number | undefined, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max) {
    throw new LibsvmParseError(source, 0, `option ${name} must be an integer in [1, ${max === MAX_INT32 ? '2³¹ − 1' : max}], got ${String(v)}`);
  }
  return v;
}

/** The message of a dense matrix over the budget. */
export function denseBudgetMessage(n: number, d: number, budget: number): string {
  return `dense matrix ${n} × ${d} = ${n * d} entries (${Math.ceil((n * d * 8) / 2 ** 20)} MiB) exceeds the dense budget maxDenseEntries = ${budget}; pass dense: false for CSR only, or raise maxDenseEntries`;
}

/** A decimal number: optional sign, digits with optional fraction (or a leading-dot fraction), optional exponent. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INDEX = /^\d+$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** Show a token in an error message (truncated, control characters escaped). */
function show(token: string): string {
  const t = token.length > 40 ? `${token.slice(0, 40)}…` : token;
  return JSON.stringify(t);
}

/**
 * Parse LIBSVM / svmlight text (the sparse format of Joachims' SVM-light and of
 * Chang and Lin, "LIBSVM: a library for support vector machines", ACM TIST 2011,
 * in which a9a, w8a, rcv1 and the other LIBSVM data sets are distributed): one sample per line,
 * `<label> [qid:<q>] <index>:<value> <index>:<value> ... [# comment]`, indices
 * strictly increasing (1-based unless `zeroBased`). Blank lines and `#`
 * comments are skipped; `qid:` is accepted and ignored. A Buffer/Uint8Array is
 * read as Latin-1 (LIBSVM files are ASCII; other bytes can only appear in
 * comments). Any other deviation throws {@link LibsvmParseError} naming the
 * line: bad label, bad index, index 0 in a 1-based file, non-increasing
 * indices, bad value, NaN or ∞, index beyond `nFeatures`, size guards.
 *
 * @example
 * const d = parseLibsvm('+1 1:0.5 3:2\n-1 2:1\n');
 * d.n;          // 2
 * d.nFeatures;  // 3
 * d.X;          // Float64Array [0.5, 0, 2, 0, 1, 0]
 * d.y;          // Float64Array [1, -1]
 * parseLibsvm('+1 3:1 2:1'); // throws LibsvmParseError "<input>:1: non-increasing indices: 2 after 3"
 */
export function parseLibsvm(input: string | Uint8Array, opts: LibsvmOptions = {}): LibsvmData {
  const source = opts.source ?? '<input>';
  const zeroBased = opts.zeroBased ?? false;
  const labelMode = opts.labels ?? 'auto';
  const maxChars = guard(source, 'maxChars', opts.maxChars, 256 * 2 ** 20);
  const maxFeatures = guard(source, 'maxFeatures', opts.maxFeatures, 1e7, MAX_INT32);
  const maxDense = guard(source, 'maxDenseEntries', opts.maxDenseEntries, DEFAULT_MAX_DENSE_ENTRIES);
  const maxNonZeros = guard(source, 'maxNonZeros', opts.maxNonZeros, 1e8, MAX_INT32);
  const wantDense = opts.dense ?? true;
  if (labelMode !== 'auto' && labelMode !== 'binary' && labelMode !== 'raw') {
    throw new LibsvmParseError(source, 0, `option labels must be 'auto', 'binary' or 'raw', got ${String(labelMode)}`);
  }
  if (opts.nFeatures !== undefined && !(Number.isSafeInteger(opts.nFeatures) && opts.nFeatures >= 1)) {
    throw new LibsvmParseError(source, 0, `option nFeatures must be an integer ≥ 1, got ${String(opts.nFeatures)}`);
  }
  if (opts.nFeatures !== undefined && opts.nFeatures > maxFeatures) {
    throw new LibsvmParseError(source, 0, `option nFeatures = ${opts.nFeatures} exceeds the guard maxFeatures = ${maxFeatures}`);
  }
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (input instanceof Uint8Array) {
    if (input.length > maxChars) {
      throw new LibsvmParseError(source, 0, `input has ${input.length} bytes, more than the guard maxChars = ${maxChars}`);
    }
    text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  } else {
    throw new LibsvmParseError(source, 0, 'input must be a string, Buffer or Uint8Array');
  }
  if (text.length > maxChars) {
    throw new LibsvmParseError(source, 0, `input has ${text.length} characters, more than the guard maxChars = ${maxChars}`);
  }

  const labels: number[] = [];
  const rowLine: number[] = [];
  const rowPtr: number[] = [0];
  const cols: number[] = [];
  const vals: number[] = [];
  const minIndex = zeroBased ? 0 : 1;
  let maxCol = -1;
  const lines = text.split(/\r\n|\n|\r/);
  for (let ln = 0; ln < lines.length; ln++) {
    const lineNo = ln + 1;
    const fail = (msg: string): never => {
      throw new LibsvmParseError(source, lineNo, msg);
    };
    let line = lines[ln]!;
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    const tokens = line.split(/[ \t]+/).filter((t) => t.length > 0);
    if (tokens.length === 0) continue;
    const labelTok = tokens[0]!;
    if (labelTok.includes(':')) fail(`missing label: the line starts with the feature ${show(labelTok)}`);
    if (NON_FINITE.test(labelTok)) fail(`label ${show(labelTok)} is not finite (NaN or ∞)`);
    if (!NUMBER.test(labelTok)) fail(`bad label ${show(labelTok)}: expected a number`);
    const label = Number(labelTok);
    if (!Number.isFinite(label)) fail(`label ${show(labelTok)} overflows to ${label}`);
    let prev = -1;
    for (let t = 1; t < tokens.length; t++) {
      const tok = tokens[t]!;
      const colon = tok.indexOf(':');
      if (colon < 0) fail(`bad feature ${show(tok)}: expected <index>:<value>`);
      const idxTok = tok.slice(0, colon);
      const valTok = tok.slice(colon + 1);
      if (idxTok === 'qid') {
        if (t !== 1) fail(`qid must come right after the label, found ${show(tok)} at position ${t + 1}`);
        if (!INDEX.test(valTok)) fail(`bad qid ${show(valTok)}: expected a non-negative integer`);
        continue;
      }
      if (!INDEX.test(idxTok)) fail(`bad index ${show(idxTok)} in ${show(tok)}: expected a non-negative integer`);
      const index = Number(idxTok);
      if (!Number.isSafeInteger(index)) fail(`bad index ${show(idxTok)}: too large`);
      if (index < minIndex) fail(`index 0 in ${show(tok)}, but indices are 1-based (pass zeroBased: true for 0-based files)`);
      if (index <= prev) fail(`non-increasing indices: ${index} after ${prev}`);
      prev = index;
      const c = index - minIndex;
      if (opts.nFeatures !== undefined && c >= opts.nFeatures) {
        fail(`index ${index} exceeds nFeatures = ${opts.nFeatures}${zeroBased ? ' (0-based: the largest index is nFeatures − 1)' : ''}`);
      }
      if (c + 1 > maxFeatures) fail(`index ${index} exceeds the guard maxFeatures = ${maxFeatures}`);
      if (NON_FINITE.test(valTok)) fail(`value ${show(valTok)} for index ${index} is not finite (NaN or ∞)`);
      if (!NUMBER.test(valTok)) fail(`bad value ${show(valTok)} for index ${index}: expected a number`);
      const v = Number(valTok);
      if (!Number.isFinite(v)) fail(`value ${show(valTok)} for index ${index} overflows to ${v}`);
      cols.push(c);
      vals.push(v);
      if (cols.length > maxNonZeros) fail(`more than the guard maxNonZeros = ${maxNonZeros} non-zeros`);
      if (c > maxCol) maxCol = c;
    }
    labels.push(label);
    rowLine.push(lineNo);
    rowPtr.push(cols.length);
  }
  const n = labels.length;
  if (n === 0) throw new LibsvmParseError(source, 0, 'no data lines (only blank lines or comments)');
  const nFeatures = opts.nFeatures ?? Math.max(maxCol + 1, 1);
  if (wantDense && n * nFeatures > maxDense) {
    throw new LibsvmParseError(source, 0, denseBudgetMessage(n, nFeatures, maxDense));
  }

  // labels
  const y = Float64Array.from(labels);
  let labelMap: LibsvmData['labelMap'] = null;
  if (labelMode !== 'raw') {
    const distinct = [...new Set(labels)].sort((a, b) => a - b);
    if (distinct.length === 2) {
      const [neg, pos] = distinct as [number, number];
      labelMap = { negative: neg, positive: pos };
      for (let i = 0; i < n; i++) y[i] = labels[i] === pos ? 1 : -1;
    } else if (labelMode === 'binary') {
      // name the first line that brings a third label (or the first line when there is only one)
      const seen = new Set<number>();
      let at = rowLine[0]!;
      for (let i = 0; i < n; i++) {
        seen.add(labels[i]!);
        if (seen.size === 3) {
          at = rowLine[i]!;
          break;
        }
      }
      throw new LibsvmParseError(
        source,
        at,
        distinct.length === 1
          ? `binary labels required but every line has the label ${distinct[0]}`
          : `binary labels required but this line brings a third distinct label (${distinct.length} in all: ${distinct.slice(0, 5).join(', ')}${distinct.length > 5 ? ', …' : ''})`,
      );
    }
  }

  const csr: CsrMatrix = {
    rows: n,
    cols: nFeatures,
    rowPtr: Int32Array.from(rowPtr),
    col: Int32Array.from(cols),
    val: Float64Array.from(vals),
  };
  let X: Float64Array | null = null;
  if (wantDense) {
    X = new Float64Array(n * nFeatures);
    for (let i = 0; i < n; i++) {
      for (let p = csr.rowPtr[i]!; p < csr.rowPtr[i + 1]!; p++) X[i * nFeatures + csr.col[p]!] = csr.val[p]!;
    }
  }
  return { n, nFeatures, X, csr, y, labelMap };
}
