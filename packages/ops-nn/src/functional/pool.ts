import type { RegisteredOp } from '@autodag/core';
import { callOp, checkTensor, formatShape, squeeze, type Tensor, unsqueeze } from '@autodag/core';
import type { IntOrTuple } from './conv-shapes.js';
import {
  adaptiveAvgPool1dOp,
  adaptiveAvgPool2dOp,
  avgPool1dOp,
  avgPool2dOp,
  maxPool1dOp,
  maxPool2dOp,
} from './pool-ops.js';

export type { AvgPoolAttrs, MaxPoolAttrs } from './pool-ops.js';
export {
  adaptiveAvgPoolBackwardOp,
  avgPoolBackwardOp,
  maxPoolBackwardOp,
  POOL_OPS,
  poolOutSize,
} from './pool-ops.js';

/**
 * Keyword options of `maxPool1d` / `maxPool2d` (PyTorch's `stride`, `padding`, `dilation`,
 * `ceil_mode`).
 * @example F.maxPool2d(x, 3, { stride: 2, padding: 1 })
 */
export interface MaxPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit -inf padding on both sides, at most half the window (default 0). */
  padding?: IntOrTuple;
  /** Spacing between window taps (default 1). */
  dilation?: IntOrTuple;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
}

/**
 * Keyword options of `avgPool1d` / `avgPool2d`.
 * @example F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })
 */
export interface AvgPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: IntOrTuple | null;
  /** Implicit zero padding on both sides, at most half the window (default 0). */
  padding?: IntOrTuple;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count padded positions in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide each window's sum by this instead (2-D only, as PyTorch). */
  divisorOverride?: number | null;
}

/** `value` as `dims` integers, with PyTorch's "must either be a single int, or a tuple" error. */
function tuple(name: string, arg: string, value: IntOrTuple, dims: number, what: string): number[] {
  const list = typeof value === 'number' ? [value] : [...value];
  if (!(list.length === 1 || list.length === dims) || !list.every((v) => Number.isInteger(v))) {
    const many = dims === 2 ? 'a tuple of two ints' : 'a tuple of one int';
    throw new TypeError(`${name}: ${arg} must ${what}a single int, or ${many}`);
  }
  return list.length === 1 ? new Array<number>(dims).fill(list[0]!) : list;
}

function windowArgs(
  name: string,
  dims: number,
  kernelSize: IntOrTuple,
  stride: IntOrTuple | null | undefined,
  padding: IntOrTuple | undefined,
) {
  const k = tuple(name, 'kernel_size', kernelSize, dims, 'either be ');
  const noStride =
    stride === undefined || stride === null || (Array.isArray(stride) && !stride.length);
  return {
    kernelSize: k,
    stride: noStride ? k : tuple(name, 'stride', stride as IntOrTuple, dims, 'either be omitted, '),
    padding: tuple(name, 'padding', padding ?? 0, dims, 'either be '),
  };
}

/** Runs a pooling op on batched input, adding and removing the batch dim of unbatched input. */
function pooled(name: string, dims: number, input: Tensor, run: (x: Tensor) => Tensor[]): Tensor[] {
  checkTensor(input, name, 'input');
  const rank = input.shape.length;
  if (rank === dims + 2) return run(input);
  if (rank === dims + 1) return run(unsqueeze(input, 0)).map((t) => squeeze(t, 0));
  throw new RangeError(
    `${name}: non-empty ${dims + 1}D or ${dims + 2}D (batch mode) tensor expected for input, got input of size ${formatShape(input.shape)}`,
  );
}

function maxPoolNd(
  dims: number,
  input: Tensor,
  kernelSize: IntOrTuple,
  opts: MaxPoolOptions,
): Tensor[] {
  const name = `maxPool${dims}d`;
  const attrs = {
    ...windowArgs(name, dims, kernelSize, opts.stride, opts.padding),
    dilation: tuple(name, 'dilation', opts.dilation ?? 1, dims, 'be either '),
    ceilMode: opts.ceilMode ?? false,
  };
  const op = (dims === 2 ? maxPool2dOp : maxPool1dOp) as RegisteredOp;
  return pooled(name, dims, input, (x) => callOp(op, [x], attrs) as Tensor[]);
}

function avgPoolNd(
  dims: number,
  input: Tensor,
  kernelSize: IntOrTuple,
  opts: AvgPoolOptions,
): Tensor {
  const name = `avgPool${dims}d`;
  const attrs: Record<string, unknown> = {
    ...windowArgs(name, dims, kernelSize, opts.stride, opts.padding),
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
  };
  if (opts.divisorOverride !== undefined && opts.divisorOverride !== null) {
    if (dims !== 2) throw new TypeError(`${name}: got an unexpected option 'divisorOverride'`);
    attrs.divisorOverride = opts.divisorOverride;
  }
  const op = (dims === 2 ? avgPool2dOp : avgPool1dOp) as RegisteredOp;
  return pooled(name, dims, input, (x) => [callOp(op, [x], attrs) as Tensor])[0]!;
}

function adaptiveNd(
  dims: number,
  input: Tensor,
  outputSize: number | readonly (number | null)[],
): Tensor {
  const name = `adaptiveAvgPool${dims}d`;
  const list = typeof outputSize === 'number' ? new Array(dims).fill(outputSize) : [...outputSize];
  if (list.length !== dims) {
    throw new RangeError(`${name}: output_size must be ${dims}, got ${JSON.stringify(outputSize)}`);
  }
  const op = (dims === 2 ? adaptiveAvgPool2dOp : adaptiveAvgPool1dOp) as RegisteredOp;
  return pooled(name, dims, input, (x) => {
    // null keeps that dim's input size, as PyTorch's None.
    const size = list.map((s, d) => (s === null ? x.shape[d + 2]! : s));
    return [callOp(op, [x], { outputSize: size }) as Tensor];
  })[0]!;
}

/**
 * 2-D max pooling over `(N, C, H, W)` (or unbatched `(C, H, W)`) input, like
 * `torch.nn.functional.max_pool2d`. Gradients flow to the first maximum of each window.
 * @example F.maxPool2d(torch.randn(8, 16, 28, 28), 2).shape // [8, 16, 14, 14]
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions = {}) {
  return maxPoolNd(2, input, kernelSize, options)[0]!;
}

/**
 * 2-D max pooling returning `[output, indices]`, the indices (int32) flat within each
 * H×W plane as PyTorch's `return_indices=True`.
 * @example const [y, idx] = F.maxPool2dWithIndices(x, 2); // idx[n, c, i, j] = h * W + w
 */
export function maxPool2dWithIndices(
  input: Tensor,
  kernelSize: IntOrTuple,
  options: MaxPoolOptions = {},
): [Tensor, Tensor] {
  checkTensor(input, 'maxPool2dWithIndices', 'input');
  const [y, idx] = maxPoolNd(2, input, kernelSize, options);
  return [y!, idx!];
}

/**
 * 1-D max pooling over `(N, C, L)` (or unbatched `(C, L)`) input, like
 * `torch.nn.functional.max_pool1d`.
 * @example F.maxPool1d(torch.randn(4, 3, 10), 3, { stride: 2 }).shape // [4, 3, 4]
 */
export function maxPool1d(input: Tensor, kernelSize: IntOrTuple, options: MaxPoolOptions = {}) {
  return maxPoolNd(1, input, kernelSize, options)[0]!;
}

/**
 * 1-D max pooling returning `[output, indices]` (int32 positions along L).
 * @example const [y, idx] = F.maxPool1dWithIndices(x, 2);
 */
export function maxPool1dWithIndices(
  input: Tensor,
  kernelSize: IntOrTuple,
  options: MaxPoolOptions = {},
): [Tensor, Tensor] {
  checkTensor(input, 'maxPool1dWithIndices', 'input');
  const [y, idx] = maxPoolNd(1, input, kernelSize, options);
  return [y!, idx!];
}

/**
 * 2-D average pooling, like `torch.nn.functional.avg_pool2d` (same divisor rules with
 * `countIncludePad`, `ceilMode` and `divisorOverride`).
 * @example F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })
 */
export function avgPool2d(input: Tensor, kernelSize: IntOrTuple, options: AvgPoolOptions = {}) {
  return avgPoolNd(2, input, kernelSize, options);
}

/**
 * 1-D average pooling, like `torch.nn.functional.avg_pool1d`.
 * @example F.avgPool1d(torch.tensor([[[1, 2, 3, 4]]]), 2) // tensor([[[1.5000, 3.5000]]])
 */
export function avgPool1d(input: Tensor, kernelSize: IntOrTuple, options: AvgPoolOptions = {}) {
  return avgPoolNd(1, input, kernelSize, options);
}

/**
 * 2-D adaptive average pooling to `outputSize` (one number, or [h, w] where `null` keeps that
 * input size), like `torch.nn.functional.adaptive_avg_pool2d`: window o spans
 * [⌊o·I/O⌋, ⌈(o+1)·I/O⌉).
 * @example F.adaptiveAvgPool2d(torch.randn(2, 8, 7, 7), 1).shape // [2, 8, 1, 1]
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly (number | null)[]) {
  return adaptiveNd(2, input, outputSize);
}

/**
 * 1-D adaptive average pooling, like `torch.nn.functional.adaptive_avg_pool1d`.
 * @example F.adaptiveAvgPool1d(torch.randn(2, 4, 10), 3).shape // [2, 4, 3]
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly (number | null)[]) {
  return adaptiveNd(1, input, outputSize);
}
