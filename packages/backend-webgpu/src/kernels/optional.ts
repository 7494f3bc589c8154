import type { Kernel } from '@autodag/core';
import { hasOp, registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';

/**
 * Registers a kernel for an op of another package (`nn.softmax`, ...), looked up by its public
 * name, if that op is registered; when the package is not loaded the kernel is skipped, so this
 * package depends on nothing but @autodag/core. Returns whether it was registered.
 * @example registerIfDefined(backend, 'nn.softmax', softmaxKernel)
 */
export function registerIfDefined(
  backend: WebGPUBackend,
  op: string,
  kernel: Kernel<never>,
): boolean {
  if (!hasOp(op)) return false;
  registerKernel(op, backend.name, kernel);
  return true;
}
