/**
 * Writing WGSL kernels for ops of your own (a plugin's, or ops-nn's): the same builders this
 * package's kernels use. A kernel is an ordinary `Kernel` of `@autodag/core`, registered under
 * the device's name with `registerKernel(op, 'webgpu', kernel)`; it finds its GPU from the
 * storage of the tensors it is called with, so it may be registered before `initWebGPU()` runs.
 * Inputs arrive with any strides and offset, outputs fresh and contiguous (as on the CPU).
 *
 * - **Pointwise** (`pointwiseKernel`): a WGSL expression over the operands `x`, `y`, `z`, `w`
 *   (broadcast, read through their strides) and scalar attributes `p0`, `p1`, ...
 * - **Row kernels** (`rowShader`, `rowFrame`, `rowParams`, `dispatchRows`): one workgroup per row
 *   of a frame, with workgroup reductions (`wgSum`, `wgMax`, ...): softmax, normalisations.
 * - **Matrix products** (`gemmShader`, `gemmWords`, `gemmThreads`): the tiled, register-blocked
 *   GEMM of `mm`, with element loaders and a store of your own (ops-nn's implicit-GEMM
 *   convolutions).
 * - **Any compute shader** (`dispatchCompute`): WGSL source with entry point `main`, parameter
 *   words at binding 0 (`Params`, `f32Bits`), tensors and buffers at bindings 1, 2, ...; `ENTRY`
 *   and `threadIndex(n)` give the 1-D grid of `WORKGROUP` threads per workgroup it dispatches.
 *
 * Shapes, strides and scalars travel as parameters, so one compiled pipeline (cached by its
 * source) serves every shape: keep them out of the WGSL text. float64 never reaches a kernel
 * (the device refuses it); bool is stored as u32 0/1 (`wgslType`).
 * @example
 * import { registerKernel } from '@autodag/core';
 * import { pointwiseKernel } from '@autodag/backend-webgpu';
 *
 * registerKernel('my-plugin.softplus', 'webgpu', pointwiseKernel(1, {
 *   expr: () => 'select(softplus_(x * p0) / p0, x, x * p0 > p1)',
 *   params: (a: { beta: number; threshold: number }) => [a.beta, a.threshold],
 * }));
 * @module
 */
export type { Binding } from './context.js';
export { ENTRY, threadIndex, WORKGROUP } from './context.js';
export { dispatchCompute, webgpuBackendOf } from './kernels/device.js';
export {
  GEMM_TILE,
  type GemmParts,
  gemmShader,
  gemmThreads,
  gemmWords,
} from './kernels/gemm.js';
export {
  isDenseOver,
  operandIndex,
  Params,
  SPECIAL_VALUES,
  STRIDED_INDEX,
  WALK_FN,
  wgslType,
} from './kernels/layout.js';
export { MATH_HELPERS, type PointwiseSpec, pointwiseKernel } from './kernels/pointwise.js';
export {
  BROADCAST_SLOTS,
  contiguousLayout,
  dispatchRows,
  type FrameLayout,
  f32Bits,
  frameSizes,
  layoutIn,
  type RowFrame,
  rowFrame,
  rowParams,
  rowShader,
  type Scalar,
} from './kernels/rows.js';
