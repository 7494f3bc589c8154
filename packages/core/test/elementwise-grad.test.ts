import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { expectClose, fixture, values } from './elementwise-helpers.js';

/**
 * Gradients of the elementwise family: float64 central finite differences (gradcheck) for every
 * differentiable op, on broadcast and non-contiguous inputs; PyTorch's values at kinks (ties,
 * clamp bounds); second derivatives through grad(createGraph) against PyTorch; gradFn names.
 */

const { gradcheck, gradgradcheck } = torch.autograd;
type T = torch.Tensor;

/** A float64 leaf with values in [low, high) kept away from `avoid` (kinks) by at least 0.1. */
function leaf(shape: number[], low: number, high: number, seed: number, avoid: number[] = []) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    let x: number;
    do {
      s = (s * 1103515245 + 12345) % 2147483648;
      x = low + (s / 2147483648) * (high - low);
    } while (avoid.some((a) => Math.abs(x - a) < 0.1));
    v.push(x);
  }
  return torch.tensor(v, { dtype: 'float64' }).reshape(shape).requiresGrad_();
}

/** A non-contiguous float64 leaf view: the transpose of a [cols, rows] leaf. */
function transposedLeaf(rows: number, cols: number, low: number, high: number, seed: number) {
  const base = leaf([cols, rows], low, high, seed);
  return { base, view: base.t() };
}

type U = (x: torch.Tensor) => torch.Tensor;
const UNARY: [string, U, number, number, number[]][] = [
  ['neg', (x) => x.neg(), -3, 3, []],
  ['abs', (x) => x.abs(), -3, 3, [0]],
  ['exp', (x) => x.exp(), -2, 2, []],
  ['log', (x) => x.log(), 0.2, 4, []],
  ['log1p', (x) => x.log1p(), -0.8, 3, []],
  ['expm1', (x) => x.expm1(), -2, 2, []],
  ['sqrt', (x) => x.sqrt(), 0.2, 4, []],
  ['rsqrt', (x) => x.rsqrt(), 0.2, 4, []],
  ['sin', (x) => x.sin(), -3, 3, []],
  ['cos', (x) => x.cos(), -3, 3, []],
  ['tanh', (x) => x.tanh(), -2, 2, []],
  ['sigmoid', (x) => x.sigmoid(), -3, 3, []],
  ['relu', (x) => x.relu(), -3, 3, [0]],
  ['reciprocal', (x) => x.reciprocal(), 0.3, 3, []],
  ['square', (x) => x.square(), -3, 3, []],
  ['sign', (x) => x.sign(), -3, 3, [0]],
  ['floor', (x) => x.floor(), -3, 3, [-3, -2, -1, 0, 1, 2, 3]],
  ['ceil', (x) => x.ceil(), -3, 3, [-3, -2, -1, 0, 1, 2, 3]],
  ['round', (x) => x.round(), -3, 3, [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]],
  ['pow(x, 3)', (x) => x.pow(3), -2, 2, []],
  ['pow(x, -1.5)', (x) => x.pow(-1.5), 0.3, 3, []],
  ['pow(x, 0)', (x) => x.pow(0), -2, 2, []],
  ['pow(2.5, x)', (x) => torch.pow(2.5, x), -2, 2, []],
  ['clamp(x, -1, 1)', (x) => x.clamp(-1, 1), -3, 3, [-1, 1]],
  ['clamp min', (x) => x.clamp({ min: 0.5 }), -3, 3, [0.5]],
  ['mul scalar', (x) => x.mul(2.5), -3, 3, []],
  ['div scalar', (x) => x.div(-4), -3, 3, []],
];

describe('unary gradients match finite differences (float64)', () => {
  UNARY.forEach(([name, f, low, high, avoid], k) => {
    it(name, () => {
      expect(gradcheck(f, [leaf([2, 3], low, high, 11 + k, avoid)])).toBe(true);
      // A non-contiguous input and a 0-d input.
      const base = leaf([3, 2], low, high, 31 + k, avoid);
      expect(gradcheck((b: torch.Tensor) => f(b.t()), [base])).toBe(true);
      expect(gradcheck(f, [leaf([], low, high, 51 + k, avoid)])).toBe(true);
    });
  });
});

type B = (a: torch.Tensor, b: torch.Tensor) => torch.Tensor;
const BINARY: [string, B, [number, number], [number, number]][] = [
  ['add', (a, b) => a.add(b, { alpha: 2 }), [-3, 3], [-3, 3]],
  ['sub', (a, b) => a.sub(b), [-3, 3], [-3, 3]],
  ['mul', (a, b) => a.mul(b), [-3, 3], [-3, 3]],
  ['div', (a, b) => a.div(b), [-3, 3], [0.5, 3]],
  ['remainder', (a, b) => a.remainder(b), [0.1, 0.9], [1.1, 3]],
  ['fmod', (a, b) => a.fmod(b), [-0.9, -0.1], [1.1, 3]],
  ['pow', (a, b) => a.pow(b), [0.5, 3], [-2, 2]],
  ['maximum', (a, b) => torch.maximum(a, b), [-3, -0.2], [0.2, 3]],
  ['minimum', (a, b) => torch.minimum(a, b), [-3, -0.2], [0.2, 3]],
  ['where', (a, b) => torch.where(a.gt(-1), a, b), [-3, 3], [-3, 3]],
  ['clamp tensor min', (a, b) => a.clamp(b, null), [-3, 3], [-3, 3]],
];

describe('binary gradients match finite differences, with broadcasting and views (float64)', () => {
  BINARY.forEach(([name, f, [la, ha], [lb, hb]], k) => {
    it(name, () => {
      expect(gradcheck(f, [leaf([2, 3], la, ha, 3 + k), leaf([2, 3], lb, hb, 5 + k)])).toBe(true);
      expect(gradcheck(f, [leaf([3, 1], la, ha, 7 + k), leaf([4], lb, hb, 9 + k)])).toBe(true);
      expect(gradcheck(f, [leaf([], la, ha, 13 + k), leaf([2, 2], lb, hb, 15 + k)])).toBe(true);
      const { base, view } = transposedLeaf(2, 3, la, ha, 17 + k);
      const other = leaf([2, 3], lb, hb, 19 + k);
      expect(gradcheck((b: torch.Tensor, o: torch.Tensor) => f(b.t(), o), [base, other])).toBe(
        true,
      );
      expect(view.isContiguous()).toBe(false);
    });
  });
  it('clamp with tensor bounds (all three arguments)', () => {
    const x = leaf([3, 4], -3, 3, 21);
    const lo = leaf([4], -2, -0.5, 22);
    const hi = leaf([3, 1], 0.5, 2, 23);
    expect(gradcheck((a: T, b: T, c: T) => torch.clamp(a, b, c), [x, lo, hi])).toBe(true);
  });
  it('copy_ and fill_ pass gradients to the source only', () => {
    const src = leaf([3], -2, 2, 24);
    const dst = leaf([2, 3], -2, 2, 25);
    expect(gradcheck((s: T, d: T) => d.mul(1).copy_(s).mul(d), [src, dst])).toBe(true);
    const v = leaf([], -2, 2, 26);
    expect(gradcheck((s: T, d: T) => d.mul(1).fill_(s).mul(d), [v, dst])).toBe(true);
  });
});

describe('gradients at kinks match PyTorch', () => {
  const g = fixture.grads;
  const f64 = (v: number[]) => torch.tensor(v, { dtype: 'float64' }).requiresGrad_();
  const w = torch.tensor(g.w, { dtype: 'float64' });
  const w6 = torch.tensor(g.w6, { dtype: 'float64' });
  it('maximum/minimum split ties in half', () => {
    const fns = { maximum: torch.maximum, minimum: torch.minimum };
    for (const [name, f] of Object.entries(fns)) {
      const a = f64(g.a);
      const b = f64(g.b);
      const [ga, gb] = torch.grad(f(a, b).mul(w).sum(), [a, b]);
      expectClose(ga!.dataSync(), values(g.values[name][0]), 1e-12, `${name} a`);
      expectClose(gb!.dataSync(), values(g.values[name][1]), 1e-12, `${name} b`);
    }
  });
  it('clamp passes the gradient where min <= x <= max; relu and abs at 0', () => {
    const cases: [string, (x: torch.Tensor) => torch.Tensor][] = [
      ['clampBoth', (x) => x.clamp(-0.5, 1)],
      ['clampMin', (x) => x.clamp({ min: 0 })],
      ['relu', (x) => x.relu()],
      ['abs', (x) => x.abs()],
    ];
    for (const [name, f] of cases) {
      const x = f64(g.x);
      const [gx] = torch.grad(f(x).mul(w6).sum(), [x]);
      expectClose(gx!.dataSync(), values(g.values[name][0]), 1e-12, name);
    }
    const x = f64(g.x);
    const lo = f64(g.lo);
    const hi = f64(g.hi);
    const grads = torch.grad(torch.clamp(x, lo, hi).mul(w6).sum(), [x, lo, hi]);
    grads.forEach((gr, i) => {
      expectClose(gr!.dataSync(), values(g.values.clampTensor[i]), 1e-12, `clampTensor ${i}`);
    });
  });
  it('pow with zero bases and exponents', () => {
    const a = f64(g.powBase);
    const e = f64(g.powExp);
    const [ga, ge] = torch.grad(a.pow(e).mul(w).sum(), [a, e]);
    expectClose(ga!.dataSync(), values(g.values.powTensor[0]), 1e-12, 'base');
    expectClose(ge!.dataSync(), values(g.values.powTensor[1]), 1e-12, 'exponent');
  });
});

describe('second derivatives through grad(createGraph) match PyTorch', () => {
  const s = fixture.second;
  const fns: Record<string, (t: torch.Tensor) => torch.Tensor> = {
    tanh: (t) => t.tanh(),
    sigmoid: (t) => t.sigmoid(),
    pow3: (t) => t.pow(3),
    exp: (t) => t.exp(),
    sin: (t) => t.sin(),
    rsqrtAbs: (t) => t.abs().rsqrt(),
    powTensor: (t) => t.abs().add(0.5).pow(t),
  };
  for (const [name, f] of Object.entries(fns)) {
    it(name, () => {
      const x = torch.tensor(s.x, { dtype: 'float64' }).requiresGrad_();
      const [g] = torch.grad(f(x).sum(), [x], { createGraph: true });
      expect(g!.requiresGrad).toBe(true);
      const [gg] = torch.grad(g!.sum(), [x]);
      expectClose(g!.detach().dataSync(), values(s.values[name].grad), 1e-12, `${name} grad`);
      expectClose(gg!.dataSync(), values(s.values[name].second), 1e-10, `${name} second`);
    });
  }
  it('gradgradcheck agrees for tanh, sigmoid, pow, clamp and where', () => {
    const x = leaf([2, 3], -2, 2, 41);
    const y = leaf([2, 3], 0.5, 2, 42);
    expect(gradgradcheck((t: T) => t.tanh(), [x])).toBe(true);
    expect(gradgradcheck((t: T) => t.sigmoid(), [x])).toBe(true);
    expect(gradgradcheck((a: T, b: T) => b.pow(a), [x, y])).toBe(true);
    expect(gradgradcheck((t: T) => t.pow(3), [x])).toBe(true);
    expect(gradgradcheck((a: T, b: T) => torch.where(a.gt(0), a.mul(a), b.exp()), [x, y])).toBe(
      true,
    );
    expect(gradgradcheck((a: T, b: T) => torch.maximum(a, b).square(), [x, y])).toBe(true);
  });
});

describe('grad_fn names follow PyTorch', () => {
  const x = torch.tensor([1.5, 2.5], { requiresGrad: true });
  const cases: [string, () => torch.Tensor][] = [
    ['SigmoidBackward0', () => x.sigmoid()],
    ['ReluBackward0', () => x.relu()],
    ['AbsBackward0', () => x.abs()],
    ['NegBackward0', () => x.neg()],
    ['Log1PBackward0', () => x.log1p()],
    ['Expm1Backward0', () => x.expm1()],
    ['RsqrtBackward0', () => x.rsqrt()],
    ['SignBackward0', () => x.sign()],
    ['RoundBackward0', () => x.round()],
    ['ReciprocalBackward0', () => x.reciprocal()],
    ['PowBackward0', () => x.square()],
    ['PowBackward0', () => x.pow(2)],
    ['PowBackward1', () => x.pow(x)],
    ['PowBackward2', () => torch.pow(2, x)],
    ['MulBackward0', () => x.mul(2)],
    ['DivBackward0', () => x.div(2)],
    ['DivBackward2', () => x.div(x, { roundingMode: 'floor' })],
    ['RemainderBackward1', () => x.remainder(x)],
    ['FmodBackward1', () => x.fmod(x)],
    ['MaximumBackward0', () => x.maximum(x)],
    ['MinimumBackward0', () => x.minimum(x)],
    ['WhereBackward0', () => torch.where(x.gt(2), x, 0)],
    ['ClampBackward1', () => x.clamp(0, 1)],
    ['ClampBackward0', () => x.clamp(torch.tensor(0), null)],
    ['CopyBackwards', () => x.mul(1).copy_(x)],
    ['FillBackward2', () => x.mul(1).fill_(1)],
    ['FillBackward3', () => x.mul(1).fill_(torch.tensor(2))],
    ['ZeroBackward0', () => x.mul(1).zero_()],
    ['UniformBackward0', () => x.mul(1).uniform_()],
    ['NormalBackward0', () => x.mul(1).normal_()],
    ['AddBackward0', () => x.mul(1).add_(1)],
  ];
  for (const [name, f] of cases) it(name, () => expect(f().gradFn!.name).toBe(name));
  it('comparisons and bool results carry no gradient', () => {
    expect(x.gt(1).requiresGrad).toBe(false);
    expect(x.isnan().gradFn).toBe(null);
  });
});
