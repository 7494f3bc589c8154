import type { Kernel, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { denseData, forEachRow, gatherInto } from '../strided.js';

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
  const shape = dst!.shape;
  if (dst!.isContiguous()) {
    d.set(values, dst!.offset);
    return;
  }
  const last = shape.length - 1;
  const len = shape[last]!;
  const step = dst!.strides[last]!;
  let k = 0;
  forEachRow(shape, [dst!.strides], [dst!.offset], (offs) => {
    let p = offs[0]!;
    for (let i = 0; i < len; i++, p += step) d[p] = values[k++]!;
  });
};

interface ScatterAttrs {
  shape: number[];
  strides: number[];
  offset: number;
}

/** Zeros, then accumulates the input into the view layout's positions (overlaps sum). */
const viewScatterKernel: Kernel<ScatterAttrs> = ([g], [out], { shape, strides, offset }) => {
  const o = out!.storage.data as TypedArray;
  o.fill(0);
  const values = denseData(g!);
  if (shape.length === 0) {
    o[offset] = o[offset]! + values[0]!;
    return;
  }
  const last = shape.length - 1;
  const len = shape[last]!;
  const step = strides[last]!;
  let k = 0;
  forEachRow(shape, [strides], [offset], (offs) => {
    let p = offs[0]!;
    for (let i = 0; i < len; i++, p += step) o[p] = o[p]! + values[k++]!;
  });
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
