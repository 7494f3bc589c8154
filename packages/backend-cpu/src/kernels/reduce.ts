import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { gatherLayout } from '../strided.js';

/**
 * Reductions: the reduced dims are permuted to the end and gathered densely, so each output
 * element reduces one contiguous run of `inner` values.
 */
export function reductionLayout(
  x: Tensor,
  dims: readonly number[],
): { values: TypedArray; outer: number; inner: number } {
  const kept: number[] = [];
  for (let i = 0; i < x.shape.length; i++) if (!dims.includes(i)) kept.push(i);
  const order = [...kept, ...dims];
  let inner = 1;
  for (const d of dims) inner *= x.shape[d]!;
  const n = x.numel();
  const outer = inner === 0 ? kept.reduce((p, d) => p * x.shape[d]!, 1) : n / inner;
  const src = x.storage.data as TypedArray;
  const isIdentity = order.every((d, i) => d === i);
  if (isIdentity && x.isContiguous()) {
    return { values: src.subarray(x.offset, x.offset + n), outer, inner };
  }
  const permuted = {
    shape: order.map((d) => x.shape[d]!),
    strides: order.map((d) => x.strides[d]!),
    offset: x.offset,
  };
  const values = new (src.constructor as new (n: number) => TypedArray)(n);
  gatherLayout(src, permuted, values);
  return { values, outer, inner };
}

/** Sum with float64 accumulation for float32 inputs (PyTorch uses pairwise/vectorised sums). */
const sumKernel: Kernel<{ dims: number[] }> = ([x], [out], { dims }) => {
  const { values, outer, inner } = reductionLayout(x!, dims);
  const o = out!.storage.data as TypedArray;
  for (let r = 0; r < outer; r++) {
    let s = 0;
    const base = r * inner;
    for (let i = 0; i < inner; i++) s += values[base + i]!;
    o[r] = s;
  }
};

/** Registers the reduction kernels on `backend`. */
export function registerReduceKernels(backend: string): void {
  registerKernel('sum', backend, sumKernel);
}
