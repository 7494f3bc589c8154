/**
 * `autodag/webgpu`: the WebGPU device with every kernel autodag has for it, core's and
 * `torch.nn`'s. For browsers and Web Workers (`navigator.gpu`); in Node, use
 * `autodag/webgpu-node`. Nothing here loads Dawn, so a browser bundle stays free of it.
 * @example
 * import * as torch from 'autodag';
 * import { initWebGPU } from 'autodag/webgpu';
 * await initWebGPU();
 * const y = torch.nn.functional.softmax(torch.randn(4, 10, { device: 'webgpu' }), 1);
 * console.log(await y.array());
 * @packageDocumentation
 */
import {
  initWebGPU as openWebGPU,
  type WebGPUBackend,
  type WebGPUOptions,
} from '@autodag/backend-webgpu';
import { registerNnWebGPUKernels } from '@autodag/ops-nn/webgpu';

export type { WebGPUOptions, WebGPUStorage } from '@autodag/backend-webgpu';
export { WebGPUBackend } from '@autodag/backend-webgpu';

/**
 * Opens a WebGPU device and registers it (see `@autodag/backend-webgpu`'s `initWebGPU`: the
 * adapter is checked with a known-answer kernel first). The `torch.nn` kernels are registered for
 * `'webgpu'` when this module loads; a device opened under another `name` gets them here.
 * @example await initWebGPU(); torch.ones(3, { device: 'webgpu' })
 */
export async function initWebGPU(options: WebGPUOptions = {}): Promise<WebGPUBackend> {
  const backend = await openWebGPU(options);
  // Those for 'webgpu' were registered on import (and may have been overridden since).
  if (backend.name !== 'webgpu') registerNnWebGPUKernels(backend.name);
  return backend;
}
