import type { Backend, BackendMemoryStats, DType, Storage, TypedArray } from '@autodag/core';
import { DeviceError, noteAllocation } from '@autodag/core';
import { CollectionPolicy } from './collection.js';
import type { GpuContext } from './context.js';
import { BufferPool, bufferLimit } from './pool.js';

/** Bytes of mappable read buffers kept for reuse (reads of a loss each step take one of 256). */
const MAX_POOLED_STAGING_BYTES = 64 << 20;

/**
 * WebGPU storage: a GPUBuffer of 4-byte elements. float32 and int32 are stored as they are;
 * bool is stored as u32 0/1, since WGSL has no byte-sized storage. float64 has no WGSL type.
 */
export interface WebGPUStorage extends Storage {
  data: GPUBuffer;
}

/** The error for dtypes WGSL cannot hold, naming what to use instead (as PyTorch's MPS does). */
export function unsupportedDType(dtype: DType): Error {
  return new TypeError(
    `dtype ${dtype} is not supported on device 'webgpu' (WGSL has no 64-bit floats); convert with .float() to float32 first, or keep the tensor on 'cpu'`,
  );
}

/** Host array kind that a storage's 4-byte words are read into. */
function wordsFor(dtype: DType, buffer: ArrayBuffer): Float32Array | Int32Array | Uint32Array {
  if (dtype === 'float32') return new Float32Array(buffer);
  if (dtype === 'int32') return new Int32Array(buffer);
  return new Uint32Array(buffer);
}

/**
 * Buffers whose tensors were garbage-collected go back to the pool. V8 does not see GPU memory,
 * so each storage also holds an untouched ArrayBuffer of its size ("ballast", counted as
 * external memory): allocation pressure then triggers collections that free GPU buffers too.
 */
interface Held {
  buffer: GPUBuffer;
  bytes: number;
}

export class WebGPUBackend implements Backend {
  readonly name: string;
  readonly priority: number;
  readonly pool: BufferPool;
  /** Mappable buffers that reads copy into, reused by size class as `pool`'s. */
  readonly staging: BufferPool;
  private liveStorages = 0;
  private readonly finalizer = new FinalizationRegistry<Held | (() => void)>((held) =>
    typeof held === 'function' ? held() : this.recycle(held),
  );
  private readonly collection: CollectionPolicy;

  constructor(
    readonly ctx: GpuContext,
    options: { name?: string; priority?: number; collectGarbage?: (() => void) | null } = {},
  ) {
    this.name = options.name ?? 'webgpu';
    this.priority = options.priority ?? -1;
    const flush = () => ctx.flush();
    const limit = bufferLimit(ctx.device.limits);
    this.pool = new BufferPool(ctx.health, flush, limit);
    this.staging = new BufferPool(
      ctx.health,
      flush,
      limit,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      MAX_POOLED_STAGING_BYTES,
    );
    this.collection = new CollectionPolicy(
      options.collectGarbage ?? null,
      (callback) => this.finalizer.register({}, callback),
      this.name,
    );
  }

  allocate(dtype: DType, size: number): WebGPUStorage {
    if (dtype === 'float64') throw unsupportedDType(dtype);
    this.ctx.health.check();
    const bytes = Math.max(4, size * 4);
    const buffer = this.pool.take(bytes, `a ${dtype} tensor of ${size} elements`);
    const storage: WebGPUStorage & { ballast?: ArrayBuffer } = {
      backend: this,
      dtype,
      size,
      data: buffer,
      version: 0,
      disposed: false,
    };
    storage.ballast = new ArrayBuffer(buffer.size);
    this.finalizer.register(storage, { buffer, bytes: buffer.size }, storage);
    this.liveStorages++;
    noteAllocation(storage);
    this.collection.afterAllocate(this.pool.liveBytes);
    return storage;
  }

  /** Live storages and their bytes, and the bytes pooled for reuse (`torch.memory('webgpu')`). */
  memoryStats(): BackendMemoryStats {
    return {
      liveStorages: this.liveStorages,
      bytesInUse: this.pool.liveBytes,
      peakBytesInUse: this.pool.peakLiveBytes,
      bytesPooled: this.pool.pooledBytes,
    };
  }

  resetPeakMemoryStats(): void {
    this.pool.peakLiveBytes = this.pool.liveBytes;
  }

  upload(values: TypedArray, dtype: DType): WebGPUStorage {
    if (dtype === 'float64') throw unsupportedDType(dtype);
    const storage = this.allocate(dtype, values.length);
    const words =
      dtype === 'bool' ? Uint32Array.from(values as Uint8Array) : (values as Float32Array);
    // In command order: commands already recorded may still read this (recycled) buffer.
    if (words.length > 0) this.ctx.upload(storage.data, words);
    return storage;
  }

  /**
   * Copies the storage to a mappable buffer now (so later commands cannot change what is read)
   * and resolves with its values once the GPU gets there. The mappable buffer goes back to its
   * pool once the values are copied out. Rejects with the device's loss, or with a failure it
   * reported since the last op or read (its values may be wrong).
   */
  read(storage: Storage): Promise<TypedArray> {
    const { dtype, size } = storage;
    const health = this.ctx.health;
    const source = storage.data as GPUBuffer;
    if (health.lost) return Promise.reject(health.lostError());
    if (health.isFailed(source)) {
      return Promise.reject(
        new DeviceError(
          `reading a ${dtype} tensor of ${size} elements on device '${this.name}': its memory could not be allocated (the GPU ran out of memory)`,
        ),
      );
    }
    const bytes = size * 4;
    if (bytes === 0) return Promise.resolve(emptyHost(dtype));
    const staging = this.staging.take(bytes, `reading a ${dtype} tensor of ${size} elements`);
    this.ctx.commandEncoder().copyBufferToBuffer(source, 0, staging, 0, bytes);
    this.ctx.flush();
    // The error scopes opened so far settle too: an out-of-memory error is reported here.
    const mapped = Promise.all([staging.mapAsync(GPUMapMode.READ, 0, bytes), health.settled()]);
    return mapped.then(
      () => {
        const words = wordsFor(dtype, staging.getMappedRange(0, bytes).slice(0));
        staging.unmap();
        this.staging.give(staging);
        health.check();
        const values =
          dtype === 'bool' ? Uint8Array.from(words) : (words as Float32Array | Int32Array);
        return this.collection.settle(values);
      },
      async (e: unknown) => {
        // Its mapping failed: not a buffer to hand out again.
        this.staging.discard(staging);
        throw await health.readFailure(e);
      },
    );
  }

  release(storage: Storage): void {
    // Kernels' scratch storages come back here directly, not through Tensor.dispose.
    storage.disposed = true;
    this.finalizer.unregister(storage);
    this.recycle({ buffer: storage.data as GPUBuffer, bytes: (storage.data as GPUBuffer).size });
  }

  private recycle(held: Held): void {
    this.liveStorages--;
    this.pool.give(held.buffer);
  }
}

function emptyHost(dtype: DType): TypedArray {
  if (dtype === 'float32') return new Float32Array(0);
  if (dtype === 'int32') return new Int32Array(0);
  return new Uint8Array(0);
}
