import type { Kernel, Tensor } from 'autodag';
import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { make, rand } from './cpu-vs-gpu.js';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

/** Values with zeros, -0, NaN and infinities among them (about a third nonzero). */
function sparse(n: number, seed: number): number[] {
  const special = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e-30];
  return rand(n, seed, 3, true).map((v, i) => (v === 0 ? special[i % special.length]! : 0));
}

/** `nonzeroAsync` of the same input built by `f` on WebGPU and the CPU's synchronous `nonzero`. */
async function sameCoords(f: (device: string) => Tensor): Promise<number[][]> {
  const expected = f('cpu').nonzero();
  const got = await torch.nonzeroAsync(f('webgpu'));
  expect(got.device).toBe('webgpu');
  expect(got.dtype).toBe('int32');
  expect(got.shape).toEqual(expected.shape);
  const values = (await got.array()) as number[][];
  expect(values).toEqual(expected.tolist());
  return values;
}

describe('nonzero on WebGPU (nonzeroAsync)', () => {
  it('matches the CPU on float32, int32 and bool inputs, NaN counted and -0 not', async () => {
    const v = sparse(60, 1);
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      await sameCoords((d) => make(v, [3, 4, 5], d, dtype));
    }
    expect(await sameCoords((d) => torch.tensor([0, -0, Number.NaN, 2], { device: d }))).toEqual([
      [2],
      [3],
    ]);
  });

  it('reads strided, offset and broadcast inputs through their layout', async () => {
    const v = sparse(7 * 9, 2);
    await sameCoords((d) => make(v, [7, 9], d).t());
    await sameCoords((d) => make(v, [7, 9], d).get('1:', '::2'));
    await sameCoords((d) => make(v, [7, 9], d, 'int32').get(2).flip(0));
    await sameCoords((d) => make(v.slice(0, 9), [1, 9], d).expand(4, 9));
    await sameCoords((d) => make([0, 1, 1], [3, 1], d, 'bool').expand(3, 5).permute(1, 0));
  });

  it('handles empty, all-true, all-false and 0-d inputs', async () => {
    await sameCoords((d) => torch.zeros(0, 3, { device: d }));
    await sameCoords((d) => torch.zeros(4, 0, 2, { device: d }));
    expect((await sameCoords((d) => torch.ones(2, 3, { device: d }).bool())).length).toBe(6);
    await sameCoords((d) => torch.zeros(5, 2, { device: d }));
    expect((await sameCoords((d) => torch.tensor(7, { device: d }))).length).toBe(1);
    expect(await sameCoords((d) => torch.tensor(0, { device: d }))).toEqual([]);
    expect((await torch.nonzeroAsync(torch.tensor(3, { device: 'webgpu' }))).shape).toEqual([1, 0]);
  });

  it('keeps row-major order across blocks and scan chunks (over a million elements)', async () => {
    // 1024 elements per block, 1024 block counts per chunk of the scan: > 2^20 elements takes
    // the scan into a second chunk; the pattern has runs of every length across block edges.
    const n = 2 ** 20 + 3000;
    const words = rand(n, 3, 7, true);
    const mask = Int32Array.from(words, (w, i) => +(w === 0 || i % 1024 === 1023));
    const counted = mask.reduce((a, b) => a + b, 0);
    const got = await torch.nonzeroAsync(
      torch.fromTypedArray(mask, [n / 8, 8], { device: 'webgpu' }),
    );
    expect(got.shape).toEqual([counted, 2]);
    const rows = (await got.data()) as Int32Array;
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (!mask[i]) continue;
      if (rows[2 * k] !== Math.floor(i / 8) || rows[2 * k + 1] !== i % 8) {
        throw new Error(`row ${k}: [${rows[2 * k]}, ${rows[2 * k + 1]}] for element ${i}`);
      }
      k++;
    }
    expect(k).toBe(counted);
  });

  it('asTuple, argwhereAsync, maskedSelectAsync and getAsync match the CPU', async () => {
    const v = sparse(24, 4);
    const on = (d: string) => make(v, [2, 3, 4], d);
    const cols = await on('webgpu').nonzeroAsync({ asTuple: true });
    expect(await Promise.all(cols.map((c) => c.array()))).toEqual(
      on('cpu')
        .nonzero({ asTuple: true })
        .map((c) => c.tolist()),
    );
    expect(await (await on('webgpu').argwhereAsync()).array()).toEqual(
      on('cpu').argwhere().tolist(),
    );
    const mask = (d: string) => make([1, 0, 1, 1], [4], d, 'bool');
    expect(await (await on('webgpu').maskedSelectAsync(mask('webgpu'))).array()).toEqual(
      on('cpu').maskedSelect(mask('cpu')).tolist(),
    );
    const items = (d: string): torch.IndexItem[] => [1, on(d).get(0).ne(0)];
    expect(await (await on('webgpu').getAsync(...items('webgpu'))).array()).toEqual(
      on('cpu')
        .get(...items('cpu'))
        .tolist(),
    );
  });

  it('passes gradients through maskedSelectAsync on the device', async () => {
    const grads: number[][] = [];
    for (const device of ['cpu', 'webgpu']) {
      const x = make(rand(12, 5), [3, 4], device).requiresGrad_();
      const y = await x.maskedSelectAsync(x.gt(0));
      y.mul(y).sum().backward();
      grads.push(Array.from(await x.grad!.data()));
    }
    expect(grads[1]).toEqual(grads[0]);
  });

  it('uses the values the input had at the call', async () => {
    const x = torch.tensor([0, 1, 0, 1], { device: 'webgpu' });
    const pending = x.nonzeroAsync();
    x.fill_(1);
    expect(await (await pending).array()).toEqual([[1], [3]]);
  });

  it('the kernel writes coordinates of a strided input into a preallocated output', async () => {
    // What a backend kernel receives: any layout, an output sized by the count.
    const kernel = torch.getOp('nonzero').kernels.get('webgpu') as Kernel;
    const v = sparse(6 * 10, 6);
    const cpu = make(v, [6, 10], 'cpu').get('1:', '::3').t();
    const gpu = make(v, [6, 10], 'webgpu').get('1:', '::3').t();
    expect(gpu.isContiguous()).toBe(false);
    const expected = cpu.nonzero();
    const out = torch.empty(expected.shape, { dtype: 'int32', device: 'webgpu' });
    kernel([gpu], [out], {});
    expect(await out.array()).toEqual(expected.tolist());
  });
});

describe('the synchronous forms on WebGPU', () => {
  const x = () => torch.tensor([0, 1, 2], { device: 'webgpu' });
  const mask = () => torch.tensor([true, false, true], { device: 'webgpu' });

  it('throw an error naming the function, the tensor, the device and the async form', () => {
    expect(() => x().nonzero()).toThrow(
      /^nonzero\(\): the count of nonzero elements of a \[3\] float32 tensor on device 'webgpu' must be read first.*'await torch\.nonzeroAsync\(input\)'/,
    );
    expect(() => torch.argwhere(x())).toThrow(/nonzero\(\).*'webgpu'.*nonzeroAsync/);
    expect(() => x().maskedSelect(mask())).toThrow(
      /^masked_select\(\): .*\[3\] bool tensor on device 'webgpu'.*'await input\.maskedSelectAsync\(mask\)'/,
    );
    expect(() => x().get(mask())).toThrow(
      /^index with a bool mask: .*'await x\.getAsync\(\.\.\.\)'/,
    );
    expect(() => x().set(mask(), 0)).toThrow(/^setitem with a bool mask: .*maskedFill_/);
    expect(() => x().indexPut([mask()], 5)).toThrow(/^index_put with a bool mask: .*nonzeroAsync/);
  });

  it('index with masks written as JS arrays, counted on the host', async () => {
    const y = torch.arange(6, { device: 'webgpu' }).reshape(2, 3);
    expect(await y.get([true, false], [false, true, true]).array()).toEqual([1, 2]);
    expect(await y.get(':', [true, false, true]).array()).toEqual([
      [0, 2],
      [3, 5],
    ]);
    y.set([[false, true]], 9);
    expect(await y.array()).toEqual([
      [0, 1, 2],
      [9, 9, 9],
    ]);
  });
});
