/**
 * The 2-D window ops of the `wasm` backend (see Backend.unfold, fold, pool2d,
 * pool2dBackward): the input is copied into wasm memory, the kernel of
 * assembly/conv.ts runs there, and the output is copied back. The kernels follow
 * the loop order of the js reference (src/backend/conv.ts), so the results are the
 * same bits in float64 and float32. Mixed dtypes go to the js reference.
 */
import type { Arr } from '../../tensor/tensor.js';
import type { PoolOp, WindowGeom } from '../backend.js';
import { jsBackend } from '../js.js';
import { ensureDense } from '../sparseRows.js';
import type { WasmRuntime } from './runtime.js';

/** The exports of assembly/conv.ts (g: the geometry as 14 i32, see geomPtr). */
interface ConvExports {
  unfold_f32(g: number, x: number, out: number, i0: number, i1: number): void;
  unfold_f64(g: number, x: number, out: number, i0: number, i1: number): void;
  fold_f32(g: number, cols: number, out: number, i0: number, i1: number): void;
  fold_f64(g: number, cols: number, out: number, i0: number, i1: number): void;
  pool2d_f32(op: number, g: number, x: number, out: number, q0: number, q1: number): void;
  pool2d_f64(op: number, g: number, x: number, out: number, q0: number, q1: number): void;
  pool2d_backward_f32(op: number, g: number, x: number, ct: number, out: number, q0: number, q1: number): void;
  pool2d_backward_f64(op: number, g: number, x: number, ct: number, out: number, q0: number, q1: number): void;
}

type DT = 'f32' | 'f64';
const POOL_CODES: Record<PoolOp, number> = { max: 0, avg: 1 };

function dtOf(x: Arr): DT {
  return x instanceof Float64Array ? 'f64' : 'f32';
}

function ex(rt: WasmRuntime): ConvExports {
  return rt.ex as unknown as ConvExports;
}

/** The geometry as 14 i32 in wasm memory: n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow. */
function geomPtr(rt: WasmRuntime, g: WindowGeom): number {
  const p = rt.alloc(14 * 4);
  rt.i32.set([g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow], p >> 2);
  return p;
}

const bytes = (dt: DT): number => (dt === 'f64' ? 8 : 4);

/** im2col in wasm: see Backend.unfold. */
export function wasmUnfold(rt: WasmRuntime, x: Arr, g: WindowGeom, out: Arr): void {
  ensureDense(x);
  const dt = dtOf(out);
  if (dtOf(x) !== dt) return jsBackend.unfold(x, g, out);
  const len = g.n * g.oh * g.ow * g.c * g.kh * g.kw;
  rt.reset();
  const gp = geomPtr(rt, g);
  const px = rt.put(x.length === g.n * g.c * g.h * g.w ? x : x.subarray(0, g.n * g.c * g.h * g.w), dt);
  const po = rt.alloc(len * bytes(dt));
  if (dt === 'f64') ex(rt).unfold_f64(gp, px, po, 0, g.n);
  else ex(rt).unfold_f32(gp, px, po, 0, g.n);
  rt.get(po, dt, out, len);
}

/** col2im in wasm: see Backend.fold. */
export function wasmFold(rt: WasmRuntime, cols: Arr, g: WindowGeom, out: Arr): void {
  ensureDense(cols);
  const dt = dtOf(out);
  if (dtOf(cols) !== dt) return jsBackend.fold(cols, g, out);
  const len = g.n * g.c * g.h * g.w;
  const clen = g.n * g.oh * g.ow * g.c * g.kh * g.kw;
  rt.reset();
  const gp = geomPtr(rt, g);
  const pc = rt.put(cols.length === clen ? cols : cols.subarray(0, clen), dt);
  const po = rt.alloc(len * bytes(dt));
  if (dt === 'f64') ex(rt).fold_f64(gp, pc, po, 0, g.n);
  else ex(rt).fold_f32(gp, pc, po, 0, g.n);
  rt.get(po, dt, out, len);
}

/** Pooling in wasm: see Backend.pool2d. */
export function wasmPool2d(rt: WasmRuntime, op: PoolOp, x: Arr, g: WindowGeom, out: Arr): void {
  ensureDense(x);
  const dt = dtOf(out);
  if (dtOf(x) !== dt) return jsBackend.pool2d(op, x, g, out);
  const planes = g.n * g.c;
  rt.reset();
  const gp = geomPtr(rt, g);
  const px = rt.put(x.length === planes * g.h * g.w ? x : x.subarray(0, planes * g.h * g.w), dt);
  const po = rt.alloc(planes * g.oh * g.ow * bytes(dt));
  if (dt === 'f64') ex(rt).pool2d_f64(POOL_CODES[op], gp, px, po, 0, planes);
  else ex(rt).pool2d_f32(POOL_CODES[op], gp, px, po, 0, planes);
  rt.get(po, dt, out, planes * g.oh * g.ow);
}

/** The VJP of pooling in wasm: see Backend.pool2dBackward. */
export function wasmPool2dBackward(rt: WasmRuntime, op: PoolOp, x: Arr, ct: Arr, g: WindowGeom, out: Arr): void {
  ensureDense(x);
  ensureDense(ct);
  const dt = dtOf(out);
  if (dtOf(x) !== dt || dtOf(ct) !== dt) return jsBackend.pool2dBackward(op, x, ct, g, out);
  const planes = g.n * g.c;
  const len = planes * g.h * g.w;
  const clen = planes * g.oh * g.ow;
  rt.reset();
  const gp = geomPtr(rt, g);
  // avg pooling does not read x
  const px = op === 'max' ? rt.put(x.length === len ? x : x.subarray(0, len), dt) : 0;
  const pc = rt.put(ct.length === clen ? ct : ct.subarray(0, clen), dt);
  const po = rt.alloc(len * bytes(dt));
  if (dt === 'f64') ex(rt).pool2d_backward_f64(POOL_CODES[op], gp, px, pc, po, 0, planes);
  else ex(rt).pool2d_backward_f32(POOL_CODES[op], gp, px, pc, po, 0, planes);
  rt.get(po, dt, out, len);
}
