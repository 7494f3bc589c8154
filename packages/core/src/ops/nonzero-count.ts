import { zeros } from '../creation.js';
import { noGrad } from '../grad-mode.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { ne } from './compare.js';
import { sum } from './reduce.js';
import { contiguous } from './view.js';

/**
 * The count behind `nonzero`'s output size (`[count, ndim]`), which depends on the values.
 * Devices that read synchronously count when the op runs; the others (WebGPU) count through
 * `nonzeroAsync`, which snapshots the input as a mask no one else holds, reads the mask's count
 * asynchronously and records it here, so the op's `infer` needs no read. Internal to core (not
 * re-exported by ops/index.ts).
 */

/** Counts read asynchronously, for masks that only their `nonzeroAsync` call holds. */
const known = new WeakMap<Tensor, number>();

/**
 * The error of a data-dependent size on a device without synchronous reads: names the function
 * the caller called, the device, and the way out (`use`).
 */
export function syncCountError(fn: string, t: Tensor, use: string): Error {
  return new Error(
    `${fn}: the count of nonzero elements of a ${formatShape(t.shape)} ${t.dtype} tensor on device '${t.device}' must be read first, and '${t.device}' cannot be read synchronously; use ${use}`,
  );
}

/** Throws `syncCountError` unless `t`'s device reads synchronously. */
export function requireSyncCount(fn: string, t: Tensor, use: string): void {
  if (!t.backend.readSync && !known.has(t)) throw syncCountError(fn, t, use);
}

/**
 * The number of nonzero elements of `x` (NaN counts): a count recorded by `countedMask`, else a
 * synchronous read, else the error naming `nonzeroAsync`.
 */
export function nonzeroCount(x: Tensor): number {
  const k = known.get(x);
  if (k !== undefined) return k;
  requireSyncCount(
    'nonzero()',
    x,
    "'await torch.nonzeroAsync(input)' (or 'await x.nonzeroAsync()')",
  );
  // The output size depends on the data, so it is read here (PyTorch synchronises too).
  const values = noGrad(() => x.dataSync());
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++;
  return n;
}

/**
 * A bool snapshot of `input != 0` taken now, resolved once its count has been read back (on
 * WebGPU: a reduction on the device, then one asynchronous read of 4 bytes). `nonzero` then runs
 * on the mask without reading; the caller disposes it. Later in-place writes to `input` do not
 * change the result: the mask is taken before this function first awaits.
 */
export async function countedMask(input: Tensor): Promise<Tensor> {
  const mask = noGrad(() => ne(input, 0));
  let count: Tensor | null = null;
  try {
    count = noGrad(() => sum(mask));
    known.set(mask, await count.itemAsync());
  } catch (e) {
    mask.dispose();
    throw e;
  } finally {
    count?.dispose();
  }
  return mask;
}

/**
 * `nonzero`'s `[count, ndim]` coordinates as one 1-d int32 tensor per dim (`asTuple`); a 0-d
 * input counts as 1-d, giving one tensor of `count` zeros, as PyTorch's `nonzero(as_tuple=True)`.
 */
export function coordinateColumns(input: Tensor, coords: Tensor): Tensor[] {
  if (input.shape.length === 0) {
    return [zeros([coords.shape[0]!], { dtype: 'int32', device: coords.device })];
  }
  return Array.from({ length: input.shape.length }, (_, d) => contiguous(coords.select(1, d)));
}
