// The accelerated backends (wasm 1 and 2 threads, gpujs cpu/webasm, webgpu when an adapter exists) against the js reference, at sizes that reach their kernels.
import { describe, expect, it } from 'vitest';
import { jsBackend, setBackend, getBackend, type Backend } from '../../src/backend/index.js';
import type { BinaryOp, ReduceOp, UnaryOp, WindowGeom } from '../../src/backend/backend.js';
import { createWasmBackend } from '../../src/backend/wasm/backend.js';
import { createGpujsBackend } from '../../src/backend/gpujs/backend.js';
import type { Arr, DType, Shape } from '../../src/tensor/tensor.js';
import { fromArray } from '../../src/tensor/tensor.js';
import { add, matmul, softmaxCrossEntropy, tanh, type Tensor } from '../../src/index.js';
import { batchGradStats } from '../../src/batching/engine.js';
import { statistics } from '../../src/batching/summary.js';
import { bernoulli, integers, key, normal, split, uniform, type Key } from '../../src/rng/index.js';

const SEED = 20251122;

interface Candidate {
  readonly label: string;
  readonly make: () => Backend;
  /** relative tolerance per dtype (gpu.js computes in float32 whatever the input) */
  readonly rtol: Record<DType, number>;
  /** setBackend arguments selecting it (for the engine test) */
  readonly select: [string, Record<string, unknown>];
  /** relative tolerance of the transcendental unary ops when looser than rtol */
  readonly unaryRtol?: number;
}

/** A gpujs mode is available when one tiny kernel runs; the reason is kept for the skip message. */
function probe(make: () => Backend): string | null {
  try {
    const b = make();
    const out = new Float64Array(128);
    b.unary('neg', new Float64Array(128).fill(1), out);
    return out[0] === -1 ? null : 'wrong result';
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
}

const F64 = 1e-12;
const F32 = 1e-5;
const CANDIDATES: Candidate[] = [
  { label: 'wasm 1-thread', make: () => createWasmBackend({ threads: 1 }), rtol: { float64: F64, float32: F32 }, select: ['wasm', { threads: 1 }] },
  { label: 'wasm 2-threads', make: () => createWasmBackend({ threads: 2 }), rtol: { float64: F64, float32: F32 }, select: ['wasm', { threads: 2 }] },
  { label: 'gpujs cpu', make: () => createGpujsBackend({ mode: 'cpu' }), rtol: { float64: F32, float32: F32 }, select: ['gpujs', { mode: 'cpu' }] },
  { label: 'gpujs webasm', make: () => createGpujsBackend({ mode: 'webasm' }), rtol: { float64: F32, float32: F32 }, select: ['gpujs', { mode: 'webasm' }] },
];
// WGSL allows its builtins (tanh, exp, log) errors of a few ulp up to ~2^-14 relative
const webgpu: Candidate = {
  label: 'gpujs webgpu', make: () => createGpujsBackend({ mode: 'webgpu' }), rtol: { float64: F32, float32: F32 }, select: ['gpujs', { mode: 'webgpu' }],
  unaryRtol: 1e-4,
};
const webgpuUnavailable = probe(webgpu.make);
if (webgpuUnavailable === null) CANDIDATES.push(webgpu);

// ------------------------------------------------------------------ helpers

let counter = 0;
/** A fresh seeded key per draw (the test order is fixed, so draws are reproducible). */
function nextKey(): Key {
  return split(key(SEED), 1 + counter++)[counter - 1]!;
}

function buf(dtype: DType, v: ArrayLike<number>): Arr {
  return dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
}

function randn(dtype: DType, n: number, density = 1): Arr {
  const v = normal(nextKey(), n);
  if (density < 1) {
    const keep = bernoulli(nextKey(), n, density);
    for (let i = 0; i < n; i++) if (!keep[i]) v[i] = 0;
  }
  return buf(dtype, v);
}

const abs = (x: Arr): Arr => x.map(Math.abs) as Arr;

/**
 * |actual − expected| ≤ rtol · scale + tiny, entry by entry, where scale is the sum
 * of the magnitudes of the terms that formed the entry (the error bound of a sum),
 * or |expected| when not given.
 */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string, scale?: ArrayLike<number>): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const s = scale !== undefined ? scale[i]! : Math.abs(e);
    const r = Math.abs(a - e) / (s + 1e-30);
    if (!(r <= worst)) {
      worst = r;
      at = i;
    }
  }
  expect(worst, `${what}: worst relative error ${worst} at ${at} (${actual[at]} vs ${expected[at]})`).toBeLessThanOrEqual(rtol);
}

const size = (s: Shape): number => s.reduce((p, d) => p * d, 1);

/** Output side of a window op: ⌊(x + 2p − d(k − 1) − 1)/s⌋ + 1. */
const side = (x: number, k: number, st: number, p: number, d: number): number => Math.floor((x + 2 * p - d * (k - 1) - 1) / st) + 1;

/** The js composition of the fused convolution and its VJP: unfold, matmul by wᵀ, transpose, bias; Δ by transpose, fold(Δ w), Δᵀ U. */
function convComposed(dtype: DType, x: Arr, w: Arr, bias: Arr | null, ct: Arr, g: WindowGeom, cout: number): { y: Arr; dx: Arr; dw: Arr } {
  const P = g.oh * g.ow;
  const K = g.c * g.kh * g.kw;
  const U = buf(dtype, new Float64Array(g.n * P * K));
  jsBackend.unfold(x, g, U);
  const yT = buf(dtype, new Float64Array(g.n * P * cout));
  jsBackend.matmul(U, w, g.n * P, K, cout, yT, false, true);
  const y = buf(dtype, new Float64Array(g.n * cout * P));
  jsBackend.transpose(yT, [g.n, P, cout], [0, 2, 1], y);
  if (bias !== null) for (let q = 0; q < y.length; q++) y[q] = y[q]! + bias[Math.floor(q / P) % cout]!;
  const d = buf(dtype, new Float64Array(g.n * P * cout));
  jsBackend.transpose(ct, [g.n, cout, P], [0, 2, 1], d);
  const dU = buf(dtype, new Float64Array(g.n * P * K));
  jsBackend.matmul(d, w, g.n * P, cout, K, dU, false, false);
  const dx = buf(dtype, new Float64Array(x.length));
  jsBackend.fold(dU, g, dx);
  const dw = buf(dtype, new Float64Array(cout * K));
  jsBackend.matmul(d, U, cout, g.n * P, K, dw, true, false);
  return { y, dx, dw };
}

// ------------------------------------------------------------------ the contract

describe('webgpu availability', () => {
  it('is probed and reported, never silently replaced', () => {
    if (webgpuUnavailable !== null) {
      // the reason names the missing adapter (no Vulkan driver here) rather than falling back
      expect(webgpuUnavailable).toMatch(/adapter|webgpu|gpu\.js/i);
      console.info(`gpujs webgpu mode not tested: ${webgpuUnavailable}`);
    }
  });
});

describe.each(CANDIDATES)('$label', (cand) => {
  const be = cand.make();

  describe.each(['float64', 'float32'] as DType[])('%s', (dtype) => {
    const rtol = cand.rtol[dtype];

    it('matmul: odd sizes, all transposes, dense and sparse A, against js', () => {
      const dims: [number, number, number][] = [
        [1, 1, 1], [3, 5, 2], [7, 9, 11], [67, 131, 45], [130, 257, 70], [9, 300, 3], [260, 40, 514],
        // five vectors wide (10 f64 or 20 f32 columns: the one-pass sparse kernels), over several row blocks
        [300, 70, 10], [70, 300, 20],
      ];
      for (const [m, k, n] of dims) {
        for (const density of [1, 0.2]) {
          for (const tA of [false, true]) {
            for (const tB of [false, true]) {
              const a = randn(dtype, m * k, density);
              const b = randn(dtype, k * n);
              const out = buf(dtype, new Float64Array(m * n).fill(NaN));
              const ref = new Float64Array(m * n);
              const scale = new Float64Array(m * n);
              be.matmul(a, b, m, k, n, out, tA, tB);
              jsBackend.matmul(Float64Array.from(a), Float64Array.from(b), m, k, n, ref, tA, tB);
              jsBackend.matmul(Float64Array.from(abs(a)), Float64Array.from(abs(b)), m, k, n, scale, tA, tB);
              expectClose(out, ref, rtol, `${cand.label} ${dtype} matmul ${m}×${k}×${n} tA=${tA} tB=${tB} density ${density}`, scale.map((s) => s + 1e-300));
            }
          }
        }
      }
    });

    it('matmul with k = 0 gives zeros', () => {
      const out = buf(dtype, new Float64Array(40 * 30).fill(7));
      be.matmul(buf(dtype, []), buf(dtype, []), 40, 0, 30, out, false, false);
      expect(Array.from(out).every((v) => v === 0)).toBe(true);
    });

    it('binary: same shape, scalars, row and column broadcasts, and an n-d broadcast', () => {
      const cases: [Shape, Shape, Shape][] = [
        [[4099], [4099], [4099]],
        [[63, 65], [], [63, 65]],
        [[], [63, 65], [63, 65]],
        [[130, 33], [33], [130, 33]],
        [[130, 33], [1, 33], [130, 33]],
        [[130, 33], [130, 1], [130, 33]],
        [[1, 33], [130, 1], [130, 33]],
        [[5, 31, 29], [31, 29], [5, 31, 29]],
        [[5, 31, 29], [5, 1, 29], [5, 31, 29]],
      ];
      const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'pow', 'greater', 'equal'];
      for (const [sa, sb, so] of cases) {
        const a = randn(dtype, size(sa));
        const b = randn(dtype, size(sb));
        if (size(sb) > 5) b[3] = a[3] ?? 0; // an exact tie for maximum/equal
        for (const op of ops) {
          const A = op === 'pow' ? (abs(a) as Arr) : a;
          const out = buf(dtype, new Float64Array(size(so)));
          const ref = buf(dtype, new Float64Array(size(so)));
          be.binary(op, A, sa, b, sb, out, so);
          jsBackend.binary(op, A, sa, b, sb, ref, so);
          // scale: |a| + |b| broadcast (the error bound of add/sub); |ref| otherwise
          let scale: Float64Array | undefined;
          if (op === 'add' || op === 'sub') {
            const s = buf(dtype, new Float64Array(size(so))) as Arr;
            jsBackend.binary('add', abs(A), sa, abs(b), sb, s, so);
            scale = Float64Array.from(s);
          }
          expectClose(out, ref, rtol, `${cand.label} ${dtype} ${op} ${JSON.stringify([sa, sb, so])}`, scale);
        }
      }
    });

    it('unary: every op on 3000 values (odd length), edge values included', () => {
      const ops: UnaryOp[] = ['neg', 'exp', 'log', 'log1p', 'sqrt', 'abs', 'tanh', 'sigmoid', 'softplus', 'relu', 'sign', 'step'];
      for (const op of ops) {
        const raw = Float64Array.from(uniform(nextKey(), 3001, -8, 8));
        raw[0] = 0;
        raw[1] = -0;
        raw[2] = 30;
        raw[3] = -30;
        const x = op === 'log' || op === 'sqrt' ? buf(dtype, raw.map((v) => Math.abs(v) + 1e-3)) : op === 'log1p' ? buf(dtype, raw.map((v) => Math.abs(v) - 0.5)) : buf(dtype, raw);
        const out = buf(dtype, new Float64Array(x.length));
        const ref = buf(dtype, new Float64Array(x.length));
        be.unary(op, x, out);
        jsBackend.unary(op, x, ref);
        // log and log1p near their roots: judge against the size of the input; tiny
        // outputs (softplus(−30) ≈ 1e-13) against 1e-6 (float32 kernels may flush them),
        // or 1e-3 where WGSL builtins are only absolutely accurate (tanh(1e-4) on lavapipe)
        const floor = cand.unaryRtol !== undefined ? 1e-3 : 1e-6;
        const scale = Float64Array.from(ref, (r) => Math.max(Math.abs(r), op === 'log' || op === 'log1p' ? 1 : floor));
        const tol = ['neg', 'abs', 'relu', 'sign', 'step', 'sqrt'].includes(op) ? rtol : Math.max(rtol, cand.unaryRtol ?? 0);
        expectClose(out, ref, tol, `${cand.label} ${dtype} ${op}`, scale);
      }
    });

    it('reduce: sum and max over leading, middle, trailing and all axes, and a non-contiguous set', () => {
      const shape = [9, 37, 13];
      const x = randn(dtype, size(shape));
      const axesList = [[0], [1], [2], [0, 1], [1, 2], [0, 1, 2], [0, 2]];
      for (const op of ['sum', 'max'] as ReduceOp[]) {
        for (const axes of axesList) {
          const outSize = size(shape.filter((_, i) => !axes.includes(i)));
          const out = buf(dtype, new Float64Array(outSize));
          const ref = buf(dtype, new Float64Array(outSize));
          be.reduce(op, x, shape, axes, out);
          jsBackend.reduce(op, x, shape, axes, ref);
          let scale: Float64Array | undefined;
          if (op === 'sum') {
            const s = buf(dtype, new Float64Array(outSize));
            jsBackend.reduce('sum', abs(x), shape, axes, s);
            scale = Float64Array.from(s);
          }
          expectClose(out, ref, rtol, `${cand.label} ${dtype} ${op} over ${axes}`, scale);
        }
      }
    });

    it('where, transpose, gatherRows, scatterAddRows agree with js', () => {
      const c = buf(dtype, Array.from(bernoulli(nextKey(), 40 * 70, 0.5)));
      const a = randn(dtype, 40 * 70);
      const b = randn(dtype, 70);
      const o1 = buf(dtype, new Float64Array(40 * 70));
      const o2 = buf(dtype, new Float64Array(40 * 70));
      be.where(c, [40, 70], a, [40, 70], b, [70], o1, [40, 70]);
      jsBackend.where(c, [40, 70], a, [40, 70], b, [70], o2, [40, 70]);
      expect(Array.from(o1)).toEqual(Array.from(o2));
      be.transpose(a, [40, 7, 10], [2, 0, 1], o1);
      jsBackend.transpose(a, [40, 7, 10], [2, 0, 1], o2);
      expect(Array.from(o1)).toEqual(Array.from(o2));
      const idx = integers(nextKey(), 25, 0, 40);
      const g1 = buf(dtype, new Float64Array(25 * 70));
      const g2 = buf(dtype, new Float64Array(25 * 70));
      be.gatherRows(a, 70, idx, g1);
      jsBackend.gatherRows(a, 70, idx, g2);
      expect(Array.from(g1)).toEqual(Array.from(g2));
      const acc1 = buf(dtype, new Float64Array(40 * 70));
      const acc2 = buf(dtype, new Float64Array(40 * 70));
      be.scatterAddRows(g1, 70, idx, acc1);
      jsBackend.scatterAddRows(g1, 70, idx, acc2);
      expect(Array.from(acc1)).toEqual(Array.from(acc2));
    });

    it('linearStats: dense and sparse X, odd sizes, against js', () => {
      for (const [b, din, dout, density] of [[3, 5, 2, 1], [67, 131, 10, 1], [300, 97, 13, 0.2], [129, 784, 33, 0.19], [333, 97, 10, 0.2], [333, 50, 20, 0.2]] as const) {
        const x = randn(dtype, b * din, density);
        const d = randn(dtype, b * dout);
        const m = Float64Array.from(randn('float64', din * dout));
        const got = [new Float64Array(b), new Float64Array(b), new Float64Array(din * dout)] as const;
        const ref = [new Float64Array(b), new Float64Array(b), new Float64Array(din * dout)] as const;
        const sc = [new Float64Array(b), new Float64Array(b), new Float64Array(din * dout)] as const;
        be.linearStats(x, d, m, b, din, dout, ...got);
        jsBackend.linearStats(x, d, m, b, din, dout, ...ref);
        jsBackend.linearStats(abs(x), abs(d), abs(m) as Float64Array, b, din, dout, ...sc);
        const what = `${cand.label} ${dtype} linearStats b=${b} din=${din} dout=${dout} density ${density}`;
        expectClose(got[0], ref[0], rtol, `${what} sqNorms`);
        expectClose(got[1], ref[1], rtol, `${what} dots`, sc[1]);
        expectClose(got[2], ref[2], rtol, `${what} coordSumSq`);
      }
    });

    it('unfold, fold, pool2d, pool2dBackward: strides, paddings, dilations, odd shapes, against js', () => {
      // [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw]: the MNIST CNN's layers, odd sides, asymmetric
      // windows, strides and paddings, dilations, a window wider than the image, and 1×1
      const cases: number[][] = [
        [3, 1, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1], [2, 16, 14, 14, 5, 5, 1, 1, 2, 2, 1, 1], [3, 16, 28, 28, 2, 2, 2, 2, 0, 0, 1, 1],
        [2, 3, 13, 11, 3, 2, 2, 3, 1, 0, 1, 1], [1, 2, 9, 17, 3, 3, 1, 2, 2, 1, 2, 3], [5, 3, 7, 7, 3, 3, 3, 3, 1, 1, 1, 1],
        [2, 2, 5, 3, 4, 4, 1, 1, 2, 2, 1, 1], [4, 5, 6, 10, 1, 1, 2, 1, 0, 0, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1],
        [3, 2, 12, 9, 2, 3, 2, 2, 1, 1, 2, 1],
      ];
      for (const [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw] of cases as [number, number, number, number, number, number, number, number, number, number, number, number][]) {
        const g = { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh: side(h, kh, sh, ph, dh), ow: side(w, kw, sw, pw, dw) };
        const what = `${cand.label} ${dtype} window ${JSON.stringify(g)}`;
        const nx = n * c * h * w;
        const nu = n * g.oh * g.ow * c * kh * kw;
        // values on a coarse grid, so that max pooling meets ties
        const x = buf(dtype, randn('float64', nx).map((v) => Math.round(v * 4) / 4));
        const got = buf(dtype, new Float64Array(nu).fill(NaN));
        const ref = buf(dtype, new Float64Array(nu));
        be.unfold(x, g, got);
        jsBackend.unfold(x, g, ref);
        expectClose(got, ref, 0, `${what} unfold`);
        const cols = randn(dtype, nu);
        const f1 = buf(dtype, new Float64Array(nx).fill(NaN));
        const f2 = buf(dtype, new Float64Array(nx));
        const fs = buf(dtype, new Float64Array(nx));
        be.fold(cols, g, f1);
        jsBackend.fold(cols, g, f2);
        jsBackend.fold(abs(cols), g, fs);
        expectClose(f1, f2, rtol, `${what} fold`, fs);
        // pooling windows: no dilation, padding at most half the window
        if (dh !== 1 || dw !== 1 || 2 * ph > kh || 2 * pw > kw) continue;
        const ct = randn(dtype, n * c * g.oh * g.ow);
        for (const op of ['max', 'avg'] as const) {
          const p1 = buf(dtype, new Float64Array(ct.length).fill(NaN));
          const p2 = buf(dtype, new Float64Array(ct.length));
          be.pool2d(op, x, g, p1);
          jsBackend.pool2d(op, x, g, p2);
          expectClose(p1, p2, rtol, `${what} pool2d ${op}`);
          const b1 = buf(dtype, new Float64Array(nx).fill(NaN));
          const b2 = buf(dtype, new Float64Array(nx));
          const bs = buf(dtype, new Float64Array(nx));
          be.pool2dBackward(op, x, ct, g, b1);
          jsBackend.pool2dBackward(op, x, ct, g, b2);
          jsBackend.pool2dBackward(op, x, abs(ct), g, bs);
          expectClose(b1, b2, rtol, `${what} pool2dBackward ${op}`, bs);
        }
      }
    });

    it('the fused conv2d, its VJP and the per-sample weight gradients (chunks of samples, dense and sparse inputs) equal the js composition', () => {
      if (be.conv2d === undefined || be.conv2dBackward === undefined) return;
      // [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, cout]: the MNIST CNN's second layer over 7 samples
      // (several chunks), odd shapes, strides, paddings and dilations
      const cases: number[][] = [
        [7, 16, 14, 14, 5, 5, 1, 1, 2, 2, 1, 1, 32], [3, 1, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1, 16], [2, 3, 13, 11, 3, 2, 2, 3, 1, 0, 1, 1, 5],
        [1, 2, 9, 17, 3, 3, 1, 2, 2, 1, 2, 3, 7], [5, 3, 7, 7, 3, 3, 3, 3, 1, 1, 1, 1, 1], [4, 5, 6, 10, 1, 1, 2, 1, 0, 0, 1, 1, 3],
      ];
      const composed = (x: Arr, w: Arr, bias: Arr | null, ct: Arr, g: WindowGeom, cout: number) => convComposed(dtype, x, w, bias, ct, g, cout);
      for (const [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, cout] of cases as [number, number, number, number, number, number, number, number, number, number, number, number, number][]) {
        const g = { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh: side(h, kh, sh, ph, dh), ow: side(w, kw, sw, pw, dw) };
        const K = c * kh * kw;
        const ny = n * cout * g.oh * g.ow;
        for (const density of [1, 0.2]) {
          for (const withBias of [false, true]) {
            const what = `${cand.label} ${dtype} conv2d ${JSON.stringify(g)} cout ${cout} density ${density}${withBias ? ' bias' : ''}`;
            const x = randn(dtype, n * c * h * w, density);
            const wt = randn(dtype, cout * K);
            const bias = withBias ? randn(dtype, cout) : null;
            const ct = randn(dtype, ny, density);
            const ref = composed(x, wt, bias, ct, g, cout);
            const sc = composed(abs(x), abs(wt), bias === null ? null : abs(bias), abs(ct), g, cout);
            const y = buf(dtype, new Float64Array(ny).fill(NaN));
            be.conv2d(x, wt, bias, g, cout, y);
            expectClose(y, ref.y, rtol, `${what} y`, sc.y);
            const gx = buf(dtype, new Float64Array(x.length).fill(NaN));
            const gw = buf(dtype, new Float64Array(wt.length).fill(NaN));
            be.conv2dBackward(x, wt, ct, g, cout, gx, gw);
            expectClose(gx, ref.dx, rtol, `${what} dx`, sc.dx);
            expectClose(gw, ref.dw, rtol, `${what} dw`, sc.dw);
            // either gradient alone
            const gw2 = buf(dtype, new Float64Array(wt.length).fill(NaN));
            be.conv2dBackward(x, wt, ct, g, cout, null, gw2);
            expect(Array.from(gw2), `${what} dw alone`).toEqual(Array.from(gw));
            const gx2 = buf(dtype, new Float64Array(x.length).fill(NaN));
            be.conv2dBackward(x, wt, ct, g, cout, gx2, null);
            expect(Array.from(gx2), `${what} dx alone`).toEqual(Array.from(gx));
            // the per-sample weight gradients Δ_i U_i of samples [i0, n) (used by the conv statistics)
            if (be.convWeightGrads !== undefined && !withBias) {
              const P = g.oh * g.ow;
              const U = buf(dtype, new Float64Array(n * P * K));
              jsBackend.unfold(x, g, U);
              for (const i0 of n > 1 ? [0, 1] : [0]) {
                const pg = buf(dtype, new Float64Array((n - i0) * cout * K).fill(NaN));
                be.convWeightGrads(x, ct, g, cout, i0, n, pg);
                for (let i = i0; i < n; i++) {
                  const ref1 = buf(dtype, new Float64Array(cout * K));
                  const sc1 = buf(dtype, new Float64Array(cout * K));
                  jsBackend.matmul(ct.subarray(i * cout * P, (i + 1) * cout * P), U.subarray(i * P * K, (i + 1) * P * K), cout, P, K, ref1, false, false);
                  jsBackend.matmul(abs(ct.subarray(i * cout * P, (i + 1) * cout * P)), abs(U.subarray(i * P * K, (i + 1) * P * K)), cout, P, K, sc1, false, false);
                  expectClose(pg.subarray((i - i0) * cout * K, (i - i0 + 1) * cout * K), ref1, rtol, `${what} convWeightGrads from ${i0}, sample ${i}`, sc1);
                }
              }
            }
          }
        }
      }
    });
  });

  it('batchGradStats of a tanh MLP (sparse inputs, with biases) matches the js backend', () => {
    const [kx, kl, k1, k2] = split(key(SEED + 1), 4) as [Key, Key, Key, Key];
    const b = 256;
    const din = 100;
    const H = 64;
    const C = 10;
    const xv = normal(kx, b * din);
    const keep = bernoulli(split(kx, 2)[1]!, b * din, 0.3);
    for (let i = 0; i < xv.length; i++) if (!keep[i]) xv[i] = 0;
    const X = fromArray(xv, [b, din]);
    const labels = integers(kl, b, 0, C);
    const params = [
      fromArray(normal(k1, din * H, 0, 1 / Math.sqrt(din)), [din, H]),
      fromArray(new Float64Array(H).fill(0.01), [H]),
      fromArray(normal(k2, H * C, 0, 1 / Math.sqrt(H)), [H, C]),
      fromArray(new Float64Array(C).fill(-0.02), [C]),
    ];
    const loss = (ps: readonly Tensor[]) => softmaxCrossEntropy(add(matmul(tanh(add(matmul(X, ps[0]!), ps[1]!)), ps[2]!), ps[3]!), labels);
    const prev = getBackend();
    let ref: ReturnType<typeof batchGradStats>;
    let got: ReturnType<typeof batchGradStats>;
    try {
      setBackend('js');
      ref = batchGradStats(loss, params, null);
      const selected = setBackend(cand.select[0], cand.select[1]);
      expect(selected.mode).toBe(be.mode);
      got = batchGradStats(loss, params, null);
    } finally {
      setBackend(prev.name);
    }
    const tol = cand.rtol.float64 === F64 ? 1e-9 : 2e-3;
    const sr = statistics(ref);
    const sg = statistics(got);
    expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThanOrEqual(tol);
    for (const k of ['S_norm', 'S_ip', 'S_orth', 'gradNormSq'] as const) {
      const a = sg[k] as number;
      const e = sr[k] as number;
      expect(Math.abs(a - e) / Math.abs(e), `${cand.label} ${k}: ${a} vs ${e}`).toBeLessThanOrEqual(tol);
    }
    expectClose(got.meanGrad, ref.meanGrad, tol, `${cand.label} mean gradient`, Float64Array.from(ref.meanGrad, () => Math.sqrt(sr.gradNormSq as number)));
    got.blocks.forEach((blk, i) => expect(blk.method, `block ${i}`).toBe(ref.blocks[i]!.method));
  });
});

describe('wasm threads and the window ops', () => {
  it('wasm: the fused conv2d, its VJP and the per-sample weight gradients are the same bits on 1 and 2 threads', () => {
    const one = createWasmBackend({ threads: 1 });
    const two = createWasmBackend({ threads: 2 });
    // the MNIST CNN's second layer over 9 samples: several chunks, products large enough to split
    const g = { n: 9, c: 16, h: 14, w: 14, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2, dh: 1, dw: 1, oh: 14, ow: 14 };
    const cout = 32;
    const K = g.c * 25;
    const ny = g.n * cout * 196;
    for (const density of [1, 0.2]) {
      const x = randn('float64', g.n * g.c * 196, density);
      const w = randn('float64', cout * K);
      const bias = randn('float64', cout);
      const ct = randn('float64', ny, density);
      const outs = [one, two].map((b) => {
        const y = new Float64Array(ny);
        const dx = new Float64Array(x.length);
        const dw = new Float64Array(w.length);
        const pg = new Float64Array(g.n * cout * K);
        b.conv2d!(x, w, bias, g, cout, y);
        b.conv2dBackward!(x, w, ct, g, cout, dx, dw);
        b.convWeightGrads!(x, ct, g, cout, 0, g.n, pg);
        return [y, dx, dw, pg];
      });
      outs[0]!.forEach((a, t) => expect(Array.from(outs[1]![t]!), `output ${t}, density ${density}`).toEqual(Array.from(a)));
    }
  });

  it('wasm: the fused conv ops share chunks of samples between 2 threads: the same bits as on 1 thread, odd shapes, float64 and float32', () => {
    const one = createWasmBackend({ threads: 1 });
    const two = createWasmBackend({ threads: 2 });
    // [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, cout, density]: a sample's unfolded rows are large, so a chunk
    // (2 MiB of them) holds a few samples and n is not a multiple of it; strides, paddings, dilations
    const cases: number[][] = [
      [30, 1, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1, 16, 0.2], // the CNN's first layer, sparse (Δᵀ U in parts)
      [11, 16, 14, 14, 5, 5, 1, 1, 2, 2, 1, 1, 32, 0.3], // its second layer
      [13, 8, 21, 21, 5, 3, 1, 1, 2, 1, 1, 2, 7, 1],
      [20, 32, 20, 20, 3, 3, 2, 2, 1, 1, 1, 1, 5, 0.5],
    ];
    for (const dtype of ['float64', 'float32'] as DType[]) {
      const rtol = dtype === 'float64' ? F64 : F32;
      for (const [n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, cout, density] of cases as [number, number, number, number, number, number, number, number, number, number, number, number, number, number][]) {
        const g = { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh: side(h, kh, sh, ph, dh), ow: side(w, kw, sw, pw, dw) };
        const P = g.oh * g.ow;
        const K = c * kh * kw;
        const what = `${dtype} ${JSON.stringify(g)} cout ${cout} density ${density}`;
        // several chunks of samples (chunk = ⌊2 MiB / bytes of a sample's unfolded rows⌋), the last one short
        const perChunk = Math.floor((2 << 20) / (P * K * (dtype === 'float64' ? 8 : 4)));
        expect(Math.ceil(n / perChunk), `${what}: chunks`).toBeGreaterThanOrEqual(2);
        expect(n % perChunk, `${what}: a short last chunk`).not.toBe(0);
        const x = randn(dtype, n * c * h * w, density);
        const wt = randn(dtype, cout * K);
        const bias = randn(dtype, cout);
        const ct = randn(dtype, n * cout * P, density);
        const outs = [one, two].map((b) => {
          const y = buf(dtype, new Float64Array(n * cout * P).fill(NaN));
          const dx = buf(dtype, new Float64Array(x.length).fill(NaN));
          const dwt = buf(dtype, new Float64Array(wt.length).fill(NaN));
          const dwAlone = buf(dtype, new Float64Array(wt.length).fill(NaN));
          const pg = buf(dtype, new Float64Array((n - 1) * cout * K).fill(NaN));
          b.conv2d!(x, wt, bias, g, cout, y);
          b.conv2dBackward!(x, wt, ct, g, cout, dx, dwt);
          b.conv2dBackward!(x, wt, ct, g, cout, null, dwAlone);
          b.convWeightGrads!(x, ct, g, cout, 1, n, pg); // samples [1, n): the chunks start at sample 1
          return { y, dx, dw: dwt, dwAlone, pg };
        });
        for (const k of ['y', 'dx', 'dw', 'dwAlone', 'pg'] as const) {
          expect(Array.from(outs[1]![k]), `${what}: ${k} on 2 threads`).toEqual(Array.from(outs[0]![k]));
        }
        // and the right values: against the js composition (the weight gradient sums the chunks' partials)
        const ref = convComposed(dtype, x, wt, bias, ct, g, cout);
        const sc = convComposed(dtype, abs(x), abs(wt), abs(bias), abs(ct), g, cout);
        expectClose(outs[1]!.y, ref.y, rtol, `${what} y`, sc.y);
        expectClose(outs[1]!.dx, ref.dx, rtol, `${what} dx`, sc.dx);
        expectClose(outs[1]!.dw, ref.dw, rtol, `${what} dw`, sc.dw);
        const U = buf(dtype, new Float64Array(n * P * K));
        jsBackend.unfold(x, g, U);
        for (const i of [1, Math.floor(n / 2), n - 1]) {
          const ref1 = buf(dtype, new Float64Array(cout * K));
          const sc1 = buf(dtype, new Float64Array(cout * K));
          jsBackend.matmul(ct.subarray(i * cout * P, (i + 1) * cout * P), U.subarray(i * P * K, (i + 1) * P * K), cout, P, K, ref1, false, false);
          jsBackend.matmul(abs(ct.subarray(i * cout * P, (i + 1) * cout * P)), abs(U.subarray(i * P * K, (i + 1) * P * K)), cout, P, K, sc1, false, false);
          expectClose(outs[1]!.pg.subarray((i - 1) * cout * K, i * cout * K), ref1, rtol, `${what} convWeightGrads sample ${i}`, sc1);
        }
      }
    }
  });
});

describe('selection of the accelerated backends', () => {
  it('ADADAGRAD_BACKEND=wasm and ADADAGRAD_THREADS pick the wasm backend and its mode; gpujs is opt-in', async () => {
    const { vi } = await import('vitest');
    const saved = { b: process.env['ADADAGRAD_BACKEND'], t: process.env['ADADAGRAD_THREADS'] };
    try {
      process.env['ADADAGRAD_BACKEND'] = 'wasm';
      process.env['ADADAGRAD_THREADS'] = '1';
      vi.resetModules();
      const fresh = await import('../../src/backend/index.js');
      const be = fresh.getBackend();
      expect([be.name, be.mode]).toEqual(['wasm', '1-thread']);
      expect(fresh.listBackends()).toContain('wasm');
      expect(fresh.listBackends()).not.toContain('gpujs');
      expect(() => fresh.setBackend('wasm', { threads: 9 })).toThrow(/threads/);
    } finally {
      process.env['ADADAGRAD_BACKEND'] = saved.b;
      process.env['ADADAGRAD_THREADS'] = saved.t;
      if (saved.b === undefined) delete process.env['ADADAGRAD_BACKEND'];
      if (saved.t === undefined) delete process.env['ADADAGRAD_THREADS'];
      vi.resetModules();
    }
  });

  it('a run records the backend and its mode in its meta', async () => {
    // one module graph (the test above reset the registry's module)
    const lib = await import('../../src/index.js');
    const { getProblem } = await import('../../problems/index.js');
    const prev = lib.getBackend();
    try {
      lib.setBackend('wasm', { threads: 2 });
      const res = lib.run({ problem: getProblem('nqm_d20_i0'), optimizer: lib.adagradNorm(0.5), controller: lib.constant(8), budget: { steps: 3 }, key: lib.key(SEED) });
      expect([res.meta.backend, res.meta.backendMode]).toEqual(['wasm', '2-threads']);
    } finally {
      lib.setBackend(prev.name);
    }
  });
});
