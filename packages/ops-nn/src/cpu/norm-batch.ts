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

/** Shifted sums of one channel: [Σ(x-K), Σ(x-K)²] with K its first element. */
function channelSums(
  X: FloatArray,
  c: number,
  N: number,
  C: number,
  S: number,
  K: number,
): [number, number] {
  let sum = 0;
  let sq = 0;
  for (let n = 0; n < N; n++) {
    const base = (n * C + c) * S;
    for (let i = base, end = base + S; i < end; i++) {
      const d = X[i]! - K;
      sum += d;
      sq += d * d;
    }
  }
  return [sum, sq];
}

/** out[n, c, s] = x·scale[c] + shift[c] over the dense input. */
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
    const base = (n * C + c) * S;
    for (let i = base, end = base + S; i < end; i++) O[i] = X[i]! * scale + shift;
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
  for (let c = 0; c < C; c++) {
    const K = count ? X[c * S]! : 0;
    const [sum, sq] = channelSums(X, c, N, C, S, K);
    let sg = 0;
    let sgd = 0;
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      for (let i = base, end = base + S; i < end; i++) {
        const gv = G[i]!;
        sg += gv;
        sgd += gv * (X[i]! - K);
      }
    }
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
    for (let n = 0; n < N; n++) {
      const base = (n * C + c) * S;
      for (let i = base, end = base + S; i < end; i++) GI[i] = c0 * G[i]! - ck * X[i]! + shift;
    }
  }
};
