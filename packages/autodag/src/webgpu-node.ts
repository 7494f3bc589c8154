/**
 * `autodag/webgpu-node`: `autodag/webgpu` for Node, where WebGPU comes from Dawn (the `webgpu`
 * package, installed next to autodag: `npm install webgpu`).
 * @example
 * import * as torch from 'autodag';
 * import { initNodeWebGPU } from 'autodag/webgpu-node';
 * await initNodeWebGPU();
 * console.log(await torch.randn(3, { device: 'webgpu' }).exp().sum().itemAsync());
 * @packageDocumentation
 */
import type { WebGPUBackend } from '@autodag/backend-webgpu';
import {
  type NodeWebGPUOptions,
  initNodeWebGPU as openNodeWebGPU,
} from '@autodag/backend-webgpu/node';
import { registerNnWebGPUKernels } from '@autodag/ops-nn/webgpu';

export type { NodeWebGPUOptions } from '@autodag/backend-webgpu/node';
// By package name: the build keeps it external, so both entries share one copy.
export * from 'autodag/webgpu';

/**
 * Opens a WebGPU device through Dawn and registers it with every kernel autodag has for it (see
 * `@autodag/backend-webgpu/node`'s `initNodeWebGPU` for the options: Dawn's toggles, the name,
 * garbage collection under GPU pressure).
 * @example await initNodeWebGPU(); torch.ones(3, { device: 'webgpu' })
 */
export async function initNodeWebGPU(options: NodeWebGPUOptions = {}): Promise<WebGPUBackend> {
  const backend = await openNodeWebGPU(options);
  // Those for 'webgpu' were registered on import (and may have been overridden since).
  if (backend.name !== 'webgpu') registerNnWebGPUKernels(backend.name);
  return backend;
}
