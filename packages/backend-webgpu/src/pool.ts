/**
 * GPU buffers kept for reuse, by size class: creating a buffer costs a driver call and zeroing,
 * and a training step allocates the same sizes every time. A request is rounded up to its class
 * (256-byte steps below 4 KiB, then four steps per power of two, so at most 25% is wasted); a
 * returned buffer waits in its class until a request of that class takes it, up to a byte cap
 * past which buffers are destroyed instead.
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
    private readonly device: GPUDevice,
    /** Submits recorded commands: a buffer they use may only be destroyed after that. */
    private readonly flush: () => void,
    private readonly maxPooledBytes = 1 << 30,
  ) {}

  /** The size class of a request of `bytes`. */
  static classOf(bytes: number): number {
    if (bytes <= 4096) return Math.ceil(bytes / 256) * 256;
    const step = 2 ** (Math.ceil(Math.log2(bytes)) - 3);
    return Math.ceil(bytes / step) * step;
  }

  take(bytes: number): GPUBuffer {
    const size = BufferPool.classOf(bytes);
    const reused = this.free.get(size)?.pop();
    this.liveBytes += size;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    if (reused) {
      this.pooledBytes -= size;
      return reused;
    }
    return this.device.createBuffer({
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  give(buffer: GPUBuffer): void {
    this.liveBytes -= buffer.size;
    if (this.pooledBytes + buffer.size > this.maxPooledBytes) {
      this.flush();
      buffer.destroy();
      return;
    }
    let list = this.free.get(buffer.size);
    if (!list) {
      list = [];
      this.free.set(buffer.size, list);
    }
    list.push(buffer);
    this.pooledBytes += buffer.size;
  }

  /** Destroys every pooled buffer. */
  clear(): void {
    this.flush();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
