import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('review: views validate their arguments instead of reading out of bounds', () => {
  it('narrow rejects a 0-d tensor and non-integer start/length', () => {
    expect(() => torch.tensor(5).narrow(0, 0, 3)).toThrow(
      'narrow() cannot be applied to a 0-dim tensor.',
    );
    expect(() => torch.arange(6).narrow(0, 1.5, 2)).toThrow(/narrow/);
    expect(() => torch.arange(6).narrow(0, 1, 2.5)).toThrow(/narrow/);
    expect(torch.arange(6).narrow(0, -2, 2).tolist()).toEqual([4, 5]);
  });
});

describe('review: asStrided checks its layout against the storage', () => {
  it('rejects layouts that reach past the storage, negative strides and offsets', () => {
    const x = torch.arange(6);
    expect(() => torch.asStrided(x, [10], [1])).toThrow(/asStrided.*out of bounds/);
    expect(() => torch.asStrided(x, [3], [-1])).toThrow(/Negative strides/);
    expect(() => torch.asStrided(x, [3], [1], -1)).toThrow(/storage offset/);
    expect(() => torch.asStrided(x, [3, 2], [1])).toThrow(/length of strides and shape/);
    expect(() => torch.asStrided(x.narrow(0, 4, 2), [3], [1])).toThrow(/out of bounds/);
  });

  it('still allows layouts inside the storage, including empty and overlapping ones', () => {
    const x = torch.arange(6);
    expect(torch.asStrided(x, [2, 3], [1, 2]).tolist()).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ]);
    expect(torch.asStrided(x, [3, 2], [1, 1], 1).tolist()).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(torch.asStrided(x, [0, 100], [100, 1], 6).shape).toEqual([0, 100]);
    expect(torch.asStrided(x.narrow(0, 2, 2), [4], [1]).tolist()).toEqual([2, 3, 4, 5]);
  });
});

describe('review: expand rejects sizes that are not valid dims', () => {
  it('throws for negative sizes other than -1 and for non-integers', () => {
    expect(() => torch.zeros(1).expand(-2)).toThrow(/expand/);
    expect(() => torch.zeros(3).expand(-3, 3)).toThrow(/expand/);
    expect(() => torch.zeros(3).expand(2.5, 3)).toThrow(/expand/);
    expect(() => torch.zeros(1).expand(1.5)).toThrow(/expand/);
    expect(torch.zeros(1, 3).expand(2, -1).shape).toEqual([2, 3]);
    expect(torch.zeros(3).expand(0, 3).shape).toEqual([0, 3]);
  });
});

describe('review: add/sub alpha on integer operands', () => {
  it('rejects a fractional alpha when the result is integral, as PyTorch does', () => {
    const a = torch.tensor([1, 2], { dtype: 'int32' });
    expect(() => a.add(a, { alpha: 0.5 })).toThrow(
      'add: For integral input tensors, argument alpha must not be a floating point number.',
    );
    expect(() => torch.sub(a, 1, { alpha: 1.5 })).toThrow(/alpha must not be a floating point/);
    expect(a.add(a, { alpha: 2 }).tolist()).toEqual([3, 6]);
    expect(a.add(a, { alpha: 2 }).dtype).toBe('int32');
    expect(a.add(torch.tensor([1, 1]), { alpha: 0.5 }).tolist()).toEqual([1.5, 2.5]);
  });
});

describe('review: numbers stored into bool tensors become 0 or 1', () => {
  it('fill_, full, maskedFill and tensor() store true for any nonzero number (NaN included)', () => {
    const t = torch.tensor([true, true]);
    expect(torch.zeros(2, { dtype: 'bool' }).fill_(2).eq(t).tolist()).toEqual([true, true]);
    expect(torch.zeros(2, { dtype: 'bool' }).fill_(0.5).tolist()).toEqual([true, true]);
    expect(torch.full([2], 0.5, { dtype: 'bool' }).tolist()).toEqual([true, true]);
    expect(torch.full([1], 0, { dtype: 'bool' }).tolist()).toEqual([false]);
    const m = torch.zeros(2, { dtype: 'bool' }).maskedFill(torch.tensor([true, false]), 2);
    expect(m.eq(true).tolist()).toEqual([true, false]);
    expect(torch.tensor([NaN, 0, -3], { dtype: 'bool' }).tolist()).toEqual([true, false, true]);
  });
});

describe('review: fromTypedArray checks the element count', () => {
  it('throws when the array is shorter than the shape needs', () => {
    expect(() => torch.fromTypedArray(new Float32Array(2), [3])).toThrow(
      /fromTypedArray: .*\[3\].*3 elements.*2/,
    );
    expect(torch.fromTypedArray(new Float32Array([1, 2, 3, 4]), [2, 2]).tolist()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('review: flip and roll on 0-d tensors and bad shifts', () => {
  it('flip of a 0-d tensor along dim 0 / -1 is a copy of it', () => {
    const x = torch.tensor(1.5);
    expect(x.flip(0).item()).toBe(1.5);
    expect(x.flip(-1).shape).toEqual([]);
  });

  it('roll names itself for a 0-d tensor with a dim and for non-integer shifts', () => {
    expect(() => torch.tensor(1).roll(1, 0)).toThrow(
      'roll: Dimension specified as 0 but tensor has no dimensions',
    );
    expect(() => torch.arange(4).roll(1.5)).toThrow(/roll.*shifts.*integers/);
    expect(torch.tensor(2).roll(3).item()).toBe(2);
  });
});
