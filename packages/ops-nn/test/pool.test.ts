import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const F = torch.nn.functional;
const path = fileURLToPath(new URL('./fixtures/conv-cases.json', import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: JSON written by scripts/gen_conv_cases.py.
const cases = JSON.parse(readFileSync(path, 'utf8')).cases as Record<string, any>;

const decode = (v: number | string) => (v === 'nan' ? Number.NaN : (v as number));

describe('maxPool2d', () => {
  it('propagates NaN and returns its index, as PyTorch', () => {
    const c = cases['max pool nan'];
    const x = torch.tensor(c.x.map(decode), { dtype: 'float64' }).reshape(c.xShape);
    const [y, idx] = F.maxPool2dWithIndices(x, 2);
    expect(Array.from(y.dataSync())).toEqual(c.y.map(decode));
    expect(idx.dtype).toBe('int32');
    expect(Array.from(idx.dataSync())).toEqual(c.idx.flat(Number.POSITIVE_INFINITY));
  });

  it("follows PyTorch's scan in 2×2 windows: first maximum wins, last NaN taken, signed zeros kept", () => {
    // Values chosen to collide: ties, ±0, ±∞ and NaN, at strides 1 and 2 and odd sizes.
    const values = [Number.NaN, 0, -0, 1, -1, Infinity, -Infinity, 2, 2];
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.integer({ min: 0, max: values.length - 1 }), { minLength: 72, maxLength: 72 }),
        (H, W, stride, picks) => {
          const data = picks.slice(0, 2 * H * W).map((k) => values[k]!);
          const x = torch.tensor(data, { dtype: 'float64' }).reshape([2, H, W]);
          const [y, idx] = F.maxPool2dWithIndices(x, 2, { stride });
          const Ho = Math.floor((H - 2) / stride) + 1;
          const Wo = Math.floor((W - 2) / stride) + 1;
          const want: number[] = [];
          const wantIdx: number[] = [];
          for (let p = 0; p < 2; p++) {
            for (let i = 0; i < Ho; i++) {
              for (let j = 0; j < Wo; j++) {
                // PyTorch's kernel starts from -inf at the window's first element, so a window
                // of -inf alone reports its first index.
                let best = Number.NEGATIVE_INFINITY;
                let at = i * stride * W + j * stride;
                for (const [a, b] of [
                  [0, 0],
                  [0, 1],
                  [1, 0],
                  [1, 1],
                ] as const) {
                  const r = (i * stride + a) * W + j * stride + b;
                  const v = data[p * H * W + r]!;
                  if (v > best || Number.isNaN(v)) {
                    best = v;
                    at = r;
                  }
                }
                want.push(best);
                wantIdx.push(at);
              }
            }
          }
          const got = Array.from(y.dataSync());
          expect(got.length).toBe(want.length);
          for (let k = 0; k < got.length; k++) expect(Object.is(got[k], want[k])).toBe(true);
          expect(Array.from(idx.dataSync())).toEqual(wantIdx);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes unbatched input, defaults the stride to the window and records PyTorch gradFn names', () => {
    const x = torch.randn(3, 6, 6, { requiresGrad: true });
    const y = F.maxPool2d(x, 3);
    expect(y.shape).toEqual([3, 2, 2]);
    const batched = F.maxPool2d(torch.randn(1, 3, 6, 6, { requiresGrad: true }), [2, 3]);
    expect(batched.shape).toEqual([1, 3, 3, 2]);
    expect(batched.gradFn?.name).toBe('MaxPool2DWithIndicesBackward0');
    expect(F.avgPool2d(torch.randn(1, 1, 4, 4, { requiresGrad: true }), 2).gradFn?.name).toBe(
      'AvgPool2DBackward0',
    );
  });

  it('sends each window gradient to its first maximum', () => {
    const x = torch.tensor(
      [
        [
          [
            [1, 3, 3, 0],
            [3, 2, 1, 1],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    F.maxPool2d(x, 2).sum().backward();
    // Window 1 holds 3 at (0, 1) and (1, 0); window 2 holds 3 at (0, 2).
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('lets its output be modified in place before backward (only the indices are saved), as PyTorch', () => {
    const x = torch.tensor([[[[-1, -3, 2, 0]]]], { requiresGrad: true });
    const y = F.maxPool2d(x.mul(1), [1, 2]);
    y.relu_();
    y.mul(torch.tensor([2, 3]))
      .sum()
      .backward();
    expect(x.grad!.tolist()).toEqual([[[[0, 0, 3, 0]]]]);
  });

  it('throws PyTorch-worded errors', () => {
    const x = torch.randn(1, 2, 4, 4);
    expect(() => F.maxPool2d(x, 2, { padding: 2 })).toThrow(
      /maxPool2d: pad should be smaller than or equal to half of kernel size/,
    );
    expect(() => F.maxPool2d(x, 5)).toThrow(
      /maxPool2d: Given input size: \(2x4x4\). Calculated output size: \(2x0x0\). Output size is too small/,
    );
    expect(() => F.maxPool2d(torch.randn(4, 4), 2)).toThrow(
      /maxPool2d: non-empty 3D or 4D \(batch mode\) tensor expected for input/,
    );
    expect(() => F.maxPool2d(x, [2, 2, 2])).toThrow(
      /maxPool2d: kernel_size must either be a single int, or a tuple of two ints/,
    );
    expect(() => F.avgPool2d(x, 2, { divisorOverride: 0 })).toThrow(
      /avgPool2d: divisor must be not zero/,
    );
    expect(() => F.maxPool2d(torch.ones(1, 1, 4, 4, { dtype: 'int32' }), 2)).toThrow(
      /maxPool2d: expected a floating point input, got int32/,
    );
  });
});

describe('avgPool2d and adaptiveAvgPool2d', () => {
  it('computes window means with PyTorch divisors', () => {
    const x = torch.arange(0, 16, 1).float().reshape([1, 1, 4, 4]);
    expect(Array.from(F.avgPool2d(x, 2).dataSync())).toEqual([2.5, 4.5, 10.5, 12.5]);
    // A 3×3 window at the corner with padding 1 covers 4 real elements: 9 or 4 in the divisor.
    const incl = F.avgPool2d(x, 3, { stride: 3, padding: 1 });
    const excl = F.avgPool2d(x, 3, { stride: 3, padding: 1, countIncludePad: false });
    expect(incl.dataSync()[0]).toBeCloseTo((0 + 1 + 4 + 5) / 9, 6);
    expect(excl.dataSync()[0]).toBeCloseTo((0 + 1 + 4 + 5) / 4, 6);
    expect(Array.from(F.adaptiveAvgPool2d(x, 1).dataSync())).toEqual([7.5]);
    expect(F.adaptiveAvgPool2d(x, [null, 2]).shape).toEqual([1, 1, 4, 2]);
    expect(Array.from(F.avgPool1d(torch.tensor([[[1, 2, 3, 4]]]), 2).dataSync())).toEqual([
      1.5, 3.5,
    ]);
    expect(F.adaptiveAvgPool1d(torch.randn(2, 4, 10), 3).shape).toEqual([2, 4, 3]);
    expect(F.maxPool1d(torch.randn(4, 3, 10), 3, { stride: 2 }).shape).toEqual([4, 3, 4]);
  });

  it('has second derivatives through max pooling (gradgradcheck)', () => {
    const x = torch.randn(1, 2, 5, 5, { dtype: 'float64', requiresGrad: true });
    expect(
      torch.autograd.gradgradcheck(
        (t: torch.Tensor) => F.maxPool2d(t, 2, { stride: 1 }).pow(2),
        [x],
      ),
    ).toBe(true);
  });
});
