import type { WebGPUBackend } from '../backend.js';
import { registerAssignKernel } from './assign.js';
import { registerCompareMaskKernel } from './compare-mask.js';
import { registerCumulativeKernels } from './cumulative.js';
import { registerElementwiseKernels } from './elementwise.js';
import { registerIndexingKernels } from './indexing.js';
import { registerJoinKernels } from './join.js';
import { registerMatmulKernels } from './matmul.js';
import { registerNonzeroKernel } from './nonzero.js';
import { registerReduceKernels } from './reduce.js';
import { registerSelectKernels } from './reduce-select.js';
import { registerStatKernels } from './reduce-stats.js';
import { registerReorderKernels } from './reorder.js';
import { registerStridedScatterKernels } from './strided-scatter.js';

/**
 * Registers every WGSL kernel of this package on a WebGPU backend (one line per kernel family).
 * @example registerKernels(backend)
 */
export function registerKernels(backend: WebGPUBackend): void {
  registerElementwiseKernels(backend);
  registerReduceKernels(backend);
  registerSelectKernels(backend);
  registerStatKernels(backend);
  registerCompareMaskKernel(backend);
  registerAssignKernel(backend);
  registerIndexingKernels(backend);
  registerJoinKernels(backend);
  registerReorderKernels(backend);
  registerCumulativeKernels(backend);
  registerStridedScatterKernels(backend);
  registerMatmulKernels(backend);
  registerNonzeroKernel(backend);
}
