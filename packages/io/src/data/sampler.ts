import { defaultGenerator, type Generator } from '@autodag/core';

/**
 * Yields dataset indices, one epoch per iteration (PyTorch's `torch.utils.data.Sampler`).
 * @example for (const i of new torch.io.SequentialSampler(dataset)) console.log(i)
 */
export interface Sampler extends Iterable<number> {
  /** Number of indices one epoch yields. */
  readonly length: number;
}

/** Anything with a `length`: a dataset, an array. */
export interface Sized {
  /** Number of items. */
  readonly length: number;
}

/**
 * A uniformly random permutation of `0 .. n-1` drawn from `generator` (Fisher-Yates), as plain
 * numbers in an Int32Array.
 * @example torch.io.randomPermutation(5, new torch.Generator(0)) // Int32Array [3, 0, 4, 1, 2] (some order)
 */
export function randomPermutation(n: number, generator: Generator = defaultGenerator): Int32Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`randomPermutation: n must be a non-negative integer, got ${n}`);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(generator.nextDouble() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * Yields `0, 1, ..., length-1` in order.
 * @example [...new torch.io.SequentialSampler({ length: 3 })] // [0, 1, 2]
 */
export class SequentialSampler implements Sampler {
  /** The data source whose length is sampled. */
  readonly dataSource: Sized;

  /**
   * @param dataSource a dataset (or anything with a `length`).
   * @example new torch.io.SequentialSampler(dataset)
   */
  constructor(dataSource: Sized) {
    this.dataSource = dataSource;
  }

  /** Number of indices per epoch. @example new torch.io.SequentialSampler([1, 2]).length // 2 */
  get length(): number {
    return this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    for (let i = 0; i < n; i++) yield i;
  }
}

/** Options of {@link RandomSampler} (PyTorch's keyword arguments). */
export interface RandomSamplerOptions {
  /** Draw with replacement (default false: a permutation per epoch). */
  replacement?: boolean;
  /** Indices per epoch; default the data source's length. Only with `replacement: true` may it differ. */
  numSamples?: number;
  /** Random number generator; default `torch.defaultGenerator`. A seeded one makes epochs reproducible. */
  generator?: Generator;
}

/**
 * Yields the indices in a fresh random order each epoch (or, with `replacement`, `numSamples`
 * independent draws).
 * @example
 * const s = new torch.io.RandomSampler(dataset, { generator: new torch.Generator(0) });
 * [...s] // a permutation of 0..dataset.length-1, a different one the next time
 */
export class RandomSampler implements Sampler {
  /** The data source whose indices are sampled. */
  readonly dataSource: Sized;
  /** Whether draws are with replacement. */
  readonly replacement: boolean;
  /** The generator the draws come from. */
  readonly generator: Generator;
  private readonly samples: number | undefined;

  /**
   * @param dataSource a dataset (or anything with a `length`).
   * @example new torch.io.RandomSampler(dataset, { replacement: true, numSamples: 100 })
   */
  constructor(dataSource: Sized, options: RandomSamplerOptions = {}) {
    this.dataSource = dataSource;
    this.replacement = options.replacement ?? false;
    this.generator = options.generator ?? defaultGenerator;
    this.samples = options.numSamples;
    if (this.samples !== undefined && (!Number.isInteger(this.samples) || this.samples <= 0)) {
      throw new RangeError(
        `RandomSampler: numSamples should be a positive integer value, but got num_samples=${this.samples}`,
      );
    }
    if (!this.replacement && this.samples !== undefined && this.samples !== dataSource.length) {
      throw new RangeError(
        `RandomSampler: numSamples (${this.samples}) differs from the dataset length (${dataSource.length}); that needs replacement: true`,
      );
    }
  }

  /** Indices per epoch. @example new torch.io.RandomSampler([1, 2, 3]).length // 3 */
  get length(): number {
    return this.samples ?? this.dataSource.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = this.dataSource.length;
    if (this.replacement) {
      const count = this.length;
      for (let i = 0; i < count; i++) yield Math.floor(this.generator.nextDouble() * n);
      return;
    }
    yield* randomPermutation(n, this.generator);
  }
}

/**
 * Yields the given indices in a fresh random order each epoch.
 * @example new torch.io.SubsetRandomSampler([0, 5, 7], { generator: g })
 */
export class SubsetRandomSampler implements Sampler {
  /** The indices to draw from. */
  readonly indices: readonly number[];
  /** The generator the permutations come from. */
  readonly generator: Generator;

  /** @example new torch.io.SubsetRandomSampler([0, 5, 7]) */
  constructor(indices: readonly number[], options: { generator?: Generator } = {}) {
    this.indices = indices.slice();
    this.generator = options.generator ?? defaultGenerator;
  }

  /** Indices per epoch. @example new torch.io.SubsetRandomSampler([0, 5]).length // 2 */
  get length(): number {
    return this.indices.length;
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const j of randomPermutation(this.indices.length, this.generator)) yield this.indices[j]!;
  }
}

/**
 * Groups another sampler's indices into batches of `batchSize` (the last one smaller unless
 * `dropLast`).
 * @example [...new torch.io.BatchSampler(new torch.io.SequentialSampler({ length: 5 }), 2, false)]
 * // [[0, 1], [2, 3], [4]]
 */
export class BatchSampler implements Iterable<number[]> {
  /** The sampler the indices come from. */
  readonly sampler: Iterable<number> & Sized;
  /** Indices per batch. */
  readonly batchSize: number;
  /** Whether a last incomplete batch is dropped. */
  readonly dropLast: boolean;

  /** @example new torch.io.BatchSampler(sampler, 64, true) */
  constructor(sampler: Iterable<number> & Sized, batchSize: number, dropLast = false) {
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(
        `BatchSampler: batchSize should be a positive integer value, but got batch_size=${batchSize}`,
      );
    }
    this.sampler = sampler;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }

  /**
   * Number of batches per epoch.
   * @example new torch.io.BatchSampler(new torch.io.SequentialSampler({ length: 5 }), 2).length // 3
   */
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
