import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('Dag.backward with accumulate and createGraph', () => {
  it('stores a differentiable .grad, as tensor.backward({ createGraph: true }) does', () => {
    // f(w) = sum((x * w)^2) with x = 1: .grad = 2w, and d(sum(.grad))/dw = 2 per element.
    const g = new torch.autograd.Dag();
    const x0 = g.input('x0');
    const w = g.parameter('w', torch.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true }));
    g.output(g.node('x1', (xs, [p]) => xs[0]!.mul(p!).pow(2).sum(), { inputs: [x0], params: [w] }));
    g.forward({ x0: torch.ones([3], { dtype: 'float64' }) });
    g.backward(null, { createGraph: true, accumulate: true });
    const p = w.value;
    expect(p.grad!.tolist()).toEqual([2, 4, 6]);
    expect(p.grad!.requiresGrad).toBe(true);
    const [gg] = torch.autograd.grad(p.grad!.sum(), [p]);
    expect(gg!.tolist()).toEqual([2, 2, 2]);
  });

  it('without createGraph the stored .grad is a plain copy', () => {
    const g = new torch.autograd.Dag();
    const w = g.parameter('w', torch.tensor([1, 2], { requiresGrad: true }));
    g.output(g.node('y', (_xs, [p]) => p!.mul(p!).sum(), { params: [w] }));
    g.forward({});
    const { params } = g.backward(null, { accumulate: true });
    expect(w.value.grad!.requiresGrad).toBe(false);
    expect(w.value.grad).not.toBe(params.w);
    expect(w.value.grad!.tolist()).toEqual([2, 4]);
  });
});
