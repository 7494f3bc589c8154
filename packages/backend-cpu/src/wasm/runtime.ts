import type { Storage } from '@autodag/core';
import { add3F32 } from './add-kernel.js';
import { assemble, relaxedSimdAvailable } from './assembler.js';
import { gemmF32 } from './gemm-kernel.js';
import { gemmNtF32 } from './gemm-nt-kernel.js';
import { gemvAxpyF32, gemvDotF32, outerF32 } from './gemv-kernel.js';
import { markAbsent, markFailed, markLoaded } from './status.js';

/**
 * The one WebAssembly instance behind the SIMD kernels and its memory, laid out as
 *
 *   [0, cacheTop)   mirrors of read-only float32 operands (see `mirror`)
 *   [scratch, …)    per-call scratch: packed operands and results, reused by every call
 *
 * Tensor storage stays in plain typed arrays, so operands are copied in. A weight read by a
 * matrix-vector product on every step would cost a full copy per call, as much as the product
 * itself; `mirror` keeps such operands in the memory while their storage is unchanged.
 */

/** The instantiated kernels and the memory they share (see the layout above). */
export interface Runtime {
  /** The module's imported memory; it only grows. */
  readonly memory: WebAssembly.Memory;
  /** `gemm_f32(pa, pb, pc, mBlocks, nPanels, kc, ldc, accumulate, ldb, panelStride)` (./gemm-kernel.ts). */
  readonly gemm: (...args: number[]) => void;
  /** `gemm_nt_f32(pa, pb, pc, mPairs, nQuads, k4, lda, ldb, ldc, accumulate)`: A·Bᵀ unpacked (./gemm-nt-kernel.ts). */
  readonly gemmNt: (...args: number[]) => void;
  /** `add3_f32(pd, pa, pb, pc, n4)`: d += a + b + c over 4·n4 floats (./add-kernel.ts). */
  readonly add3: (...args: number[]) => void;
  /** `gemv_dot_f32`: rows of C as dot products with contiguous columns of B (./gemv-kernel.ts). */
  readonly gemvDot: (...args: number[]) => void;
  /** `gemv_axpy_f32`: rows of C as sums of scaled contiguous rows of B (./gemv-kernel.ts). */
  readonly gemvAxpy: (...args: number[]) => void;
  /** `outer_f32(pa, pb, pc, rows, n16, ldc)`: the outer product a ⊗ b (./gemv-kernel.ts). */
  readonly outer: (...args: number[]) => void;
  /** float32 view of the memory; refreshed by `scratch` after the memory grows. */
  f32: Float32Array;
}

let runtime: Runtime | null | undefined;

function load(): Runtime | null {
  if (typeof WebAssembly === 'undefined') {
    markAbsent();
    return null;
  }
  try {
    const memory = new WebAssembly.Memory({ initial: 16 });
    const fused = relaxedSimdAvailable();
    const bytes = assemble([
      gemmF32(fused),
      gemmNtF32(fused),
      gemvDotF32(),
      gemvAxpyF32(),
      outerF32(),
      add3F32(),
    ]);
    const module = new WebAssembly.Module(bytes as BufferSource);
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const ex = instance.exports as Record<string, (...args: number[]) => void>;
    markLoaded(fused);
    return {
      memory,
      gemm: ex.gemm_f32!,
      gemmNt: ex.gemm_nt_f32!,
      add3: ex.add3_f32!,
      gemvDot: ex.gemv_dot_f32!,
      gemvAxpy: ex.gemv_axpy_f32!,
      outer: ex.outer_f32!,
      f32: new Float32Array(memory.buffer),
    };
  } catch (error) {
    markFailed(error);
    return null;
  }
}

/**
 * The kernels, or null where WebAssembly SIMD is unavailable (callers use the JS kernels).
 * @example const rt = getRuntime(); if (rt) f = scratch(rt, n)
 */
export function getRuntime(): Runtime | null {
  if (runtime === undefined) runtime = load();
  return runtime;
}

/** Mirrors stop being added past this many floats; the next one starts the area afresh. */
let mirrorCap = 8 * 2 ** 20;
/** Operands smaller than this many floats are cheaper to copy than to track. */
const MIRROR_MIN = 1024;

/** Float index where scratch starts (16-float aligned, after the mirrors). */
let cacheTop = 0;
/** Bumped when the mirror area is reset; mirrors from older generations are stale. */
let generation = 0;

interface Mirror {
  /** The storage's array when copied (a released storage gets a new, empty one). */
  data: unknown;
  version: number;
  generation: number;
  /** Float index of the copy, or -1 when the storage was seen once but not copied yet. */
  at: number;
}

const mirrors = new WeakMap<Storage, Mirror>();

/**
 * First float index of the scratch area.
 * @example const at = scratchBase(); const f = scratch(rt, n); f.set(values, at)
 */
export function scratchBase(): number {
  return cacheTop;
}

/**
 * The float32 view of the memory, grown so that scratch holds `floats` elements from
 * `scratchBase()`. Growing detaches earlier views, so callers fetch the view once per call.
 * @example const f = scratch(rt, M * K + K * N + M * N)
 */
export function scratch(rt: Runtime, floats: number): Float32Array {
  const bytes = (cacheTop + floats) * 4;
  const have = rt.memory.buffer.byteLength;
  if (have < bytes) rt.memory.grow(Math.ceil((bytes - have) / 65536));
  if (rt.f32.buffer !== rt.memory.buffer) rt.f32 = new Float32Array(rt.memory.buffer);
  return rt.f32;
}

/**
 * The float index where a copy of `storage`'s whole float32 array lives in the memory, or -1
 * when it is not mirrored (the caller then copies what it needs into scratch). A storage is
 * mirrored the second time it is asked for at an unchanged version (weights read on every step,
 * never one-off intermediates); a mirror is valid while the storage keeps its array and version.
 * That relies on what the rest of the library guarantees: kernels write only their fresh outputs,
 * every in-place op bumps `storage.version`, and arrays handed to `upload` (`fromTypedArray`)
 * are not changed by their creator afterwards. Call before `scratch`: mirroring moves the
 * scratch. Mirror at most one operand per call: a second mirror may restart the area.
 * @example const at = b.storage ? mirror(rt, b.storage) : -1 // then scratch(rt, …)
 */
export function mirror(rt: Runtime, storage: Storage): number {
  const data = storage.data as Float32Array;
  const n = data.length;
  if (n < MIRROR_MIN || n > mirrorCap || storage.disposed) return -1;
  const m = mirrors.get(storage);
  if (m && m.data === data && m.version === storage.version && m.generation === generation) {
    if (m.at >= 0) return m.at;
    if (cacheTop + n > mirrorCap) {
      generation++;
      cacheTop = 0;
    }
    m.at = cacheTop;
    m.generation = generation;
    cacheTop += Math.ceil(n / 16) * 16;
    const f = scratch(rt, 0);
    f.set(data, m.at);
    return m.at;
  }
  mirrors.set(storage, { data, version: storage.version, generation, at: -1 });
  return -1;
}

/**
 * Drops every mirror (frees nothing: the memory never shrinks, the space is reused).
 * @example clearMirrors()
 */
export function clearMirrors(): void {
  generation++;
  cacheTop = 0;
}

/**
 * Sets how many floats the mirrors may take before the area starts afresh (drops current
 * mirrors); returns the previous limit. Tests use it to exercise the reset.
 * @example const old = setMirrorCapacity(1 << 16); ...; setMirrorCapacity(old)
 */
export function setMirrorCapacity(floats: number): number {
  const old = mirrorCap;
  mirrorCap = floats;
  clearMirrors();
  return old;
}

/**
 * Floats the mirrors take now (for tests).
 * @example const before = mirroredFloats(); x.matmul(w.t()); x.matmul(w.t()); mirroredFloats() - before // w.numel()
 */
export function mirroredFloats(): number {
  return cacheTop;
}
