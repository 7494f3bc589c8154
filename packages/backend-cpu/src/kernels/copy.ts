import type { Kernel, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { denseData, gatherInto, type Layout, scatterLayout } from '../strided.js';

/** Dense copy of any strided input. */
const contiguousKernel: Kernel = ([x], [out]) => {
  gatherInto(x!, out!.storage.data as TypedArray);
};

/** Writes `src` into `dst`'s (possibly strided) elements. */
const assignKernel: Kernel = ([dst, src]) => {
  const values = denseData(src!);
  // An empty view may sit past the end of its storage: nothing to write.
  if (values.length === 0) return;
  const d = dst!.storage.data as TypedArray;
  if (dst!.isContiguous()) d.set(values, dst!.offset);
  else scatterLayout(values, d, dst!);
};

/** Zeros, then accumulates the input into the view layout's positions (overlaps sum). */
const viewScatterKernel: Kernel<Layout> = ([g], [out], layout) => {
  const o = out!.storage.data as TypedArray;
  o.fill(0);
  scatterLayout(denseData(g!), o, layout, true);
};

/**
 * Registers the copy kernels (`contiguous`, `assign`, `viewScatter`) on `backend`, any device whose
 * storage holds a CPU typed array.
 * @example registerCopyKernels('cpu-poison') // a second CpuBackend device, as the poison test uses
 */
export function registerCopyKernels(backend: string): void {
  registerKernel('contiguous', backend, contiguousKernel);
  registerKernel('assign', backend, assignKernel);
  registerKernel('viewScatter', backend, viewScatterKernel);
}
