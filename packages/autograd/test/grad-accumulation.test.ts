import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('accumulating into .grad', () => {
  it('keeps the same .grad tensor across backward calls, as PyTorch accumulates in place', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    w.mul(3).sum().backward();
    const first = w.grad!;
    w.mul(w).sum().backward();
    expect(w.grad).toBe(first);
    expect(first.tolist()).toEqual([5, 7]);
  });

  it('never lets two gradients share storage', () => {
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = torch.tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    a.add(b).sum().backward();
    expect(a.grad!.tolist()).toEqual([2, 2]);
    expect(b.grad!.tolist()).toEqual([2, 2]);
    const c = torch.tensor([1, 2], { requiresGrad: true });
    const h = c.add(0);
    h.retainGrad();
    h.mul(torch.tensor([1, 1]))
      .sum()
      .backward();
    c.mul(10).sum().backward();
    expect(h.grad!.tolist()).toEqual([1, 1]);
    expect(c.grad!.tolist()).toEqual([11, 11]);
  });

  it('does not write into a tensor a hook returned', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const replacement = torch.tensor([5, 5]);
    const handle = w.registerHook(() => replacement);
    w.sum().backward();
    handle.remove();
    w.sum().backward();
    expect(replacement.tolist()).toEqual([5, 5]);
    expect(w.grad!.tolist()).toEqual([6, 6]);
  });

  it('leaves .grad readable after a tidy scope, and frees gradients dropped inside it', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    torch.tidy(() => {
      w.mul(w).sum().backward();
    });
    expect(w.grad!.disposed).toBe(false);
    expect(w.grad!.tolist()).toEqual([2, 4]);
    let dropped: torch.Tensor | null = null;
    w.grad = null;
    torch.tidy(() => {
      w.mul(w).sum().backward();
      dropped = w.grad;
      w.grad = null;
    });
    expect(dropped!.disposed).toBe(true);
  });
});
