import { DeviceHealth } from './health.js';

/**
 * One GPUDevice and the state every kernel shares: the open command encoder that kernels record
 * into (submitted when something must observe the results, or after `MAX_PENDING` dispatches),
 * compiled pipelines cached by their WGSL source, and an arena of per-dispatch parameters
 * (shapes, strides, scalars), so that a shape change never recompiles a shader. Per-op host work
 * is kept small: a batch's parameters and small uploads are gathered in host memory and written
 * with one queue write each when the batch is submitted, and its dispatches share one compute
 * pass.
 */

/** Dispatches recorded before the encoder is submitted anyway (keeps command buffers small). */
const MAX_PENDING = 256;
/** Bytes of the parameter arena; a dispatch's parameters take one aligned slot. */
const ARENA_BYTES = 1 << 20;
/** Bytes of the upload arena, and the largest upload that goes through it. */
const UPLOAD_ARENA_BYTES = 1 << 20;
const SMALL_UPLOAD_BYTES = 64 * 1024;
/** Threads per workgroup of the 1-D kernels. */
export const WORKGROUP = 128;

/** A GPU buffer bound to a kernel, with the byte range it may touch. */
export interface Binding {
  readonly buffer: GPUBuffer;
  readonly offset?: number;
  readonly size?: number;
}

export class GpuContext {
  readonly device: GPUDevice;
  readonly queue: GPUQueue;
  private encoder: GPUCommandEncoder | null = null;
  private pending = 0;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly arena: GPUBuffer;
  /** The batch's parameters, written to `arena` at submission. */
  private readonly arenaHost = new Uint8Array(ARENA_BYTES);
  private arenaTop = 0;
  /** Small uploads of the batch, copied into their buffers by commands recorded in order. */
  private readonly uploads: GPUBuffer;
  private readonly uploadsHost = new Uint8Array(UPLOAD_ARENA_BYTES);
  private uploadsTop = 0;
  private pass: GPUComputePassEncoder | null = null;
  private readonly align: number;

  /** The device's asynchronous reports (loss, out of memory, failed commands). */
  readonly health: DeviceHealth;

  /** `name` is the device name that errors use (the backend's). */
  constructor(device: GPUDevice, name = 'webgpu') {
    this.device = device;
    this.health = new DeviceHealth(device, name);
    this.queue = device.queue;
    this.align = device.limits.minStorageBufferOffsetAlignment;
    this.arena = device.createBuffer({
      label: 'autodag kernel parameters',
      size: ARENA_BYTES,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    this.uploads = device.createBuffer({
      label: 'autodag small uploads',
      size: UPLOAD_ARENA_BYTES,
      usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  /** Whether commands are recorded but not yet submitted. */
  get hasPending(): boolean {
    return this.encoder !== null;
  }

  /** The open encoder (opened on demand), with no compute pass open, for copies. */
  commandEncoder(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  /** Submits everything recorded so far, after writing the batch's parameters and uploads. */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    if (this.arenaTop > 0) this.queue.writeBuffer(this.arena, 0, this.arenaHost, 0, this.arenaTop);
    if (this.uploadsTop > 0) {
      this.queue.writeBuffer(this.uploads, 0, this.uploadsHost, 0, this.uploadsTop);
    }
    this.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pending = 0;
    this.arenaTop = 0;
    this.uploadsTop = 0;
  }

  /**
   * Writes `bytes` (a multiple of 4) to the start of `target` in command order: after the
   * commands recorded so far (which may still read the buffer, recycled from the pool) and
   * before later ones. Small writes ride in the batch; large ones submit the batch first.
   */
  upload(target: GPUBuffer, bytes: ArrayBufferView): void {
    const size = bytes.byteLength;
    const src = new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, size);
    if (size > SMALL_UPLOAD_BYTES) {
      this.flush();
      this.queue.writeBuffer(target, 0, src);
      return;
    }
    if (this.uploadsTop + size > UPLOAD_ARENA_BYTES) this.flush();
    const offset = this.uploadsTop;
    this.uploadsHost.set(src, offset);
    this.uploadsTop = Math.ceil((offset + size) / 4) * 4;
    this.commandEncoder().copyBufferToBuffer(this.uploads, offset, target, 0, size);
  }

  /** The compute pipeline of a WGSL module with entry point `main`, compiled once. */
  pipeline(code: string): GPUComputePipeline {
    let p = this.pipelines.get(code);
    if (!p) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      this.pipelines.set(code, p);
    }
    return p;
  }

  /**
   * Records one dispatch of `code` over `threads` threads (1-D, split over two grid dimensions
   * past 65535 workgroups), binding `params` (32-bit words, read as `array<u32>` at binding 0)
   * then `buffers` at bindings 1, 2, ...
   */
  dispatch(
    code: string,
    params: ArrayLike<number> | Uint32Array,
    buffers: readonly Binding[],
    threads: number,
  ): void {
    // A lost device, or a failure it reported since: fail before recording anything.
    this.health.check();
    if (threads === 0) return;
    const words = params instanceof Uint32Array ? params : Uint32Array.from(params);
    const bytes = Math.max(16, words.byteLength);
    if (this.arenaTop + bytes > ARENA_BYTES || this.pending >= MAX_PENDING) this.flush();
    const offset = this.arenaTop;
    // Written when the batch is submitted, before its commands run; no two dispatches share a slot.
    this.arenaHost.set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength), offset);
    this.arenaTop = Math.ceil((offset + bytes) / this.align) * this.align;

    const pipeline = this.pipeline(code);
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: this.arena, offset, size: bytes } },
      ...buffers.map((b, i) => ({
        binding: i + 1,
        resource: { buffer: b.buffer, offset: b.offset ?? 0, size: b.size },
      })),
    ];
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries,
    });
    // One pass for the batch's dispatches: WebGPU orders each dispatch's writes before the next.
    if (!this.pass) {
      if (!this.encoder) this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    const groups = Math.ceil(threads / WORKGROUP);
    const x = Math.min(groups, 65535);
    this.pass.dispatchWorkgroups(x, Math.ceil(groups / x));
    this.pending++;
  }
}

/**
 * WGSL that turns a dispatch's workgroup and local ids into the thread's linear index `i`, and
 * returns from threads past `n` (see `GpuContext.dispatch`'s grid).
 */
export function threadIndex(n: string): string {
  return `let i = (wid.y * nwg.x + wid.x) * ${WORKGROUP}u + lid.x;
  if (i >= ${n}) { return; }`;
}

/** The entry point's signature matching `threadIndex`. */
export const ENTRY = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>)`;
