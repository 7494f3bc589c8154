import type { Tensor } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import type { Binding } from '../context.js';

/**
 * How a kernel finds its GPU: from the storage of the tensors it is called with, when it runs.
 * A kernel registered under a device name (`registerKernel(op, 'webgpu', kernel)`) therefore
 * needs no backend object when it is created, so plugins may register kernels before
 * `initWebGPU()` has opened the device, and one kernel serves every WebGPU device it is
 * registered for.
 */

/**
 * The WebGPU backend holding `tensor`'s storage: its `ctx` (the `GpuContext` that records
 * dispatches), and `allocate`/`release` for scratch storages a kernel frees before it returns.
 * @example
 * const backend = webgpuBackendOf(out);
 * const scratch = backend.allocate('float32', 1); // ... dispatches using scratch.data ...
 * backend.release(scratch);
 */
export function webgpuBackendOf(tensor: Tensor): WebGPUBackend {
  const backend = tensor.storage.backend as Partial<WebGPUBackend>;
  // Structural, not instanceof: a bundle may hold more than one copy of this package's classes.
  if (typeof backend.ctx?.dispatch !== 'function') {
    throw new TypeError(
      `webgpuBackendOf: a ${tensor.dtype} tensor of shape [${tensor.shape.join(', ')}] is on device '${tensor.device}', which is not a WebGPU device; register WGSL kernels under the name of a device opened by initWebGPU`,
    );
  }
  return backend as WebGPUBackend;
}

/**
 * Records one dispatch of a compute shader on the device of the tensors among `bindings`.
 * `code` is a WGSL module whose entry point is `main` (use `ENTRY` and `threadIndex` for the
 * usual 1-D grid of `WORKGROUP`-thread workgroups); `params` are 32-bit words bound as
 * `p: array<u32>` at binding 0 (integers, negative ones as two's complement; floats through
 * `f32Bits`, or build them with `Params`); `bindings` are bound at 1, 2, ... in order: a tensor
 * binds its whole storage buffer (so pass its `offset` and `strides` in `params`), a `Binding` a
 * buffer range (scratch storages). `threads` is rounded up to whole workgroups; pipelines are
 * compiled once per distinct `code`, so keep shapes in `params`, not in the source.
 * @example
 * // out[i] = x[i] * 2 over a contiguous x
 * const code = `@group(0) @binding(0) var<storage, read> p: array<u32>;
 * @group(0) @binding(1) var<storage, read> x: array<f32>;
 * @group(0) @binding(2) var<storage, read_write> out: array<f32>;
 * ${ENTRY} {
 *   ${threadIndex('p[0]')}
 *   out[i] = x[p[1] + i] * 2.0;
 * }`;
 * const kernel: Kernel = ([x], [out]) =>
 *   dispatchCompute(code, [out!.numel(), x!.offset], [x!, out!], out!.numel());
 */
export function dispatchCompute(
  code: string,
  params: ArrayLike<number>,
  bindings: readonly (Tensor | Binding)[],
  threads: number,
): void {
  const tensor = bindings.find((b): b is Tensor => 'storage' in b);
  if (!tensor) {
    throw new TypeError(
      'dispatchCompute: no tensor among the bindings, so no device to dispatch on (bind at least one tensor of the op)',
    );
  }
  const buffers = bindings.map((b) =>
    'storage' in b ? { buffer: b.storage.data as GPUBuffer } : b,
  );
  webgpuBackendOf(tensor).ctx.dispatch(code, params, buffers, threads);
}
