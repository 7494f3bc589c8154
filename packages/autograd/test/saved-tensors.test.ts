import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('saved tensors', () => {
  it('ops save only what the VJPs of arguments requiring grad read (as PyTorch does)', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const c = torch.tensor([3, 4]);
    const h = x.mul(2);
    const y = h.mul(c); // d/dh reads c only: h is not saved
    h.add_(1);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([6, 8]);
  });

  it('a saved argument modified in place is still caught', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const c = torch.tensor([3, 4]);
    const y = c.mul(w); // d/dw reads c: c is saved
    c.add_(1);
    expect(() => y.sum().backward()).toThrow(
      /modified by an inplace operation: \[float32 \[2\]\], which is input 0 of MulBackward0, is at version 1; expected version 0/,
    );
  });

  it('matrix products keep only the operand the other gradient needs', () => {
    const w = torch.randn(3, 4, { requiresGrad: true });
    const x = torch.randn(2, 4);
    const out = x.matmul(w.t());
    const node = out.gradFn as unknown as { saved: { index: number }[] };
    expect(node.saved.map((s) => s.index)).toEqual([0]);
    out.sum().backward();
    expect(w.grad!.shape).toEqual([3, 4]);
  });
});
