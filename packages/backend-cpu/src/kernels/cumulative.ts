import type { Kernel, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { denseData } from '../strided.js';

/**
 * Cumulative sum along `dim`, forwards or (for its VJP) backwards. The input is read densely and
 * viewed as [outer, n, inner]; the running sum is a float64 JS number.
 */
const cumsumKernel: Kernel<{ dim: number; reverse: boolean }> = ([x], [out], { dim, reverse }) => {
  const src = denseData(x!);
  const o = out!.storage.data as TypedArray;
  const shape = x!.shape;
  if (shape.length === 0) {
    o[0] = src[0]!;
    return;
  }
  const n = shape[dim]!;
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  let outer = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  const block = n * inner;
  // One running float64 sum per position of the trailing dims, advanced a slice at a time.
  const acc = new Float64Array(inner);
  for (let r = 0; r < outer; r++) {
    acc.fill(0);
    for (let step = 0; step < n; step++) {
      const base = r * block + (reverse ? n - 1 - step : step) * inner;
      for (let k = 0; k < inner; k++) {
        acc[k]! += src[base + k]!;
        o[base + k] = acc[k]!;
      }
    }
  }
};

/**
 * Registers the cumulative kernels (`cumsum`) on `backend`.
 * @example registerCumulativeKernels('cpu-poison')
 */
export function registerCumulativeKernels(backend: string): void {
  registerKernel('cumsum', backend, cumsumKernel);
}
