import * as torch from 'autodag';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const { DataLoader, TensorDataset, Dataset, BatchSampler, SequentialSampler, RandomSampler } =
  torch.io;

function indexDataset(n: number) {
  return new TensorDataset(torch.arange(n, undefined, 1, { dtype: 'int32' }));
}

function epoch(loader: Iterable<torch.Tensor[]>): number[][] {
  return [...loader].map((b) => b[0]!.tolist() as number[]);
}

/** Items that arrive asynchronously, counting how many loads run at once. */
class SlowDataset extends Dataset<[number, number]> {
  active = 0;
  maxActive = 0;
  started: number[] = [];
  constructor(readonly n: number) {
    super();
  }
  get length() {
    return this.n;
  }
  async getItem(i: number): Promise<[number, number]> {
    this.started.push(i);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((r) => setTimeout(r, 2));
    this.active--;
    return [i, i % 3];
  }
}

describe('DataLoader batches', () => {
  it('length is the number of batches, with and without dropLast', () => {
    const ds = indexDataset(60000);
    expect(new DataLoader(ds, { batchSize: 64 }).length).toBe(938);
    expect(new DataLoader(ds, { batchSize: 64, dropLast: true }).length).toBe(937);
    expect(new DataLoader(ds).length).toBe(60000);
  });

  it('covers every index exactly once per epoch with the right batch sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        (n, batchSize, shuffle, dropLast, seed) => {
          const loader = new DataLoader(indexDataset(n), {
            batchSize,
            shuffle,
            dropLast,
            generator: new torch.Generator(seed),
          });
          const batches = epoch(loader);
          expect(batches.length).toBe(loader.length);
          const full = Math.floor(n / batchSize);
          for (let b = 0; b < batches.length; b++) {
            expect(batches[b]!.length).toBe(b < full ? batchSize : n % batchSize);
          }
          const seen = batches.flat();
          if (dropLast) {
            expect(seen.length).toBe(full * batchSize);
            expect(new Set(seen).size).toBe(seen.length);
          } else {
            expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          }
          if (!shuffle) expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
        },
      ),
    );
  });

  it('shuffle gives a permutation, a new one every epoch, reproducible from a seed', () => {
    const make = () =>
      new DataLoader(indexDataset(100), {
        batchSize: 10,
        shuffle: true,
        generator: new torch.Generator(123),
      });
    const a = make();
    const e1 = epoch(a).flat();
    const e2 = epoch(a).flat();
    expect([...e1].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(e1).not.toEqual(e2);
    const b = make();
    expect(epoch(b).flat()).toEqual(e1);
    expect(epoch(b).flat()).toEqual(e2);
  });

  it('yields [x, y] batches from a TensorDataset in one indexSelect per tensor', () => {
    const x = torch.randn(10, 3);
    const y = torch.arange(10, undefined, 1, { dtype: 'int32' });
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 4 });
    const shapes: number[][] = [];
    for (const [xb, yb] of loader) {
      shapes.push([...xb!.shape]);
      expect(yb!.dtype).toBe('int32');
      expect(xb!.tolist()).toEqual(x.indexSelect(0, yb!).tolist());
    }
    expect(shapes).toEqual([
      [4, 3],
      [4, 3],
      [2, 3],
    ]);
  });

  it('collates plain items with defaultCollate and accepts a custom collateFn', () => {
    class Pairs extends Dataset<[number, string]> {
      get length() {
        return 5;
      }
      getItem(i: number): [number, string] {
        return [i, `s${i}`];
      }
    }
    const batches = [...new DataLoader(new Pairs(), { batchSize: 2 })];
    expect(batches[0]![0].dtype).toBe('int32');
    expect(batches[0]![0].tolist()).toEqual([0, 1]);
    expect(batches[2]![1]).toEqual(['s4']);
    const custom = new DataLoader(new Pairs(), {
      batchSize: 3,
      collateFn: (items) => items.map(([i]) => i * 10),
    });
    expect([...custom]).toEqual([
      [0, 10, 20],
      [30, 40],
    ]);
  });

  it('takes a sampler or a batchSampler, and rejects conflicting options', () => {
    const ds = indexDataset(6);
    class Reverse implements torch.io.Sampler {
      length = 6;
      *[Symbol.iterator]() {
        for (let i = 5; i >= 0; i--) yield i;
      }
    }
    expect(epoch(new DataLoader(ds, { batchSize: 4, sampler: new Reverse() }))).toEqual([
      [5, 4, 3, 2],
      [1, 0],
    ]);
    const bs = new BatchSampler(new SequentialSampler(ds), 5, true);
    expect(epoch(new DataLoader(ds, { batchSampler: bs }))).toEqual([[0, 1, 2, 3, 4]]);
    expect(() => new DataLoader(ds, { sampler: new Reverse(), shuffle: true })).toThrow(
      /sampler option is mutually exclusive with shuffle/,
    );
    expect(() => new DataLoader(ds, { batchSampler: bs, batchSize: 2 })).toThrow(
      /batchSampler option is mutually exclusive/,
    );
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(
      /batchSize should be a positive integer/,
    );
  });

  it('RandomSampler with replacement draws numSamples indices in range', () => {
    const s = new RandomSampler(
      { length: 5 },
      {
        replacement: true,
        numSamples: 50,
        generator: new torch.Generator(1),
      },
    );
    const draws = [...s];
    expect(draws.length).toBe(50);
    expect(draws.every((i) => i >= 0 && i < 5)).toBe(true);
    expect(new Set(draws).size).toBe(5);
    expect(() => new RandomSampler({ length: 5 }, { numSamples: 3 })).toThrow(/replacement: true/);
  });

  it('iterates 60k MNIST-sized rows in batches of 64, every row once per epoch', () => {
    const ds = new TensorDataset(torch.rand(60000, 1, 28, 28), torch.randint(0, 10, [60000]));
    const loader = new DataLoader(ds, { batchSize: 64, shuffle: true });
    for (let e = 0; e < 2; e++) {
      let n = 0;
      for (const [x] of loader) n += x!.shape[0]!;
      expect(n).toBe(60000);
    }
  });
});

describe('DataLoader async iteration', () => {
  it('for await yields the same batches as for..of on a sync dataset', async () => {
    const loader = new DataLoader(indexDataset(25), { batchSize: 7 });
    const got: number[][] = [];
    for await (const [x] of loader) got.push(x!.tolist() as number[]);
    expect(got).toEqual(epoch(loader));
  });

  it('awaits async items in order and loads the next batches ahead', async () => {
    const ds = new SlowDataset(40);
    const loader = new DataLoader(ds, { batchSize: 4, prefetch: 2 });
    const seen: number[] = [];
    let startedAtFirstBatch = 0;
    for await (const [i, y] of loader) {
      if (seen.length === 0) startedAtFirstBatch = ds.started.length;
      seen.push(...(i.tolist() as number[]));
      expect(y.dtype).toBe('int32');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, k) => k));
    // The batch in hand plus two prefetched ones had started when the first arrived.
    expect(startedAtFirstBatch).toBe(12);
    expect(ds.maxActive).toBeGreaterThan(4);
  });

  it('prefetch 0 loads one batch at a time', async () => {
    const ds = new SlowDataset(12);
    const loader = new DataLoader(ds, { batchSize: 4, prefetch: 0 });
    for await (const _ of loader) expect(ds.started.length % 4).toBe(0);
    expect(ds.maxActive).toBe(4);
  });

  it('sync iteration of an async dataset says to use for await', () => {
    const loader = new DataLoader(new SlowDataset(4), { batchSize: 2 });
    expect(() => [...loader]).toThrow(/iterate with `for await/);
  });

  it('a failing item rejects the loop at its batch', async () => {
    class Failing extends Dataset<number> {
      get length() {
        return 6;
      }
      async getItem(i: number) {
        if (i === 4) throw new Error('bad item 4');
        return i;
      }
    }
    const loader = new DataLoader(new Failing(), { batchSize: 2 });
    const got: number[][] = [];
    await expect(async () => {
      for await (const b of loader) got.push(b.tolist() as number[]);
    }).rejects.toThrow(/bad item 4/);
    expect(got).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('an async collateFn is awaited', async () => {
    const loader = new DataLoader(indexDataset(4), {
      batchSize: 2,
      collateFn: async (items) => items.length,
    });
    const got: number[] = [];
    for await (const b of loader) got.push(b);
    expect(got).toEqual([2, 2]);
  });
});
