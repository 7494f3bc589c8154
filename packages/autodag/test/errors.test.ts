import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

/**
 * Bad input gets a clear error naming the op and the shapes, dims, dtypes or devices involved,
 * and leaves every tensor as it was.
 */
describe('bad input', () => {
  const a = () => torch.ones(2, 3);

  it('shape mismatch names the op and both shapes', () => {
    expect(() => a().add(torch.ones(4))).toThrow(
      /add: .*size of tensor a \(3\) must match the size of tensor b \(4\).*\[2, 3\] and \[4\]/,
    );
    expect(() => torch.mm(a(), torch.ones(2, 3))).toThrow(
      'mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)',
    );
    expect(() => torch.matmul(a(), torch.ones(4))).toThrow(/mv: size mismatch/);
    expect(() => a().view(4)).toThrow("view: shape '[4]' is invalid for input of size 6");
    expect(() => torch.cat([a(), torch.ones(2, 4)], 0)).toThrow(/cat/);
  });

  it('bad dims say the valid range', () => {
    expect(() => a().sum(2)).toThrow(
      'Dimension out of range (expected to be in range of [-2, 1], but got 2)',
    );
    expect(() => a().transpose(0, 5)).toThrow(/transpose: Dimension out of range/);
  });

  it('out-of-range indices name the index, the dim and its size', () => {
    expect(() => a().get(5)).toThrow(/index 5 is out of bounds for dimension 0 with size 2/);
    expect(() => torch.indexSelect(a(), 1, torch.tensor([0, 7], { dtype: 'int32' }))).toThrow(
      /out of range|out of bounds/,
    );
    const x = torch.zeros(3);
    expect(() => x.scatter_(0, torch.tensor([5], { dtype: 'int32' }), 1)).toThrow(
      /index 5 is out of bounds/,
    );
    expect(x.tolist()).toEqual([0, 0, 0]);
  });

  it('wrong dtypes name the op and the dtypes', () => {
    expect(() => torch.tensor([true]).neg()).toThrow(/neg/);
    expect(() => torch.ones(2, { dtype: 'int32' }).requiresGrad_()).toThrow(
      'only Tensors of floating point dtype can require gradients',
    );
    expect(() => torch.mm(torch.ones(2, 2), torch.ones(2, 2, { dtype: 'float64' }))).toThrow(
      'mm: expected both operands to have the same dtype, but got float32 and float64',
    );
    expect(() => torch.mm(torch.ones(2, 2).bool(), torch.ones(2, 2).bool())).toThrow(
      /mm: not implemented for 'Bool'/,
    );
    expect(() => torch.where(torch.ones(2), 1, 0)).toThrow(/where/);
  });

  it('a cycle in an explicit DAG names the nodes on it', () => {
    const g = new torch.autograd.Dag();
    g.input('x0');
    g.node('x1', (xs) => xs[0]!.tanh(), { inputs: ['x2'] });
    g.node('x2', (xs) => xs[0]!.exp(), { inputs: ['x1'] });
    g.output('x2');
    expect(() => g.forward({ x0: torch.ones(1) })).toThrow('Dag: cycle detected: x1 -> x2 -> x1');
  });

  it('backward twice without retainGraph is PyTorch’s error; with it, gradients accumulate', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const loss = w.exp().sum();
    loss.backward();
    expect(() => loss.backward()).toThrow(/Trying to backward through the graph a second time/);
    const w2 = torch.tensor([1, 2], { requiresGrad: true });
    const l2 = w2.mul(w2).sum();
    l2.backward(null, { retainGraph: true });
    l2.backward();
    expect(w2.grad!.tolist()).toEqual([4, 8]);
  });

  it('in-place changes autograd needs are rejected, and a failed op leaves its operands intact', () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(
      'add_: a leaf Variable that requires grad is being used in an in-place operation.',
    );
    const h = w.exp();
    const y = h.exp();
    h.add_(1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
    const x = torch.tensor([1, 2, 3]);
    expect(() => x.add_(torch.ones(2, 3))).toThrow(
      /add_: output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/,
    );
    expect(x.tolist()).toEqual([1, 2, 3]);
    expect(x.version).toBe(0);
  });

  it('mixing devices names both devices', () => {
    expect(() => torch.ones(2).to('nowhere')).toThrow(
      "Unknown device 'nowhere'. Registered devices: cpu",
    );
  });
});
