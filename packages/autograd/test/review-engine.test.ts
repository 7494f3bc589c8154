import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

// Walk behaviour checked against PyTorch 1.13 (results noted next to each case).

describe('gradients never share storage with tensors the user can modify', () => {
  it('createGraph: two leaves fed by one add get distinct .grad tensors', () => {
    // PyTorch: a.grad is not b.grad; a.grad.zero_() leaves b.grad alone
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = torch.tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward(null, { createGraph: true });
    expect(a.grad).not.toBe(b.grad);
    a.grad!.detach().zero_();
    expect(b.grad!.tolist()).toEqual([1, 1]);
  });

  it('createGraph: a leaf .grad is not the gradient passed to backward', () => {
    const l = torch.tensor([1, 2], { requiresGrad: true });
    const g = torch.tensor([5, 6]);
    l.backward(g, { createGraph: true });
    l.grad!.detach().zero_();
    expect(g.tolist()).toEqual([5, 6]);
  });

  it('retainGrad: the retained .grad is not the gradient passed to backward', () => {
    // PyTorch: h.grad.zero_() leaves g == [1, 1]
    const c = torch.tensor([1, 2], { requiresGrad: true });
    const h = c.mul(2);
    h.retainGrad();
    const g = torch.tensor([1, 1]);
    h.backward(g);
    h.grad!.zero_();
    expect(g.tolist()).toEqual([1, 1]);
    expect(c.grad!.tolist()).toEqual([2, 2]);
  });

  it('retainGrad: the retained .grad does not change when a leaf accumulates again', () => {
    // z = x + h: AddBackward hands one gradient to x (accumulated first) and to h (retained)
    const c = torch.tensor([1, 2], { requiresGrad: true });
    const h = c.mul(2);
    h.retainGrad();
    const x = torch.tensor([0, 0], { requiresGrad: true });
    x.add(h).mul(3).sum().backward();
    x.mul(5).sum().backward();
    expect(x.grad!.tolist()).toEqual([8, 8]);
    expect(h.grad!.tolist()).toEqual([3, 3]);
  });
});
