import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;

function close(a: torch.Tensor, b: torch.Tensor, tol = 1e-5): void {
  const x = Array.from(a.dataSync());
  const y = Array.from(b.dataSync());
  expect(a.shape).toEqual(b.shape);
  x.forEach((v, i) => {
    expect(Math.abs(v - y[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i]!)));
  });
}

describe('batchNorm', () => {
  it('training updates the running stats with momentum and the unbiased variance', () => {
    torch.manualSeed(1);
    const x = torch.randn(4, 3, 5, 5).mul(2).add(1);
    const rm = torch.tensor([0.5, -0.5, 0]);
    const rv = torch.tensor([1, 2, 0.5]);
    const y = F.batchNorm(x, rm, rv, null, null, { training: true, momentum: 0.2 });
    const mean = x.mean([0, 2, 3]);
    const unbiased = x.var([0, 2, 3], true);
    close(rm, torch.tensor([0.5, -0.5, 0]).mul(0.8).add(mean.mul(0.2)));
    close(rv, torch.tensor([1, 2, 0.5]).mul(0.8).add(unbiased.mul(0.2)));
    // Normalised with the biased batch variance.
    const biased = x.var([0, 2, 3], false).reshape([1, 3, 1, 1]);
    close(y, x.sub(mean.reshape([1, 3, 1, 1])).div(biased.add(1e-5).sqrt()), 1e-4);
    expect(rm.requiresGrad).toBe(false);
  });

  it('evaluation normalises with the running stats and leaves them unchanged', () => {
    const x = torch.tensor([
      [1, 2],
      [3, 4],
    ]);
    const rm = torch.tensor([1, 1]);
    const rv = torch.tensor([4, 1]);
    const w = torch.tensor([2, 1]);
    const b = torch.tensor([0, 1]);
    const y = F.batchNorm(x, rm, rv, w, b, { eps: 0 });
    close(
      y,
      torch.tensor([
        [0, 2],
        [2, 4],
      ]),
    );
    close(rm, torch.tensor([1, 1]));
  });

  it('records NativeBatchNormBackward0 and allows an in-place relu on its output', () => {
    const x = torch.randn(4, 2, 3, { requiresGrad: true });
    const y = F.batchNorm(x, torch.zeros(2), torch.ones(2), null, null, { training: true });
    expect(y.gradFn?.name).toBe('NativeBatchNormBackward0');
    y.relu_();
    y.sum().backward();
    expect(x.grad?.shape).toEqual([4, 2, 3]);
  });

  it('works on (N, C), (N, C, L) and (N, C, H, W) and gives second derivatives', () => {
    for (const shape of [
      [5, 3],
      [3, 3, 4],
      [2, 3, 2, 2],
    ]) {
      const x = torch.randn(shape, { dtype: 'float64', requiresGrad: true });
      const w = torch.rand(3, { dtype: 'float64' }).add(0.5).requiresGrad_();
      const f = (a: torch.Tensor, b: torch.Tensor) =>
        F.batchNorm(a, null, null, b, null, { training: true }).pow(2).mul(a);
      expect(torch.autograd.gradgradcheck(f, [x, w])).toBe(true);
    }
  });

  it('throws PyTorch errors', () => {
    expect(() =>
      F.batchNorm(torch.randn(1, 3), null, null, null, null, { training: true }),
    ).toThrow(/Expected more than 1 value per channel when training, got input size \[1, 3\]/);
    expect(() => F.batchNorm(torch.randn(2, 3), null, null)).toThrow(
      /running_mean and running_var must be defined/,
    );
    expect(() => F.batchNorm(torch.randn(2, 3), torch.zeros(2), torch.ones(2))).toThrow(
      /running_mean to have shape \[3\]/,
    );
  });

  it('an empty batch in training gives an empty result and leaves the running stats alone', () => {
    const bn = new torch.nn.BatchNorm2d(3);
    const x = torch.randn(0, 3, 4, 4, { requiresGrad: true });
    const y = bn.call(x);
    expect(y.shape).toEqual([0, 3, 4, 4]);
    expect(y.gradFn).not.toBeNull();
    y.sum().backward();
    expect(x.grad?.shape).toEqual([0, 3, 4, 4]);
    expect(bn.weight!.grad?.tolist()).toEqual([0, 0, 0]);
    expect(bn.running_mean!.tolist()).toEqual([0, 0, 0]);
    expect(bn.running_var!.tolist()).toEqual([1, 1, 1]);
    const f = F.batchNorm(torch.randn(0, 2), null, null, null, null, { training: true });
    expect(f.shape).toEqual([0, 2]);
  });

  it('normalises and differentiates a CNN-sized (64, 32, 28, 28) float32 batch', () => {
    // Large mean next to the spread: the shifted sums must not cancel.
    const x = torch.randn(64, 32, 28, 28).mul(0.5).add(100).requiresGrad_();
    const w = torch.rand(32).add(0.5).requiresGrad_();
    const b = torch.randn(32).requiresGrad_();
    const g = torch.randn(64, 32, 28, 28);
    const y = F.batchNorm(x, torch.zeros(32), torch.ones(32), w, b, { training: true });
    const dims = [0, 2, 3];
    // Per channel, y has mean b and biased std w (eps is negligible next to a variance of 0.25).
    close(y.mean(dims), b, 1e-4);
    close(y.var(dims, false), w.mul(w), 1e-3);
    y.backward(g);
    // Σ gradInput is 0 per channel; gradBias = Σg; gradWeight = Σ g·x̂.
    const xhat = y.sub(b.reshape([1, 32, 1, 1])).div(w.reshape([1, 32, 1, 1]));
    close(x.grad!.sum(dims), torch.zeros(32), 5e-2);
    close(b.grad!, g.sum(dims), 1e-3);
    close(w.grad!, g.mul(xhat).sum(dims), 1e-3);
  });
});

describe('layerNorm and groupNorm', () => {
  it('layerNorm matches the formula and records NativeLayerNormBackward0', () => {
    const x = torch.randn(8, 16, 64, { requiresGrad: true });
    const y = F.layerNorm(x, [64]);
    const m = x.mean(-1, true);
    const v = x.var(-1, false, true);
    close(y, x.sub(m).div(v.add(1e-5).sqrt()), 1e-4);
    expect(y.gradFn?.name).toBe('NativeLayerNormBackward0');
    expect(() => F.layerNorm(torch.randn(2, 3), [4])).toThrow(
      /Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size\[2, 3\]/,
    );
  });

  it('groupNorm with one group per channel equals instance normalisation', () => {
    const x = torch.randn(2, 3, 4, 4, { dtype: 'float64' });
    const y = F.groupNorm(x, 3);
    const m = x.mean([2, 3], true);
    const v = x.var([2, 3], false, true);
    close(y, x.sub(m).div(v.add(1e-5).sqrt()), 1e-10);
    expect(() => F.groupNorm(torch.randn(2, 3, 4), 2)).toThrow(
      /Expected number of channels in input to be divisible by num_groups, but got input of shape \[2, 3, 4\] and num_groups=2/,
    );
  });

  it('layerNorm and groupNorm have second derivatives', () => {
    const x = torch.randn(2, 4, 3, { dtype: 'float64', requiresGrad: true });
    const w = torch.randn(3, { dtype: 'float64', requiresGrad: true });
    expect(
      torch.autograd.gradgradcheck(
        (a: torch.Tensor, b: torch.Tensor) => F.layerNorm(a, [3], b).pow(2),
        [x, w],
      ),
    ).toBe(true);
    const wg = torch.randn(4, { dtype: 'float64', requiresGrad: true });
    expect(
      torch.autograd.gradgradcheck(
        (a: torch.Tensor, b: torch.Tensor) => F.groupNorm(a, 2, b).pow(2),
        [x, wg],
      ),
    ).toBe(true);
  });
});
