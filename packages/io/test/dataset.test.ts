import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const { TensorDataset, Subset, ConcatDataset, randomSplit, defaultCollate, Dataset } = torch.io;

/** A dataset of plain items without a batch path. */
class Squares extends Dataset<[number, number]> {
  constructor(readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  getItem(i: number): [number, number] {
    return [i, i * i];
  }
}

describe('TensorDataset', () => {
  const x = torch.arange(12, undefined, 1, { dtype: 'float32' }).reshape(6, 2);
  const y = torch.tensor([0, 1, 2, 3, 4, 5], { dtype: 'int32' });
  const ds = new TensorDataset(x, y);

  it('items are the rows of every tensor', () => {
    expect(ds.length).toBe(6);
    const [xi, yi] = ds.getItem(2);
    expect(xi!.shape).toEqual([2]);
    expect(xi!.tolist()).toEqual([4, 5]);
    expect(yi!.shape).toEqual([]);
    expect(yi!.item()).toBe(2);
    expect(ds.getItem(-1)[1]!.item()).toBe(5);
  });

  it('getItems equals stacking the items, with one indexSelect per tensor', () => {
    const idx = [5, 0, 3, 3];
    const [xb, yb] = ds.getItems(idx);
    const [xs, ys] = defaultCollate(idx.map((i) => ds.getItem(i)));
    expect(xb!.tolist()).toEqual(xs!.tolist());
    expect(yb!.tolist()).toEqual(ys!.tolist());
    expect(yb!.dtype).toBe('int32');
    expect(xb!.gradFn?.name ?? null).toBeNull();
  });

  it('rejects mismatched first dimensions, 0-d tensors and out-of-range indices', () => {
    expect(() => new TensorDataset(torch.zeros(3, 2), torch.zeros(4))).toThrow(
      /Size mismatch between tensors: first dimensions are 3, 4/,
    );
    expect(() => new TensorDataset(torch.tensor(1))).toThrow(/0-d/);
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => ds.getItem(6)).toThrow(/index 6 is out of range for a dataset of length 6/);
    expect(() => ds.getItems([0, 7])).toThrow(/index 7 is out of range/);
    expect(() => ds.getItem(1.5)).toThrow(/must be an integer/);
  });
});

describe('Subset and ConcatDataset', () => {
  it('Subset maps indices and uses the fast path of the dataset', () => {
    const ds = new TensorDataset(torch.arange(10, undefined, 1, { dtype: 'int32' }));
    const sub = new Subset(ds, [7, 3, 1]);
    expect(sub.length).toBe(3);
    expect(sub.getItem(0)[0]!.item()).toBe(7);
    expect((sub.getItems([2, 0]) as torch.Tensor[])[0]!.tolist()).toEqual([1, 7]);
    expect(() => sub.getItem(3)).toThrow(/Subset: index 3 is out of range/);
  });

  it('Subset of a plain dataset collates item by item', () => {
    const sub = new Subset(new Squares(10), [3, 4]);
    const [a, b] = sub.getItems([0, 1]) as torch.Tensor[];
    expect(a!.tolist()).toEqual([3, 4]);
    expect(b!.tolist()).toEqual([9, 16]);
  });

  it('ConcatDataset joins datasets and finds the right one for each index', () => {
    const a = new Squares(3);
    const b = new Squares(5);
    const c = new ConcatDataset([a, b]);
    expect(c.length).toBe(8);
    expect(c.cumulativeSizes).toEqual([3, 8]);
    expect([0, 2, 3, 7].map((i) => (c.getItem(i) as [number, number])[0])).toEqual([0, 2, 0, 4]);
    expect(c.getItem(-1)).toEqual([4, 16]);
    const [first] = c.getItems([2, 3]) as torch.Tensor[];
    expect(first!.tolist()).toEqual([2, 0]);
    expect(() => new ConcatDataset([])).toThrow(/should not be an empty iterable/);
  });

  it('ConcatDataset uses a dataset fast path when a batch lies in one dataset', () => {
    const a = new TensorDataset(torch.tensor([1, 2], { dtype: 'int32' }));
    const b = new TensorDataset(torch.tensor([3, 4, 5], { dtype: 'int32' }));
    const c = new ConcatDataset([a, b]);
    expect((c.getItems([3, 4]) as torch.Tensor[])[0]!.tolist()).toEqual([4, 5]);
    expect((c.getItems([1, 2]) as torch.Tensor[])[0]!.tolist()).toEqual([2, 3]);
  });
});

describe('randomSplit', () => {
  it('splits into disjoint subsets covering the dataset (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(20), { minLength: 1, maxLength: 5 }),
        fc.nat(1000),
        (lengths, seed) => {
          const n = lengths.reduce((a, b) => a + b, 0);
          const parts = randomSplit(new Squares(n), lengths, {
            generator: new torch.Generator(seed),
          });
          expect(parts.map((p) => p.length)).toEqual(lengths);
          const all = parts.flatMap((p) => [...p.indices]).sort((a, b) => a - b);
          expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
    );
  });

  it('accepts fractions and hands the remainder out round-robin, as PyTorch', () => {
    const parts = randomSplit(new Squares(10), [0.33, 0.33, 0.34], {
      generator: new torch.Generator(0),
    });
    // floor gives 3, 3, 3; the 1 left goes to the first split.
    expect(parts.map((p) => p.length)).toEqual([4, 3, 3]);
    // Fractions whenever they sum to 1 and the dataset has at least 1 item (PyTorch's rule).
    expect(randomSplit(new Squares(1), [0.5, 0.5]).map((p) => p.length)).toEqual([1, 0]);
    expect(randomSplit(new Squares(5), [0, 1]).map((p) => p.length)).toEqual([0, 5]);
  });

  it('is reproducible from a seed and differs across seeds', () => {
    const split = (seed: number) =>
      randomSplit(new Squares(50), [25, 25], { generator: new torch.Generator(seed) })[0]!.indices;
    expect(split(3)).toEqual(split(3));
    expect(split(3)).not.toEqual(split(4));
  });

  it('rejects lengths that do not add up', () => {
    expect(() => randomSplit(new Squares(10), [3, 4])).toThrow(
      /Sum of input lengths \(7\) does not equal the length of the input dataset \(10\)!/,
    );
    expect(() => randomSplit(new Squares(10), [-1, 11])).toThrow(/non-negative integers/);
  });
});

describe('defaultCollate', () => {
  it('stacks tensors and turns numbers into int32 or float64 tensors', () => {
    const [x, y, z] = defaultCollate([
      [torch.zeros(2), 1, 0.5],
      [torch.ones(2), 7, 2],
    ]);
    expect(x.shape).toEqual([2, 2]);
    expect(x.tolist()).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(y.dtype).toBe('int32');
    expect(y.tolist()).toEqual([1, 7]);
    expect(z.dtype).toBe('float64');
    expect(z.tolist()).toEqual([0.5, 2]);
  });

  it('numbers beyond int32 give float64; booleans give bool; strings stay strings', () => {
    expect(defaultCollate([1, 2 ** 31]).dtype).toBe('float64');
    const b = defaultCollate([true, false]);
    expect(b.dtype).toBe('bool');
    expect(b.tolist()).toEqual([true, false]);
    expect(defaultCollate(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('collates objects key by key and nested arrays position by position', () => {
    const batch = defaultCollate([
      { image: torch.zeros(1, 2), meta: { id: 1, tags: ['x', 'y'] } },
      { image: torch.ones(1, 2), meta: { id: 2, tags: ['z', 'w'] } },
    ]);
    expect(batch.image.shape).toEqual([2, 1, 2]);
    expect(batch.meta.id.tolist()).toEqual([1, 2]);
    expect(batch.meta.tags).toEqual([
      ['x', 'z'],
      ['y', 'w'],
    ]);
  });

  it('stacks typed arrays as tensors', () => {
    const t = defaultCollate([new Float64Array([1, 2]), new Float64Array([3, 4])]);
    expect(t.dtype).toBe('float64');
    expect(t.tolist()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('keeps the values of integer typed arrays (uint8 pixels become int32, not bool)', () => {
    const pixels = defaultCollate([new Uint8Array([0, 200]), new Uint8Array([7, 255])]);
    expect(pixels.dtype).toBe('int32');
    expect(pixels.tolist()).toEqual([
      [0, 200],
      [7, 255],
    ]);
    expect(defaultCollate([new Int16Array([-3]), new Int16Array([4])]).dtype).toBe('int32');
    expect(defaultCollate([new Float32Array([0.5]), new Float32Array([1])]).dtype).toBe('float32');
    const big = defaultCollate([new Uint32Array([4_000_000_001]), new Uint32Array([1])]);
    expect(big.dtype).toBe('float64');
    expect(big.tolist()).toEqual([[4_000_000_001], [1]]);
  });

  it('errors name what is wrong', () => {
    expect(() => defaultCollate([])).toThrow(/the batch is empty/);
    expect(() => defaultCollate([[1, 2], [3]])).toThrow(
      /each element in list of batch should be of equal size/,
    );
    expect(() => defaultCollate([1, 'a'] as unknown[])).toThrow(/mixes element types/);
    expect(() => defaultCollate([null, null])).toThrow(/found null/);
    expect(() => defaultCollate([torch.zeros(2), torch.zeros(3)])).toThrow(
      /stack expects each tensor to be equal size/,
    );
  });
});

describe('Dataset subclasses', () => {
  it('may give length as a plain property and return Promises from getItem', async () => {
    class Letters extends Dataset<string> {
      readonly length = 3;
      async getItem(i: number) {
        return 'abc'[i]!;
      }
    }
    const sub = new Subset(new Letters(), [2, 0]);
    expect(await sub.getItem(0)).toBe('c');
    expect(await sub.getItems([0, 1])).toEqual(['c', 'a']);
  });
});
