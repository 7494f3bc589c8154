import { allocateHost } from './alloc.js';
import type { DType, TypedArray } from './dtype.js';
import { DEFAULT_FLOAT_DTYPE } from './dtype.js';
import type { NestedArray } from './tensor.js';
import { Tensor } from './tensor.js';

/**
 * `tensor()`'s reading of nested arrays: the shape from the first element at each depth, then
 * one pass writing the elements straight into the host array (sized, and so checked, before the
 * pass: nested rows shared by reference can describe more elements than memory holds).
 */

/**
 * The shape nested `data` describes, read along its first elements (`nestedValues` checks the rest).
 * @example nestedShape([[1, 2, 3], [4, 5, 6]]) // [2, 3]
 */
export function nestedShape(data: unknown): number[] {
  const shape: number[] = [];
  let level = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

function firstLeaf(data: unknown): unknown {
  let level = data;
  while (Array.isArray(level) && level.length > 0) level = level[0];
  return level;
}

interface Fill {
  values: TypedArray;
  dtype: DType;
  /** Set when the caller gave no dtype: it then follows the data (bool for all booleans). */
  readonly inferred: boolean;
  next: number;
}

function leafValue(data: unknown, dim: number): number | boolean {
  if (typeof data === 'boolean' || typeof data === 'number') return data;
  if (data instanceof Tensor && data.numel() === 1) return data.item();
  throw new TypeError(
    `tensor(): could not convert ${Array.isArray(data) ? 'a nested list' : typeof data} at dim ${dim} to a number`,
  );
}

function write(fill: Fill, v: number | boolean, shape: readonly number[], device: string): void {
  if (typeof v === 'boolean') {
    fill.values[fill.next++] = v ? 1 : 0;
    return;
  }
  if (fill.inferred && fill.dtype === 'bool') {
    // Guessed bool from a leading boolean: a number makes the whole tensor float.
    const wider = allocateHost(DEFAULT_FLOAT_DTYPE, shape, 'tensor', device);
    wider.set(fill.values.subarray(0, fill.next));
    fill.values = wider;
    fill.dtype = DEFAULT_FLOAT_DTYPE;
  }
  // A bool tensor stores 1 for any nonzero number (NaN too), as PyTorch's cast does.
  fill.values[fill.next++] = fill.dtype === 'bool' ? +(v !== 0) : v;
}

function walk(data: unknown, shape: readonly number[], dim: number, fill: Fill, device: string) {
  if (dim === shape.length) {
    write(fill, leafValue(data, dim), shape, device);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new RangeError(
      `tensor(): expected sequence of length ${shape[dim]} at dim ${dim} (got ${Array.isArray(data) ? data.length : 'a scalar'})`,
    );
  }
  for (const item of data) walk(item, shape, dim + 1, fill, device);
}

/**
 * The elements of nested `data` of `shape` in row-major order, in a host array of `dtype` (by
 * default bool when every element is a boolean, float32 otherwise).
 * @example nestedValues([[1, 2], [3, 4]], [2, 2], undefined, 'cpu') // { values: Float32Array [1, 2, 3, 4], dtype: 'float32' }
 */
export function nestedValues(
  data: NestedArray | readonly NestedArray[],
  shape: readonly number[],
  dtype: DType | undefined,
  device: string,
): { values: TypedArray; dtype: DType } {
  const start = dtype ?? (typeof firstLeaf(data) === 'boolean' ? 'bool' : DEFAULT_FLOAT_DTYPE);
  const fill: Fill = {
    values: allocateHost(start, shape, 'tensor', device),
    dtype: start,
    inferred: dtype === undefined,
    next: 0,
  };
  walk(data, shape, 0, fill, device);
  return { values: fill.values, dtype: fill.dtype };
}
