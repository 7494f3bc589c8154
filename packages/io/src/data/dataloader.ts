import type { Generator } from '@autodag/core';
import { type Collated, defaultCollate } from './collate.js';
import { collateItems, type Dataset } from './dataset.js';
import { BatchSampler, RandomSampler, type Sampler, SequentialSampler } from './sampler.js';

/** Options of {@link DataLoader} (PyTorch's keyword arguments). */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the indices at every epoch (default false). */
  shuffle?: boolean;
  /** Random number generator for shuffling; a seeded one makes the epochs' orders reproducible. */
  generator?: Generator;
  /** Custom order of indices; excludes `shuffle`. */
  sampler?: Sampler;
  /** Yields whole batches of indices; excludes `batchSize`, `shuffle`, `sampler` and `dropLast`. */
  batchSampler?: Iterable<number[]> & { readonly length: number };
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Merges a list of samples into a batch (default `defaultCollate`); may return a Promise. */
  collateFn?: (items: T[]) => B | Promise<B>;
  /** With `for await`: how many batches are loaded ahead of the one being used (default 2). */
  prefetch?: number;
}

/**
 * Iterates a dataset in batches (PyTorch's `torch.utils.data.DataLoader`). Use
 * `for (const batch of loader)` for synchronous datasets, `for await` when items, batches or the
 * collate function are asynchronous (the next `prefetch` batches then load while one is used).
 * Every epoch (each new iteration) reshuffles when `shuffle` is set. With the default collate and
 * a dataset that has `getItems` (TensorDataset, FashionMNIST), a batch is cut in one go.
 * @example
 * const loader = new torch.io.DataLoader(new torch.io.TensorDataset(x, y), { batchSize: 64, shuffle: true });
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (const [xb, yb] of loader) { ... }
 * }
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  /** The dataset batches come from. */
  readonly dataset: Dataset<T>;
  /** Samples per batch (null when a `batchSampler` decides). */
  readonly batchSize: number | null;
  /** Whether the last incomplete batch is dropped. */
  readonly dropLast: boolean;
  /** The index sampler (null when a `batchSampler` was given). */
  readonly sampler: Sampler | null;
  /** The sampler of whole batches of indices. */
  readonly batchSampler: Iterable<number[]> & { readonly length: number };
  /** The collate function (`defaultCollate` unless one was given). */
  readonly collateFn: (items: T[]) => B | Promise<B>;
  /** Batches loaded ahead in `for await`. */
  readonly prefetch: number;
  private readonly fastBatches: boolean;

  /** @example new torch.io.DataLoader(dataset, { batchSize: 32, shuffle: true, generator: new torch.Generator(0) }) */
  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    this.dataset = dataset;
    const { shuffle = false, dropLast = false, prefetch = 2 } = options;
    if (!Number.isInteger(prefetch) || prefetch < 0) {
      throw new RangeError(`DataLoader: prefetch must be a non-negative integer, got ${prefetch}`);
    }
    if (options.sampler && shuffle) {
      throw new Error('DataLoader: sampler option is mutually exclusive with shuffle');
    }
    if (options.batchSampler) {
      if (options.batchSize !== undefined || shuffle || options.sampler !== undefined || dropLast) {
        throw new Error(
          'DataLoader: batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast',
        );
      }
      this.sampler = null;
      this.batchSize = null;
      this.batchSampler = options.batchSampler;
    } else {
      const batchSize = options.batchSize ?? 1;
      this.sampler =
        options.sampler ??
        (shuffle
          ? new RandomSampler(dataset, { generator: options.generator })
          : new SequentialSampler(dataset));
      this.batchSize = batchSize;
      this.batchSampler = new BatchSampler(this.sampler, batchSize, dropLast);
    }
    this.dropLast = dropLast;
    this.prefetch = prefetch;
    const custom =
      options.collateFn !== undefined && (options.collateFn as unknown) !== defaultCollate;
    this.collateFn = options.collateFn ?? (defaultCollate as unknown as (items: T[]) => B);
    this.fastBatches = !custom && typeof dataset.getItems === 'function';
  }

  /**
   * Number of batches per epoch.
   * @example new torch.io.DataLoader(ds60000, { batchSize: 64 }).length // 938
   */
  get length(): number {
    return this.batchSampler.length;
  }

  /** One batch, or a Promise of it when anything on the way is asynchronous. */
  private load(indices: readonly number[]): B | Promise<B> {
    if (this.fastBatches) return this.dataset.getItems!(indices) as B | Promise<B>;
    if (this.collateFn === (defaultCollate as unknown)) {
      return collateItems(this.dataset, indices) as B | Promise<B>;
    }
    const items = indices.map((i) => this.dataset.getItem(i));
    if (items.some((it) => it instanceof Promise)) {
      return Promise.all(items).then((resolved) => this.collateFn(resolved));
    }
    return this.collateFn(items as T[]);
  }

  /**
   * Synchronous iteration over one epoch. Throws when the dataset or collate function returns a
   * Promise (use `for await` then).
   * @example for (const [x, y] of loader) { ... }
   */
  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.batchSampler) {
      const batch = this.load(indices);
      if (batch instanceof Promise) {
        batch.catch(() => {});
        throw new TypeError(
          'DataLoader: the dataset or collateFn returned a Promise; iterate with `for await (const batch of loader)`',
        );
      }
      yield batch;
    }
  }

  /**
   * Asynchronous iteration over one epoch, loading up to `prefetch` batches ahead.
   * @example for await (const [x, y] of loader) { ... }
   */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const indexIter = this.batchSampler[Symbol.iterator]();
    const queue: Promise<B>[] = [];
    const startNext = (): boolean => {
      const next = indexIter.next();
      if (next.done) return false;
      // A rejection is reported when its batch is awaited, not as an unhandled one before.
      const p = Promise.resolve().then(() => this.load(next.value));
      p.catch(() => {});
      queue.push(p);
      return true;
    };
    let more = true;
    for (;;) {
      while (more && queue.length < this.prefetch + 1) more = startNext();
      const current = queue.shift();
      if (!current) return;
      // Keep `prefetch` batches loading while the caller works on this one.
      while (more && queue.length < this.prefetch) more = startNext();
      yield await current;
    }
  }
}
