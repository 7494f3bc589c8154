import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/transcripts.json' with { type: 'json' };

/** PyTorch's repr with its keyword spellings mapped to ours. */
function ours(repr: string): string {
  return repr
    .replaceAll('requires_grad=', 'requiresGrad=')
    .replaceAll('grad_fn=', 'gradFn=')
    .replace('torch.Size', 'Size');
}

const expectPrints = (value: unknown, key: keyof typeof fixtures) =>
  expect(String(value)).toBe(ours(fixtures[key]));

describe("the seed's transcripts print what PyTorch prints", () => {
  it('tensors: empty, fill_, mean, std, sum, item', () => {
    const x = torch.empty(2, 5);
    expectPrints(x.size(), 'size');
    expectPrints(x.fill_(1.125), 'fill');
    expectPrints(x.mean(), 'mean');
    expectPrints(x.std(), 'std');
    expectPrints(x.sum(), 'sum');
    expectPrints(x.sum().item(), 'item');
  });

  it('reading a coefficient gives a 0-d tensor', () => {
    const x = torch.tensor([
      [11, 12, 13],
      [21, 22, 23],
    ]);
    expectPrints(x.get(1, 2), 'index');
  });

  it('component-wise and matrix operators', () => {
    const x = torch.tensor([10, 20, 30]);
    const y = torch.tensor([11, 21, 31]);
    expectPrints(x.add(y), 'add');
    expectPrints(x.mul(y), 'mul');
    expectPrints(x.pow(2), 'pow');
    const m = torch.tensor([
      [0, 0, 3],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expectPrints(m.mv(x), 'mv');
    expectPrints(m.matmul(x), 'matmul');
  });

  it('requiresGrad propagates and only floating tensors may require it', () => {
    const x = torch.tensor([1, 2]);
    const y = torch.tensor([4, 5]);
    const z = torch.tensor([7, 3]);
    expect(x.requiresGrad).toBe(false);
    expect(x.add(y).requiresGrad).toBe(false);
    z.requiresGrad = true;
    expect(x.add(z).requiresGrad).toBe(true);
    const ints = torch.tensor([1, 10], { dtype: 'int32' });
    expect(() => {
      ints.requiresGrad = true;
    }).toThrow('only Tensors of floating point dtype can require gradients');
  });

  it('torch.autograd.grad returns one gradient per input', () => {
    const t = torch.tensor([1, 2, 4]).requiresGrad_();
    const u = torch.tensor([10, 20]).requiresGrad_();
    const a = t.pow(2).sum().add(u.log().sum());
    expectPrints(a, 'a');
    const [gt, gu] = torch.autograd.grad(a, [t, u]);
    expectPrints(gt, 'grad_t');
    expectPrints(gu, 'grad_u');
    expect(torch.grad(t.pow(2).sum(), t)).toHaveLength(1);
  });

  it('backward accumulates into the leaves', () => {
    const x = torch.tensor([-3, 2, 5]).requiresGrad_();
    const u = x.pow(3).sum();
    expect(x.grad).toBeNull();
    u.backward();
    expectPrints(x.grad, 'grad_after');
  });

  it('the norm example builds its graph on the fly', () => {
    const x = torch.tensor([1, 2, 2]).requiresGrad_();
    const q = x.norm();
    expectPrints(q, 'norm');
    q.backward();
    expectPrints(x.grad, 'norm_grad');
  });
});
