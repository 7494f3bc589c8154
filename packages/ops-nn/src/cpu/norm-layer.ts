import { denseData } from '@autodag/backend-cpu';
import type { Kernel } from '@autodag/core';
import { numelOf } from '@autodag/core';
import type { GroupNormAttrs, LayerNormAttrs } from '../kernel-contract.js';

/**
 * Fused CPU forward kernels of layer and group normalisation: per row (a sample's normalised
 * block), shifted statistics accumulated in double precision in one pass, then one pass writing
 * (x - mean)·rstd·weight + bias.
 */

type FloatArray = Float32Array | Float64Array;

/** [mean, rstd] of X[start, start + len). */
function rowStats(X: FloatArray, start: number, len: number, eps: number): [number, number] {
  const K = X[start]!;
  let s = 0;
  let q = 0;
  for (let i = start, end = start + len; i < end; i++) {
    const d = X[i]! - K;
    s += d;
    q += d * d;
  }
  const m = s / len;
  const v = Math.max(q / len - m * m, 0);
  return [K + m, 1 / Math.sqrt(v + eps)];
}

/** Layer norm over the trailing `normalizedShape` dims; weight and bias have that shape. */
export const layerNormKernel: Kernel<LayerNormAttrs> = (
  [x, w, b],
  [out],
  { normalizedShape, eps },
) => {
  const K = numelOf(normalizedShape);
  const X = denseData(x!) as FloatArray;
  const W = denseData(w!) as FloatArray;
  const B = denseData(b!) as FloatArray;
  const O = out!.storage.data as FloatArray;
  if (K === 0) return;
  const rows = X.length / K;
  for (let r = 0; r < rows; r++) {
    const start = r * K;
    const [mean, rstd] = rowStats(X, start, K, eps);
    for (let k = 0; k < K; k++) O[start + k] = (X[start + k]! - mean) * rstd * W[k]! + B[k]!;
  }
};

/** Group norm of (N, C, *) over groups of C/G channels; weight and bias are per channel. */
export const groupNormKernel: Kernel<GroupNormAttrs> = ([x, w, b], [out], { numGroups, eps }) => {
  const N = x!.shape[0]!;
  const C = x!.shape[1]!;
  const X = denseData(x!) as FloatArray;
  const W = denseData(w!) as FloatArray;
  const B = denseData(b!) as FloatArray;
  const O = out!.storage.data as FloatArray;
  if (X.length === 0) return;
  const S = X.length / (N * C);
  const Cg = C / numGroups;
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < numGroups; g++) {
      const start = (n * C + g * Cg) * S;
      const [mean, rstd] = rowStats(X, start, Cg * S, eps);
      for (let j = 0; j < Cg; j++) {
        const ch = g * Cg + j;
        const scale = rstd * W[ch]!;
        const shift = B[ch]! - mean * scale;
        const base = start + j * S;
        for (let i = base, end = base + S; i < end; i++) O[i] = X[i]! * scale + shift;
      }
    }
  }
};
