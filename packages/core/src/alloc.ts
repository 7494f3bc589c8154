import type { Backend, Storage } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { itemSize, typedArrayFor } from './dtype.js';
import { formatShape } from './shape.js';

/**
 * Every allocation of tensor memory goes through here: the dispatcher's outputs, the creation
 * functions' host buffers and `tensor()`'s data. An impossible size gets one error naming the
 * function, the size and the bytes asked for (PyTorch's `not enough memory: you tried to allocate
 * N bytes`), never the engine's own words (`Invalid typed array length: 10000000000`), and
 * nothing is allocated.
 */

/** Exact bytes of a tensor of `shape` (BigInt: a product past 2^53 must not round). */
function bytesOf(shape: readonly number[], dtype: DType): bigint {
  let n = BigInt(itemSize(dtype));
  for (const d of shape) n *= BigInt(d);
  return n;
}

/**
 * A backend's refusal of an allocation past a limit of its device (a WebGPU buffer past the
 * adapter's `maxStorageBufferBindingSize`): the `AllocationError` that core reports ends with
 * this error's message, which names the limit.
 * @example throw new DeviceLimitError("a buffer holds at most 134217728 bytes on this adapter (maxStorageBufferBindingSize)")
 */
export class DeviceLimitError extends RangeError {}

/**
 * A device that cannot serve requests: it was lost, or it reports an earlier failure that
 * happened asynchronously (a GPU out of memory). Allocations pass it on with the name of the
 * function that allocated in front, as the same class, so callers can tell it from running out.
 * @example throw new DeviceError("device 'webgpu' was lost (destroyed: device was destroyed)")
 */
export class DeviceError extends Error {}

/**
 * The error of an allocation that cannot be made: a RangeError whose message names the function
 * the caller called, the size and the bytes (PyTorch's wording), with the backend's own error, if
 * any, as its `cause` (a `DeviceLimitError`'s message is added: it names the limit).
 */
export class AllocationError extends RangeError {
  constructor(
    /** The function reported as allocating (the one the caller called, where known). */
    readonly fn: string,
    /** Size of the tensor that could not be allocated. */
    readonly size: readonly number[],
    /** Its dtype, whose element size sets the bytes. */
    readonly dtype: DType,
    /** The device asked to hold it. */
    readonly device: string,
    options?: { cause?: unknown },
  ) {
    const limit = options?.cause instanceof DeviceLimitError ? `: ${options.cause.message}` : '';
    super(
      `${fn}: not enough memory: you tried to allocate ${bytesOf(size, dtype)} bytes for a tensor of size ${formatShape(size)} and dtype ${dtype} on device '${device}'${limit}`,
      options,
    );
  }

  /**
   * The same failure reported as `fn`'s: composite ops and wrappers call this as the error
   * leaves them, so the message names what the caller called (`repeat`, not its inner copy).
   * @example catch (e) { throw AllocationError.as(e, 'reshape'); }
   */
  static as(error: unknown, fn: string): unknown {
    if (!(error instanceof AllocationError) || error.fn === fn) return error;
    return new AllocationError(fn, error.size, error.dtype, error.device, { cause: error.cause });
  }
}

function sizeError(
  fn: string,
  shape: readonly number[],
  dtype: DType,
  device: string,
  cause?: unknown,
): AllocationError {
  return new AllocationError(fn, shape, dtype, device, cause === undefined ? {} : { cause });
}

/**
 * The number of elements of a tensor of `shape` about to be allocated by `fn`. Throws a
 * RangeError naming `fn` for a size that is not a list of non-negative integers, or whose element
 * count is past what any device can index (2^53).
 * @example torch.allocationNumel([2, 3], 'float32', 'zeros', 'cpu') // 6
 */
export function allocationNumel(
  shape: readonly number[],
  dtype: DType,
  fn: string,
  device: string,
): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `${fn}: invalid size ${formatShape(shape)}: sizes must be non-negative integers`,
      );
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw sizeError(fn, shape, dtype, device);
  return n;
}

/**
 * New uninitialised storage for a tensor of `shape` on `backend`, as `fn` allocates it: an
 * impossible size is a RangeError naming `fn`, the size and the bytes, whatever the backend's
 * own error said (kept as its `cause`).
 * @example torch.allocateStorage(torch.getBackend('cpu'), 'float32', [2, 3], 'add').size // 6
 */
export function allocateStorage(
  backend: Backend,
  dtype: DType,
  shape: readonly number[],
  fn: string,
): Storage {
  const n = allocationNumel(shape, dtype, fn, backend.name);
  try {
    return backend.allocate(dtype, n);
  } catch (e) {
    throw backendFailure(e, fn, shape, dtype, backend.name);
  }
}

/** A backend's allocation error as `fn`'s, by kind (see `Backend.allocate`). */
function backendFailure(
  e: unknown,
  fn: string,
  shape: readonly number[],
  dtype: DType,
  device: string,
): Error {
  // A TypeError is the backend refusing the dtype (float64 on WebGPU), not running out.
  if (e instanceof TypeError) return new TypeError(`${fn}: ${e.message}`, { cause: e });
  if (e instanceof DeviceError) return new DeviceError(`${fn}: ${e.message}`, { cause: e });
  return sizeError(fn, shape, dtype, device, e);
}

/**
 * Storage on `backend` holding `values` (see `Backend.upload`), as `fn` uploads it: the backend's
 * failures are reported as in `allocateStorage`.
 * @example torch.uploadStorage(torch.getBackend('cpu'), new Float32Array(6), 'float32', [2, 3], 'tensor').size // 6
 */
export function uploadStorage(
  backend: Backend,
  values: TypedArray,
  dtype: DType,
  shape: readonly number[],
  fn: string,
): Storage {
  try {
    return backend.upload(values, dtype);
  } catch (e) {
    throw backendFailure(e, fn, shape, dtype, backend.name);
  }
}

/**
 * A zeroed host array for a tensor of `shape`, as `fn` fills it before upload (creation
 * functions); impossible sizes fail as in `allocateStorage`.
 * @example torch.allocateHost('float64', [2, 2], 'eye', 'cpu').length // 4
 */
export function allocateHost(
  dtype: DType,
  shape: readonly number[],
  fn: string,
  device: string,
): TypedArray {
  const n = allocationNumel(shape, dtype, fn, device);
  try {
    return new (typedArrayFor(dtype))(n);
  } catch (e) {
    throw sizeError(fn, shape, dtype, device, e);
  }
}
