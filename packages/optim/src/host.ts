import type { Tensor } from '@autodag/core';

/** A floating typed array, as CPU storages of float32/float64 tensors hold. */
export type FloatArray = Float32Array | Float64Array;

/**
 * The elements of `t` as a typed array that can be updated in place, when the device keeps them
 * in host memory (its `readSync` hands back the storage's own array), `t` is dense and floating;
 * otherwise `null`. Fused optimizer loops use it to update a parameter in one pass instead of a
 * chain of tensor ops.
 * @example hostArray(torch.zeros(3)) // Float32Array(3) aliasing the tensor's storage
 */
export function hostArray(t: Tensor): FloatArray | null {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') return null;
  if (!t.isContiguous()) return null;
  const data = t.storage.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return null;
  // A backend that copies on read gives another array: its memory is not ours to write.
  if (t.backend.readSync?.(t.storage) !== data) return null;
  const n = t.numel();
  return t.offset === 0 && data.length === n ? data : data.subarray(t.offset, t.offset + n);
}

/**
 * Host arrays for all of `tensors` when every one has one and they share a dtype, else `null`.
 * @example hostArrays([p, grad, expAvg]) // [Float32Array, Float32Array, Float32Array] on the CPU
 */
export function hostArrays(tensors: readonly Tensor[]): FloatArray[] | null {
  const dtype = tensors[0]?.dtype;
  const out: FloatArray[] = [];
  for (const t of tensors) {
    if (t.dtype !== dtype) return null;
    const a = hostArray(t);
    if (a === null) return null;
    out.push(a);
  }
  return out;
}

/**
 * Records that `tensors` were written in place behind the dispatcher's back (bumps their version
 * counters, so autograd notices stale saved values as it does for `add_`).
 * @example markWritten([p, expAvg])
 */
export function markWritten(tensors: readonly Tensor[]): void {
  for (const t of tensors) t.storage.version++;
}

/**
 * The host arrays of `tensors` for a fused update, or `null` to use tensor ops. `fused` is the
 * group's option: `false` always uses tensor ops, `true` requires host memory (and throws
 * without it), `null` picks the fused loop whenever it can.
 * @example const arrays = fusedArrays('Adam', group.fused, [p, grad, expAvg, expAvgSq]);
 */
export function fusedArrays(
  optimizer: string,
  fused: boolean | null,
  tensors: readonly Tensor[],
): FloatArray[] | null {
  if (fused === false) return null;
  const arrays = hostArrays(tensors);
  if (arrays === null && fused === true) {
    const t = tensors.find((x) => hostArray(x) === null) ?? tensors[0]!;
    throw new Error(
      `${optimizer}: fused=true needs dense float32 or float64 tensors of one dtype in host memory, but got a ${t.dtype} tensor of shape [${t.shape.join(', ')}] on '${t.device}'${t.isContiguous() ? '' : ' (not contiguous)'}`,
    );
  }
  return arrays;
}
