// LIBSVM reader: parsing, line-numbered errors, size guards, a fuzz property, and families 1–3 on LIBSVM data.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { key } from '../../src/rng/index.js';
import { LibsvmParseError, parseLibsvm, type LibsvmData } from '../../problems/data/libsvm.js';
import { libsvmProblem, type LibsvmFamily } from '../../problems/data/libsvmProblem.js';
import { describeProblemContract } from './contract.js';

const TINY = fileURLToPath(new URL('../fixtures/tiny.svm', import.meta.url));
const TINY_REG = fileURLToPath(new URL('../fixtures/tiny-regression.svm', import.meta.url));

/** Throws unless `fn` throws a LibsvmParseError at `line` whose message matches `pattern`. */
function expectParseError(fn: () => unknown, line: number, pattern: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(LibsvmParseError);
  const err = caught as LibsvmParseError;
  expect(err.line).toBe(line);
  expect(err.message).toMatch(pattern);
}

/** The invariants of a successful parse. */
function checkWellFormed(d: LibsvmData): void {
  expect(Number.isSafeInteger(d.n) && d.n >= 1).toBe(true);
  expect(Number.isSafeInteger(d.nFeatures) && d.nFeatures >= 1).toBe(true);
  expect(d.y.length).toBe(d.n);
  for (const v of d.y) expect(Number.isFinite(v)).toBe(true);
  const { rowPtr, col, val } = d.csr;
  expect(d.csr.rows).toBe(d.n);
  expect(d.csr.cols).toBe(d.nFeatures);
  expect(rowPtr.length).toBe(d.n + 1);
  expect(rowPtr[0]).toBe(0);
  expect(rowPtr[d.n]).toBe(col.length);
  expect(val.length).toBe(col.length);
  for (let i = 0; i < d.n; i++) {
    expect(rowPtr[i + 1]!).toBeGreaterThanOrEqual(rowPtr[i]!);
    for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
      expect(col[p]! >= 0 && col[p]! < d.nFeatures).toBe(true);
      if (p > rowPtr[i]!) expect(col[p]!).toBeGreaterThan(col[p - 1]!);
      expect(Number.isFinite(val[p]!)).toBe(true);
    }
  }
  if (d.X !== null) {
    expect(d.X.length).toBe(d.n * d.nFeatures);
    let nz = 0;
    for (const v of d.X) {
      expect(Number.isFinite(v)).toBe(true);
      if (v !== 0) nz++;
    }
    let csrNz = 0;
    for (let i = 0; i < d.n; i++) {
      for (let p = rowPtr[i]!; p < rowPtr[i + 1]!; p++) {
        expect(d.X[i * d.nFeatures + col[p]!]).toBe(val[p]);
        if (val[p] !== 0) csrNz++;
      }
    }
    expect(nz).toBe(csrNz);
  }
  if (d.labelMap !== null) for (const v of d.y) expect(v === 1 || v === -1).toBe(true);
}

describe('parseLibsvm: well-formed input', () => {
  it('reads the a9a-like fixture (comments, blank line, trailing comment)', () => {
    const d = parseLibsvm(readFileSync(TINY, 'utf8'));
    checkWellFormed(d);
    expect(d.n).toBe(12);
    expect(d.nFeatures).toBe(8);
    expect(Array.from(d.y.slice(0, 4))).toEqual([-1, 1, -1, 1]);
    expect(d.labelMap).toEqual({ negative: -1, positive: 1 });
    expect(Array.from(d.X!.slice(0, 8))).toEqual([1, 0, 1, 0, 0, 1, 0, 0]);
    expect(Array.from(d.X!.slice(5 * 8, 6 * 8))).toEqual([0, 1, 0, 1, 0, 0, 0, 1]); // the line with a trailing comment
  });

  it('the same result from a string and from bytes; CRLF and tabs are fine', () => {
    const text = '+1 1:0.5\t3:2\r\n-1 2:1e-3\r\n';
    const a = parseLibsvm(text);
    const b = parseLibsvm(Buffer.from(text));
    expect(Array.from(a.X!)).toEqual([0.5, 0, 2, 0, 0.001, 0]);
    expect(Array.from(b.X!)).toEqual(Array.from(a.X!));
    expect(Array.from(b.y)).toEqual([1, -1]);
  });

  it('label mapping: {0, 1} → ±1 with the map recorded; three labels stay raw in auto mode', () => {
    const d = parseLibsvm('0 1:1\n1 2:1\n0 1:2\n');
    expect(Array.from(d.y)).toEqual([-1, 1, -1]);
    expect(d.labelMap).toEqual({ negative: 0, positive: 1 });
    const m = parseLibsvm('1 1:1\n2 1:1\n3 1:1\n');
    expect(Array.from(m.y)).toEqual([1, 2, 3]);
    expect(m.labelMap).toBeNull();
    const r = parseLibsvm('0 1:1\n1 1:1\n', { labels: 'raw' });
    expect(Array.from(r.y)).toEqual([0, 1]);
  });

  it('options: nFeatures pads, zeroBased shifts, dense: false gives CSR only, qid is ignored', () => {
    const d = parseLibsvm('1 2:3\n-1 1:1\n', { nFeatures: 4 });
    expect(d.nFeatures).toBe(4);
    expect(Array.from(d.X!)).toEqual([0, 3, 0, 0, 1, 0, 0, 0]);
    const z = parseLibsvm('1 0:3 2:1\n-1 1:1\n', { zeroBased: true });
    expect(Array.from(z.X!)).toEqual([3, 0, 1, 0, 1, 0]);
    const c = parseLibsvm('1 2:3\n-1 1:1\n', { dense: false });
    expect(c.X).toBeNull();
    checkWellFormed(c);
    const q = parseLibsvm('2 qid:7 1:1 3:0.5\n1 qid:7 2:1\n');
    expect(q.nFeatures).toBe(3);
    expect(Array.from(q.y)).toEqual([1, -1]);
  });

  it('a row with no features is a row of zeros', () => {
    const d = parseLibsvm('+1\n-1 2:1\n');
    expect(d.n).toBe(2);
    expect(Array.from(d.X!)).toEqual([0, 0, 0, 1]);
  });

  it('round trip: random sparse data written in LIBSVM form parses back exactly', () => {
    const row = fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 8 }).chain((idx) =>
      fc.tuple(
        fc.constant([...idx].sort((a, b) => a - b)),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: idx.length, maxLength: idx.length }),
        fc.integer({ min: -3, max: 3 }),
      ),
    );
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (rows) => {
        const text = rows.map(([idx, vals, lab]) => [String(lab), ...idx.map((j, t) => `${j}:${vals[t]}`)].join(' ')).join('\n');
        const d = parseLibsvm(text, { labels: 'raw', nFeatures: 30 });
        checkWellFormed(d);
        expect(d.n).toBe(rows.length);
        rows.forEach(([idx, vals, lab], i) => {
          expect(d.y[i]).toBe(lab);
          idx.forEach((j, t) => expect(d.X![i * 30 + j - 1]).toBe(vals[t] === 0 ? 0 : vals[t]));
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseLibsvm: malformed lines are reported with their line number', () => {
  const cases: [string, string, number, RegExp, Parameters<typeof parseLibsvm>[1]?][] = [
    ['bad label', '+1 1:1\nabc 1:1\n', 2, /bad label "abc"/],
    ['missing label', '+1 1:1\n\n3:1 4:1\n', 3, /missing label/],
    ['feature without a colon', '+1 1:1 2\n', 1, /bad feature "2": expected <index>:<value>/],
    ['bad index', '+1 a:1\n', 1, /bad index "a"/],
    ['negative index', '+1 -2:1\n', 1, /bad index "-2"/],
    ['fractional index', '+1 1.5:1\n', 1, /bad index "1.5"/],
    ['index 0 in a 1-based file', '-1 1:1\n+1 0:1 2:1\n', 2, /index 0 .* 1-based .*zeroBased/],
    ['non-increasing indices', '+1 3:1 2:1\n', 1, /non-increasing indices: 2 after 3/],
    ['duplicate index', '# header\n+1 1:1 1:2\n', 2, /non-increasing indices: 1 after 1/],
    ['bad value', '+1 1:1\n-1 2:x\n', 2, /bad value "x" for index 2/],
    ['empty value', '+1 1:\n', 1, /bad value "" for index 1/],
    ['NaN value', '+1 1:1\n+1 1:1\n-1 4:nan\n', 3, /value "nan" for index 4 is not finite/],
    ['infinite value', '+1 2:-inf\n', 1, /not finite/],
    ['overflowing value', '+1 2:1e999\n', 1, /overflows to Infinity/],
    ['NaN label', 'NaN 1:1\n', 1, /label "NaN" is not finite/],
    ['hex value', '+1 1:0x10\n', 1, /bad value "0x10"/],
    ['index beyond nFeatures', '+1 1:1\n-1 5:1\n', 2, /index 5 exceeds nFeatures = 4/, { nFeatures: 4 }],
    ['qid not first', '+1 1:1 qid:3\n', 1, /qid must come right after the label/],
    ['binary labels required', '1 1:1\n2 1:1\n\n3 1:1\n', 4, /third distinct label/, { labels: 'binary' }],
    ['index beyond the features guard', '+1 1:1 99999:1\n', 1, /exceeds the guard maxFeatures = 1000/, { maxFeatures: 1000 }],
  ];
  it.each(cases)('%s', (_name, text, line, pattern, opts) => {
    expectParseError(() => parseLibsvm(text, opts), line, pattern);
  });

  it('errors name the source file', () => {
    expect(() => parseLibsvm('+1 2:1 1:1', { source: 'a9a.txt' })).toThrow(/^a9a\.txt:1: non-increasing/);
  });

  it('whole-input problems have line 0: empty input, size guards, bad options', () => {
    expectParseError(() => parseLibsvm(''), 0, /no data lines/);
    expectParseError(() => parseLibsvm('# only a comment\n\n'), 0, /no data lines/);
    expectParseError(() => parseLibsvm('+1 1:1\n'.repeat(100), { maxChars: 50 }), 0, /more than the guard maxChars = 50/);
    expectParseError(() => parseLibsvm(Buffer.from('+1 1:1\n'.repeat(100)), { maxChars: 50 }), 0, /bytes, more than the guard/);
    expectParseError(() => parseLibsvm('+1 1:1 1000:1\n-1 1:1\n', { maxDenseEntries: 100 }), 0, /dense matrix 2 × 1000 .*exceeds the dense budget .* dense: false/);
    expectParseError(() => parseLibsvm('+1 1:1\n', { nFeatures: 0 }), 0, /nFeatures must be an integer ≥ 1/);
    expectParseError(() => parseLibsvm(42 as unknown as string), 0, /must be a string, Buffer or Uint8Array/);
    expectParseError(() => parseLibsvm('+1 1:1\n'.repeat(20), { maxNonZeros: 10 }), 11, /maxNonZeros = 10/);
    expectParseError(() => parseLibsvm('+1 1:1\n', { labels: 'x' as never }), 0, /option labels/);
  });
});

describe('parseLibsvm: fuzz (arbitrary input either parses to well-formed data or throws LibsvmParseError)', () => {
  /** Count the lines of the input the way the parser does. */
  const lineCount = (s: string) => s.split(/\r\n|\n|\r/).length;

  function property(input: string | Uint8Array): void {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    let data: LibsvmData | null = null;
    try {
      data = parseLibsvm(input);
    } catch (e) {
      if (!(e instanceof LibsvmParseError)) throw e; // any other exception fails the property
      expect(Number.isSafeInteger(e.line)).toBe(true);
      expect(e.line).toBeGreaterThanOrEqual(0);
      expect(e.line).toBeLessThanOrEqual(lineCount(text));
      expect(e.message.length).toBeGreaterThan(10);
      return;
    }
    checkWellFormed(data);
  }

  it('arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), property), { numRuns: 1000 });
  });

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400, unit: 'binary' }), property), { numRuns: 1000 });
  });

  it('near-valid LIBSVM text (tokens drawn from a LIBSVM-like alphabet, so many inputs parse)', () => {
    const goodValue = fc.constantFrom('1', '0.5', '-2', '1e-3', '3.', '.5', '0');
    const badValue = fc.constantFrom('nan', 'abc', '1e400', '', 'inf', '--1', '1e');
    const goodLine = fc
      .tuple(
        fc.constantFrom('+1', '-1'),
        fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }),
        fc.array(goodValue, { minLength: 6, maxLength: 6 }),
        fc.constantFrom('', '', ' # note', '\t'),
      )
      .map(([lab, idx, vals, tail]) => [lab, ...[...idx].sort((a, b) => a - b).map((j, t) => `${j}:${vals[t]}`)].join(' ') + tail);
    const junk = fc.constantFrom('0:1', '3:1 2:1', 'x', ':', '1:', ':1', 'qid:1', '#', '1:1:1', 'nan', '2 1:1', '7');
    const mutate = (line: string, how: number, tok: string, bad: string): string => {
      switch (how) {
        case 0:
          return `${line} ${tok}`;
        case 1:
          return `${tok} ${line}`;
        case 2:
          return line.replace(/:[^ ]*/, `:${bad}`);
        default:
          return line;
      }
    };
    const line = fc
      .tuple(goodLine, fc.integer({ min: 0, max: 12 }), junk, badValue)
      .map(([l, how, tok, bad]) => mutate(l, how, tok, bad));
    const text = fc
      .tuple(fc.array(fc.oneof({ weight: 6, arbitrary: line }, { weight: 1, arbitrary: fc.constantFrom('', '# c', '  ') }), { maxLength: 10 }), fc.constantFrom('\n', '\r\n', '\r'))
      .map(([ls, nl]) => ls.join(nl));
    let parsed = 0;
    fc.assert(
      fc.property(text, (t) => {
        property(t);
        try {
          parseLibsvm(t);
          parsed++;
        } catch {
          // counted above
        }
      }),
      { numRuns: 2000 },
    );
    expect(parsed).toBeGreaterThan(200); // the generator reaches the success path too
  });

  it('does not hang on large pathological lines (linear time)', () => {
    const start = performance.now();
    expectParseError(() => parseLibsvm(`+1 ${':'.repeat(200000)}`), 1, /bad index/);
    expectParseError(() => parseLibsvm(`+1 ${'1'.repeat(200000)}:1`), 1, /too large|exceeds/);
    const many = `+1 ${Array.from({ length: 50000 }, (_, i) => `${i + 1}:1`).join(' ')}`;
    expect(parseLibsvm(many, { dense: false }).csr.col.length).toBe(50000);
    expect(performance.now() - start).toBeLessThan(5000);
  });
});

describe('libsvmProblem: families 1–3 on LIBSVM data', () => {
  const families: LibsvmFamily[] = ['nclogreg', 'sigmoid', 'robust-cauchy', 'robust-gemanmcclure', 'robust-welsch'];

  it.each(families)('%s: gradient = central differences of value; mean of per-sample gradients = gradient; F ≥ F_low', (family) => {
    const path = family.startsWith('robust') ? TINY_REG : TINY;
    const p = libsvmProblem(path, { family, bias: true });
    expect(p.family).toBe(`${family}-tiny${family.startsWith('robust') ? '-regression' : ''}`);
    expect(p.tags).toContain('libsvm');
    expect(p.tags).toContain(family);
    const x = p.x0(key(4));
    const g = p.gradient(x);
    for (let j = 0; j < p.dim; j++) {
      const h = 1e-6;
      const xp = x.slice();
      const xm = x.slice();
      xp[j]! += h;
      xm[j]! -= h;
      expect((p.value(xp) - p.value(xm)) / (2 * h)).toBeCloseTo(g[j]!, 6);
    }
    const all = { size: p.n, indices: Int32Array.from({ length: p.n }, (_, i) => i) };
    const rows = p.perSampleGrads(x, all);
    for (let j = 0; j < p.dim; j++) {
      let m = 0;
      for (let i = 0; i < p.n; i++) m += rows[i * p.dim + j]! / p.n;
      expect(m).toBeCloseTo(g[j]!, 12);
    }
    expect(p.value(x)).toBeGreaterThanOrEqual(p.constants.F_low);
  });

  it.each(families)('%s: the global L is not violated on random pairs', (family) => {
    const p = libsvmProblem(family.startsWith('robust') ? TINY_REG : TINY, { family });
    const L = p.constants.L.value;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const x = p.x0(key(seed));
        const y = p.x0(key(seed + 1_000_003));
        const gx = p.gradient(x);
        const gy = p.gradient(y);
        let num = 0;
        let den = 0;
        for (let j = 0; j < p.dim; j++) {
          num += (gx[j]! - gy[j]!) ** 2;
          den += (x[j]! - y[j]!) ** 2;
        }
        expect(Math.sqrt(num / den)).toBeLessThanOrEqual(L);
      }),
      { numRuns: 50 },
    );
  });

  it('ids, sources (path, text, parsed data) and the label map', () => {
    const a = libsvmProblem(TINY, { family: 'nclogreg' });
    expect(a.id).toBe('nclogreg-tiny_d8_n12_i0');
    const b = libsvmProblem({ text: readFileSync(TINY) }, { family: 'nclogreg', name: 'My Data!' });
    expect(b.id).toBe('nclogreg-my-data_d8_n12_i0');
    const x = a.x0(key(0));
    expect(b.value(x)).toBe(a.value(x));
    const c = libsvmProblem(parseLibsvm(readFileSync(TINY, 'utf8')), { family: 'nclogreg', name: 'tiny' });
    expect(c.value(x)).toBe(a.value(x));
    expect(a.info.labelMap).toEqual({ negative: -1, positive: 1 });
    expect(libsvmProblem(TINY, { family: 'nclogreg', bias: true }).dim).toBe(9);
  });

  it('nclogreg with λ: the regulariser is part of F (λ = 0 changes the value)', () => {
    const a = libsvmProblem(TINY, { family: 'nclogreg', lambda: 0.5 });
    const b = libsvmProblem(TINY, { family: 'nclogreg', lambda: 0 });
    const x = a.x0(key(1));
    let reg = 0;
    for (const w of x) reg += (0.5 * w * w) / (1 + w * w);
    expect(a.value(x) - b.value(x)).toBeCloseTo(reg, 12);
  });

  it('clear errors: classification on non-binary labels (with its line), unknown family, bad parameters', () => {
    expectParseError(() => libsvmProblem(TINY_REG, { family: 'sigmoid' }), 4, /third distinct label/); // line 1 is a comment
    expect(() => libsvmProblem(TINY, { family: 'svm' as LibsvmFamily })).toThrow(/unknown family svm; expected one of nclogreg/);
    expect(() => libsvmProblem(TINY, { family: 'robust-welsch', c: 0 })).toThrow(/c must be finite and > 0/);
    expect(() => libsvmProblem(TINY, { family: 'nclogreg', lambda: -1 })).toThrow(/lambda/);
    const raw = parseLibsvm('1 1:1\n2 1:1\n3 2:1\n');
    expect(() => libsvmProblem(raw, { family: 'nclogreg' })).toThrow(/needs labels ±1/);
  });
});

// The shared problem contract on every family built from the fixtures.
describeProblemContract([
  libsvmProblem(TINY, { family: 'nclogreg' }),
  libsvmProblem(TINY, { family: 'sigmoid', bias: true }),
  libsvmProblem(TINY_REG, { family: 'robust-cauchy' }),
  libsvmProblem(TINY_REG, { family: 'robust-gemanmcclure', c: 0.5 }),
  libsvmProblem(TINY_REG, { family: 'robust-welsch', bias: true }),
]);
