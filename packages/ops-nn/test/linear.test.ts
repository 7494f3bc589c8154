import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;

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
});
