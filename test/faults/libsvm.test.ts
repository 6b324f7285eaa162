/** LIBSVM guards (#16 item 7): option values that switch guards off or wrap indices, and the dense allocation budget. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_DENSE_ENTRIES, LibsvmParseError, parseLibsvm } from '../../problems/data/libsvm.js';
import { libsvmProblem } from '../../problems/data/libsvmProblem.js';

describe('#16.7 LIBSVM guards', () => {
  it('maxFeatures above 2³¹ − 1 is refused instead of wrapping column indices', () => {
    const text = `1 ${2 ** 31 + 5}:1\n`;
    let caught: unknown = null;
    try {
      const d = parseLibsvm(text, { maxFeatures: 2 ** 33, dense: false });
      // today's bug: the index wraps to a negative Int32 column
      expect(d.csr.col[0]).toBe(2 ** 31 + 4);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LibsvmParseError);
    expect(String(caught)).toMatch(/maxFeatures/);
  });

  it('NaN, negative or non-numeric guards are refused, not switched off', () => {
    for (const opt of [{ maxChars: NaN }, { maxChars: -1 }, { maxNonZeros: NaN }, { maxDenseEntries: Infinity }, { maxFeatures: 0.5 }] as const) {
      expect(() => parseLibsvm('1 1:1\n', opt), JSON.stringify(opt)).toThrow(LibsvmParseError);
    }
  });

  it('a tiny file cannot allocate beyond the dense budget, in the parser and in libsvmProblem', () => {
    // 10 lines, ~150 bytes, naming feature 4·10⁶: 4·10⁷ dense entries (320 MB) before the fix
    const text = '1 4000000:1\n-1 4000000:1\n'.repeat(5);
    expect(text.length).toBeLessThan(200);
    expect(10 * 4e6).toBeGreaterThan(DEFAULT_MAX_DENSE_ENTRIES);
    expect(() => parseLibsvm(text)).toThrow(/dense matrix 10 × 4000000 .* budget/);
    expect(() => libsvmProblem({ text }, { family: 'nclogreg' })).toThrow(/dense matrix 10 × 4000000 .* budget/);
    // CSR alone is fine
    expect(parseLibsvm(text, { dense: false }).csr.rows).toBe(10);
  });
});
