import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

/**
 * The asynchronous forms of the ops whose output size depends on the values, on the CPU: the same
 * results as the synchronous forms, the values as of the call, gradients. (On WebGPU, where only
 * they work, packages/backend-webgpu/test/nonzero.test.ts compares them with these.)
 */

const m = () =>
  torch.tensor([
    [0, 1.5, 0],
    [Number.NaN, 0, -2],
  ]);

describe('nonzeroAsync and the ops built on it', () => {
  it('nonzeroAsync and argwhereAsync give what nonzero gives, asTuple included', async () => {
    for (const x of [
      m(),
      m().t(),
      m().gt(0),
      torch.tensor([3, 0, 7], { dtype: 'int32' }),
      torch.tensor(2),
      torch.tensor(0),
      torch.zeros(0, 3),
      torch.ones(2, 2).expand(3, 2, 2),
    ]) {
      const sync = x.nonzero();
      const got = await torch.nonzeroAsync(x);
      expect(got.shape).toEqual(sync.shape);
      expect(got.dtype).toBe('int32');
      expect(got.tolist()).toEqual(sync.tolist());
      expect((await x.argwhereAsync()).tolist()).toEqual(sync.tolist());
      const cols = await x.nonzeroAsync({ asTuple: true });
      expect(cols.map((c) => c.tolist())).toEqual(
        x.nonzero({ asTuple: true }).map((c) => c.tolist()),
      );
    }
  });

  it('a 0-d input counts as 1-d with asTuple, as in PyTorch', async () => {
    expect(torch.nonzero(torch.tensor(5), { asTuple: true }).map((c) => c.tolist())).toEqual([[0]]);
    expect((await torch.nonzeroAsync(torch.tensor(0), { asTuple: true }))[0]!.shape).toEqual([0]);
  });

  it('uses the values the input had at the call', async () => {
    const x = torch.tensor([0, 1, 0, 1]);
    const pending = x.nonzeroAsync();
    const selected = x.maskedSelectAsync(x.gt(0));
    const got = x.getAsync(x.eq(0));
    x.fill_(1);
    expect((await pending).tolist()).toEqual([[1], [3]]);
    expect((await selected).tolist()).toEqual([1, 1]);
    expect((await got).tolist()).toEqual([0, 0]);
  });

  it('maskedSelectAsync broadcasts as maskedSelect and passes gradients to the input', async () => {
    const mask = torch.tensor([true, false, true]);
    const x = torch
      .tensor([
        [1, 2, 3],
        [4, 5, 6],
      ])
      .requiresGrad_();
    const y = await x.maskedSelectAsync(mask);
    expect(y.tolist()).toEqual(x.maskedSelect(mask).tolist());
    y.mul(torch.arange(4)).sum().backward();
    expect(x.grad!.tolist()).toEqual([
      [0, 0, 1],
      [2, 0, 3],
    ]);
    expect((await torch.tensor(5).maskedSelectAsync(mask)).tolist()).toEqual([5, 5]);
    expect((await torch.tensor(5).maskedSelectAsync(torch.tensor(false))).shape).toEqual([0]);
    await expect(x.maskedSelectAsync(torch.ones(3))).rejects.toThrow(/masked_select.*BoolTensor/);
    await expect(x.maskedSelectAsync(torch.ones(4).bool())).rejects.toThrow(/masked_select/);
  });

  it('getAsync indexes with masks among other items, as get does', async () => {
    const x = torch.arange(24).reshape(2, 3, 4);
    const mask = torch.tensor([
      [true, false, true],
      [false, false, true],
    ]);
    const cases: torch.IndexItem[][] = [
      [mask],
      [mask, '1:'],
      [1, mask.get(0)],
      ['...', x.get(0, 0).gt(1)],
      [x.gt(20)],
      [torch.tensor(true)],
      [torch.tensor(false), 0],
      [[true, false], null, 2],
      [0, [0, 2]],
      [':', 1],
    ];
    for (const items of cases) {
      const got = await x.getAsync(...items);
      expect(got.shape, JSON.stringify(items)).toEqual(x.get(...items).shape);
      expect(got.tolist()).toEqual(x.get(...items).tolist());
    }
    await expect(x.getAsync(mask.t())).rejects.toThrow(/shape of the mask \[3, 2\]/);
  });
});
