/**
 * @autodag/backend-cpu: the CPU device. Importing it registers the backend as `'cpu'` and its
 * kernels for every core op, through the same public registry any backend uses.
 * @packageDocumentation
 */
import { registerBackend } from '@autodag/core';
import { CpuBackend } from './backend.js';
import { registerCopyKernels } from './kernels/copy.js';
import { registerCumulativeKernels } from './kernels/cumulative.js';
import { registerElementwiseKernels } from './kernels/elementwise.js';
import { registerIndexingKernels } from './kernels/indexing.js';
import { registerJoinKernels } from './kernels/join.js';
import { registerMatmulKernels } from './kernels/matmul.js';
import { registerReduceKernels } from './kernels/reduce.js';
import { registerMinMaxKernels } from './kernels/reduce-minmax.js';
import { registerReorderKernels } from './kernels/reorder.js';

export type { CpuBackendOptions, CpuStorage } from './backend.js';
export { CpuBackend, cpuData } from './backend.js';
export type { ElementwiseSpec, ScalarFn } from './kernels/compile.js';
export { elementwiseKernel, HELPERS, setCodegen } from './kernels/compile.js';
export type { DenseWriter, GemmBatch, Operand } from './kernels/gemm.js';
export { gemmBatched, gemmStrided } from './kernels/gemm.js';
export { gemm } from './kernels/matmul.js';
export { denseData, forEachRow, gatherInto, gatherLayout } from './strided.js';
export { addSum3 } from './wasm/add.js';
export { wasmKernelStatus } from './wasm/kernel-status.js';
export type { WasmKernelStatus } from './wasm/status.js';

/**
 * The CPU backend instance registered as `'cpu'`.
 * @example cpuBackend.emptyCache() // free the arrays kept for reuse
 */
export const cpuBackend = new CpuBackend();

/**
 * Registers the CPU backend and all its kernels (done on import; idempotent).
 * @example registerCpuBackend() // restore 'cpu' after torch.unregisterBackend('cpu')
 */
export function registerCpuBackend(): void {
  registerBackend(cpuBackend);
  registerCopyKernels('cpu');
  registerElementwiseKernels('cpu');
  registerReduceKernels('cpu');
  registerMinMaxKernels('cpu');
  registerCumulativeKernels('cpu');
  registerMatmulKernels('cpu');
  registerIndexingKernels('cpu');
  registerJoinKernels('cpu');
  registerReorderKernels('cpu');
}

registerCpuBackend();
