import type { Tensor } from '@autodag/core';

/**
 * The float typed arrays a CPU storage holds for floating tensors.
 * @example const o = out.storage.data as FloatArray
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * The logical elements of a CPU tensor, row-major. Contiguous inputs are returned as a subarray of
 * their storage (no copy); other layouts (transposed, sliced, broadcast) are gathered by walking
 * the strides with an index counter, without per-element closures.
 * @example readDense(torch.tensor([[1, 2], [3, 4]]).t()) // Float32Array [1, 3, 2, 4]
 */
export function readDense(x: Tensor): FloatArray {
  const data = x.storage.data as FloatArray;
  const n = x.numel();
  if (x.isContiguous()) return data.subarray(x.offset, x.offset + n);
  const out = new (data.constructor as new (n: number) => FloatArray)(n);
  const shape = x.shape;
  const strides = x.strides;
  const nd = shape.length;
  const index = new Array<number>(nd).fill(0);
  let pos = x.offset;
  for (let i = 0; i < n; i++) {
    out[i] = data[pos]!;
    // Advance the counter: bump the last dim, carrying into earlier ones.
    for (let d = nd - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) {
        pos += strides[d]!;
        break;
      }
      pos -= (shape[d]! - 1) * strides[d]!;
      index[d] = 0;
    }
  }
  return out;
}
