import type { TypedArray } from '@autodag/core';
import { getRuntime } from './runtime.js';

/**
 * x[xi + k] += (col[a + k] + col[b + k]) + col[c + k] for k < n: three runs of `col` added into
 * one of `x` (a column matrix scattered back into an image, three kernel taps at a time). Runs on
 * the SIMD kernel when both arrays are float32 views of the kernels' memory, as the `data` handed
 * to a `GemmBatch` `use` callback is; a JS loop otherwise. The `x` run must not overlap the others.
 * @example addSum3(x, 0, col, 0, 196, 392, 196)
 */
export function addSum3(
  x: TypedArray,
  xi: number,
  col: TypedArray,
  a: number,
  b: number,
  c: number,
  n: number,
): void {
  let k = 0;
  const rt = getRuntime();
  if (
    rt &&
    n >= 8 &&
    x instanceof Float32Array &&
    col instanceof Float32Array &&
    x.buffer === rt.memory.buffer &&
    col.buffer === rt.memory.buffer
  ) {
    k = n & ~3;
    const d = x.byteOffset + 4 * xi;
    const s = col.byteOffset;
    rt.add3(d, s + 4 * a, s + 4 * b, s + 4 * c, k >> 2);
  }
  for (; k < n; k++) x[xi + k] += col[a + k]! + col[b + k]! + col[c + k]!;
}
