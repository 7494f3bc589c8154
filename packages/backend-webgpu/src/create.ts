import { registerBackend } from '@autodag/core';
import { WebGPUBackend } from './backend.js';
import { GpuContext } from './context.js';
import { registerKernels } from './kernels/index.js';
import { requiredLimits } from './limits.js';
import { checkAdapter, knownAnswerTest } from './smoke.js';

/** Options of `initWebGPU`. */
export interface WebGPUOptions {
  /** The WebGPU entry point: `navigator.gpu` in browsers (the default), Dawn's in Node. */
  gpu?: GPU;
  /** Options for `requestAdapter` (Dawn's software adapters need `featureLevel: 'compatibility'`). */
  adapterOptions?: GPURequestAdapterOptions & { featureLevel?: string };
  /** Device name (default `'webgpu'`). */
  name?: string;
  /**
   * Requests a full garbage collection, so buffers of tensors dropped without `dispose()` come
   * back before they pile up (see collection.ts). Browsers offer none; `initNodeWebGPU` passes
   * V8's.
   */
  collectGarbage?: (() => void) | null;
  /**
   * Use the adapter's `subgroups` feature where it has it (default true): reductions then
   * combine across subgroup lanes by shuffles before using workgroup memory.
   */
  subgroups?: boolean;
}

/** Optional features the kernels use where the adapter offers them. */
function wantedFeatures(adapter: GPUAdapter, options: WebGPUOptions): GPUFeatureName[] {
  const wanted: GPUFeatureName[] = [];
  if (options.subgroups !== false && adapter.features.has('subgroups')) {
    wanted.push('subgroups' as GPUFeatureName);
  }
  return wanted;
}

/**
 * Opens a WebGPU device, checks that it computes correctly (Dawn's null adapter and broken
 * drivers claim everything and compute garbage), and registers it as a device with every kernel
 * of this package. Resolves with the backend. Rejects, naming the limit, when the adapter lacks
 * a limit the kernels need (see limits.ts).
 * @example await initWebGPU(); const x = torch.ones(3, { device: 'webgpu' });
 */
export async function initWebGPU(options: WebGPUOptions = {}): Promise<WebGPUBackend> {
  const gpu = options.gpu ?? (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) {
    throw new Error(
      "initWebGPU: this runtime has no WebGPU (navigator.gpu is undefined); in Node, import '@autodag/backend-webgpu/node' (it uses the webgpu package)",
    );
  }
  const adapter = await gpu.requestAdapter(options.adapterOptions);
  if (!adapter) throw new Error('initWebGPU: no WebGPU adapter is available');
  checkAdapter(adapter);
  const limits = requiredLimits(adapter);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: limits,
      requiredFeatures: wantedFeatures(adapter, options),
    });
  } catch (e) {
    throw new Error(
      `initWebGPU: the adapter refused a device with the limits ${JSON.stringify(limits)}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const backend = new WebGPUBackend(new GpuContext(device, options.name), {
    name: options.name,
    collectGarbage: options.collectGarbage,
  });
  await knownAnswerTest(device);
  registerBackend(backend);
  registerKernels(backend);
  return backend;
}
