import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('operands of binary ops', () => {
  it('name the op when no operand is a tensor or one is not a number', () => {
    expect(() => torch.mul(2, 3)).toThrow(
      'mul(): expected at least one Tensor operand, got number and number',
    );
    expect(() => torch.add(torch.ones(2), [1, 2] as never)).toThrow(
      "add(): argument 'other' must be a Tensor or a number, not an array",
    );
    expect(() => torch.eq(torch.ones(2), 'a' as never)).toThrow(
      "eq(): argument 'other' must be a Tensor or a number, not a string",
    );
    expect(() => torch.callOp('neg', [5 as never])).toThrow(
      "neg(): argument 'input' must be a Tensor, not a number (wrap it with torch.tensor(...))",
    );
  });

  it('a hook may only observe the gradient', () => {
    const seen: number[] = [];
    const w = torch.tensor([1, 2], { requiresGrad: true });
    w.registerHook((g) => {
      seen.push(...(g.tolist() as number[]));
    });
    w.sum().backward();
    expect(seen).toEqual([1, 1]);
  });

  it('a NaN turns into true in a bool tensor, as any nonzero value', () => {
    expect(torch.tensor(new Float32Array([Number.NaN, 0, 2]), { dtype: 'bool' }).tolist()).toEqual([
      true,
      false,
      true,
    ]);
  });
});

describe('argument checks worded as PyTorch', () => {
  it('permute rejects duplicate dims; tril and triu an integer diagonal', () => {
    expect(() => torch.zeros(2, 3).permute(0, 0)).toThrow(
      'permute(): duplicate dims are not allowed.',
    );
    expect(() => torch.zeros(2, 3).tril(0.5)).toThrow(
      "tril(): argument 'diagonal' (position 1) must be an integer, not 0.5",
    );
    expect(torch.ones(2, 2).triu(1).tolist()).toEqual([
      [0, 1],
      [0, 0],
    ]);
  });
});

describe('aliases', () => {
  it('reshape and expand to the same shape return a new alias sharing storage, as in PyTorch', () => {
    const x = torch.arange(24).reshape(4, 6).float().get('::2', '1::2').t();
    const y = x.reshape(x.shape);
    expect(y).not.toBe(x);
    expect(y.storage).toBe(x.storage);
    const w = torch.ones(2, { requiresGrad: true });
    expect(w.expand(2)).not.toBe(w);
    expect(w.reshape(2).gradFn?.name).toBe('ViewBackward0');
  });
});

describe('view bounds', () => {
  it('any view op, even called directly, must stay inside its storage', () => {
    const x = torch.arange(6).float();
    expect(() => torch.callOp('asStrided', [x], { shape: [10], strides: [1], offset: 0 })).toThrow(
      'asStrided: view of size [10] with strides [1] and offset 0 reaches outside its storage of 6 elements',
    );
    expect(
      (
        torch.callOp('asStrided', [x], {
          shape: [2, 2],
          strides: [1, 2],
          offset: 1,
        }) as torch.Tensor
      ).tolist(),
    ).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });
});

describe('prod second derivatives with a zero', () => {
  it('match PyTorch where a slice holds one zero', () => {
    // Values printed by torch 1.13 for the same computation (grad of (dprod/dx · w).sum()).
    const f64 = { dtype: 'float64' as const, requiresGrad: true };
    const x = torch.tensor(
      [
        [2, 0, 3],
        [1, 4, 5],
      ],
      f64,
    );
    const [g] = torch.autograd.grad(x.prod(1).sum(), x, { createGraph: true });
    const w = torch
      .tensor([
        [1, 2, 3],
        [4, 5, 6],
      ])
      .double();
    expect(torch.autograd.grad(g!.mul(w).sum(), x)[0]!.tolist()).toEqual([
      [6, 9, 4],
      [49, 26, 21],
    ]);
    const v = torch.tensor([2, 0, 3, 1.5], f64);
    const [gv] = torch.autograd.grad(v.prod(), v, { createGraph: true });
    const second = torch.autograd.grad(gv!.mul(torch.tensor([1, 2, 3, 4]).double()).sum(), v)[0]!;
    expect(second.tolist()).toEqual([9, 37.5, 6, 12]);
    expect(torch.autograd.gradgradcheck((t: torch.Tensor) => t.prod(1), [x])).toBe(true);
  });
});
