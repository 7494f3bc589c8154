import { denseData } from '@autodag/backend-cpu';
import type { Kernel, Tensor } from '@autodag/core';

/**
 * Fused CPU kernels of batch normalisation over (N, C, *) inputs. Statistics are accumulated in
 * double precision in one pass, shifted by the channel's first element (so E[x²] - E[x]² does not
 * cancel when the mean is large next to the spread); a second pass writes the result. The
 * backward kernel recomputes the statistics exactly as the forward did (same shift, same
 * order), so it needs neither saved mean nor variance.
 */

type FloatArray = Float32Array | Float64Array;

/** Attributes of the batch-norm kernels. */
export interface BatchNormKernelAttrs {
  /** Added to the variance before the square root. */
  eps: number;
}

/** (N, C, S): batch, channels, and elements per (sample, channel) block. */
function dims(x: Tensor): [number, number, number] {
  const n = x.shape[0]!;
  const c = x.shape[1]!;
  const s = n * c === 0 ? 0 : x.numel() / (n * c);
  return [n, c, s];
}

/**
 * Shifted sums of one channel: [Σ(x-K), Σ(x-K)²] with K its first element. Each (sample,
 * channel) block is read 8 elements per step into four pairs of accumulators: independent sums
 * break the add-latency chain, and the loop is tested once per 8 elements. (Views of each block
 * starting at 0 would cost more than they save on blocks of a few hundred elements.)
 */
function channelSums(
  X: FloatArray,
  c: number,
  N: number,
  C: number,
  S: number,
  K: number,
): [number, number] {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  for (let n = 0; n < N; n++) {
    let i = (n * C + c) * S;
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
  }
  return [s0 + s1 + s2 + s3, q0 + q1 + q2 + q3];
}

/** [Σ(x-K), Σ(x-K)², Σg, Σg·(x-K)] of one channel in one pass over x and g (as channelSums). */
function gradSums(
  G: FloatArray,
  X: FloatArray,
  c: number,
  N: number,
  C: number,
  S: number,
  K: number,
  out: Float64Array,
): void {
  let s0 = 0;
  let s1 = 0;
  let q0 = 0;
  let q1 = 0;
  let g0 = 0;
  let g1 = 0;
  let p0 = 0;
  let p1 = 0;
  for (let n = 0; n < N; n++) {
    let i = (n * C + c) * S;
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
  }
  out[0] = s0 + s1;
  out[1] = q0 + q1;
  out[2] = g0 + g1;
  out[3] = p0 + p1;
}

/** out[n, c, s] = x·scale[c] + shift[c] over the dense input, 8 elements per step. */
function affine(
  X: FloatArray,
  O: FloatArray,
  c: number,
  N: number,
  C: number,
  S: number,
  scale: number,
  shift: number,
): void {
  for (let n = 0; n < N; n++) {
    let i = (n * C + c) * S;
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
}

/** gi = c0·g - ck·x + shift over one channel, 8 elements per step. */
function gradInput(
  G: FloatArray,
  X: FloatArray,
  GI: FloatArray,
  c: number,
  N: number,
  C: number,
  S: number,
  c0: number,
  ck: number,
  shift: number,
): void {
  for (let n = 0; n < N; n++) {
    let i = (n * C + c) * S;
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
  for (let c = 0; c < C; c++) {
    const K = count ? X[c * S]! : 0;
    const [sum, sq] = channelSums(X, c, N, C, S, K);
    const m = sum / count;
    const v = Math.max(sq / count - m * m, 0);
    const mu = K + m;
    M[c] = mu;
    V[c] = v;
    const scale = W[c]! / Math.sqrt(v + eps);
    affine(X, O, c, N, C, S, scale, B[c]! - mu * scale);
  }
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
  for (let c = 0; c < C; c++) {
    const scale = W[c]! / Math.sqrt(RV[c]! + eps);
    affine(X, O, c, N, C, S, scale, B[c]! - RM[c]! * scale);
  }
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
  const sums = new Float64Array(4);
  for (let c = 0; c < C; c++) {
    const K = count ? X[c * S]! : 0;
    gradSums(G, X, c, N, C, S, K, sums);
    const sum = sums[0]!;
    const sq = sums[1]!;
    const sg = sums[2]!;
    const sgd = sums[3]!;
    const m = sum / count;
    const v = Math.max(sq / count - m * m, 0);
    const mu = K + m;
    const invstd = 1 / Math.sqrt(v + eps);
    // Σ g·(x - mean) from the shifted sum.
    const s2 = sgd - m * sg;
    GW[c] = invstd * s2;
    GB[c] = sg;
    const c0 = W[c]! * invstd;
    const k = (invstd * invstd * s2) / count;
    const ck = c0 * k;
    const shift = c0 * (k * mu - sg / count);
    gradInput(G, X, GI, c, N, C, S, c0, ck, shift);
  }
};
