// The backend contract: every kernel of every registered backend against plain-loop references, in float64 and float32.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getBackend, listBackends, withBackend, type Backend } from '../../src/backend/index.js';
import { OUTPUT_VJP_OPS, type BinaryOp, type OutputVjpOp, type UnaryOp } from '../../src/backend/backend.js';
import type { Arr, DType } from '../../src/tensor/tensor.js';
import {
  axesOf, broadcastShapes, fcParams, float, indices, matmulDims, permutation, shape, values,
} from '../arbitraries.js';
import { pool2dRef, unfoldRef, windowCase } from '../convArbitraries.js';

const RUNS = 40;
const SHAPES = { maxRank: 4, maxSide: 4, maxSize: 64 } as const;

/**
 * Test-side scalar references, one per kernel op. The Record types make a new op
 * in the Backend interface a compile error here until it has a reference row.
 */
const UNARY_REF: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
  relu: (x) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0), // NaN propagates, as in maximum
  sign: (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0),
  step: (x) => (x > 0 ? 1 : 0),
};
/**
 * unaryVjp's references: the composition it replaces, each product and difference rounded
 * in the dtype (r = fround in float32), so a backend must give the same bits.
 */
const OUTPUT_VJP_REF: Record<OutputVjpOp, (y: number, ct: number, r: (v: number) => number) => number> = {
  tanh: (y, ct, r) => r(ct * r(1 - r(y * y))),
  sigmoid: (y, ct, r) => r(ct * r(y * r(1 - y))),
};

/** Domains of the unary ops (positive for log and sqrt). */
const UNARY_DOMAIN: Partial<Record<UnaryOp, fc.Arbitrary<number>>> = {
  log: float({ min: 1e-3, max: 50 }),
  sqrt: float({ min: 0, max: 50 }),
  log1p: float({ min: -0.99, max: 50 }),
  exp: float({ min: -30, max: 30 }),
};

const BINARY_REF: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: Math.max,
  greater: (a, b) => +(a > b),
  greaterEqual: (a, b) => +(a >= b),
  less: (a, b) => +(a < b),
  lessEqual: (a, b) => +(a <= b),
  equal: (a, b) => +(a === b),
};

// ------------------------------------------------------------------ helpers

const size = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let i = 0; i < shape.length; i++) f = f * shape[i]! + idx[i]!;
  return f;
}

/** Flat position in an operand of `shape` paired by broadcasting with output index `outIdx`. */
function broadcastPos(shape: readonly number[], outIdx: readonly number[]): number {
  const lead = outIdx.length - shape.length;
  return ravel(shape.map((d, i) => (d === 1 ? 0 : outIdx[lead + i]!)), shape);
}

function buf(dtype: DType, v: ArrayLike<number>): Arr {
  return dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
}

/** Inputs rounded to the dtype, so references see exactly what the kernel sees. */
const rounded = (dtype: DType, v: readonly number[]): number[] => Array.from(buf(dtype, v));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, dtype: DType, what: string): void {
  const rel = dtype === 'float64' ? 1e-13 : 2e-6;
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = dtype === 'float32' ? Math.fround(expected[i]!) : expected[i]!;
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    expect(Math.abs(a - e), `${what} entry ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  }
}

// ------------------------------------------------------------------ the contract, once per backend and dtype

const DTYPES: readonly DType[] = ['float64', 'float32'];

describe.each(listBackends())('backend %s', (name) => {
  const backend = (): Backend => withBackend(name, () => getBackend());

  describe.each(DTYPES)('%s', (dtype) => {
    it('unary: every op matches its scalar reference, including ±0, ±∞ and NaN', () => {
      const edge = [0, -0, 1, -1, 1e-300, -1e-300, 700, -700, 800, -800];
      for (const op of Object.keys(UNARY_REF) as UnaryOp[]) {
        const ref = UNARY_REF[op];
        fc.assert(
          fc.property(fc.array(UNARY_DOMAIN[op] ?? float({ min: -50, max: 50 }), { maxLength: 40 }), (v) => {
            const x = rounded(dtype, v);
            const out = buf(dtype, new Array<number>(x.length).fill(0));
            backend().unary(op, buf(dtype, x), out);
            expectClose(out, x.map(ref), dtype, op);
          }),
          fcParams(RUNS / 4),
        );
        const x = rounded(dtype, [...edge, Infinity, -Infinity, NaN]);
        const out = buf(dtype, new Array<number>(x.length).fill(0));
        backend().unary(op, buf(dtype, x), out);
        expectClose(out, x.map(ref), dtype, `${op} at edge values`);
      }
    });

    it('unaryVjp: the same bits as the composed mul and sub, including ±0, ±∞ and NaN', () => {
      const r = dtype === 'float32' ? Math.fround : (v: number) => v;
      const edge = [0, -0, 1, -1, 0.5, 1e-300, 3, -3, Infinity, -Infinity, NaN];
      for (const op of OUTPUT_VJP_OPS) {
        const check = (y: number[], ct: number[], what: string) => {
          const out = buf(dtype, new Array<number>(y.length).fill(0));
          backend().unaryVjp(op, buf(dtype, y), buf(dtype, ct), out);
          y.forEach((v, i) => {
            const e = OUTPUT_VJP_REF[op](v, ct[i]!, r);
            expect(Object.is(out[i], e) || (Number.isNaN(out[i]!) && Number.isNaN(e)), `${op} ${what} entry ${i}: ${out[i]} vs ${e}`).toBe(true);
          });
        };
        fc.assert(
          fc.property(fc.array(fc.tuple(fc.integer({ min: -1e6, max: 1e6 }).map((k) => k / 1e6), float({ min: -50, max: 50 })), { maxLength: 300 }), (pairs) => {
            check(rounded(dtype, pairs.map((p) => p[0])), rounded(dtype, pairs.map((p) => p[1])), 'random');
          }),
          fcParams(RUNS / 4),
        );
        const y = rounded(dtype, edge.flatMap((v) => edge.map(() => v)));
        check(y, rounded(dtype, edge.flatMap(() => edge)), 'at edge values');
      }
    });

    it('binary: every op broadcasts like numpy', () => {
      const elem = fc.oneof(fc.integer({ min: -3, max: 3 }), float());
      const arb = broadcastShapes(2, SHAPES).chain(({ shapes: [sa, sb], out }) =>
        fc.tuple(fc.constant([sa!, sb!, out] as const), values(size(sa!), elem), values(size(sb!), elem)),
      );
      fc.assert(
        fc.property(arb, ([[sa, sb, so], va, vb]) => {
          const a = rounded(dtype, va);
          const b = rounded(dtype, vb);
          for (const op of Object.keys(BINARY_REF) as BinaryOp[]) {
            const out = buf(dtype, new Array<number>(size(so)).fill(0));
            backend().binary(op, buf(dtype, a), sa, buf(dtype, b), sb, out, so);
            const expected = Array.from({ length: size(so) }, (_, f) => {
              const idx = unravel(f, so);
              return BINARY_REF[op](a[broadcastPos(sa, idx)]!, b[broadcastPos(sb, idx)]!);
            });
            expectClose(out, expected, dtype, `${op} ${JSON.stringify([sa, sb])}`);
          }
        }),
        fcParams(RUNS),
      );
    });

    it('binary honours an outShape larger than the operands (broadcastTo relies on it)', () => {
      for (const [sa, sb, so] of [[[], [], [3]], [[1], [1], [2, 2]], [[2], [2], [3, 2]]] as const) {
        const a = rounded(dtype, Array.from({ length: size(sa) }, (_, i) => i + 1));
        const out = buf(dtype, new Array<number>(size(so)).fill(-1));
        backend().binary('add', buf(dtype, a), sa, buf(dtype, new Array<number>(size(sb)).fill(0)), sb, out, so);
        const expected = Array.from({ length: size(so) }, (_, f) => a[broadcastPos(sa, unravel(f, so))]!);
        expectClose(out, expected, dtype, `add ${JSON.stringify([sa, sb, so])}`);
      }
    });

    it('where selects with three-way broadcasting', () => {
      const arb = broadcastShapes(3, SHAPES).chain(({ shapes: [sc, sa, sb], out }) =>
        fc.tuple(
          fc.constant([sc!, sa!, sb!, out] as const),
          values(size(sc!), fc.constantFrom(0, 1, -1)),
          values(size(sa!)),
          values(size(sb!)),
        ),
      );
      fc.assert(
        fc.property(arb, ([[sc, sa, sb, so], vc, va, vb]) => {
          const a = rounded(dtype, va);
          const b = rounded(dtype, vb);
          const out = buf(dtype, new Array<number>(size(so)).fill(0));
          backend().where(buf(dtype, vc), sc, buf(dtype, a), sa, buf(dtype, b), sb, out, so);
          const expected = Array.from({ length: size(so) }, (_, f) => {
            const idx = unravel(f, so);
            return vc[broadcastPos(sc, idx)] !== 0 ? a[broadcastPos(sa, idx)]! : b[broadcastPos(sb, idx)]!;
          });
          expectClose(out, expected, dtype, 'where');
        }),
        fcParams(RUNS),
      );
    });

    it('reduce: sum and max over any sorted axis subset', () => {
      const arb = shape(SHAPES).chain((s) => fc.tuple(fc.constant(s), values(size(s)), axesOf(s, false)));
      fc.assert(
        fc.property(arb, ([s, v, rawAxes]) => {
          const axes = [...new Set((rawAxes ?? []).map((a) => (a < 0 ? a + s.length : a)))].sort((p, q) => p - q);
          const x = rounded(dtype, v);
          const kept = s.map((d, i) => (axes.includes(i) ? 1 : d));
          for (const op of ['sum', 'max'] as const) {
            const expected = new Array<number>(size(kept)).fill(op === 'sum' ? 0 : -Infinity);
            x.forEach((val, f) => {
              const o = ravel(unravel(f, s).map((u, i) => (axes.includes(i) ? 0 : u)), kept);
              expected[o] = op === 'sum' ? expected[o]! + val : Math.max(expected[o]!, val);
            });
            const out = buf(dtype, new Array<number>(size(kept)).fill(123));
            backend().reduce(op, buf(dtype, x), s, axes, out);
            expectClose(out, expected, dtype, `${op} over [${axes.join(', ')}] of [${s.join(', ')}]`);
          }
        }),
        fcParams(RUNS),
      );
    });

    it('matmul: all four transpose flags against the triple loop (exact zeros included)', () => {
      const elem = fc.oneof(float(), fc.constant(0));
      const arb = matmulDims(6).chain(([m, k, n]) => fc.tuple(fc.constant([m, k, n] as const), values(m * k, elem), values(k * n, elem)));
      fc.assert(
        fc.property(arb, ([[m, k, n], va, vb]) => {
          const A = rounded(dtype, va); // logical [m, k], row-major
          const B = rounded(dtype, vb); // logical [k, n], row-major
          const expected: number[] = [];
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * n + j]!;
              expected.push(s);
            }
          }
          const At = Array.from({ length: m * k }, (_, f) => A[(f % m) * k + Math.floor(f / m)]!); // stored [k, m]
          const Bt = Array.from({ length: k * n }, (_, f) => B[(f % k) * n + Math.floor(f / k)]!); // stored [n, k]
          for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            const out = buf(dtype, new Array<number>(m * n).fill(123));
            backend().matmul(buf(dtype, ta ? At : A), buf(dtype, tb ? Bt : B), m, k, n, out, ta, tb);
            expectClose(out, expected, dtype, `matmul transA=${ta} transB=${tb} [${m}, ${k}, ${n}]`);
          }
        }),
        fcParams(RUNS),
      );
    });

    it('transpose materialises any permutation', () => {
      const arb = shape(SHAPES).chain((s) => fc.tuple(fc.constant(s), values(size(s)), permutation(s.length)));
      fc.assert(
        fc.property(arb, ([s, v, perm]) => {
          const x = rounded(dtype, v);
          const so = perm.map((p) => s[p]!);
          const out = buf(dtype, new Array<number>(x.length).fill(0));
          backend().transpose(buf(dtype, x), s, perm, out);
          const expected = Array.from({ length: x.length }, (_, f) => {
            const idx = unravel(f, so);
            const src = new Array<number>(s.length);
            perm.forEach((p, i) => (src[p] = idx[i]!));
            return x[ravel(src, s)]!;
          });
          expectClose(out, expected, dtype, `transpose [${perm.join(', ')}]`);
        }),
        fcParams(RUNS),
      );
    });

    it('gatherRows and scatterAddRows (accumulating over repeated indices)', () => {
      const arb = fc
        .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 4 }))
        .chain(([rows, rowSize]) =>
          fc.tuple(fc.constant([rows, rowSize] as const), values(rows * rowSize), indices(rows, { minLength: 0 })).chain(([dims, x, idx]) =>
            fc.tuple(fc.constant(dims), fc.constant(x), fc.constant(idx), values(idx.length * dims[1])),
          ),
        );
      fc.assert(
        fc.property(arb, ([[rows, rowSize], vx, idx, vg]) => {
          const x = rounded(dtype, vx);
          const g = rounded(dtype, vg);
          const I = Int32Array.from(idx);
          const out = buf(dtype, new Array<number>(idx.length * rowSize).fill(0));
          backend().gatherRows(buf(dtype, x), rowSize, I, out);
          expectClose(out, idx.flatMap((i) => x.slice(i * rowSize, (i + 1) * rowSize)), dtype, 'gatherRows');
          const acc = rounded(dtype, Array.from({ length: rows * rowSize }, (_, i) => i % 3));
          const expected = acc.slice();
          idx.forEach((r, i) => {
            for (let j = 0; j < rowSize; j++) expected[r * rowSize + j] = expected[r * rowSize + j]! + g[i * rowSize + j]!;
          });
          const into = buf(dtype, acc);
          backend().scatterAddRows(buf(dtype, g), rowSize, I, into);
          expectClose(into, expected, dtype, 'scatterAddRows');
        }),
        fcParams(RUNS),
      );
    });

    it('unfold is im2col by its definition, and fold is its adjoint (⟨unfold x, c⟩ = ⟨x, fold c⟩)', () => {
      const arb = windowCase({ maxSide: 5 }).chain((g) =>
        fc.tuple(fc.constant(g), values(g.n * g.c * g.h * g.w), values(g.n * g.oh * g.ow * g.c * g.kh * g.kw)));
      fc.assert(
        fc.property(arb, ([g, vx, vc]) => {
          const x = rounded(dtype, vx);
          const cols = rounded(dtype, vc);
          const U = buf(dtype, new Array<number>(cols.length).fill(9));
          backend().unfold(buf(dtype, x), g, U);
          expectClose(U, unfoldRef(x, g), dtype, 'unfold');
          const F = buf(dtype, new Array<number>(x.length).fill(9));
          backend().fold(buf(dtype, cols), g, F);
          // fold(c)[j] = Σ of c over the window slots that read x[j]: the transpose of the unfold matrix
          const expected = new Array<number>(x.length).fill(0);
          for (let j = 0; j < x.length; j++) {
            const e = new Array<number>(x.length).fill(0);
            e[j] = 1;
            const col = unfoldRef(e, g);
            for (let k = 0; k < col.length; k++) expected[j] = expected[j]! + col[k]! * cols[k]!;
          }
          expectClose(F, expected, dtype, 'fold');
        }),
        fcParams(RUNS / 2),
      );
    });

    it('pool2d (max, avg) by the defining formula, and pool2dBackward as the VJP (avg: adjoint; max: to the first maximum)', () => {
      const arb = windowCase({ maxSide: 5 }, true).chain((g) =>
        fc.tuple(fc.constant(g), values(g.n * g.c * g.h * g.w), values(g.n * g.c * g.oh * g.ow)));
      fc.assert(
        fc.property(arb, ([g, vx, vc]) => {
          const x = rounded(dtype, vx);
          const ct = rounded(dtype, vc);
          for (const op of ['max', 'avg'] as const) {
            const out = buf(dtype, new Array<number>(ct.length).fill(9));
            backend().pool2d(op, buf(dtype, x), g, out);
            expectClose(out, pool2dRef(op, x, g), dtype, `pool2d ${op}`);
            const gx = buf(dtype, new Array<number>(x.length).fill(9));
            backend().pool2dBackward(op, buf(dtype, x), buf(dtype, ct), g, gx);
            const expected = new Array<number>(x.length).fill(0);
            let o = 0;
            for (let i = 0; i < g.n; i++) for (let c = 0; c < g.c; c++) for (let p = 0; p < g.oh; p++) for (let q = 0; q < g.ow; q++, o++) {
              let best = -1;
              for (let a = 0; a < g.kh; a++) for (let e = 0; e < g.kw; e++) {
                const y = p * g.sh - g.ph + a;
                const xx = q * g.sw - g.pw + e;
                if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) continue;
                const j = ((i * g.c + c) * g.h + y) * g.w + xx;
                if (op === 'avg') expected[j] = expected[j]! + ct[o]! / (g.kh * g.kw);
                else if (best < 0 || x[j]! > x[best]!) best = j;
              }
              if (op === 'max' && best >= 0) expected[best] = expected[best]! + ct[o]!;
            }
            expectClose(gx, expected, dtype, `pool2dBackward ${op}`);
          }
        }),
        fcParams(RUNS / 2),
      );
    });

    it('linearStats equals the statistics of the materialised per-sample gradients x_i δ_iᵀ', () => {
      const elem = fc.oneof(float({ min: -2, max: 2 }), fc.constant(0));
      const arb = matmulDims(5).chain(([b, din, dout]) =>
        fc.tuple(fc.constant([b, din, dout] as const), values(b * din, elem), values(b * dout), values(din * dout)),
      );
      fc.assert(
        fc.property(arb, ([[b, din, dout], vx, vd, vm]) => {
          const x = rounded(dtype, vx);
          const d = rounded(dtype, vd);
          const m = rounded(dtype, vm);
          const sq = new Float64Array(b).fill(9);
          const dots = new Float64Array(b).fill(9);
          const coord = new Float64Array(din * dout).fill(9);
          backend().linearStats(buf(dtype, x), buf(dtype, d), buf(dtype, m), b, din, dout, sq, dots, coord);
          const eSq: number[] = [];
          const eDots: number[] = [];
          const eCoord = new Array<number>(din * dout).fill(0);
          for (let i = 0; i < b; i++) {
            let s = 0;
            let t = 0;
            for (let j = 0; j < din; j++) {
              for (let k = 0; k < dout; k++) {
                const gij = x[i * din + j]! * d[i * dout + k]!; // (x_i δ_iᵀ)[j, k]
                s += gij * gij;
                t += gij * m[j * dout + k]!;
                eCoord[j * dout + k] = eCoord[j * dout + k]! + gij * gij;
              }
            }
            eSq.push(s);
            eDots.push(t);
          }
          // outputs are float64 whatever the input dtype; inputs were rounded, so compare at float64 precision
          expectClose(sq, eSq, 'float64', 'sqNorms');
          expectClose(dots, eDots, 'float64', 'dots');
          expectClose(coord, eCoord, 'float64', 'coordSumSq');
        }),
        fcParams(RUNS),
      );
    });
  });
});
