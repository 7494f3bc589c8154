import { denseData } from '@autodag/backend-cpu';
import type { Kernel, Tensor } from '@autodag/core';
import type { BatchNormKernelAttrs } from '../kernel-contract.js';

/**
 * Fused CPU kernels of batch normalisation over (N, C, *) inputs. Statistics are accumulated in
 * double precision (as PyTorch's CPU kernel does for float32) in one pass, shifted by the
 * channel's first element (so E[x²] - E[x]² does not cancel when the mean is large next to the
 * spread); a second pass writes the result. Both passes walk memory in order, (sample, channel)
 * block after block, with per-channel accumulators and coefficients: measured in a training
 * step, streaming beats finishing one channel (N blocks far apart) before the next. The
 * backward kernel recomputes the statistics exactly as the forward did (same shift, same
 * order), so it needs neither saved mean nor variance.
 */

type FloatArray = Float32Array | Float64Array;

/** (N, C, S): batch, channels, and elements per (sample, channel) block. */
function dims(x: Tensor): [number, number, number] {
  const n = x.shape[0]!;
  const c = x.shape[1]!;
  const s = n * c === 0 ? 0 : x.numel() / (n * c);
  return [n, c, s];
}

/**
 * Adds the shifted sums of the block x[i, i + S) to acc[2c], acc[2c + 1]: Σ(x-K), Σ(x-K)². Eight
 * elements per step into four pairs of accumulators: independent sums break the add-latency
 * chain, and the loop is tested once per 8 elements. (Flat indices: a view per block would cost
 * more than it saves on blocks of a few hundred elements.)
 */
function blockSums(
  X: FloatArray,
  i: number,
  S: number,
  K: number,
  acc: Float64Array,
  c: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  const end = i + S;
  for (const m = end - 7; i < m; i += 8) {
    const d0 = X[i]! - K;
    const d1 = X[i + 1]! - K;
    const d2 = X[i + 2]! - K;
    const d3 = X[i + 3]! - K;
    const e0 = X[i + 4]! - K;
    const e1 = X[i + 5]! - K;
    const e2 = X[i + 6]! - K;
    const e3 = X[i + 7]! - K;
    s0 += d0 + e0;
    s1 += d1 + e1;
    s2 += d2 + e2;
    s3 += d3 + e3;
    q0 += d0 * d0 + e0 * e0;
    q1 += d1 * d1 + e1 * e1;
    q2 += d2 * d2 + e2 * e2;
    q3 += d3 * d3 + e3 * e3;
  }
  for (; i < end; i++) {
    const d = X[i]! - K;
    s0 += d;
    q0 += d * d;
  }
  acc[2 * c] += s0 + s1 + s2 + s3;
  acc[2 * c + 1] += q0 + q1 + q2 + q3;
}

/**
 * Adds [Σ(x-K), Σ(x-K)², Σg, Σg·(x-K)] of the block [i, i + S) of x and g to acc[4c..4c+3]
 * (as blockSums, four elements per step).
 */
function blockGradSums(
  G: FloatArray,
  X: FloatArray,
  i: number,
  S: number,
  K: number,
  acc: Float64Array,
  c: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let q0 = 0;
  let q1 = 0;
  let g0 = 0;
  let g1 = 0;
  let p0 = 0;
  let p1 = 0;
  const end = i + S;
  for (const m = end - 3; i < m; i += 4) {
    const d0 = X[i]! - K;
    const d1 = X[i + 1]! - K;
    const d2 = X[i + 2]! - K;
    const d3 = X[i + 3]! - K;
    const a0 = G[i]!;
    const a1 = G[i + 1]!;
    const a2 = G[i + 2]!;
    const a3 = G[i + 3]!;
    s0 += d0 + d2;
    s1 += d1 + d3;
    q0 += d0 * d0 + d2 * d2;
    q1 += d1 * d1 + d3 * d3;
    g0 += a0 + a2;
    g1 += a1 + a3;
    p0 += a0 * d0 + a2 * d2;
    p1 += a1 * d1 + a3 * d3;
  }
  for (; i < end; i++) {
    const d = X[i]! - K;
    const a = G[i]!;
    s0 += d;
    q0 += d * d;
    g0 += a;
    p0 += a * d;
  }
  acc[4 * c] += s0 + s1;
  acc[4 * c + 1] += q0 + q1;
  acc[4 * c + 2] += g0 + g1;
  acc[4 * c + 3] += p0 + p1;
}

/** O[i, i + S) = X·scale + shift, eight elements per step. */
function blockAffine(
  X: FloatArray,
  O: FloatArray,
  i: number,
  S: number,
  scale: number,
  shift: number,
): void {
  const end = i + S;
  for (const m = end - 7; i < m; i += 8) {
    O[i] = X[i]! * scale + shift;
    O[i + 1] = X[i + 1]! * scale + shift;
    O[i + 2] = X[i + 2]! * scale + shift;
    O[i + 3] = X[i + 3]! * scale + shift;
    O[i + 4] = X[i + 4]! * scale + shift;
    O[i + 5] = X[i + 5]! * scale + shift;
    O[i + 6] = X[i + 6]! * scale + shift;
    O[i + 7] = X[i + 7]! * scale + shift;
  }
  for (; i < end; i++) O[i] = X[i]! * scale + shift;
}

/** GI[i, i + S) = c0·G - ck·X + shift, eight elements per step. */
function blockGradInput(
  G: FloatArray,
  X: FloatArray,
  GI: FloatArray,
  i: number,
  S: number,
  c0: number,
  ck: number,
  shift: number,
): void {
  const end = i + S;
  for (const m = end - 7; i < m; i += 8) {
    GI[i] = c0 * G[i]! - ck * X[i]! + shift;
    GI[i + 1] = c0 * G[i + 1]! - ck * X[i + 1]! + shift;
    GI[i + 2] = c0 * G[i + 2]! - ck * X[i + 2]! + shift;
    GI[i + 3] = c0 * G[i + 3]! - ck * X[i + 3]! + shift;
    GI[i + 4] = c0 * G[i + 4]! - ck * X[i + 4]! + shift;
    GI[i + 5] = c0 * G[i + 5]! - ck * X[i + 5]! + shift;
    GI[i + 6] = c0 * G[i + 6]! - ck * X[i + 6]! + shift;
    GI[i + 7] = c0 * G[i + 7]! - ck * X[i + 7]! + shift;
  }
  for (; i < end; i++) GI[i] = c0 * G[i]! - ck * X[i]! + shift;
}

/** Each channel's shift K: its first element (0 for an empty input). */
function shifts(X: FloatArray, C: number, S: number, count: number): Float64Array {
  const K = new Float64Array(C);
  if (count) for (let c = 0; c < C; c++) K[c] = X[c * S]!;
  return K;
}

/** out = x·scale[c] + shift[c] over the dense (N, C, S) input, block after block. */
function affine(
  X: FloatArray,
  O: FloatArray,
  N: number,
  C: number,
  S: number,
  scale: Float64Array,
  shift: Float64Array,
): void {
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++, i += S) blockAffine(X, O, i, S, scale[c]!, shift[c]!);
  }
}

/**
 * Training forward: inputs (input, weight, bias), outputs (normalised, batch mean, biased batch
 * variance), normalising with the batch statistics.
 */
export const batchNormTrainKernel: Kernel<BatchNormKernelAttrs> = (
  [x, w, b],
  [out, mean, variance],
  { eps },
) => {
  const [N, C, S] = dims(x!);
  const X = denseData(x!) as FloatArray;
  const W = denseData(w!) as FloatArray;
  const B = denseData(b!) as FloatArray;
  const O = out!.storage.data as FloatArray;
  const M = mean!.storage.data as FloatArray;
  const V = variance!.storage.data as FloatArray;
  const count = N * S;
  const K = shifts(X, C, S, count);
  const acc = new Float64Array(2 * C);
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++, i += S) blockSums(X, i, S, K[c]!, acc, c);
  }
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const m = acc[2 * c]! / count;
    const v = Math.max(acc[2 * c + 1]! / count - m * m, 0);
    const mu = K[c]! + m;
    M[c] = mu;
    V[c] = v;
    scale[c] = W[c]! / Math.sqrt(v + eps);
    shift[c] = B[c]! - mu * scale[c]!;
  }
  affine(X, O, N, C, S, scale, shift);
};

/** Evaluation forward: inputs (input, runningMean, runningVar, weight, bias), output normalised. */
export const batchNormEvalKernel: Kernel<BatchNormKernelAttrs> = (
  [x, rm, rv, w, b],
  [out],
  { eps },
) => {
  const [N, C, S] = dims(x!);
  const X = denseData(x!) as FloatArray;
  const RM = denseData(rm!) as FloatArray;
  const RV = denseData(rv!) as FloatArray;
  const W = denseData(w!) as FloatArray;
  const B = denseData(b!) as FloatArray;
  const O = out!.storage.data as FloatArray;
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    scale[c] = W[c]! / Math.sqrt(RV[c]! + eps);
    shift[c] = B[c]! - RM[c]! * scale[c]!;
  }
  affine(X, O, N, C, S, scale, shift);
};

/**
 * Training backward: inputs (gradOutput, input, weight), outputs (gradInput, gradWeight,
 * gradBias) by the closed form gradInput = w·invstd·(g - mean(g) - x̂·mean(g·x̂)).
 */
export const batchNormBackwardKernel: Kernel<BatchNormKernelAttrs> = (
  [g, x, w],
  [gi, gw, gb],
  { eps },
) => {
  const [N, C, S] = dims(x!);
  const G = denseData(g!) as FloatArray;
  const X = denseData(x!) as FloatArray;
  const W = denseData(w!) as FloatArray;
  const GI = gi!.storage.data as FloatArray;
  const GW = gw!.storage.data as FloatArray;
  const GB = gb!.storage.data as FloatArray;
  const count = N * S;
  const K = shifts(X, C, S, count);
  const acc = new Float64Array(4 * C);
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++, i += S) blockGradSums(G, X, i, S, K[c]!, acc, c);
  }
  const c0 = new Float64Array(C);
  const ck = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const sg = acc[4 * c + 2]!;
    const m = acc[4 * c]! / count;
    const v = Math.max(acc[4 * c + 1]! / count - m * m, 0);
    const mu = K[c]! + m;
    const invstd = 1 / Math.sqrt(v + eps);
    // Σ g·(x - mean) from the shifted sum.
    const s2 = acc[4 * c + 3]! - m * sg;
    GW[c] = invstd * s2;
    GB[c] = sg;
    c0[c] = W[c]! * invstd;
    const k = (invstd * invstd * s2) / count;
    ck[c] = c0[c]! * k;
    shift[c] = c0[c]! * (k * mu - sg / count);
  }
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++, i += S) {
      blockGradInput(G, X, GI, i, S, c0[c]!, ck[c]!, shift[c]!);
    }
  }
};
