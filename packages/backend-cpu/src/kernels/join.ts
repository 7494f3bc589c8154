import type { Kernel, TypedArray } from '@autodag/core';
import { normalizeDim, registerKernel } from '@autodag/core';
import { denseData } from '../strided.js';

/**
 * `cat` of two tensors: each output row (the dims before `dim`) is the matching row of the
 * first input followed by that of the second, both read densely.
 */
const catKernel: Kernel<{ dim: number }> = ([a, b], [out], { dim }) => {
  const o = out!.storage.data as TypedArray;
  if (o.length === 0) return;
  const d = normalizeDim(dim, a!.shape.length, 'cat');
  let outer = 1;
  for (let i = 0; i < d; i++) outer *= a!.shape[i]!;
  const na = a!.numel();
  const nb = b!.numel();
  const ca = outer === 0 ? 0 : na / outer;
  const cb = outer === 0 ? 0 : nb / outer;
  const da = denseData(a!);
  const db = denseData(b!);
  if (outer === 1) {
    o.set(da, 0);
    o.set(db, na);
    return;
  }
  for (let r = 0, p = 0; r < outer; r++) {
    o.set(da.subarray(r * ca, r * ca + ca), p);
    p += ca;
    o.set(db.subarray(r * cb, r * cb + cb), p);
    p += cb;
  }
};

/** Registers the join kernels on `backend`. */
export function registerJoinKernels(backend: string): void {
  registerKernel('cat', backend, catKernel);
}
