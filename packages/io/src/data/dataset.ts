import {
  defaultGenerator,
  fromTypedArray,
  type Generator,
  indexSelect,
  Tensor,
} from '@autodag/core';
import { type Collated, defaultCollate } from './collate.js';
import { randomPermutation } from './sampler.js';

/**
 * A map-style dataset (PyTorch's `torch.utils.data.Dataset`): `length` items read with
 * `getItem(i)`, which may return a Promise (then iterate the DataLoader with `for await`).
 * A subclass may add `getItems(indices)`, returning the collated batch of those items at once
 * (what `defaultCollate` would make of them); the DataLoader uses it with the default collate.
 * @example
 * class Squares extends torch.io.Dataset<[number, number]> {
 *   get length() { return 10; }
 *   getItem(i: number): [number, number] { return [i, i * i]; }
 * }
 */
export abstract class Dataset<T> {
  /** Number of items. @example dataset.length // 60000 */
  abstract readonly length: number;

  /**
   * The item at `index` (0 <= index < length), or a Promise of it.
   * @example const [x, y] = dataset.getItem(0);
   */
  abstract getItem(index: number): T | Promise<T>;

  /**
   * Optional fast path: the collated batch of the items at `indices` (equal to
   * `defaultCollate(indices.map((i) => this.getItem(i)))`), or a Promise of it.
   * @example const [x, y] = dataset.getItems!([0, 1, 2]);
   */
  getItems?(indices: readonly number[]): Collated<T> | Promise<Collated<T>>;
}

/**
 * Checks that `index` is an integer in range and resolves negative indices from the end.
 * @example checkIndex(-1, 10, 'TensorDataset') // 9
 */
export function checkIndex(index: number, length: number, where: string): number {
  if (!Number.isInteger(index)) {
    throw new TypeError(`${where}: index must be an integer, got ${index}`);
  }
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) {
    throw new RangeError(
      `${where}: index ${index} is out of range for a dataset of length ${length}`,
    );
  }
  return i;
}

/**
 * Collates the items at `indices`, waiting for them first when any is a Promise.
 * @example collateItems(dataset, [0, 1]) // what the DataLoader makes of a batch without a fast path
 */
export function collateItems<T>(
  dataset: Dataset<T>,
  indices: readonly number[],
): Collated<T> | Promise<Collated<T>> {
  const items = indices.map((i) => dataset.getItem(i));
  if (items.some((it) => it instanceof Promise)) {
    return Promise.all(items).then((resolved) => defaultCollate(resolved));
  }
  return defaultCollate(items as T[]);
}

/** An int32 index tensor holding `indices` (one allocation, no nested-array parsing). */
export function indexTensor(indices: readonly number[], device: string): Tensor {
  return fromTypedArray(Int32Array.from(indices), [indices.length], { dtype: 'int32', device });
}

/** The item type of a TensorDataset over tensors `T`: one row tensor per tensor. */
export type TensorRows<T extends readonly Tensor[]> = { -readonly [K in keyof T]: Tensor };

/**
 * Wraps tensors sharing their first dimension; item `i` is the array of their `i`-th rows
 * (PyTorch's `TensorDataset`). Batches are cut with one `indexSelect` per tensor.
 * @example
 * const ds = new torch.io.TensorDataset(torch.randn(100, 3), torch.randint(0, 2, [100]));
 * const [x, y] = ds.getItem(0); // shapes [3] and []
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<TensorRows<T>> {
  /** The wrapped tensors. */
  readonly tensors: T;

  /** @example new torch.io.TensorDataset(images, labels) */
  constructor(...tensors: T) {
    super();
    if (tensors.length === 0) {
      throw new RangeError('TensorDataset: expected at least one tensor');
    }
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) {
        throw new TypeError(`TensorDataset: argument ${k} is not a Tensor`);
      }
      if (t.shape.length === 0) {
        throw new RangeError(
          `TensorDataset: tensor ${k} is 0-d; each tensor needs a first dimension`,
        );
      }
    });
    const n = tensors[0]!.shape[0]!;
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new RangeError(
        `Size mismatch between tensors: first dimensions are ${tensors.map((t) => t.shape[0]).join(', ')}`,
      );
    }
    this.tensors = tensors;
  }

  /** Number of rows. @example new torch.io.TensorDataset(torch.zeros(5, 2)).length // 5 */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Row `index` of every tensor (views). @example ds.getItem(3) // [x[3], y[3]] */
  getItem(index: number): TensorRows<T> {
    const i = checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((t) => t.select(0, i)) as TensorRows<T>;
  }

  /** The rows at `indices` of every tensor, one `indexSelect` each. @example ds.getItems([0, 5]) */
  override getItems(indices: readonly number[]): Collated<TensorRows<T>> {
    const n = this.length;
    const resolved = indices.map((i) => checkIndex(i, n, 'TensorDataset'));
    const cache = new Map<string, Tensor>();
    return this.tensors.map((t) => {
      let idx = cache.get(t.device);
      if (!idx) {
        idx = indexTensor(resolved, t.device);
        cache.set(t.device, idx);
      }
      return indexSelect(t, 0, idx);
    }) as Collated<TensorRows<T>>;
  }
}

/** The item type of a dataset. @example type I = torch.io.ItemOf<torch.io.TensorDataset> // Tensor[] */
export type ItemOf<D> = D extends Dataset<infer T> ? T : never;

/** What a dataset's `getItem` returns: its item, or a Promise of it for asynchronous datasets. */
export type GetItemResult<D extends Dataset<unknown>> = ReturnType<D['getItem']> &
  (ItemOf<D> | Promise<ItemOf<D>>);

/**
 * The items of `dataset` at `indices`, in that order (PyTorch's `Subset`). `getItem` returns what
 * the dataset's own `getItem` does.
 * @example const firstTen = new torch.io.Subset(dataset, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
// biome-ignore lint/suspicious/noExplicitAny: a dataset of any item type (unknown is not a supertype here)
export class Subset<D extends Dataset<any> = Dataset<unknown>> extends Dataset<ItemOf<D>> {
  /** The underlying dataset. */
  readonly dataset: D;
  /** Indices into `dataset`. */
  readonly indices: readonly number[];

  /** @example new torch.io.Subset(dataset, [4, 2]) */
  constructor(dataset: D, indices: Iterable<number>) {
    super();
    this.dataset = dataset;
    this.indices = Array.from(indices);
  }

  /** Number of picked items. @example new torch.io.Subset(ds, [4, 2]).length // 2 */
  get length(): number {
    return this.indices.length;
  }

  /** Item `indices[index]` of the dataset. @example new torch.io.Subset(ds, [4, 2]).getItem(0) // ds.getItem(4) */
  getItem(index: number): GetItemResult<D> {
    return this.dataset.getItem(this.indices[checkIndex(index, this.length, 'Subset')]!);
  }

  /** The collated batch, through the dataset's own fast path when it has one. @example sub.getItems([0, 1]) */
  override getItems(
    indices: readonly number[],
  ): Collated<ItemOf<D>> | Promise<Collated<ItemOf<D>>> {
    const mapped = indices.map((i) => this.indices[checkIndex(i, this.length, 'Subset')]!);
    const ds = this.dataset as Dataset<ItemOf<D>>;
    if (ds.getItems) return ds.getItems(mapped);
    return collateItems(ds, mapped);
  }
}

/**
 * Several datasets one after the other (PyTorch's `ConcatDataset`).
 * @example const all = new torch.io.ConcatDataset([trainSet, extraSet]);
 */
export class ConcatDataset<T> extends Dataset<T> {
  /** The joined datasets. */
  readonly datasets: readonly Dataset<T>[];
  /** Running totals of the datasets' lengths. */
  readonly cumulativeSizes: readonly number[];

  /** @example new torch.io.ConcatDataset([a, b]) */
  constructor(datasets: Iterable<Dataset<T>>) {
    super();
    this.datasets = Array.from(datasets);
    if (this.datasets.length === 0) {
      throw new RangeError('ConcatDataset: datasets should not be an empty iterable');
    }
    let total = 0;
    this.cumulativeSizes = this.datasets.map((d) => {
      total += d.length;
      return total;
    });
  }

  /** Total length. @example new torch.io.ConcatDataset([a, b]).length // a.length + b.length */
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1]!;
  }

  /** Which dataset and local index a global index falls into (binary search). */
  private locate(index: number): [number, number] {
    const i = checkIndex(index, this.length, 'ConcatDataset');
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid]! > i) hi = mid;
      else lo = mid + 1;
    }
    return [lo, lo === 0 ? i : i - this.cumulativeSizes[lo - 1]!];
  }

  /** The item from the dataset holding global index `index`. @example all.getItem(a.length) // b.getItem(0) */
  getItem(index: number): T | Promise<T> {
    const [d, i] = this.locate(index);
    return this.datasets[d]!.getItem(i);
  }

  /**
   * The collated batch; a batch lying in one dataset uses that dataset's fast path.
   * @example all.getItems([0, 1])
   */
  override getItems(indices: readonly number[]): Collated<T> | Promise<Collated<T>> {
    const located = indices.map((i) => this.locate(i));
    const first = located[0]?.[0];
    const ds = first === undefined ? undefined : this.datasets[first];
    if (ds?.getItems && located.every(([d]) => d === first)) {
      return ds.getItems(located.map(([, i]) => i));
    }
    return collateItems(this, indices);
  }
}

/** Options of {@link randomSplit}. */
export interface RandomSplitOptions {
  /** Random number generator; default `torch.defaultGenerator`. */
  generator?: Generator;
}

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths (PyTorch's
 * `random_split`). Lengths are counts summing to the dataset length, or fractions summing to 1
 * (the remainder is handed out one by one, round-robin, as PyTorch does).
 * @example
 * const [train, val] = torch.io.randomSplit(dataset, [0.8, 0.2], { generator: new torch.Generator(42) });
 */
// biome-ignore lint/suspicious/noExplicitAny: a dataset of any item type (unknown is not a supertype here)
export function randomSplit<D extends Dataset<any>>(
  dataset: D,
  lengths: readonly number[],
  options: RandomSplitOptions = {},
): Subset<D>[] {
  const n = dataset.length;
  let counts = lengths.slice();
  const sum = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) < 1e-9 && sum <= n) {
    counts = lengths.map((f) => {
      if (f < 0 || f > 1) {
        throw new RangeError(`randomSplit: fraction ${f} is not between 0 and 1`);
      }
      return Math.floor(n * f);
    });
    let remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; remainder > 0; i = (i + 1) % counts.length, remainder--) counts[i]! += 1;
  }
  if (counts.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new RangeError(
      `randomSplit: lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(', ')}]`,
    );
  }
  if (counts.reduce((a, b) => a + b, 0) !== n) {
    throw new RangeError(
      `Sum of input lengths (${counts.reduce((a, b) => a + b, 0)}) does not equal the length of the input dataset (${n})!`,
    );
  }
  const perm = randomPermutation(n, options.generator ?? defaultGenerator);
  const out: Subset<D>[] = [];
  let offset = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.subarray(offset, offset + c)));
    offset += c;
  }
  return out;
}
