import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('grad() with the same input listed twice', () => {
  it('returns the gradient in both slots', () => {
    // torch.autograd.grad((x*x).sum(), [x, x]) -> (tensor([2,4,6]), tensor([2,4,6]))
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const gs = torch.autograd.grad(x.mul(x).sum(), [x, x]);
    expect(gs.map((g) => g!.tolist())).toEqual([
      [2, 4, 6],
      [2, 4, 6],
    ]);
  });
});
