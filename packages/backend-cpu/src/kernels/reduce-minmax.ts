import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { reductionLayout, rowKernel } from './reduce.js';

/**
 * max/min/amax/amin/argmax/argmin. Each row is scanned once; NaN wins (and stays) as PyTorch
 * propagates it, and among ties the first index is kept.
 */

/** Index (within the row) of the maximum of `v[base .. base + n)`. */
function argmaxRow(v: TypedArray, base: number, n: number): number {
  let best = v[base]!;
  let at = 0;
  if (Number.isNaN(best)) return 0;
  for (let i = 1; i < n; i++) {
    const x = v[base + i]!;
    if (x > best) {
      best = x;
      at = i;
    } else if (Number.isNaN(x)) return i;
  }
  return at;
}

function argminRow(v: TypedArray, base: number, n: number): number {
  let best = v[base]!;
  let at = 0;
  if (Number.isNaN(best)) return 0;
  for (let i = 1; i < n; i++) {
    const x = v[base + i]!;
    if (x < best) {
      best = x;
      at = i;
    } else if (Number.isNaN(x)) return i;
  }
  return at;
}

type ArgRow = typeof argmaxRow;

/** The reduced dims of a one-dim op (none for a 0-d input). */
function dimsOf(x: Tensor, dim: number | undefined): number[] {
  if (dim === undefined) return x.shape.map((_, i) => i);
  return x.shape.length === 0 ? [] : [dim];
}

/** Values and indices along one dim. */
function valuesIndicesKernel(arg: ArgRow): Kernel<{ dim: number }> {
  return ([x], [values, indices], { dim }) => {
    const { values: v, outer, inner } = reductionLayout(x!, dimsOf(x!, dim));
    const ov = values!.storage.data as TypedArray;
    const oi = indices!.storage.data as TypedArray;
    for (let r = 0; r < outer; r++) {
      const base = r * inner;
      const at = arg(v, base, inner);
      ov[r] = v[base + at]!;
      oi[r] = at;
    }
  };
}

function indexKernel(arg: ArgRow): Kernel<{ dim?: number }> {
  return ([x], [out], { dim }) => {
    const { values: v, outer, inner } = reductionLayout(x!, dimsOf(x!, dim));
    const o = out!.storage.data as TypedArray;
    for (let r = 0; r < outer; r++) o[r] = arg(v, r * inner, inner);
  };
}

const maxRow = (v: TypedArray, base: number, n: number) => v[base + argmaxRow(v, base, n)]!;
const minRow = (v: TypedArray, base: number, n: number) => v[base + argminRow(v, base, n)]!;

/**
 * Registers the min/max kernels (`max`, `min`, `argmax`, `argmin`, `amax`, `amin`, `maxAll`,
 * `minAll`) on `backend`.
 * @example registerMinMaxKernels('cpu-poison')
 */
export function registerMinMaxKernels(backend: string): void {
  registerKernel('max', backend, valuesIndicesKernel(argmaxRow));
  registerKernel('min', backend, valuesIndicesKernel(argminRow));
  registerKernel('argmax', backend, indexKernel(argmaxRow));
  registerKernel('argmin', backend, indexKernel(argminRow));
  registerKernel('amax', backend, rowKernel(maxRow));
  registerKernel('amin', backend, rowKernel(minRow));
  registerKernel('maxAll', backend, rowKernel(maxRow));
  registerKernel('minAll', backend, rowKernel(minRow));
}
