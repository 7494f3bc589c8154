import type { DType, Tensor } from '@autodag/core';
import { empty } from '@autodag/core';
import { Parameter } from './parameter.js';

/** Where a layer creates its parameters (PyTorch's `device=`/`dtype=` factory keywords). */
export interface FactoryOptions {
  /** Device of the parameters and buffers (default: the default device). */
  device?: string;
  /** dtype of the floating-point parameters and buffers (default float32). */
  dtype?: DType;
}

/**
 * An uninitialised tensor of `shape` placed per the factory options.
 * @example emptyLike3 = factoryEmpty([3, 4], { dtype: 'float64' })
 */
export function factoryEmpty(shape: readonly number[], opts: FactoryOptions): Tensor {
  const o: { device?: string; dtype?: DType } = {};
  if (opts.device !== undefined) o.device = opts.device;
  if (opts.dtype !== undefined) o.dtype = opts.dtype;
  return empty(shape.slice(), o);
}

/**
 * A new parameter of `shape` (values to be set by the layer's `resetParameters`).
 * @example this.weight = newParameter([out, inp], opts)
 */
export function newParameter(shape: readonly number[], opts: FactoryOptions): Parameter {
  return new Parameter(factoryEmpty(shape, opts));
}

/**
 * Checks that a size argument is a positive integer (or zero where allowed), naming the layer.
 * @example checkCount('Linear', 'in_features', 4)
 */
export function checkCount(layer: string, name: string, v: number, allowZero = true): void {
  if (!Number.isInteger(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(
      `${layer}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${v}`,
    );
  }
}
