import type { Storage } from './backend.js';
import { getBackend, getDefaultDevice } from './backend.js';
import type { DType } from './dtype.js';
import { itemSize } from './dtype.js';

/**
 * `torch.memory(device)`: what a device holds, so that a leak shows as a number that grows, and
 * with `torch.setMemoryDebug(true)`, as a list of where each live allocation was made.
 */

/** What a backend reports of its memory (see `Backend.memoryStats`). */
export interface BackendMemoryStats {
  /** Storages (the memory behind tensors; views share one) allocated and not yet freed. */
  readonly liveStorages?: number;
  /** Bytes of those storages (with the backend's rounding). */
  readonly bytesInUse?: number;
  /** The most `bytesInUse` has been since the device opened (PyTorch's `max_memory_allocated`). */
  readonly peakBytesInUse?: number;
  /** Bytes freed by tensors and kept for reuse. */
  readonly bytesPooled: number;
}

/** One live allocation recorded in debug mode. */
export interface AllocationRecord {
  readonly dtype: DType;
  /** Elements. */
  readonly size: number;
  readonly bytes: number;
  /** The stack where it was allocated (the op or creation function is near the top). */
  readonly stack: string;
}

/** What `torch.memory` returns. */
export interface MemoryStats extends BackendMemoryStats {
  readonly device: string;
  /** With `setMemoryDebug(true)`: every live storage allocated since, oldest first. */
  readonly allocations: readonly AllocationRecord[];
}

let debug = false;
const records: { storage: WeakRef<Storage>; record: AllocationRecord }[] = [];

/**
 * Records where each storage is allocated from now on (`torch.memory(device).allocations`), at
 * the cost of a stack trace per allocation; `false` stops and forgets the records.
 * @example torch.setMemoryDebug(true); step(); console.log(torch.memory('webgpu').allocations)
 */
export function setMemoryDebug(enabled: boolean): void {
  debug = enabled;
  if (!enabled) records.length = 0;
}

/**
 * Called by backends for every storage they hand out (cheap when debug mode is off).
 * @example noteAllocation(storage)
 */
export function noteAllocation(storage: Storage): void {
  if (!debug) return;
  // Deep enough to get past the dispatcher and autograd to the caller's own frames.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = (new Error().stack ?? '').split('\n').slice(2).join('\n');
  Error.stackTraceLimit = limit;
  const bytes = storage.size * itemSize(storage.dtype);
  records.push({
    storage: new WeakRef(storage),
    record: { dtype: storage.dtype, size: storage.size, bytes, stack },
  });
}

/**
 * What a device's memory holds: live storages and their bytes (where the backend tracks them;
 * the CPU leaves its arrays to the garbage collector and reports only its pool), pooled bytes,
 * and in debug mode where each live storage was allocated.
 * @example const { liveStorages, bytesInUse, bytesPooled } = torch.memory('webgpu');
 */
export function memory(device: string = getDefaultDevice()): MemoryStats {
  const backend = getBackend(device);
  const stats = backend.memoryStats?.() ?? { bytesPooled: 0 };
  const allocations: AllocationRecord[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const s = records[i]!.storage.deref();
    if (!s || s.disposed) records.splice(i, 1);
    else if (s.backend === backend) allocations.unshift(records[i]!.record);
  }
  return { device, ...stats, allocations };
}

/**
 * Restarts a device's `peakBytesInUse` from what is in use now (PyTorch's
 * `torch.cuda.reset_peak_memory_stats`), to measure the peak of one part of a program.
 * @example torch.resetPeakMemoryStats('webgpu'); train(); torch.memory('webgpu').peakBytesInUse
 */
export function resetPeakMemoryStats(device: string = getDefaultDevice()): void {
  getBackend(device).resetPeakMemoryStats?.();
}
