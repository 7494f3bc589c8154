import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { expectClose, fixture, values } from './elementwise-helpers.js';

/** In-place variants: values, aliasing, version counters, autograd rebasing and PyTorch's errors. */

const f32 = (v: number[]) => torch.tensor(v);

describe('in-place arithmetic', () => {
  it('returns the same tensor, writes its storage and bumps the version', () => {
    const x = f32([1, 2, 3]);
    const v0 = x.version;
    expect(x.add_(1)).toBe(x);
    expect(x.tolist()).toEqual([2, 3, 4]);
    expect(x.version).toBe(v0 + 1);
    x.sub_(f32([1, 1, 1]), { alpha: 2 })
      .mul_(3)
      .div_(2);
    expect(x.tolist()).toEqual([0, 1.5, 3]);
    x.pow_(2).neg_().clamp_(-4, 0);
    expect(x.tolist()).toEqual([-0, -2.25, -4]);
    x.abs_().sqrt_().exp_().log_();
    expectClose(x.dataSync(), [0, 1.5, 2], 1e-6, 'abs sqrt exp log');
    expect(x.version).toBe(v0 + 11);
  });
  it('covers the unary in-place family', () => {
    const cases: [string, (t: torch.Tensor) => torch.Tensor, (v: number) => number][] = [
      ['sigmoid_', (t) => t.sigmoid_(), (v) => 1 / (1 + Math.exp(-v))],
      ['tanh_', (t) => t.tanh_(), Math.tanh],
      ['relu_', (t) => t.relu_(), (v) => Math.max(v, 0)],
      ['floor_', (t) => t.floor_(), Math.floor],
      ['ceil_', (t) => t.ceil_(), Math.ceil],
      [
        'round_',
        (t) => t.round_(),
        (v) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v)),
      ],
      ['sign_', (t) => t.sign_(), Math.sign],
      ['sin_', (t) => t.sin_(), Math.sin],
      ['cos_', (t) => t.cos_(), Math.cos],
      ['reciprocal_', (t) => t.reciprocal_(), (v) => 1 / v],
      ['square_', (t) => t.square_(), (v) => v * v],
      ['expm1_', (t) => t.expm1_(), Math.expm1],
      ['rsqrt_', (t) => t.abs_().rsqrt_(), (v) => 1 / Math.sqrt(Math.abs(v))],
      ['log1p_', (t) => t.abs_().log1p_(), (v) => Math.log1p(Math.abs(v))],
      ['remainder_', (t) => t.remainder_(1.5), (v) => v - Math.floor(v / 1.5) * 1.5],
      ['fmod_', (t) => t.fmod_(1.5), (v) => v % 1.5],
    ];
    const input = [-2.5, -1.25, 0.5, 1.5, 2.5];
    for (const [name, f, ref] of cases) {
      const t = torch.tensor(input, { dtype: 'float64' });
      expect(f(t)).toBe(t);
      expectClose(t.dataSync(), input.map(ref), 1e-12, name);
    }
  });
  it('writes through non-contiguous views into the base', () => {
    const base = torch.arange(6).float().reshape([2, 3]);
    const view = base.t();
    view.add_(torch.tensor([10, 20]));
    expect(base.tolist()).toEqual([
      [10, 11, 12],
      [23, 24, 25],
    ]);
    base.narrow(1, 1, 1).zero_();
    expect(base.tolist()).toEqual([
      [10, 0, 12],
      [23, 0, 25],
    ]);
  });
  it('keeps int tensors int, and rejects results of a higher category', () => {
    const x = torch.tensor([1, 2, 3], { dtype: 'int32' });
    x.mul_(2).add_(1);
    expect(x.dtype).toBe('int32');
    expect(x.tolist()).toEqual([3, 5, 7]);
    expect(() => x.add_(1.5)).toThrow(
      "add_: result type Float can't be cast to the desired output type Int",
    );
    expect(() => x.div_(2)).toThrow(
      "div_: result type Float can't be cast to the desired output type Int",
    );
    x.div_(2, { roundingMode: 'floor' });
    expect(x.tolist()).toEqual([1, 2, 3]);
    const b = torch.tensor([true, false]);
    expect(() => b.add_(1)).toThrow(
      "add_: result type Int can't be cast to the desired output type Bool",
    );
  });
  it('rejects a result that does not fit the output shape', () => {
    expect(() => torch.ones(3).add_(torch.ones(2, 3))).toThrow(
      "add_: output with shape [3] doesn't match the broadcast shape [2, 3]",
    );
    expect(() => torch.ones(3).mul_(torch.ones(1, 3))).toThrow(
      "mul_: output with shape [3] doesn't match the broadcast shape [1, 3]",
    );
  });
});

describe('in-place ops and autograd', () => {
  it('reject leaves that require grad, unless grad mode is off', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(
      'add_: a leaf Variable that requires grad is being used in an in-place operation.',
    );
    expect(() => w.zero_()).toThrow(/leaf Variable that requires grad/);
    expect(() => w.narrow(0, 0, 1).mul_(2)).toThrow(/view of a leaf Variable that requires grad/);
    torch.noGrad(() => w.sub_(0.5));
    expect(w.tolist()).toEqual([0.5, 1.5]);
    expect(w.requiresGrad).toBe(true);
  });
  it('an int tensor cannot require grad', () => {
    expect(() => torch.tensor([1], { dtype: 'int32' }).requiresGrad_()).toThrow(
      'only Tensors of floating point dtype can require gradients (got dtype int32)',
    );
  });
  it('rebase the tensor onto the new node', () => {
    const w = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = w.mul(2);
    y.mul_(w).add_(1);
    expect(y.gradFn!.name).toBe('AddBackward0');
    y.sum().backward();
    expect(w.grad!.tolist()).toEqual([4, 8, 12]);
    // A buffer that does not require grad, multiplied in place by one that does.
    const buf = torch.tensor([1, 2, 3]);
    const v = torch.tensor([1, 1, 1], { requiresGrad: true });
    buf.mul_(v).pow_(2);
    expect(buf.requiresGrad).toBe(true);
    buf.sum().backward();
    expect(v.grad!.tolist()).toEqual([2, 8, 18]);
  });
  it('writing through a view rebases its base (CopySlices)', () => {
    const w = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = w.mul(2);
    y.narrow(0, 0, 1).mul_(3);
    expect(y.tolist()).toEqual([6, 4, 6]);
    y.sum().backward();
    expect(w.grad!.tolist()).toEqual([6, 2, 2]);
    // A buffer that did not require grad starts requiring it when a view receives a graph value.
    const buf = torch.zeros(2, 2);
    buf.select(0, 1).copy_(w.narrow(0, 0, 2));
    expect(buf.requiresGrad).toBe(true);
    const [g] = torch.grad(
      buf
        .mul(
          torch.tensor([
            [1, 1],
            [10, 100],
          ]),
        )
        .sum(),
      [w],
    );
    expect(g!.tolist()).toEqual([10, 100, 0]);
  });
  it('modifying a saved tensor makes backward fail with the version numbers', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const y = w.exp();
    y.add_(1);
    expect(() => y.sum().backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[float32 \[2\]\], which is output 0 of ExpBackward0, is at version 1; expected version 0/,
    );
  });
  it('scalar products save no tensor, so the input may change in place afterwards', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const h = w.add(0);
    const y = h.mul(3);
    h.mul_(2);
    y.sum().backward();
    expect(w.grad!.tolist()).toEqual([3, 3]);
  });
});

describe('fill_, zero_, copy_', () => {
  it('fill_ takes numbers, booleans and 0-d tensors', () => {
    expect(torch.empty(2).fill_(7).tolist()).toEqual([7, 7]);
    expect(torch.empty([2], { dtype: 'int32' }).fill_(3).tolist()).toEqual([3, 3]);
    expect(torch.empty([2], { dtype: 'bool' }).fill_(true).tolist()).toEqual([true, true]);
    expect(torch.empty(2).fill_(torch.tensor(2.5)).tolist()).toEqual([2.5, 2.5]);
    expect(() => torch.empty(2).fill_(torch.ones(2))).toThrow(
      'fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions.',
    );
    expect(torch.ones(2, 2).zero_().tolist()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
  it('copy_ broadcasts and casts', () => {
    const d = torch.empty([2, 3], { dtype: 'int32' });
    d.copy_(torch.tensor([1.7, -2.7, 3]));
    expect(d.tolist()).toEqual([
      [1, -2, 3],
      [1, -2, 3],
    ]);
    const b = torch.empty([3], { dtype: 'bool' }).copy_(torch.tensor([0.5, 0, -1]));
    expect(b.tolist()).toEqual([true, false, true]);
    expect(() => torch.empty(3).copy_(torch.ones(2))).toThrow(
      'copy: the source of shape [2] cannot be broadcast to the destination of shape [3]',
    );
  });
  it('copy_ is differentiable with respect to the source only', () => {
    const src = torch.tensor([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
    const old = torch.tensor([5, 5, 5], { requiresGrad: true });
    const dst = old.mul(1);
    dst.copy_(src);
    expect(dst.dtype).toBe('float32');
    dst
      .mul(torch.tensor([1, 10, 100]))
      .sum()
      .backward();
    expect(src.grad!.dtype).toBe('float64');
    expect(src.grad!.tolist()).toEqual([1, 10, 100]);
    expect(old.grad!.tolist()).toEqual([0, 0, 0]);
  });
});

describe('uniform_ and normal_', () => {
  const r = fixture.random;
  it('reproduce PyTorch values for the same seed', () => {
    torch.manualSeed(r.seed);
    const u = torch.empty(5).uniform_(-1, 2);
    const n = torch.empty(20).normal_(1, 3);
    const n64 = torch.empty([3], { dtype: 'float64' }).normal_();
    expectClose(u.dataSync(), values(r.uniform), 1e-6, 'uniform_');
    expectClose(n.dataSync(), values(r.normal), 1e-5, 'normal_');
    expectClose(n64.dataSync(), values(r.normal64), 1e-12, 'normal_ float64');
  });
  it('use a given generator, and fill views in place', () => {
    const g = new torch.Generator(3);
    const a = torch.zeros(2, 4);
    a.t().uniform_(0, 1, { generator: g });
    const b = torch.empty(4, 2).uniform_(0, 1, { generator: new torch.Generator(3) });
    expect(a.t().tolist()).toEqual(b.tolist());
    expect(a.lt(1).logicalAnd(a.ge(0)).all().isNonzero()).toBe(true);
  });
  it('reject integer tensors and bad arguments', () => {
    expect(() => torch.empty([2], { dtype: 'int32' }).uniform_()).toThrow(
      `uniform_: "uniform_" not implemented for 'Int'`,
    );
    expect(() => torch.empty(2).uniform_(2, 1)).toThrow(/from=2 > to=1/);
    expect(() => torch.empty(2).normal_(0, -1)).toThrow(
      'normal_ expects std >= 0.0, but found std -1',
    );
  });
});
