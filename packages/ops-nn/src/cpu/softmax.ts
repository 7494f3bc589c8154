import { denseData } from '@autodag/backend-cpu';
import type { Kernel, Tensor } from '@autodag/core';
import type { SoftmaxKernelAttrs } from '../kernel-contract.js';

/** The float typed arrays CPU storages hold for floating tensors. */
type FloatArray = Float32Array | Float64Array;

/**
 * How a tensor splits around `dim`: `outer` blocks of `n` × `inner` values (row-major), so
 * element (o, j, i) sits at `(o * n + j) * inner + i`.
 * @example splitAt([2, 3, 4], 1) // { outer: 2, n: 3, inner: 4 }
 */
export function splitAt(
  shape: readonly number[],
  dim: number,
): { outer: number; n: number; inner: number } {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, n: shape.length === 0 ? 1 : shape[dim]!, inner };
}

/**
 * Softmax (or log-softmax) of contiguous rows: `rows` runs of `n` values starting at `src[s]`,
 * written to `out`. Max-subtraction keeps exp from overflowing; sums are in float64.
 */
function lastDimRows(
  src: FloatArray,
  s: number,
  out: FloatArray,
  rows: number,
  n: number,
  log: boolean,
): void {
  for (let r = 0, base = 0; r < rows; r++, base += n) {
    const x0 = s + base;
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      const v = src[x0 + j]!;
      if (v > m || Number.isNaN(v)) m = v;
    }
    // All -inf (or +inf) rows: shifting by an infinite max gives NaN, as PyTorch's kernel does
    // for +inf; a row of -inf stays NaN in PyTorch too.
    let sum = 0;
    if (log) {
      for (let j = 0; j < n; j++) sum += Math.exp(src[x0 + j]! - m);
      const shift = m + Math.log(sum);
      for (let j = 0; j < n; j++) out[base + j] = src[x0 + j]! - shift;
    } else {
      for (let j = 0; j < n; j++) {
        const e = Math.exp(src[x0 + j]! - m);
        out[base + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j < n; j++) out[base + j] = out[base + j]! * inv;
    }
  }
}

/**
 * Softmax along a dim that is not the last: for each outer block, the `inner` columns are
 * reduced side by side (the inner loop runs over contiguous memory), with per-column max and
 * sum in float64 scratch arrays.
 */
function innerDimBlocks(
  src: FloatArray,
  out: FloatArray,
  outer: number,
  n: number,
  inner: number,
  log: boolean,
): void {
  const m = new Float64Array(inner);
  const sum = new Float64Array(inner);
  const block = n * inner;
  for (let o = 0; o < outer; o++) {
    const b = o * block;
    m.fill(Number.NEGATIVE_INFINITY);
    sum.fill(0);
    for (let j = 0, p = b; j < n; j++) {
      for (let i = 0; i < inner; i++, p++) {
        const v = src[p]!;
        if (v > m[i]! || Number.isNaN(v)) m[i] = v;
      }
    }
    for (let j = 0, p = b; j < n; j++) {
      for (let i = 0; i < inner; i++, p++) {
        const e = Math.exp(src[p]! - m[i]!);
        if (!log) out[p] = e;
        sum[i] += e;
      }
    }
    if (log) {
      for (let i = 0; i < inner; i++) sum[i] = m[i]! + Math.log(sum[i]!);
      for (let j = 0, p = b; j < n; j++) {
        for (let i = 0; i < inner; i++, p++) out[p] = src[p]! - sum[i]!;
      }
    } else {
      for (let i = 0; i < inner; i++) sum[i] = 1 / sum[i]!;
      for (let j = 0, p = b; j < n; j++) {
        for (let i = 0; i < inner; i++, p++) out[p] = out[p]! * sum[i]!;
      }
    }
  }
}

function softmaxInto(x: Tensor, out: Tensor, dim: number, log: boolean): void {
  const o = out.storage.data as FloatArray;
  if (o.length === 0) return;
  const { outer, n, inner } = splitAt(x.shape, dim);
  if (inner === 1 && x.isContiguous()) {
    // Fast path: read the rows in place from the storage.
    lastDimRows(x.storage.data as FloatArray, x.offset, o, outer, n, log);
    return;
  }
  const src = denseData(x) as FloatArray;
  if (inner === 1) lastDimRows(src, 0, o, outer, n, log);
  else innerDimBlocks(src, o, outer, n, inner, log);
}

/**
 * CPU kernel of `nn.softmax`: exp(x − max) / Σ exp(x − max) along `dim`.
 * @example registerKernel('nn.softmax', 'cpu', softmaxKernel)
 */
export const softmaxKernel: Kernel<SoftmaxKernelAttrs> = ([x], [out], { dim }) =>
  softmaxInto(x!, out!, dim, false);

/**
 * CPU kernel of `nn.logSoftmax`: x − max − log Σ exp(x − max) along `dim`.
 * @example registerKernel('nn.logSoftmax', 'cpu', logSoftmaxKernel)
 */
export const logSoftmaxKernel: Kernel<SoftmaxKernelAttrs> = ([x], [out], { dim }) =>
  softmaxInto(x!, out!, dim, true);

/**
 * The input gradient of softmax (`log` false: y·(g − Σ g·y)) or log-softmax (`log` true:
 * g − exp(y)·Σ g) from the output gradient `g` and the forward's output `y`, one pass to reduce
 * and one to write, per row (contiguous rows) or per block of columns (other dims).
 */
function softmaxBackwardInto(g: Tensor, y: Tensor, out: Tensor, dim: number, log: boolean): void {
  const o = out.storage.data as FloatArray;
  if (o.length === 0) return;
  const gs = denseData(g) as FloatArray;
  const ys = denseData(y) as FloatArray;
  const { outer, n, inner } = splitAt(y.shape, dim);
  if (inner === 1) {
    for (let r = 0, b = 0; r < outer; r++, b += n) {
      let s = 0;
      if (log) {
        for (let j = b; j < b + n; j++) s += gs[j]!;
        for (let j = b; j < b + n; j++) o[j] = gs[j]! - Math.exp(ys[j]!) * s;
      } else {
        for (let j = b; j < b + n; j++) s += gs[j]! * ys[j]!;
        for (let j = b; j < b + n; j++) o[j] = ys[j]! * (gs[j]! - s);
      }
    }
    return;
  }
  const s = new Float64Array(inner);
  const block = n * inner;
  for (let ob = 0; ob < outer; ob++) {
    const b = ob * block;
    s.fill(0);
    for (let j = 0, p = b; j < n; j++) {
      for (let i = 0; i < inner; i++, p++) s[i] += log ? gs[p]! : gs[p]! * ys[p]!;
    }
    for (let j = 0, p = b; j < n; j++) {
      for (let i = 0; i < inner; i++, p++) {
        o[p] = log ? gs[p]! - Math.exp(ys[p]!) * s[i]! : ys[p]! * (gs[p]! - s[i]!);
      }
    }
  }
}

/**
 * CPU kernel of `nn.softmaxBackward`: inputs (grad, output), result y·(g − Σ g·y) along `dim`.
 * @example registerKernel('nn.softmaxBackward', 'cpu', softmaxBackwardKernel)
 */
export const softmaxBackwardKernel: Kernel<SoftmaxKernelAttrs> = ([g, y], [out], { dim }) =>
  softmaxBackwardInto(g!, y!, out!, dim, false);

/**
 * CPU kernel of `nn.logSoftmaxBackward`: inputs (grad, output), result g − exp(y)·Σ g along `dim`.
 * @example registerKernel('nn.logSoftmaxBackward', 'cpu', logSoftmaxBackwardKernel)
 */
export const logSoftmaxBackwardKernel: Kernel<SoftmaxKernelAttrs> = ([g, y], [out], { dim }) =>
  softmaxBackwardInto(g!, y!, out!, dim, true);
