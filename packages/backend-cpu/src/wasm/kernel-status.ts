import { getRuntime } from './runtime.js';
import { currentStatus, type WasmKernelStatus } from './status.js';

// Apart from runtime.ts so that the public declarations never name WebAssembly's types, which
// projects without the DOM lib do not have.

/**
 * Whether the CPU backend's WebAssembly kernels are in use, and why not (loads them if needed).
 * @example if (!wasmKernelStatus().available) console.log(wasmKernelStatus().reason)
 */
export function wasmKernelStatus(): WasmKernelStatus {
  getRuntime();
  return currentStatus();
}
