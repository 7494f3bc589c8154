import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;
const path = fileURLToPath(new URL('./fixtures/conv-cases.json', import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: JSON written by scripts/gen_conv_cases.py.
const cases = JSON.parse(readFileSync(path, 'utf8')).cases as Record<string, any>;

const f64 = (values: number[], shape: number[], requiresGrad = false) =>
  torch.tensor(values, { dtype: 'float64' }).reshape(shape).requiresGrad_(requiresGrad);

function expectClose(got: torch.Tensor, want: number[], tol = 1e-10): void {
  const g = Array.from(got.dataSync());
  expect(g.length).toBe(want.length);
  g.forEach((v, i) => {
    expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!)));
  });
}

describe('conv2d', () => {
  it("padding='same' with an even, dilated kernel matches PyTorch (values and gradients)", () => {
    const c = cases['same even kernel'];
    const x = f64(c.x, c.xShape, true);
    const w = f64(c.w, c.wShape, true);
    const y = F.conv2d(x, w, null, { padding: 'same', dilation: [1, 2] });
    expect(y.shape).toEqual(c.yShape);
    expectClose(y, c.y);
    const n = y.numel();
    const weights = torch
      .arange(0, n, 1, { dtype: 'float64' })
      .mul(0.2)
      .sin()
      .reshape(y.shape as number[]);
    y.mul(weights).sum().backward();
    expectClose(x.grad!, c.gx);
    expectClose(w.grad!, c.gw);
  });

  it('second derivatives match PyTorch (gradient of the input gradient w.r.t. the weight)', () => {
    const c = cases['double backward'];
    const ramp = (shape: number[], scale: number) =>
      torch
        .arange(
          0,
          shape.reduce((a, b) => a * b, 1),
          1,
          { dtype: 'float64' },
        )
        .mul(scale)
        .sin()
        .reshape(shape);
    const x = ramp([2, 2, 4, 4], 0.1).requiresGrad_(true);
    const w = ramp([3, 2, 3, 3], 0.3).requiresGrad_(true);
    const y = F.conv2d(x, w, null, { stride: 2, padding: 1 });
    const [gx] = torch.autograd.grad(y.mul(y).sum(), [x], { createGraph: true });
    const [ggw] = torch.autograd.grad(gx!.mul(ramp([2, 2, 4, 4], 0.7)).sum(), [w]);
    expectClose(ggw!, c.ggw, 1e-9);
  });

  it('accepts unbatched (C, H, W) input and options in place of the bias', () => {
    const x = torch.randn(3, 6, 5);
    const w = torch.randn(4, 3, 3, 3);
    const b = torch.randn(4);
    const y = F.conv2d(x, w, b, { padding: 1 });
    expect(y.shape).toEqual([4, 6, 5]);
    const batched = F.conv2d(x.unsqueeze(0), w, b, { padding: 1 });
    expect(Array.from(y.dataSync())).toEqual(Array.from(batched.dataSync()));
    expect(F.conv2d(x, w, { stride: 2 }).shape).toEqual([4, 2, 2]);
    expect(F.conv2d(x, w, null, { padding: 'valid' }).shape).toEqual([4, 4, 3]);
  });

  it('records ConvolutionBackward0 and gives the bias gradient', () => {
    const x = torch.randn(2, 2, 4, 4);
    const w = torch.randn(3, 2, 3, 3, { requiresGrad: true });
    const b = torch.zeros(3, { requiresGrad: true });
    const y = F.conv2d(x, w, b);
    expect(y.gradFn?.name).toBe('ConvolutionBackward0');
    y.sum().backward();
    expect(Array.from(b.grad!.dataSync())).toEqual([8, 8, 8]);
    expect(F.convTranspose2d(x, torch.randn(2, 3, 2, 2, { requiresGrad: true })).gradFn?.name).toBe(
      'ConvolutionBackward0',
    );
  });

  it('throws PyTorch-worded errors naming the op and shapes', () => {
    const x = torch.randn(1, 3, 5, 5);
    expect(() => F.conv2d(x, torch.randn(4, 2, 3, 3))).toThrow(
      /conv2d: Given groups=1, weight of size \[4, 2, 3, 3\], expected input\[1, 3, 5, 5\] to have 2 channels, but got 3 channels instead/,
    );
    expect(() => F.conv2d(x, torch.randn(3, 1, 3, 3), null, { groups: 2 })).toThrow(
      /conv2d: Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size \[3, 1, 3, 3\] instead/,
    );
    expect(() => F.conv2d(x, torch.randn(4, 3, 7, 7))).toThrow(
      /conv2d: Calculated padded input size per channel: \(5 x 5\). Kernel size: \(7 x 7\). Kernel size can't be greater than actual input size/,
    );
    expect(() => F.conv2d(x, torch.randn(4, 3, 3, 3), torch.randn(5))).toThrow(
      /conv2d: Given weight of size \[4, 3, 3, 3\], expected bias to be 1-dimensional with 4 elements, but got bias of size \[5\] instead/,
    );
    expect(() => F.conv2d(torch.randn(5, 5), torch.randn(4, 3, 3, 3))).toThrow(
      /conv2d: Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[5, 5\]/,
    );
    expect(() =>
      F.conv2d(x, torch.randn(4, 3, 3, 3), null, { padding: 'same', stride: 2 }),
    ).toThrow(/padding='same' is not supported for strided convolutions/);
    expect(() => F.conv2d(x, torch.randn(4, 3, 3, 3), null, { padding: -1 })).toThrow(
      /conv2d: negative padding is not supported/,
    );
    expect(() => F.conv2d(x, torch.randn(4, 3, 3, 3), null, { stride: [1, 2, 3] })).toThrow(
      /conv2d: expected stride to be a single integer value or a list of 2 values/,
    );
    expect(() => F.conv2d(x, torch.randn(4, 3, 3, 3, { dtype: 'float64' }))).toThrow(
      /conv2d: Input type \(float32\) and weight type \(float64\) should be the same/,
    );
    expect(() =>
      F.convTranspose2d(x, torch.randn(3, 2, 3, 3), null, { stride: 2, outputPadding: 2 }),
    ).toThrow(/convTranspose2d: output padding must be smaller than either stride or dilation/);
    expect(() => F.conv2d(x, torch.randn(4, 3, 3, 3), { stride: 1 }, { padding: 1 })).toThrow(
      /conv2d: expected bias to be a Tensor or null when options are also given/,
    );
    expect(() => F.convTranspose2d(x, torch.randn(4, 2, 3, 3))).toThrow(
      /convTranspose2d: Given transposed=1, weight of size \[4, 2, 3, 3\], expected input\[1, 3, 5, 5\] to have 4 channels, but got 3 channels instead/,
    );
  });

  it('leaves its inputs untouched and handles non-contiguous inputs', () => {
    const x = torch.randn(2, 3, 6, 5);
    const w = torch.randn(4, 3, 3, 3);
    const before = Array.from(x.dataSync());
    const y = F.conv2d(x.transpose(2, 3).contiguous().transpose(2, 3), w, null, { padding: 1 });
    expect(Array.from(x.dataSync())).toEqual(before);
    const want = F.conv2d(x, w, null, { padding: 1 });
    expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
  });
});

describe('conv1d', () => {
  it("padding='same' on unbatched input with a bias matches PyTorch", () => {
    const c = cases['conv1d same unbatched'];
    const y = F.conv1d(
      f64(c.x, c.xShape),
      f64(c.w, c.wShape),
      torch.tensor(c.b, { dtype: 'float64' }),
      {
        padding: 'same',
      },
    );
    expect(y.shape).toEqual(c.yShape);
    expectClose(y, c.y);
  });
});
