/// <reference types="@webgpu/types" preserve="true" />
/**
 * @autodag/backend-webgpu: the WebGPU device. `await initWebGPU()` opens `navigator.gpu` (in
 * browsers and Web Workers) and registers the `'webgpu'` device with this package's WGSL
 * kernels; in Node, `initNodeWebGPU()` from `@autodag/backend-webgpu/node` does the same through
 * Dawn (the `webgpu` package), so a browser bundle never contains Dawn.
 * @packageDocumentation
 */
export type { WebGPUStorage } from './backend.js';
export { WebGPUBackend } from './backend.js';
export type { WebGPUOptions } from './create.js';
export { initWebGPU } from './create.js';
