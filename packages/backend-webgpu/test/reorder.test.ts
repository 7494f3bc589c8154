import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { make, onBoth, rand, same } from './cpu-vs-gpu.js';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

/**
 * `cat`, `flip`, `tril`/`triu` and `cumsum` on WebGPU against the CPU backend, past the
 * conformance samples: many and non-contiguous inputs, the ops that decompose into these
 * (`stack`, `roll`, `repeat`), long scans (the workgroup path) and their accuracy, and gradients.
 */

describe('joins and reorders', () => {
  it('cat joins views of any layout along every dim; stack, roll and repeat build on it', async () => {
    const a = rand(2 * 3 * 4, 1);
    const b = rand(5 * 3 * 4, 2);
    for (const dim of [0, 1, 2]) {
      await same((d) => {
        const x = make(a, [4, 3, 2], d).permute(2, 1, 0);
        const shape = [2, 3, 4];
        shape[dim] = 1;
        const y = make(b, [5, 3, 4], d).narrow(0, 1, 2).narrow(dim, 0, 1);
        return torch.cat([x, y, x.narrow(dim, 1, 1)], dim);
      });
    }
    const many = (d: string) =>
      Array.from({ length: 40 }, (_, i) => make(rand(6, 3 + i), [2, 3], d).t());
    await same((d) => torch.cat(many(d), 1));
    await same((d) => torch.stack(many(d), 1));
    await same((d) => make(rand(24, 4), [2, 3, 4], d).roll([1, -2], [0, 2]));
    await same((d) => make(rand(6, 5), [2, 3], d).t().repeat(2, 1, 3));
    await same((d) =>
      torch.cat([
        make([1, 2], [2], d, 'int32'),
        make([], [0], d, 'int32'),
        make([3], [1], d, 'int32'),
      ]),
    );
  });

  it('flip, tril and triu over batches of transposed and sliced views, for every dtype', async () => {
    const x = (d: string) =>
      make(rand(3 * 5 * 6, 6), [3, 5, 6], d)
        .transpose(1, 2)
        .narrow(1, 1, 4);
    await same((d) => x(d).flip(0, 2));
    await same((d) => x(d).flip(1));
    for (const diagonal of [-7, -2, 0, 1, 3, 9]) {
      await same((d) => x(d).tril(diagonal));
      await same((d) => x(d).triu(diagonal));
      await same((d) => x(d).gt(0).triu(diagonal));
      await same((d) => x(d).mul(10).int().tril(diagonal));
    }
  });
});

describe('cumsum', () => {
  it('scans short and long lines on every dim, forwards and (for its gradient) backwards', async () => {
    const shapes = [
      [3, 200],
      [700, 2],
      [5, 130, 3],
      [1, 1000],
    ];
    for (const shape of shapes) {
      const n = shape.reduce((a, b) => a * b, 1);
      for (let dim = 0; dim < shape.length; dim++) {
        const [cpu, gpu] = await onBoth((d) => make(rand(n, n + dim), shape, d).cumsum(dim));
        for (let i = 0; i < cpu.length; i++) {
          expect(Math.abs(gpu[i]! - cpu[i]!)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(cpu[i]!));
        }
        await same((d) =>
          make(
            rand(n, n + dim).map((v) => Math.round(v * 1000)),
            shape,
            d,
            'int32',
          ).cumsum(dim),
        );
      }
    }
  });

  it('rounds each prefix as the CPU float64 running sum does, also over 100,000 elements', async () => {
    // Naive float32 sums lose the 1 next to 1e8, and drift over long lines.
    await same((d) => make([1e8, 1, -1e8, 1, 0.1, 1e-8], [6], d).cumsum(0));
    const n = 100_000;
    const values = rand(n, 7, 1000);
    await same((d) => make(values, [n], d).cumsum(0));
    await same((d) => make(values, [n], d).flip(0).cumsum(0));
  });

  it('carries infinities and NaN as the CPU does, and wraps int32', async () => {
    const inf = Number.POSITIVE_INFINITY;
    await same((d) => make([1, inf, 2, -inf, 3], [5], d).cumsum(0));
    await same((d) => make([1, Number.NaN, 2], [3], d).cumsum(0));
    await same((d) => make(new Array(300).fill(3e38), [300], d).cumsum(0));
    await same((d) => make([2 ** 31 - 1, 1, 5], [3], d, 'int32').cumsum(0));
    await same((d) => make([1, 0, 1, 1], [4], d, 'int32').gt(0).cumsum(0));
  });

  it('gradients through cumsum, flip, tril and cat run on WebGPU', async () => {
    const grad = async (d: string) => {
      const t = make(rand(20, 8), [4, 5], d).requiresGrad_();
      const y = torch
        .cat([t.cumsum(1).flip(0), t.tril(-1), t.t().triu().t()], 0)
        .mul(make(rand(60, 9), [12, 5], d))
        .sum();
      y.backward();
      return Array.from(d === 'cpu' ? t.grad!.dataSync() : await t.grad!.data());
    };
    const [gpu, cpu] = [await grad('webgpu'), await grad('cpu')];
    // Exact up to the rounding of the elementwise ops between the kernels.
    for (let i = 0; i < cpu.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 4);
  });
});
