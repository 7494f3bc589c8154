import { measure } from './harness.js';

/**
 * What keeping CPU storage in plain typed arrays costs the WebAssembly kernels: copying operands
 * into the kernels' memory and results back out. Measured for the benchmark's largest elementwise
 * case (two 1M-element float32 inputs in, one out), where copies weigh most; matrix products pack
 * their operands into register tiles anyway, and reused weights stay mirrored (see
 * packages/backend-cpu/src/wasm/runtime.ts).
 */
export function storageCopyCost(rounds: number): { copyInOutMs: number; elements: number } {
  const n = 1 << 20;
  const a = new Float32Array(n).fill(1);
  const b = new Float32Array(n).fill(2);
  const out = new Float32Array(n);
  const memory = new WebAssembly.Memory({ initial: Math.ceil((3 * n * 4) / 65536) });
  const view = new Float32Array(memory.buffer);
  const m = measure(
    () => {
      view.set(a, 0);
      view.set(b, n);
      out.set(view.subarray(2 * n, 3 * n));
    },
    { rounds },
  );
  return { copyInOutMs: m.medianMs, elements: n };
}
