/// <reference types="@webgpu/types" preserve="true" />
/**
 * @autodag/backend-webgpu: the WebGPU device. `await initWebGPU()` opens `navigator.gpu` (in
 * browsers and Web Workers) and registers the `'webgpu'` device with this package's WGSL
 * kernels for core's ops; in Node, `initNodeWebGPU()` from `@autodag/backend-webgpu/node` does
 * the same through Dawn (the `webgpu` package), so a browser bundle never contains Dawn. The
 * kernel-authoring API (`pointwiseKernel`, `dispatchCompute`, row kernels, see kernel-api.ts) lets
 * other packages contribute WGSL kernels for their ops, as `@autodag/ops-nn/webgpu` does.
 * @packageDocumentation
 */
export type { WebGPUStorage } from './backend.js';
export { WebGPUBackend } from './backend.js';
export type { WebGPUOptions } from './create.js';
export { initWebGPU } from './create.js';
export * from './kernel-api.js';
