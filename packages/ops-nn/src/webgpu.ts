/**
 * `@autodag/ops-nn/webgpu`: WGSL kernels for the nn ops (convolution, pooling, activations,
 * softmax, normalisation, losses), written with `@autodag/backend-webgpu`'s public
 * kernel-authoring API as any plugin's would be. Importing it registers them for the device
 * named `'webgpu'`, before or after `initWebGPU()` runs; ops without a kernel here run through
 * their decompositions or fail naming the devices that have one.
 * @example
 * import '@autodag/ops-nn/webgpu';
 * import { initWebGPU } from '@autodag/backend-webgpu';
 * await initWebGPU();
 * @packageDocumentation
 */
// By package name: the build keeps it external, so the ops are defined once, by the main entry.
import '@autodag/ops-nn';
import { registerActivationKernels } from './webgpu/activation.js';
import { registerConvKernels } from './webgpu/conv.js';
import { registerLossKernels } from './webgpu/loss.js';
import { registerNormKernels } from './webgpu/norm.js';
import { registerPoolKernels } from './webgpu/pool.js';
import { registerSoftmaxKernels } from './webgpu/softmax.js';

/**
 * Registers the nn ops' WGSL kernels for the WebGPU device named `device` (done on import for
 * `'webgpu'`; call it for a device opened under another name).
 * @example
 * await initWebGPU({ name: 'gpu1' });
 * registerNnWebGPUKernels('gpu1');
 */
export function registerNnWebGPUKernels(device = 'webgpu'): void {
  registerActivationKernels(device);
  registerSoftmaxKernels(device);
  registerNormKernels(device);
  registerLossKernels(device);
  registerConvKernels(device);
  registerPoolKernels(device);
}

registerNnWebGPUKernels();
