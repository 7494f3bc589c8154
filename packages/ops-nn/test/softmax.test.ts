import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFixtures, runConformance } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;
const path = fileURLToPath(new URL('./fixtures/losses.json', import.meta.url));
const fixtures = existsSync(path)
  ? parseFixtures(JSON.parse(readFileSync(path, 'utf8')))
  : undefined;

// Values and gradients against PyTorch, float64 gradcheck and gradgradcheck, non-contiguous inputs.
runConformance({
  describe,
  it,
  ops: ['nn.softmax', 'nn.logSoftmax', 'nn.softmaxBackward', 'nn.logSoftmaxBackward'],
  fixtures,
  requireFixtures: true,
  checks: ['forward', 'fixture', 'gradcheck', 'gradgradcheck', 'layouts'],
});

function close(a: torch.Tensor, b: torch.Tensor, tol = 1e-6): void {
  const x = Array.from(a.dataSync());
  const y = Array.from(b.dataSync());
  expect(a.shape).toEqual(b.shape);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(tol);
}

describe('softmax / logSoftmax', () => {
  it('normalises along negative dims and matches exp(logSoftmax)', () => {
    const x = torch.randn([3, 4, 5], { dtype: 'float64' });
    for (const dim of [-1, -2, -3, 0, 1, 2]) {
      const y = F.softmax(x, dim);
      close(y.sum(dim), torch.ones(y.sum(dim).shape, { dtype: 'float64' }), 1e-12);
      close(F.logSoftmax(x, dim).exp(), y, 1e-12);
    }
  });

  it('stays finite for huge logits (max subtraction)', () => {
    const x = torch.tensor([[1e4, 0, -1e4]]);
    close(F.softmax(x, 1), torch.tensor([[1, 0, 0]]));
    close(F.logSoftmax(x, 1), torch.tensor([[0, -1e4, -2e4]]));
  });

  it('has Tensor methods and PyTorch grad_fn names', () => {
    const x = torch.tensor(
      [
        [1, 2],
        [3, 5],
      ],
      { requiresGrad: true },
    );
    expect(x.softmax(1).gradFn?.name).toBe('SoftmaxBackward0');
    expect(x.logSoftmax(-1).gradFn?.name).toBe('LogSoftmaxBackward0');
    close(x.softmax(0), F.softmax(x, 0));
  });

  it('casts with { dtype } and rejects integer inputs and bad dims', () => {
    const ints = torch.tensor([1, 2, 3], { dtype: 'int32' });
    expect(() => F.softmax(ints, 0)).toThrow(
      /softmax: expected a floating point tensor, got int32/,
    );
    expect(() => F.logSoftmax(ints, 0)).toThrow(/logSoftmax: expected a floating point tensor/);
    const y = F.softmax(ints, 0, { dtype: 'float64' });
    expect(y.dtype).toBe('float64');
    close(
      y,
      torch.tensor([0.09003057317038046, 0.24472847105479764, 0.6652409557748219], {
        dtype: 'float64',
      }),
      1e-15,
    );
    expect(() => F.softmax(torch.ones(2, 3), 2)).toThrow(
      /softmax: Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/,
    );
    // biome-ignore lint/suspicious/noExplicitAny: checks the runtime error for a missing dim.
    expect(() => (F.softmax as any)(torch.ones(2))).toThrow(
      /softmax: argument 'dim' must be an integer/,
    );
  });

  it('second derivatives through the VJPs (gradgradcheck on 3-d, middle dim)', () => {
    const x = torch.randn([2, 3, 2], { dtype: 'float64', requiresGrad: true });
    expect(torch.autograd.gradgradcheck((t: torch.Tensor) => F.softmax(t, 1), [x])).toBe(true);
    expect(torch.autograd.gradgradcheck((t: torch.Tensor) => F.logSoftmax(t, 1), [x])).toBe(true);
  });
});
