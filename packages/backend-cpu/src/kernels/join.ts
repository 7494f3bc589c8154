import type { Kernel, TypedArray } from '@autodag/core';
import { normalizeDim, registerKernel } from '@autodag/core';
import { denseData } from '../strided.js';

/**
 * `cat` of any number of tensors: each output row (the dims before `dim`) is the matching rows
 * of the inputs one after another, each input read densely once.
 */
const catKernel: Kernel<{ dim: number }> = (inputs, [out], { dim }) => {
  const o = out!.storage.data as TypedArray;
  if (o.length === 0) return;
  const first = inputs[0]!;
  const d = normalizeDim(dim, first.shape.length, 'cat');
  let outer = 1;
  for (let i = 0; i < d; i++) outer *= first.shape[i]!;
  const parts = inputs.map((t) => ({ data: denseData(t), row: t.numel() / outer }));
  let p = 0;
  for (let r = 0; r < outer; r++) {
    for (const { data, row } of parts) {
      if (row === 0) continue;
      o.set(data.subarray(r * row, r * row + row), p);
      p += row;
    }
  }
};

/**
 * Registers the join kernels (`cat`) on `backend`.
 * @example registerJoinKernels('cpu-poison')
 */
export function registerJoinKernels(backend: string): void {
  registerKernel('cat', backend, catKernel);
}
