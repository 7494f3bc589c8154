/**
 * Whether the WebAssembly kernels loaded, and why not. The CPU backend falls back to its JS
 * kernels when they cannot load; a page whose Content-Security-Policy forbids compiling
 * WebAssembly is the common cause in browsers, and the fallback is about 12x slower for matrix
 * products, so that case is reported once on the console instead of passing silently.
 */

/** What `wasmKernelStatus()` reports. */
export interface WasmKernelStatus {
  /** The WebAssembly SIMD kernels are in use. */
  readonly available: boolean;
  /** They use relaxed SIMD's fused multiply-add. */
  readonly relaxedSimd: boolean;
  /** Why they are not in use (null when they are). */
  readonly reason: string | null;
}

let status: WasmKernelStatus = { available: false, relaxedSimd: false, reason: null };

/** The status recorded by the last load attempt (see `wasmKernelStatus` in ./runtime.ts). */
export function currentStatus(): WasmKernelStatus {
  return status;
}

/** Records a successful load. */
export function markLoaded(relaxedSimd: boolean): void {
  status = { available: true, relaxedSimd, reason: null };
}

let warned = false;

/** Records a failed load and warns once, naming the CSP directive when that is the cause. */
export function markFailed(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const blockedByCsp = /content security policy|\bcsp\b|unsafe-eval|wasm-eval/i.test(message);
  const reason = blockedByCsp
    ? "the page's Content-Security-Policy does not allow compiling WebAssembly: add 'wasm-unsafe-eval' to its script-src directive"
    : `WebAssembly SIMD is unavailable (${message})`;
  status = { available: false, relaxedSimd: false, reason };
  if (warned) return;
  warned = true;
  console.warn(
    `autodag: the CPU backend runs without its WebAssembly kernels (matrix products about 12x slower): ${reason}.`,
  );
}

/** Records that this runtime has no WebAssembly at all (no warning: nothing to fix). */
export function markAbsent(): void {
  status = { available: false, relaxedSimd: false, reason: 'this runtime has no WebAssembly' };
}
