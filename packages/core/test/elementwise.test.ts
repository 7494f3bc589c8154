import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { expectClose, expectResult, fixture, type Result, values } from './elementwise-helpers.js';

/** Forward values and result dtypes of the elementwise family against PyTorch 1.13. */

const inputs = fixture.inputs;
const f32 = (v: number[], shape?: number[]) =>
  shape ? torch.tensor(v).reshape(shape) : torch.tensor(v);
const i32 = (v: number[]) => torch.tensor(v, { dtype: 'int32' });

type Fn = (...args: torch.Tensor[]) => torch.Tensor;
const t = torch as unknown as Record<string, Fn>;
const UNARY_NAME: Record<string, string> = {
  logical_not: 'logicalNot',
};

describe('unary ops match PyTorch (float32, edge values)', () => {
  const x = f32(values(inputs.unary));
  for (const [name, expected] of Object.entries(fixture.unary as Record<string, Result>)) {
    const fn = UNARY_NAME[name] ?? name;
    it(name, () => {
      // Transcendental results may differ from PyTorch's float32 kernels by an ulp or two.
      expectResult(t[fn]!(x), expected, name, 1e-6);
      // The method form gives the same result.
      const m = (x as unknown as Record<string, () => torch.Tensor>)[fn]!.call(x);
      expectResult(m, expected, `${name} (method)`, 1e-6);
    });
  }
});

describe('unary ops on int32 keep or promote the dtype as PyTorch', () => {
  const x = i32(inputs.unaryInt);
  for (const [name, expected] of Object.entries(fixture.unaryInt as Record<string, Result>)) {
    it(name, () => expectResult(t[UNARY_NAME[name] ?? name]!(x), expected, name, 1e-6));
  }
});

const BINARY_FN: Record<string, Fn> = {
  divTrunc: (a, b) => torch.div(a, b, { roundingMode: 'trunc' }),
  divFloor: (a, b) => torch.div(a, b, { roundingMode: 'floor' }),
};

describe('binary ops match PyTorch', () => {
  const a = f32(values(inputs.a));
  const b = f32(values(inputs.b));
  for (const [name, expected] of Object.entries(fixture.binary as Record<string, Result>)) {
    it(`${name} (float32)`, () =>
      expectResult((BINARY_FN[name] ?? t[name]!)(a, b), expected, name));
  }
  const ia = i32(inputs.intA);
  const ib = i32(inputs.intB);
  for (const [name, expected] of Object.entries(fixture.binaryInt as Record<string, Result>)) {
    it(`${name} (int32)`, () =>
      expectResult((BINARY_FN[name] ?? t[name]!)(ia, ib), expected, name));
  }
  it('integer division and modulus by zero throw', () => {
    const z = i32([1, 0]);
    expect(() => torch.div(i32([3, 4]), z, { roundingMode: 'floor' })).toThrow(/ZeroDivisionError/);
    expect(() => torch.div(i32([3, 4]), 0, { roundingMode: 'trunc' })).toThrow(/ZeroDivisionError/);
    expect(() => torch.remainder(i32([3, 4]), z)).toThrow(/ZeroDivisionError/);
    expect(() => torch.fmod(i32([3, 4]), z)).toThrow(/ZeroDivisionError/);
    expect(() => torch.div(f32([1]), 1, { roundingMode: 'round' as 'floor' })).toThrow(
      /roundingMode/,
    );
  });
});

describe('pow', () => {
  const x = f32(values(fixture.powInputs));
  for (const [e, expected] of Object.entries(fixture.powScalar as Record<string, Result>)) {
    const exponent = e === 'inf' ? Number.POSITIVE_INFINITY : Number(e);
    it(`tensor ** ${e}`, () => expectResult(x.pow(exponent), expected, `pow ${e}`));
  }
  const xi = i32(inputs.unaryInt);
  for (const [e, expected] of Object.entries(fixture.powIntScalar as Record<string, Result>)) {
    it(`int32 tensor ** ${e}`, () => expectResult(xi.pow(Number(e)), expected, `pow ${e}`, 1e-6));
  }
  for (const [base, expected] of Object.entries(fixture.rpow as Record<string, Result>)) {
    it(`${base} ** tensor`, () =>
      expectResult(torch.pow(Number(base), x), expected, `rpow ${base}`));
  }
  for (const [base, expected] of Object.entries(fixture.rpowInt as Record<string, Result>)) {
    it(`${base} ** int32 tensor`, () =>
      expectResult(torch.pow(Number(base), i32([0, 1, 2, 5])), expected, `rpow ${base}`));
  }
  it('x.pow(2) on ints stays int; negative integer powers of ints are rejected', () => {
    expect(i32([3]).pow(2).dtype).toBe('int32');
    expect(i32([3]).square().tolist()).toEqual([9]);
    expect(torch.tensor([true, false]).square().dtype).toBe('int32');
    expect(() => i32([2]).pow(-1)).toThrow('Integers to negative integer powers are not allowed.');
    expect(() => torch.pow(torch.tensor([true]), torch.tensor([true]))).toThrow(
      /not implemented for 'Bool'/,
    );
  });
});

describe('clamp', () => {
  const x = f32(values(fixture.clampInput));
  const c = fixture.clamp;
  it('scalar bounds', () => {
    expectResult(torch.clamp(x, -1, 0.5), c.both, 'both');
    expectResult(torch.clamp(x, { min: 0 }), c.min, 'min');
    expectResult(x.clamp(null, 0.25), c.max, 'max');
    expectResult(x.clip(2, 1), c.inverted, 'min > max');
    expectResult(torch.clamp(i32([-5, 0, 3, 9]), -1, 4), c.int, 'int');
    expectResult(torch.clamp(i32([-5, 0, 3, 9]), 0.5), c.intFloat, 'int with float bound');
  });
  it('tensor bounds', () => {
    const ct = fixture.clampTensor;
    const lo = f32(values(ct.lo));
    const hi = f32(values(ct.hi));
    expectResult(torch.clamp(x, lo, hi), ct.both, 'both');
    expectResult(x.clampMin(lo), ct.min, 'min');
    expectResult(torch.clampMax(x, hi), ct.max, 'max');
    expect(torch.clamp(x, lo, 0.25).gradFn).toBe(null);
  });
  it('needs a bound', () => {
    expect(() => torch.clamp(x)).toThrow("clamp: At least one of 'min' or 'max' must not be None");
  });
});

describe('where', () => {
  const w = fixture.where;
  const cond = torch.tensor(w.cond as boolean[]);
  const a = f32(values(w.a));
  it('broadcasts condition, input and other', () => {
    expectResult(torch.where(cond, a, f32([5, -1], [2, 1])), w.tensors, 'tensors');
  });
  it('accepts scalars and promotes like PyTorch', () => {
    expectResult(torch.where(cond, a, 0), w.scalarOther, 'scalar other');
    expectResult(torch.where(cond, 1, 0), w.scalars, 'two int scalars');
    expectResult(torch.where(cond, 1.5, 0), w.mixedScalars, 'float and int scalars');
    expectResult(torch.where(cond, i32([1, 2, 3, 4]), 0.5), w.intFloat, 'int tensor, float scalar');
    expectResult(a.where(cond, 0), w.scalarOther, 'method form');
  });
  it('requires a bool condition', () => {
    expect(() => torch.where(i32([1]), a, a)).toThrow(
      'where: expected condition to be a boolean tensor, but got a tensor with dtype int32',
    );
  });
});

describe('type promotion matches PyTorch', () => {
  const make = (spec: string | number | boolean): torch.Tensor | number | boolean => {
    if (typeof spec !== 'string') return spec;
    const [dtype, kind] = spec.split(':') as [torch.DType, string | undefined];
    return kind === '0d' ? torch.ones([], { dtype }) : torch.ones([2], { dtype });
  };
  type PromoCase = {
    op: string;
    a: string;
    b: string | number | boolean;
    dtype?: torch.DType;
    shape?: number[];
    error?: string;
  };
  const call: Record<
    string,
    (a: torch.Tensor, b: torch.Tensor | number | boolean) => torch.Tensor
  > = {
    add: (a, b) => torch.add(a, b),
    mul: (a, b) => torch.mul(a, b),
    div: (a, b) => torch.div(a, b),
    maximum: (a, b) => torch.maximum(a, b as torch.Tensor),
    eq: (a, b) => torch.eq(a, b),
    pow: (a, b) => torch.pow(a, b),
    remainder: (a, b) => torch.remainder(a, b),
  };
  for (const c of fixture.promotion as PromoCase[]) {
    it(`${c.op}(${c.a}, ${c.b})`, () => {
      const a = make(c.a) as torch.Tensor;
      const b = make(c.b);
      if (c.error) {
        expect(() => call[c.op]!(a, b)).toThrow();
        return;
      }
      const r = call[c.op]!(a, b);
      expect(r.dtype).toBe(c.dtype);
      expect(r.shape).toEqual(c.shape);
    });
  }
  it('bool + bool is logical or; bool - bool is rejected', () => {
    const b = torch.tensor([true, false, true]);
    const s = b.add(b);
    expect(s.dtype).toBe('bool');
    expect(s.eq(true).tolist()).toEqual([true, false, true]);
    expect(() => b.sub(b)).toThrow(/Subtraction, the `-` operator, with two bool tensors/);
    expect(() => b.neg()).toThrow(/Negation, the `-` operator, on a bool tensor/);
    expect(() => b.abs()).toThrow(/not implemented for 'Bool'/);
    expect(() => b.relu()).toThrow(/Boolean inputs not supported for relu/);
  });
});

describe('comparison and logical methods accept scalars', () => {
  it('int tensor against a fractional scalar compares as float', () => {
    const x = i32([1, 2, 3]);
    expect(x.lt(2.5).tolist()).toEqual([true, true, false]);
    expect(x.ge(2).tolist()).toEqual([false, true, true]);
    expect(x.eq(2).dtype).toBe('bool');
    expect(x.ne(2).tolist()).toEqual([true, false, true]);
    expect(x.gt(1).tolist()).toEqual([false, true, true]);
    expect(x.le(1).tolist()).toEqual([true, false, false]);
    expect(x.logicalAnd(torch.tensor([true, false, true])).tolist()).toEqual([true, false, true]);
    expect(x.logicalOr(0).tolist()).toEqual([true, true, true]);
    expect(x.logicalXor(true).tolist()).toEqual([false, false, false]);
    expect(f32([Number.NaN, 0]).logicalNot().tolist()).toEqual([false, true]);
  });
});

describe('generated loops and closure fallback agree', () => {
  it('every kernel gives the same results without code generation', async () => {
    const { setCodegen } = await import('@autodag/backend-cpu');
    const a = f32(values(inputs.a));
    const b = f32(values(inputs.b));
    const run = () => [
      a.add(b),
      a.pow(b),
      torch.maximum(a, b),
      a.lt(b),
      a.round(),
      torch.where(a.gt(0), a, b),
      torch.clamp(a, -1, 2),
      torch.clamp(a, b, 3),
      a.mul(2.5),
      i32(inputs.intA).remainder(i32(inputs.intB)),
      a.reshape([4, 6]).t().sigmoid(),
      a
        .reshape([4, 6])
        .t()
        .add(b.reshape([6, 4])),
    ];
    const generated = run().map((r) => Array.from(r.dataSync()));
    setCodegen(false);
    try {
      const closures = run().map((r) => Array.from(r.dataSync()));
      closures.forEach((c, i) => {
        expectClose(c, generated[i]!, 0, `case ${i}`);
      });
    } finally {
      setCodegen(true);
    }
  });
});
