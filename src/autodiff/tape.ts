/** The autodiff tape: nodes recorded in creation order, and an iterative reverse sweep. */
import { fmtShape, makeTensor, alloc, type Tensor } from '../tensor/tensor.js';
import { getBackend } from '../backend/index.js';
import type { BinaryOp, UnaryOp } from '../backend/backend.js';

/** The primitives that are not elementwise backend kernels (plus the leaf marker). */
export const STRUCTURAL_OPS = [
  'leaf', 'where', 'sum', 'max', 'broadcastTo', 'matmul', 'reshape', 'transpose', 'slice', 'gather', 'concat',
  'conv2d', 'maxPool2d', 'avgPool2d', 'flatten',
] as const;

/**
 * The name of every op a tape node can carry: the backend's unary and binary kernels
 * and the structural primitives. Code that inspects tapes (the batch statistics
 * engine) compares against this union, so renaming an op is a type error there
 * instead of a silent fallback. Primitives defined outside this module (tests, user
 * extensions) are named `custom:<name>`; the engine treats them by the fallback.
 */
export type OpName = UnaryOp | BinaryOp | (typeof STRUCTURAL_OPS)[number] | `custom:${string}`;

/**
 * One recorded primitive application. `vjp` maps the cotangent of the output to
 * cotangents of each input (null where an input gets none).
 */
export interface TapeNode {
  readonly tape: Tape;
  /** Position on the tape; the tape order is a topological order. */
  readonly index: number;
  readonly op: OpName;
  readonly inputs: readonly Tensor[];
  /** Op-specific attributes (axes, permutation, ...), for inspection. */
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly vjp: (ct: Tensor) => readonly (Tensor | null)[];
  /** Shape of the output (the cotangent must have it). */
  readonly shape: readonly number[];
}

export class Tape {
  readonly nodes: TapeNode[] = [];
}

const tapeStack: Tape[] = [];
let paused = 0;

/** The tape recording right now, or null. */
export function activeTape(): Tape | null {
  return paused > 0 ? null : (tapeStack[tapeStack.length - 1] ?? null);
}

/** Run `fn` while recording on a fresh tape. */
export function withTape<T>(fn: (tape: Tape) => T): T {
  const tape = new Tape();
  tapeStack.push(tape);
  try {
    return fn(tape);
  } finally {
    tapeStack.pop();
  }
}

/** Run `fn` with recording paused (used while sweeping backward). */
export function noRecord<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

/** True when `t` was produced on `tape`. */
export function onTape(t: Tensor, tape: Tape): boolean {
  return t.node !== null && t.node.tape === tape;
}

/**
 * Record the result of a primitive when recording is on and some input is traced
 * on the active tape. Returns the tensor to hand to the user.
 */
export function record(
  op: OpName,
  inputs: readonly Tensor[],
  data: Tensor['nd']['data'],
  shape: readonly number[],
  vjp: (ct: Tensor) => readonly (Tensor | null)[],
  attrs: Record<string, unknown> = {},
): Tensor {
  const tape = activeTape();
  if (tape === null || !inputs.some((t) => onTape(t, tape))) return makeTensor(data, shape);
  const node: TapeNode = { tape, index: tape.nodes.length, op, inputs, attrs, vjp, shape: shape.slice() };
  tape.nodes.push(node);
  return makeTensor(data, shape, node);
}

/** Create a leaf (an argument being differentiated) on `tape`. */
export function leaf(tape: Tape, t: Tensor): Tensor {
  const node: TapeNode = {
    tape,
    index: tape.nodes.length,
    op: 'leaf',
    inputs: [],
    attrs: {},
    vjp: () => [],
    shape: t.shape.slice(),
  };
  tape.nodes.push(node);
  return makeTensor(t.contiguous(), t.shape, node);
}

function addInto(acc: Tensor, g: Tensor): Tensor {
  const a = acc.contiguous();
  const b = g.contiguous();
  const out = alloc(acc.dtype, a.length);
  getBackend().binary('add', a, acc.shape, b, g.shape, out, acc.shape);
  return makeTensor(out, acc.shape);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * Reverse sweep from `output` with cotangent `seed`. Walks the tape from the
 * output's node down to 0 (the recording order is topological, so no recursion
 * is needed), calls each node's VJP once with its accumulated cotangent, checks
 * every gradient's shape against its input, and accumulates into inputs used
 * more than once. Returns the cotangent of every node (by tape index).
 */
export function backward(tape: Tape, output: Tensor, seed: Tensor): (Tensor | undefined)[] {
  const cts: (Tensor | undefined)[] = new Array(tape.nodes.length);
  if (!onTape(output, tape)) return cts;
  const start = output.node!.index;
  if (!sameShape(seed.shape, output.shape)) {
    throw new Error(`backward: seed shape ${fmtShape(seed.shape)} does not match output ${fmtShape(output.shape)}`);
  }
  cts[start] = seed;
  noRecord(() => {
    for (let i = start; i >= 0; i--) {
      const node = tape.nodes[i]!;
      const ct = cts[i];
      if (ct === undefined || node.op === 'leaf') continue;
      const grads = node.vjp(ct);
      for (let j = 0; j < node.inputs.length; j++) {
        const inp = node.inputs[j]!;
        const g = grads[j];
        if (g === null || g === undefined || !onTape(inp, tape)) continue;
        if (!sameShape(g.shape, inp.shape)) {
          throw new Error(
            `backward: the VJP of '${node.op}' gave a gradient of shape ${fmtShape(g.shape)} for input ${j} of shape ${fmtShape(inp.shape)}`,
          );
        }
        if (g.dtype !== inp.dtype) {
          throw new Error(`backward: the VJP of '${node.op}' gave a ${g.dtype} gradient for a ${inp.dtype} input ${j}`);
        }
        const k = inp.node!.index;
        const prev = cts[k];
        cts[k] = prev === undefined ? g : addInto(prev, g);
      }
    }
  });
  return cts;
}
