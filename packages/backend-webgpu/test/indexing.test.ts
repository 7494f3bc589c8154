import { dispatch, getOp } from '@autodag/core';
import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { make, onBoth, rand, same } from './cpu-vs-gpu.js';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

/**
 * Indexing kernels on WebGPU against the CPU backend, past what the conformance samples reach:
 * repeated indices (whose sums must be deterministic and in the CPU's order), more dims and
 * layouts, negative indices, out-of-range indices (documented GPU behaviour), overlapping view
 * scatters, and gradients.
 */

describe('scatterAdd and indexPut with repeated indices', () => {
  it('add repeated positions in the order of the index, as the CPU does', async () => {
    // 1e8 + 1 - 1e8 depends on the order: any other order than the CPU's shows.
    const src = [1e8, 1, -1e8, 1, 3, -3, 0.5, 1e-3];
    const index = [0, 0, 0, 0, 1, 1, 0, 1];
    await same((d) =>
      torch.scatterAdd(make([0, 0], [2], d), 0, make(index, [8], d, 'int32'), make(src, [8], d)),
    );
    await same((d) =>
      torch.indexPut(make([0, 0], [2], d), [make(index, [8], d, 'int32')], make(src, [8], d), true),
    );
  });

  it('are deterministic and match the CPU on many collisions, in 3-d and any layout', async () => {
    const shape = [4, 6, 5];
    const x = rand(120, 1);
    const src = rand(7 * 6 * 5, 2);
    const index = rand(3 * 6 * 5, 3, 4, true);
    for (const dim of [0, 1, 2]) {
      const ishape = [3, 6, 5];
      ishape[dim] = 3;
      const f = (d: string) =>
        torch.scatterAdd(
          make(x, shape, d).transpose(0, 2).contiguous().transpose(0, 2),
          dim,
          make(index, ishape, d, 'int32'),
          // src larger than index in every dim, read through a slice
          make(src, [7, 6, 5], d).narrow(0, 1, 6).narrow(dim, 0, 3),
        );
      const [cpu, gpu] = await onBoth(f);
      expect(gpu).toEqual(cpu);
      const again = Array.from(await f('webgpu').data());
      expect(again).toEqual(gpu);
    }
  });

  it('scatter keeps the last of repeated positions', async () => {
    const index = [2, 2, 0, 2, 0, 1];
    await same((d) =>
      torch.scatter(
        make([9, 9, 9, 9], [4], d),
        0,
        make(index, [6], d, 'int32'),
        make([1, 2, 3, 4, 5, 6], [6], d),
      ),
    );
    await same((d) =>
      torch.scatter(
        make(rand(12, 4), [3, 4], d),
        1,
        make([3, 3, 1, 1, 3, 0], [3, 2], d, 'int32'),
        7,
      ),
    );
  });

  it('indexPut writes, accumulates and wraps negative indices over several index tensors', async () => {
    const x = rand(4 * 3 * 5, 5);
    const rows = [0, -1, 3, 0, 0, -4];
    const cols = [2, 2, -3, 2, 2, 0];
    const values = rand(5 * 6, 6);
    for (const accumulate of [false, true]) {
      await same((d) =>
        torch.indexPut(
          make(x, [4, 3, 5], d).permute(2, 0, 1),
          [null, make(rows, [2, 3], d, 'int32'), make(cols, [2, 3], d, 'int32')],
          make(values, [3, 2, 5], d).permute(2, 1, 0),
          accumulate,
        ),
      );
    }
  });

  it('accumulates bool and int32 values as the CPU does', async () => {
    await same((d) =>
      torch.indexPut(
        make([5, -7, 2 ** 31 - 1], [3], d, 'int32'),
        [make([2, 2, 0], [3], d, 'int32')],
        make([1, 1, 4], [3], d, 'int32'),
        true,
      ),
    );
    await same((d) =>
      torch.scatter(
        make([1, 0, 0, 1], [4], d, 'bool'),
        0,
        make([1, 3], [2], d, 'int32'),
        make([1, 0], [2], d, 'bool'),
      ),
    );
  });
});

describe('scatters with many sources per destination (grouped by destination first)', () => {
  it('indexPut over hundreds of repeated rows agrees exactly with the CPU', async () => {
    // 3000 positions: the scan of the per-position counts spans several workgroups.
    for (const [rows, nb] of [
      [50, 300],
      [3000, 500],
    ] as const) {
      const ids = rand(nb, rows + nb, 2 * rows, true).map((v) => v - rows);
      const values = rand(nb * 3, 21, 1000);
      for (const accumulate of [true, false]) {
        await same((d) =>
          torch.indexPut(
            make(rand(rows * 3, 22), [3, rows], d).t(),
            [make(ids, [nb], d, 'int32')],
            make(values, [nb, 3], d),
            accumulate,
          ),
        );
      }
    }
  });

  it('sums a single heavily repeated position in index order', async () => {
    const values = Array.from({ length: 100 }, (_, i) => [1e8, 1, -1e8, 0.25][i % 4]!);
    const ids = new Array(100).fill(7);
    await same((d) =>
      torch.indexPut(
        make(rand(200, 23), [200], d),
        [make(ids, [100], d, 'int32')],
        make(values, [100], d),
        true,
      ),
    );
  });

  it('scatterAdd and scatter with long index lines, on both dims and from views', async () => {
    for (const dim of [0, 1]) {
      const xShape = dim === 0 ? [100, 3] : [3, 100];
      const iShape = dim === 0 ? [30, 3] : [3, 30];
      const ids = rand(90, 24 + dim, 100, true);
      const src = rand(2 * 90, 25, 100);
      for (const add of [true, false]) {
        await same((d) => {
          const x = make(rand(300, 26), [...xShape].reverse(), d).t();
          const index = make(ids, iShape, d, 'int32');
          const s = make(src, [2, ...iShape], d).select(0, 1);
          return add ? torch.scatterAdd(x, dim, index, s) : torch.scatter(x, dim, index, s);
        });
      }
    }
  });

  it('drops out-of-range indices on WebGPU', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? 1000 : i % 3));
    const x = torch.zeros(50, { device: 'webgpu' });
    const ones = torch.ones(40, { device: 'webgpu' });
    const idx = torch.tensor(ids, { dtype: 'int32', device: 'webgpu' });
    const sums = Array.from(await torch.indexPut(x, [idx], ones, true).data());
    const expected = new Array(50).fill(0);
    for (const v of ids) if (v < 50) expected[v]++;
    expect(sums).toEqual(expected);
    expect(Array.from(await torch.scatterAdd(x, 0, idx, ones).data())).toEqual(expected);
  });
});

describe('gathers', () => {
  it('gather, index and indexSelect agree with the CPU in 3-d, on every dim, from views', async () => {
    const x = rand(4 * 5 * 6, 7);
    const view = (d: string) => make(x, [6, 5, 4], d).permute(2, 1, 0);
    for (const dim of [0, 1, 2]) {
      const size = [4, 5, 6][dim]!;
      const ishape = [3, 2, 4];
      await same((d) =>
        torch.gather(view(d), dim, make(rand(24, 8 + dim, size, true), ishape, d, 'int32')),
      );
      await same((d) =>
        torch.indexSelect(view(d), dim, make(rand(7, 9 + dim, size, true), [7], d, 'int32')),
      );
      // Negative indices count from the end in index.
      const ids = rand(6, 10 + dim, 2 * size, true).map((v) => v - size);
      await same((d) => view(d).get(...new Array(dim).fill(':'), make(ids, [2, 3], d, 'int32')));
    }
  });

  it('index with several index tensors broadcast together (take, advanced indexing)', async () => {
    const x = rand(3 * 4 * 5, 11);
    await same((d) =>
      make(x, [3, 4, 5], d).get(
        make([0, 2, 1], [3, 1], d, 'int32'),
        make([3, -1], [2], d, 'int32'),
      ),
    );
    await same((d) => make(x, [3, 4, 5], d).take(make([0, 59, -1, 17], [2, 2], d, 'int32')));
  });

  it('out-of-range indices read 0 and write nothing on WebGPU (the CPU throws)', async () => {
    const x = torch.tensor([1, 2, 3], { device: 'webgpu' });
    const bad = torch.tensor([0, 3, -1, 2], { dtype: 'int32', device: 'webgpu' });
    expect(Array.from(await torch.gather(x, 0, bad).data())).toEqual([1, 0, 0, 3]);
    expect(Array.from(await torch.indexSelect(x, 0, bad).data())).toEqual([1, 0, 0, 3]);
    const far = torch.tensor([0, 5, -4], { dtype: 'int32', device: 'webgpu' });
    expect(Array.from(await x.get(far).data())).toEqual([1, 0, 0]);
    const ones = torch.ones(4, { device: 'webgpu' });
    expect(Array.from(await torch.scatterAdd(x, 0, bad, ones).data())).toEqual([2, 2, 4]);
    expect(Array.from(await torch.scatter(x, 0, bad, ones).data())).toEqual([1, 2, 1]);
    const put = torch.indexPut(x, [far], torch.full([3], 9, { device: 'webgpu' }), true);
    expect(Array.from(await put.data())).toEqual([10, 2, 3]);
    const [cx, cbad] = [await x.toAsync('cpu'), await bad.toAsync('cpu')];
    expect(() => torch.gather(cx, 0, cbad)).toThrow(RangeError);
  });

  it('maskedFill in place and out of place, for every dtype', async () => {
    const mask = [1, 0, 0, 1, 1, 0];
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      await same((d) =>
        make([3, 0, -2, 5, 1, 1], [2, 3], d, dtype)
          .t()
          .maskedFill(make(mask, [3, 2], d, 'bool'), dtype === 'bool' ? false : 7),
      );
    }
    await same((d) => {
      const t = make(rand(6, 12), [2, 3], d);
      t.maskedFill_(make([0, 1, 1], [3], d, 'bool'), Number.NaN);
      return t;
    });
  });
});

describe('view scatters', () => {
  it('asStridedScatter and viewScatter agree with the CPU, overlapping layouts included', async () => {
    const layouts = [
      { shape: [3, 2], strides: [4, 2], offset: 1 },
      { shape: [3, 3], strides: [1, 1], offset: 2 },
      { shape: [2, 4], strides: [0, 3], offset: 0 },
      { shape: [2, 2], strides: [-1, 4], offset: 5 },
      { shape: [0, 3], strides: [1, 1], offset: 0 },
      // More than 16 source elements: grouped by destination before the writes.
      { shape: [8, 4], strides: [1, 1], offset: 0 },
      { shape: [5, 4], strides: [0, 2], offset: 3 },
      { shape: [3, 3, 3], strides: [2, -1, 3], offset: 2 },
    ];
    for (const layout of layouts) {
      const n = layout.shape.reduce((a, b) => a * b, 1);
      const src = (d: string) =>
        make(rand(n, 13 + n), layout.shape, d)
          .transpose(0, -1)
          .contiguous()
          .transpose(0, -1);
      await same(
        (d) =>
          dispatch(
            getOp('asStridedScatter'),
            [make(rand(12, 14), [3, 4], d).t(), src(d)],
            layout,
          )[0]!,
      );
      await same((d) => dispatch(getOp('viewScatter'), [src(d)], { ...layout, size: [2, 6] })[0]!);
    }
  });

  it('gradients of views and indexing flow through the WebGPU kernels', async () => {
    const x = rand(20, 15);
    const idx = [1, 1, 3, 0, 1];
    const grad = async (d: string) => {
      const t = make(x, [4, 5], d).requiresGrad_();
      const y = t
        .gather(1, make(idx.concat(idx).slice(0, 8), [4, 2], d, 'int32'))
        .sum()
        .add(
          t
            .get(make(idx, [5], d, 'int32').remainder(4))
            .mul(2)
            .sum(),
        )
        .add(t.t().select(0, 1).mul(t.t().select(0, 2)).sum())
        .add(
          t
            .indexSelect(0, make([3, 3, 1], [3], d, 'int32'))
            .pow(2)
            .sum(),
        );
      y.backward();
      return Array.from(d === 'cpu' ? t.grad!.dataSync() : await t.grad!.data());
    };
    const [gpu, cpu] = [await grad('webgpu'), await grad('cpu')];
    // Exact up to the rounding of the elementwise ops between the kernels.
    for (let i = 0; i < cpu.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 4);
  });
});
