import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

// tensor.backward(gradient, { inputs }) against PyTorch 1.13 (its results noted in each case).

describe('backward with inputs', () => {
  it('accumulates into a non-leaf input, and only there', () => {
    // y.backward(inputs=[h]) twice -> h.grad [8, 16], x.grad None
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    const y = h.mul(h).sum();
    y.backward(null, { inputs: [h], retainGraph: true });
    y.backward(null, { inputs: [h] });
    expect(h.grad!.tolist()).toEqual([8, 16]);
    expect(x.grad).toBeNull();
  });

  it('runs the hooks of a non-leaf input once', () => {
    // h.register_hook(lambda g: g * 10) -> h.grad [40, 80]
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    h.registerHook((g) => g.mul(10));
    h.mul(h)
      .sum()
      .backward(null, { inputs: [h] });
    expect(h.grad!.tolist()).toEqual([40, 80]);
  });

  it('leaves other leaves alone and runs the input leaf hooks', () => {
    // (x*w).sum().backward(inputs=[x]) -> x.grad [3, 4], w.grad None; a x hook g*10 applies
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const w = torch.tensor([3, 4], { requiresGrad: true });
    x.registerHook((g) => g.mul(10));
    x.mul(w)
      .sum()
      .backward(null, { inputs: [x] });
    expect(x.grad!.tolist()).toEqual([30, 40]);
    expect(w.grad).toBeNull();
  });

  it('retained gradients: stored on the path to the inputs, not elsewhere', () => {
    // inputs=[x]: h.grad [4, 8]; (h*w) with inputs=[w]: h.grad None
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    h.retainGrad();
    h.mul(h)
      .sum()
      .backward(null, { inputs: [x] });
    expect(h.grad!.tolist()).toEqual([4, 8]);
    expect(x.grad!.tolist()).toEqual([8, 16]);

    const w = torch.tensor([3, 4], { requiresGrad: true });
    const h2 = x.mul(2);
    h2.retainGrad();
    h2.mul(w)
      .sum()
      .backward(null, { inputs: [w] });
    expect(h2.grad).toBeNull();
    expect(w.grad!.tolist()).toEqual([2, 4]);
  });

  it('an unused input keeps a null grad; an empty list throws', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const u = torch.tensor([1, 2], { requiresGrad: true });
    x.mul(x)
      .sum()
      .backward(null, { inputs: [u] });
    expect(u.grad).toBeNull();
    expect(() => x.mul(x).sum().backward(null, { inputs: [] })).toThrow(
      "'inputs' argument to backward() cannot be empty.",
    );
    // PyTorch: "can't retain_grad on Tensor that has requires_grad=False"
    const c = torch.tensor([1, 2]);
    expect(() =>
      x
        .mul(c)
        .sum()
        .backward(null, { inputs: [c] }),
    ).toThrow(
      "backward: input 0 does not require grad (can't retain_grad on Tensor that has requires_grad=False)",
    );
    expect(c.gradAccumulator).toBeNull();
  });
});
