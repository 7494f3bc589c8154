import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;

/** Element-wise |got - want| < 1e-12. */
function expectClose(got: number[], want: number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-12);
}

describe('linear', () => {
  it('computes x·Wᵀ + b over any leading dims with PyTorch node names', () => {
    const x = torch.randn(2, 3, 4, { requiresGrad: true });
    const w = torch.randn(5, 4, { requiresGrad: true });
    const b = torch.randn(5, { requiresGrad: true });
    const y = F.linear(x, w, b);
    expect(y.shape).toEqual([2, 3, 5]);
    expect(y.gradFn?.name).toBe('AddmmBackward0');
    const ref = x.matmul(w.t()).add(b);
    const d = Number(y.sub(ref).abs().max().item());
    expect(d).toBeLessThan(1e-5);
    expect(F.linear(x.reshape([6, 4]), w).gradFn?.name).toBe('MmBackward0');
    y.sum().backward();
    expect(Array.from(b.grad!.dataSync())).toEqual([6, 6, 6, 6, 6]);
  });

  it('names the shapes in its errors', () => {
    expect(() => F.linear(torch.randn(3, 4), torch.randn(5, 3))).toThrow(
      /linear: mat1 and mat2 shapes cannot be multiplied \(3x4 and 3x5\)/,
    );
    expect(() => F.linear(torch.randn(3, 4), torch.randn(5, 4), torch.randn(4))).toThrow(
      /bias of shape \[4\] does not match out_features 5/,
    );
  });

  it('takes a 1-D weight as PyTorch does: x·w drops the last dim, with a 0-d bias', () => {
    // From /usr/bin/python3 (PyTorch 1.13): y = F.linear(x, w) with these x, w;
    // (y * [1, -3]).sum().backward().
    const x = torch.tensor(
      [
        [0.5, -1.0, 2.0],
        [1.5, 0.25, -0.75],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const w = torch.tensor([0.2, -0.4, 1.1], { dtype: 'float64', requiresGrad: true });
    const y = F.linear(x, w);
    expect(y.shape).toEqual([2]);
    expect(y.gradFn?.name).toBe('MvBackward0');
    const vals = y.tolist() as number[];
    expect(vals[0]).toBeCloseTo(2.7, 12);
    expect(vals[1]).toBeCloseTo(-0.625, 12);
    y.mul(torch.tensor([1, -3], { dtype: 'float64' }))
      .sum()
      .backward();
    const xg = (x.grad!.tolist() as number[][]).flat();
    const xWant = [0.2, -0.4, 1.1, -0.6000000000000001, 1.2000000000000002, -3.3000000000000003];
    expectClose(xg, xWant);
    expectClose(w.grad!.tolist() as number[], [-4, -1.75, 4.25]);

    // 1-D input with a 0-d bias: F.linear(x1, w, 0.75) = 3.45 (AddBackward0); (2y).backward().
    const x1 = torch.tensor([0.5, -1.0, 2.0], { dtype: 'float64', requiresGrad: true });
    const w1 = torch.tensor([0.2, -0.4, 1.1], { dtype: 'float64', requiresGrad: true });
    const b = torch.tensor(0.75, { dtype: 'float64', requiresGrad: true });
    const y1 = F.linear(x1, w1, b);
    expect(y1.shape).toEqual([]);
    expect(y1.gradFn?.name).toBe('AddBackward0');
    expect(y1.item()).toBeCloseTo(3.45, 12);
    y1.mul(2).backward();
    expectClose(x1.grad!.tolist() as number[], [0.4, -0.8, 2.2]);
    expect(w1.grad!.tolist()).toEqual([1, -2, 4]);
    expect(b.grad!.item()).toBe(2);
    expect(F.linear(torch.randn(3), torch.randn(3)).gradFn).toBeNull();
  });

  it('a 1-D weight passes gradcheck over batched inputs (float64) and checks its shapes', () => {
    const x = torch.randn(2, 3, 4, { dtype: 'float64', requiresGrad: true });
    const w = torch.randn(4, { dtype: 'float64', requiresGrad: true });
    const b = torch.randn([], { dtype: 'float64', requiresGrad: true });
    expect(F.linear(x, w).shape).toEqual([2, 3]);
    expect(torch.autograd.gradcheck((xi, wi) => F.linear(xi!, wi!), [x, w])).toBe(true);
    expect(torch.autograd.gradcheck((xi, wi, bi) => F.linear(xi!, wi!, bi!), [x, w, b])).toBe(true);
    expect(() => F.linear(torch.randn(3, 4), torch.randn(5))).toThrow(
      /linear: size mismatch, got input \[3, 4\] and weight \[5\]/,
    );
    expect(() => F.linear(torch.randn(3, 4), torch.randn(4), torch.randn(3))).toThrow(
      /with a 1-D weight the bias must be 0-d, got shape \[3\]/,
    );
    expect(() => F.linear(torch.randn(3, 4), torch.randn(1, 2, 4))).toThrow(
      /weight must be 1-D \(in_features\) or 2-D/,
    );
  });
});
