// The tape: accumulation into reused nodes, iterative backward on 100 000-op chains, and the gradient shape/dtype checks.
import { describe, expect, it } from 'vitest';
import {
  add, exp, grad, mul, sum, tanh, tensor, valueAndGrad, zeros, type Tensor,
} from '../../src/index.js';
import { backward, leaf, record, withTape } from '../../src/autodiff/tape.js';
import { makeTensor } from '../../src/tensor/tensor.js';

const g1 = (f: (x: Tensor) => Tensor, x: Tensor): Tensor => grad(f)(x) as Tensor;

describe('reused nodes accumulate', () => {
  it('b = a + a; c = b + b gives dc/da = 4 (scalar and vector a)', () => {
    const f = (a: Tensor): Tensor => {
      const b = add(a, a);
      const c = add(b, b);
      return sum(c);
    };
    expect(g1(f, tensor(1.5)).item()).toBe(4);
    expect(g1(f, tensor([1, -2, 3])).toArray()).toEqual([4, 4, 4]);
    const [v, g] = valueAndGrad(f)(tensor(1.5));
    expect(v.item()).toBe(6);
    expect((g as Tensor).item()).toBe(4);
  });

  it('a non-leaf used in two branches: c = b·b + exp(b), b = tanh(a)', () => {
    const f = (a: Tensor): Tensor => {
      const b = tanh(a);
      return sum(add(mul(b, b), exp(b)));
    };
    const a = tensor([0.3, -1.1, 2]);
    const g = g1(f, a).toFloat64Array();
    a.toFloat64Array().forEach((x, i) => {
      const b = Math.tanh(x);
      expect(g[i]).toBeCloseTo((2 * b + Math.exp(b)) * (1 - b * b), 14);
    });
  });

  it('a diamond with unequal branches and a node used k times', () => {
    // y = x·x; z = y + 3y + y·y  ⇒ dz/dx = (4 + 2y) · 2x
    const f = (x: Tensor): Tensor => {
      const y = mul(x, x);
      return sum(add(add(y, mul(y, 3)), mul(y, y)));
    };
    expect(g1(f, tensor([2])).toArray()).toEqual([(4 + 2 * 4) * 4]);
    // s = Σ_{i<10} b with b = 2x ⇒ ds/dx = 20
    const k = (x: Tensor): Tensor => {
      const b = mul(x, 2);
      let s = b;
      for (let i = 1; i < 10; i++) s = add(s, b);
      return sum(s);
    };
    expect(g1(k, tensor([1, 2])).toArray()).toEqual([20, 20]);
  });

  it('the same leaf in both operands: d/dx Σ x·x = 2x', () => {
    expect(g1((x) => sum(mul(x, x)), tensor([3, -1])).toArray()).toEqual([6, -2]);
  });
});

describe('backward is iterative', () => {
  it('a chain of 100 000 ops backpropagates without a stack overflow', () => {
    const n = 100_000;
    const f = (x: Tensor): Tensor => {
      let y = x;
      for (let i = 0; i < n; i++) y = i % 2 === 0 ? add(y, 1e-3) : mul(y, 1.000001);
      return sum(y);
    };
    const [v, g] = valueAndGrad(f)(tensor([1, 2]));
    const factor = Math.pow(1.000001, n / 2);
    expect((g as Tensor).toFloat64Array()[0]).toBeCloseTo(factor, 8);
    expect((g as Tensor).toFloat64Array()[1]).toBeCloseTo(factor, 8);
    expect(Number.isFinite(v.item())).toBe(true);
  });

  it('a chain of 100 000 non-linear ops (tanh) gives the product of the local derivatives', () => {
    const n = 100_000;
    let x = 0.5;
    let expected = 1;
    for (let i = 0; i < n; i++) {
      const y = Math.tanh(x);
      expected *= 1 - y * y;
      x = y;
    }
    const g = g1((t) => {
      let y = t;
      for (let i = 0; i < n; i++) y = tanh(y);
      return sum(y);
    }, tensor([0.5]));
    expect(g.item() / expected).toBeCloseTo(1, 10);
  });
});

describe('the tape checks every gradient', () => {
  it("a VJP returning the wrong shape throws an error naming the op and both shapes", () => {
    const bad = (x: Tensor): Tensor =>
      record('custom:badShape', [x], x.contiguous(), x.shape, () => [zeros([7])]);
    expect(() => grad((x: Tensor) => sum(bad(x)))(tensor([1, 2, 3]))).toThrow(
      "backward: the VJP of 'custom:badShape' gave a gradient of shape [7] for input 0 of shape [3]",
    );
  });

  it('a VJP returning the wrong dtype throws an error naming the op', () => {
    const bad = (x: Tensor): Tensor =>
      record('custom:badDtype', [x], x.contiguous(), x.shape, (ct) => [makeTensor(Float32Array.from(ct.contiguous()), ct.shape)]);
    expect(() => grad((x: Tensor) => sum(bad(x)))(tensor([1, 2]))).toThrow(
      "backward: the VJP of 'custom:badDtype' gave a float32 gradient for a float64 input 0",
    );
  });

  it('a seed of the wrong shape is rejected', () => {
    withTape((tape) => {
      const x = leaf(tape, tensor([1, 2]));
      const y = mul(x, 2);
      expect(() => backward(tape, y, tensor([1]))).toThrow('backward: seed shape [1] does not match output [2]');
    });
  });

  it('null gradients and inputs off the tape are skipped', () => {
    const c = tensor([5, 6]);
    const f = (x: Tensor): Tensor => sum(record('custom:firstOnly', [x, c], mul(x, c).contiguous(), [2], (ct) => [mul(ct, c), null]));
    expect(g1(f, tensor([1, 2])).toArray()).toEqual([5, 6]);
  });
});

describe('recording', () => {
  it('ops outside grad are not recorded; a function independent of x has zero gradient', () => {
    const y = mul(tensor([1, 2]), 3);
    expect(y.node).toBeNull();
    const g = g1(() => sum(tensor([1, 2])), tensor([[1, 2, 3]]));
    expect(g.shape).toEqual([1, 3]);
    expect(g.toArray()).toEqual([[0, 0, 0]]);
  });

  it('the tape holds nodes in creation (topological) order', () => {
    withTape((tape) => {
      const x = leaf(tape, tensor([1]));
      const y = exp(x);
      const z = add(y, x);
      expect(tape.nodes.map((n) => n.op)).toEqual(['leaf', 'exp', 'add']);
      expect(z.node!.index).toBe(2);
      expect(z.node!.inputs[0]).toBe(y);
    });
  });

  it('an unused branch does not contribute', () => {
    const g = g1((x) => {
      exp(mul(x, 100)); // recorded but not reaching the output
      return sum(mul(x, 2));
    }, tensor([1]));
    expect(g.toArray()).toEqual([2]);
  });
});
