import { DeviceLimitError } from '@autodag/core';
import type { DeviceHealth } from './health.js';

/** The most bytes one buffer may hold on a device, and the adapter limit that sets it. */
export interface BufferLimit {
  readonly bytes: number;
  readonly name: 'maxBufferSize' | 'maxStorageBufferBindingSize';
}

/**
 * The tighter of the device's buffer limits: a storage buffer is bound whole by the kernels, so
 * it may hold no more than one binding allows, nor than one buffer may be.
 * @example bufferLimit(device.limits) // { bytes: 134217728, name: 'maxStorageBufferBindingSize' }
 */
export function bufferLimit(limits: GPUSupportedLimits): BufferLimit {
  const binding = limits.maxStorageBufferBindingSize;
  const buffer = limits.maxBufferSize;
  // Whole words: every storage holds 4-byte elements.
  return binding <= buffer
    ? { bytes: Math.floor(binding / 4) * 4, name: 'maxStorageBufferBindingSize' }
    : { bytes: Math.floor(buffer / 4) * 4, name: 'maxBufferSize' };
}

/**
 * GPU buffers kept for reuse, by size class: creating a buffer costs a driver call and zeroing,
 * and a training step allocates the same sizes every time. A request is rounded up to its class
 * (256-byte steps below 4 KiB, then four steps per power of two, so at most 25% is wasted, and
 * never past the device's buffer limit); a returned buffer waits in its class until a request of
 * that class takes it, up to a byte cap past which buffers are destroyed instead. The backend
 * keeps one pool of storage buffers and one of the mappable buffers that reads copy into.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Bytes held in `free`. */
  pooledBytes = 0;
  /** Bytes of buffers handed out and not yet returned. */
  liveBytes = 0;
  /** The most `liveBytes` has been. */
  peakLiveBytes = 0;

  constructor(
    /** Creates buffers (watching for out-of-memory) and knows the buffers whose creation failed. */
    private readonly health: DeviceHealth,
    /** Submits recorded commands: a buffer they use may only be destroyed after that. */
    private readonly flush: () => void,
    /** The most one buffer may hold; larger requests fail before anything is created. */
    readonly limit: BufferLimit,
    private readonly usage: GPUBufferUsageFlags = GPUBufferUsage.STORAGE |
      GPUBufferUsage.COPY_SRC |
      GPUBufferUsage.COPY_DST,
    private readonly maxPooledBytes = 1 << 30,
  ) {}

  /** The size class of a request of `bytes`. */
  static classOf(bytes: number): number {
    if (bytes <= 4096) return Math.ceil(bytes / 256) * 256;
    const step = 2 ** (Math.ceil(Math.log2(bytes)) - 3);
    return Math.ceil(bytes / step) * step;
  }

  /**
   * A buffer of at least `bytes` for `what` (named in errors, e.g. "a float32 tensor of 10
   * elements"). Throws a `DeviceLimitError` past the device's buffer limit.
   */
  take(bytes: number, what = 'kernel scratch'): GPUBuffer {
    if (bytes > this.limit.bytes) {
      throw new DeviceLimitError(
        `one buffer on device '${this.health.name}' holds at most ${this.limit.bytes} bytes (the adapter's ${this.limit.name}); ${what} needs ${bytes}`,
      );
    }
    const size = Math.min(BufferPool.classOf(bytes), this.limit.bytes);
    const reused = this.free.get(size)?.pop();
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    if (reused) {
      this.pooledBytes -= size;
      return reused;
    }
    return this.health.createBuffer({ size, usage: this.usage }, what);
  }

  give(buffer: GPUBuffer): void {
    if (this.health.isFailed(buffer) || this.pooledBytes + buffer.size > this.maxPooledBytes) {
      this.discard(buffer);
      return;
    }
    this.liveBytes -= buffer.size;
    let list = this.free.get(buffer.size);
    if (!list) {
      list = [];
      this.free.set(buffer.size, list);
    }
    list.push(buffer);
    this.pooledBytes += buffer.size;
  }

  /** Destroys a buffer handed out by `take` instead of keeping it. */
  discard(buffer: GPUBuffer): void {
    this.liveBytes -= buffer.size;
    this.flush();
    buffer.destroy();
  }

  /** Destroys every pooled buffer. */
  clear(): void {
    this.flush();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
