import type { OpSample, Tensor, TensorMeta } from '@autodag/core';
import { isFloatingPoint } from '@autodag/core';

/**
 * Helpers shared by the layer ops of this package (activations, normalisation, linear,
 * embedding, attention): argument checks worded as PyTorch's errors, and common samples.
 */

/**
 * Throws PyTorch's error for a non-floating tensor argument of `op`.
 * @example requireFloat('gelu', x, 'input')
 */
export function requireFloat(op: string, t: Tensor, what = 'input'): void {
  if (!isFloatingPoint(t.dtype)) {
    throw new TypeError(
      `${op}: expected ${what} to be a floating point tensor, got ${t.dtype} (cast with .float() first)`,
    );
  }
}

/**
 * The dims a per-channel statistic of an (N, C, *) tensor of rank `ndim` reduces over: all but
 * dim 1.
 * @example statDims(4) // [0, 2, 3]
 */
export function statDims(ndim: number): number[] {
  const d = [0];
  for (let i = 2; i < ndim; i++) d.push(i);
  return d;
}

/**
 * A (C,) tensor reshaped to broadcast over (N, C, *) of rank `ndim`.
 * @example perChannel(weight, 4).shape // [1, C, 1, 1]
 */
export function perChannel(t: Tensor, ndim: number): Tensor {
  const shape = new Array<number>(ndim).fill(1);
  shape[1] = t.shape[0]!;
  return t.reshape(shape);
}

/**
 * Infer rule of a float-only elementwise op: the output is shaped and typed like the input.
 * @example infer: floatUnaryInfer('silu')
 */
export function floatUnaryInfer(op: string) {
  return ([x]: readonly Tensor[]): TensorMeta => {
    requireFloat(op, x!);
    return { shape: x!.shape, dtype: x!.dtype };
  };
}

/**
 * Conformance samples of an elementwise activation with the given attributes: a matrix, a
 * transposed and a strided view, float64, 0-d and empty inputs, plus `extra` cases.
 * @example samples: activationSamples({ alpha: 1 }, -3, 3)
 */
export function activationSamples(
  attrs: Record<string, unknown>,
  low: number,
  high: number,
  extra: OpSample[] = [],
): () => OpSample[] {
  return () => [
    { name: 'matrix', inputs: [{ shape: [3, 4], low, high }], attrs },
    {
      name: 'transposed',
      inputs: [{ shape: [4, 3], low, high, layout: 'transposed' }],
      attrs,
    },
    { name: 'strided 3-d', inputs: [{ shape: [2, 3, 4], low, high, layout: 'strided' }], attrs },
    { name: 'float64', inputs: [{ shape: [2, 5], dtype: 'float64', low, high }], attrs },
    { name: '0-d', inputs: [{ shape: [], values: [0.7] }], attrs },
    { name: 'empty', inputs: [{ shape: [0, 3] }], attrs },
    ...extra,
  ];
}
