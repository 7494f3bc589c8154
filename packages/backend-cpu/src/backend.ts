import type { Backend, BackendMemoryStats, DType, Storage, TypedArray } from '@autodag/core';
import { noteAllocation, typedArrayFor } from '@autodag/core';

/**
 * CPU storage: the elements live in a typed array of the dtype's kind.
 * @example (torch.tensor([1, 2]).storage as CpuStorage).data // Float32Array [1, 2]
 */
export interface CpuStorage extends Storage {
  /** The elements (float32 → Float32Array, int32 → Int32Array, bool → Uint8Array; empty once released). */
  data: TypedArray;
}

/**
 * Reuses the typed arrays of disposed tensors: allocating a large fresh array costs page faults
 * and zeroing that can exceed the arithmetic filling it. Only arrays the backend allocated itself
 * are pooled (never arrays handed over by `upload`, which their creator may still hold), up to a
 * byte cap. A reused array keeps its old values: `allocate` returns uninitialised storage, as
 * the `Backend` interface says, since every kernel writes each element of its outputs (zeroing
 * a weight gradient's array first cost a tenth of a batch-1 training step). The poisoned
 * backend of the tests (`new CpuBackend({ poison: true })`) holds kernels to that.
 */
class BufferPool {
  /** Free arrays by dtype, then by length (number keys: no string built per allocation). */
  private readonly free = new Map<DType, Map<number, TypedArray[]>>();
  private readonly owned = new WeakSet<TypedArray>();
  private bytes = 0;

  constructor(
    /**
     * Arrays smaller than this many elements are left to the garbage collector (V8 keeps typed
     * arrays of up to 64 bytes on its heap, cheap to allocate; larger ones get a separately
     * allocated backing store, which costs more than reusing one).
     */
    private readonly minSize = 16,
    private readonly maxBytes = 256 * 2 ** 20,
  ) {}

  take(dtype: DType, size: number): TypedArray {
    if (size >= this.minSize) {
      const reused = this.free.get(dtype)?.get(size)?.pop();
      if (reused) {
        this.bytes -= reused.byteLength;
        return reused;
      }
    }
    const data = new (typedArrayFor(dtype))(size);
    if (size >= this.minSize) this.owned.add(data);
    return data;
  }

  give(dtype: DType, data: TypedArray): void {
    if (!this.owned.has(data) || this.bytes + data.byteLength > this.maxBytes) return;
    let bySize = this.free.get(dtype);
    if (!bySize) {
      bySize = new Map();
      this.free.set(dtype, bySize);
    }
    let list = bySize.get(data.length);
    if (!list) {
      list = [];
      bySize.set(data.length, list);
    }
    list.push(data);
    this.bytes += data.byteLength;
  }

  /** Bytes of the arrays kept for reuse. */
  get pooledBytes(): number {
    return this.bytes;
  }

  /** Drops every pooled array. */
  clear(): void {
    this.free.clear();
    this.bytes = 0;
  }
}

const empties = new Map<DType, TypedArray>();

/** A shared zero-length array per dtype (nothing can be written into it). */
function emptyArray(dtype: DType): TypedArray {
  let e = empties.get(dtype);
  if (!e) {
    e = new (typedArrayFor(dtype))(0);
    empties.set(dtype, e);
  }
  return e;
}

/**
 * Options of a `CpuBackend` (the registered `'cpu'` device uses the defaults).
 * @example new CpuBackend({ name: 'cpu-poison', priority: -1, poison: true })
 */
export interface CpuBackendOptions {
  /** Device name (default `'cpu'`). */
  name?: string;
  /** Priority when choosing the default device (default 0). */
  priority?: number;
  /**
   * Fill every allocation with garbage (NaN; -123457 for integers; true for bools): a test aid
   * showing that kernels write every element of their outputs and never read them first.
   */
  poison?: boolean;
}

function poisonArray(a: TypedArray): TypedArray {
  if (a instanceof Float32Array || a instanceof Float64Array) return a.fill(Number.NaN);
  if (a instanceof Uint8Array) return a.fill(1);
  return (a as Int32Array).fill(-123457);
}

/**
 * The CPU device: storage is a plain typed array, reads are synchronous, memory is garbage
 * collected; `release` (from `dispose()` or `tidy`) recycles large arrays for later allocations.
 * @example const poisoned = new CpuBackend({ name: 'cpu-poison', priority: -1, poison: true })
 */
export class CpuBackend implements Backend {
  /** Device name, as in `tensor.device` and `{ device: 'cpu' }` (default `'cpu'`). */
  readonly name: string;
  /** Higher wins when the registry picks the default device (default 0). */
  readonly priority: number;
  private readonly pool = new BufferPool();
  private readonly poison: boolean;

  constructor(options: CpuBackendOptions = {}) {
    this.name = options.name ?? 'cpu';
    this.priority = options.priority ?? 0;
    this.poison = options.poison ?? false;
  }

  /**
   * Uninitialised storage for `size` elements of `dtype`: a reused array keeps old values (NaN
   * and other garbage with `poison`). Kernels must write every element of their outputs.
   * @example cpuBackend.allocate('float64', 6).data.length // 6
   */
  allocate(dtype: DType, size: number): CpuStorage {
    const data = this.pool.take(dtype, size);
    const storage: CpuStorage = {
      backend: this,
      dtype,
      size,
      data: this.poison ? poisonArray(data) : data,
      version: 0,
      disposed: false,
    };
    noteAllocation(storage);
    return storage;
  }

  /**
   * Adopts `values` as the storage without copying: the caller must not change the array
   * afterwards (`fromTypedArray` hands over arrays this way).
   * @example cpuBackend.upload(new Float32Array([1, 2, 3]), 'float32').size // 3
   */
  upload(values: TypedArray, dtype: DType): CpuStorage {
    // Callers hand over a fresh array they no longer touch, so it is adopted without a copy.
    const storage = {
      backend: this,
      dtype,
      size: values.length,
      data: values,
      version: 0,
      disposed: false,
    };
    noteAllocation(storage);
    return storage;
  }

  /**
   * The bytes pooled for reuse; live arrays are the garbage collector's and are not counted.
   * @example torch.memory('cpu').bytesPooled
   */
  memoryStats(): BackendMemoryStats {
    return { bytesPooled: this.pool.pooledBytes };
  }

  /**
   * The storage's typed array (the array itself, not a copy), as a resolved promise.
   * @example await cpuBackend.read(torch.tensor([1, 2]).storage) // Float32Array [1, 2]
   */
  read(storage: Storage): Promise<TypedArray> {
    return Promise.resolve(this.readSync(storage));
  }

  /**
   * The storage's typed array itself (no copy; the whole storage, whatever a view's offset).
   * @example cpuBackend.readSync(torch.arange(4).storage) // Int32Array [0, 1, 2, 3]
   */
  readSync(storage: Storage): TypedArray {
    return storage.data as TypedArray;
  }

  /**
   * Gives the storage an empty array and keeps its old one for reuse (only arrays this backend
   * allocated, up to a byte cap). Called by `dispose()` and `tidy`; the storage is unusable after.
   * @example cpuBackend.release(cpuBackend.allocate('float32', 1024))
   */
  release(storage: Storage): void {
    const data = storage.data as TypedArray;
    storage.data = emptyArray(storage.dtype);
    this.pool.give(storage.dtype, data);
  }

  /**
   * Frees the arrays kept for reuse (they are otherwise held until reused).
   * @example cpuBackend.emptyCache()
   */
  emptyCache(): void {
    this.pool.clear();
  }
}

/**
 * The typed array behind a CPU tensor's storage: the whole storage, so a view's elements start
 * at `t.offset` and follow `t.strides`.
 * @example cpuData(torch.tensor([[1, 2], [3, 4]]).t()) // Float32Array [1, 2, 3, 4]
 */
export function cpuData(t: { storage: Storage }): TypedArray {
  return t.storage.data as TypedArray;
}
