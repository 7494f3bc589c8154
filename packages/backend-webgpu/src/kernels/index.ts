import type { WebGPUBackend } from '../backend.js';
import { registerAssignKernel } from './assign.js';
import { registerElementwiseKernels } from './elementwise.js';
import { registerMatmulKernels } from './matmul.js';
import { registerReduceKernels } from './reduce.js';

/**
 * Registers every WGSL kernel of this package on a WebGPU backend (one line per kernel family).
 * @example registerKernels(backend)
 */
export function registerKernels(backend: WebGPUBackend): void {
  registerElementwiseKernels(backend);
  registerReduceKernels(backend);
  registerAssignKernel(backend);
  registerMatmulKernels(backend);
}
