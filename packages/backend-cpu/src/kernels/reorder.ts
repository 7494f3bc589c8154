import type { Kernel, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { denseData, gatherLayout } from '../strided.js';

/** `flip`: a gather through the input's layout with the flipped dims' strides negated. */
const flipKernel: Kernel<{ dims: number[] }> = ([x], [out], { dims }) => {
  const t = x!;
  const o = out!.storage.data as TypedArray;
  if (o.length === 0) return;
  const strides = t.strides.slice();
  let offset = t.offset;
  for (const d of dims) {
    offset += (t.shape[d]! - 1) * strides[d]!;
    strides[d] = -strides[d]!;
  }
  gatherLayout(t.storage.data as TypedArray, { shape: t.shape, strides, offset }, o);
};

/** tril/triu over the last two dims of a dense copy: keeps `j - i <= k` (lower) or `>= k` (upper). */
function triKernel(upper: boolean): Kernel<{ diagonal: number }> {
  return ([x], [out], { diagonal }) => {
    const o = out!.storage.data as TypedArray;
    if (o.length === 0) return;
    const shape = x!.shape;
    const rows = shape[shape.length - 2]!;
    const cols = shape[shape.length - 1]!;
    o.set(denseData(x!));
    const mats = o.length / (rows * cols);
    for (let m = 0; m < mats; m++) {
      const base = m * rows * cols;
      for (let i = 0; i < rows; i++) {
        const row = base + i * cols;
        // Zero the columns outside the kept band of row i.
        const from = upper ? 0 : Math.max(0, i + diagonal + 1);
        const to = upper ? Math.min(cols, Math.max(0, i + diagonal)) : cols;
        if (from < to) o.fill(0, row + from, row + to);
      }
    }
  };
}

/**
 * Registers the reordering kernels (`flip`, `tril`, `triu`) on `backend`.
 * @example registerReorderKernels('cpu-poison')
 */
export function registerReorderKernels(backend: string): void {
  registerKernel('flip', backend, flipKernel);
  registerKernel('tril', backend, triKernel(false));
  registerKernel('triu', backend, triKernel(true));
}
