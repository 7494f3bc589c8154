import { denseData } from '@autodag/backend-cpu';
import type { Kernel } from '@autodag/core';
import type { NllBackwardKernelAttrs, NllKernelAttrs } from '../kernel-contract.js';
import { splitAt } from './softmax.js';

type FloatArray = Float32Array | Float64Array;

/**
 * How an NLL input (N, C, d1, ...) or unbatched (C) splits around its class dim: element
 * (n, c, k) sits at `(n * classes + c) * inner + k`.
 * @example nllLayout([4, 10]) // { classes: 10, inner: 1 }
 */
export function nllLayout(shape: readonly number[]): { classes: number; inner: number } {
  const { n, inner } = splitAt(shape, shape.length === 1 ? 0 : 1);
  return { classes: n, inner };
}

/**
 * Checks a class index, with an error naming the op, the bad value and the class count.
 * @example checkTarget(12, 10, -100, 'crossEntropy') // throws
 */
function checkTarget(t: number, classes: number, ignoreIndex: number, name: string): void {
  if (t < 0 || t >= classes) {
    throw new RangeError(
      `${name}: target ${t} is out of bounds: expected class indices in [0, ${classes}) (or ignoreIndex ${ignoreIndex}) for an input with ${classes} classes`,
    );
  }
}

/**
 * Sum of the weights of the non-ignored targets: the divisor of the `'mean'` reduction.
 * Validates every target on the way.
 */
function totalWeight(
  target: Int32Array,
  weight: FloatArray,
  classes: number,
  ignoreIndex: number,
  name: string,
): number {
  let total = 0;
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    if (t === ignoreIndex) continue;
    checkTarget(t, classes, ignoreIndex, name);
    total += weight[t]!;
  }
  return total;
}

/**
 * CPU kernel of `nn.nllLoss`: −weight[t]·input[n, t, k] for each target t = target[n, k] (0 where
 * t is ignoreIndex), summed, averaged by the total weight, or kept per target. A gather: it reads
 * one element per target, so cost grows with N·d1·…, not with the number of classes.
 * @example registerKernel('nn.nllLoss', 'cpu', nllLossKernel)
 */
export const nllLossKernel: Kernel<NllKernelAttrs> = ([x, target, weight], [out], attrs) => {
  const name = attrs.caller ?? 'nllLoss';
  const { classes, inner } = nllLayout(x!.shape);
  const xs = denseData(x!) as FloatArray;
  const ts = denseData(target!) as Int32Array;
  const ws = denseData(weight!) as FloatArray;
  const o = out!.storage.data as FloatArray;
  const ignore = attrs.ignoreIndex;
  const none = attrs.reduction === 'none';
  let sum = 0;
  let total = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t === ignore) {
      if (none) o[i] = 0;
      continue;
    }
    checkTarget(t, classes, ignore, name);
    const k = i % inner;
    const n = (i - k) / inner;
    const w = ws[t]!;
    const v = -w * xs[(n * classes + t) * inner + k]!;
    if (none) o[i] = v;
    else {
      sum += v;
      total += w;
    }
  }
  // An all-ignored mean is 0/0 = NaN, as in PyTorch.
  if (!none) o[0] = attrs.reduction === 'mean' ? sum / total : sum;
};

/**
 * CPU kernel of `nn.nllLossBackward`: the input gradient of NLL, zero except at each target's
 * class, where it is −weight[t]·grad (divided by the total weight for `'mean'`).
 * @example registerKernel('nn.nllLossBackward', 'cpu', nllLossBackwardKernel)
 */
export const nllLossBackwardKernel: Kernel<NllBackwardKernelAttrs> = (
  [grad, target, weight],
  [out],
  attrs,
) => {
  const name = attrs.caller ?? 'nllLoss';
  const { classes, inner } = nllLayout(attrs.inputShape);
  const gs = denseData(grad!) as FloatArray;
  const ts = denseData(target!) as Int32Array;
  const ws = denseData(weight!) as FloatArray;
  const o = out!.storage.data as FloatArray;
  o.fill(0);
  const ignore = attrs.ignoreIndex;
  const none = attrs.reduction === 'none';
  let scale = none ? 1 : gs[0]!;
  if (attrs.reduction === 'mean') scale /= totalWeight(ts, ws, classes, ignore, name);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (t === ignore) continue;
    checkTarget(t, classes, ignore, name);
    const k = i % inner;
    const n = (i - k) / inner;
    o[(n * classes + t) * inner + k] = -ws[t]! * (none ? gs[i]! : scale);
  }
};
