import type { DType, TypedArray } from './dtype.js';
import type { BackendMemoryStats } from './memory-stats.js';

/**
 * A block of device memory holding `size` elements of one dtype. Views of a tensor share it.
 * `data` is the backend's own handle (a typed array on the CPU, a GPUBuffer on WebGPU...).
 */
export interface Storage {
  /** The backend that owns this memory. */
  readonly backend: Backend;
  /** Element type of every element in the storage. */
  readonly dtype: DType;
  /** Number of elements (not bytes). */
  readonly size: number;
  /** The backend's handle; only that backend's kernels look inside. */
  data: unknown;
  /** Bumped by every in-place write; autograd compares it to detect stale saved tensors. */
  version: number;
  /** True once the memory has been released. */
  disposed: boolean;
}

/**
 * What a device must provide. Core never special-cases one backend: the CPU backend
 * implements exactly this interface, as a GPU backend will.
 */
export interface Backend {
  /** Device name used in `device: 'cpu'` options and `tensor.device`. */
  readonly name: string;
  /** Higher wins when choosing the default device among registered backends. */
  readonly priority: number;
  /**
   * New uninitialised storage. Throw (any error) when `size` elements cannot be allocated: core
   * reports it as an `AllocationError` naming the op, the size and the bytes, with this error as
   * its `cause` (and, for a `DeviceLimitError`, its message, naming the limit). Throw a TypeError
   * for a dtype the device cannot hold, or a `DeviceError` when the device cannot serve at all
   * (lost, failed): core prefixes its message with the op's name.
   */
  allocate(dtype: DType, size: number): Storage;
  /**
   * Storage holding `values` (already of the typed array kind for `dtype`). The caller hands the
   * array over and never touches it again, so a host backend may keep it without copying.
   */
  upload(values: TypedArray, dtype: DType): Storage;
  /** Reads the whole storage; always available. */
  read(storage: Storage): Promise<TypedArray>;
  /** Reads synchronously where the device allows it (the CPU does; browsers' WebGPU does not). */
  readSync?(storage: Storage): TypedArray;
  /** Releases device memory now rather than when garbage collected. */
  release(storage: Storage): void;
  /** What `torch.memory(device)` reports: live and pooled memory, as far as the backend tracks it. */
  memoryStats?(): BackendMemoryStats;
  /** Restarts `peakBytesInUse` from the bytes in use now. */
  resetPeakMemoryStats?(): void;
}

const backends = new Map<string, Backend>();
let defaultDevice: string | null = null;

/**
 * Makes a backend available as a device. Later registrations with the same name replace earlier ones.
 * @example registerBackend(new CpuBackend())
 */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/**
 * Removes a backend; tensors already on it keep working until disposed.
 * @example torch.unregisterBackend('webgpu') // false when no such backend was registered
 */
export function unregisterBackend(name: string): boolean {
  if (defaultDevice === name) defaultDevice = null;
  return backends.delete(name);
}

/**
 * Names of the registered backends, highest priority first.
 * @example torch.listBackends() // ['cpu']
 */
export function listBackends(): string[] {
  return [...backends.values()].sort((a, b) => b.priority - a.priority).map((b) => b.name);
}

/**
 * The backend behind a device name, e.g. `getBackend('cpu')`.
 * Throws an error listing the registered devices when the name is unknown.
 * @example torch.getBackend('cpu').name // 'cpu'
 */
export function getBackend(name: string): Backend {
  const backend = backends.get(name);
  if (!backend) {
    const known = listBackends();
    throw new Error(
      `Unknown device '${name}'. Registered devices: ${known.length ? known.join(', ') : 'none (import a backend package, e.g. @autodag/backend-cpu)'}`,
    );
  }
  return backend;
}

/**
 * Sets the device new tensors are created on when no `device` option is given.
 * @example torch.setDefaultDevice('cpu')
 */
export function setDefaultDevice(name: string): void {
  getBackend(name);
  defaultDevice = name;
}

/**
 * The device new tensors go to: the one set with `setDefaultDevice`, else the highest-priority backend.
 * @example torch.getDefaultDevice() // 'cpu'
 */
export function getDefaultDevice(): string {
  if (defaultDevice && backends.has(defaultDevice)) return defaultDevice;
  const first = listBackends()[0];
  if (!first)
    throw new Error('No backend registered: import a backend package, e.g. @autodag/backend-cpu');
  return first;
}
