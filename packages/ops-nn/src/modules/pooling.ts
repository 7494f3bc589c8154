import type { Tensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { Module } from './module.js';
import { pyRepr } from './repr.js';

/** One integer for every spatial dim, or one per dim. */
type Size2 = number | readonly number[];

/** Options of `MaxPool2d` (PyTorch's keywords). */
export interface MaxPool2dOptions<R extends boolean = boolean> {
  /** Step between windows (default: the kernel size). */
  stride?: Size2 | null;
  /** Implicit -inf padding on both sides (default 0). */
  padding?: Size2;
  /** Spacing between window taps (default 1). */
  dilation?: Size2;
  /** Also return the argmax indices (default false). */
  returnIndices?: R;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
}

/**
 * 2-D max pooling over (N, C, H, W) inputs (PyTorch's `nn.MaxPool2d`). With `returnIndices`
 * the call returns `[output, indices]`.
 * @example new nn.MaxPool2d(2).call(torch.randn(1, 3, 8, 8)).shape // [1, 3, 4, 4]
 */
export class MaxPool2d<R extends boolean = false> extends Module {
  /** Window size. */
  kernelSize: Size2;
  /** Window step. */
  stride: Size2;
  /** Padding. */
  padding: Size2;
  /** Tap spacing. */
  dilation: Size2;
  /** Whether indices are returned too. */
  returnIndices: R;
  /** Whether output sizes round up. */
  ceilMode: boolean;

  constructor(kernelSize: Size2, opts: MaxPool2dOptions<R> = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.returnIndices = (opts.returnIndices ?? false) as R;
    this.ceilMode = opts.ceilMode ?? false;
  }

  /** Pools `input`; `[output, indices]` when `returnIndices`. @example pool.call(x) */
  override forward(input: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    const o = {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      ceilMode: this.ceilMode,
    };
    return (
      this.returnIndices
        ? F.maxPool2dWithIndices(input, this.kernelSize, o)
        : F.maxPool2d(input, this.kernelSize, o)
    ) as R extends true ? [Tensor, Tensor] : Tensor;
  }

  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}, dilation=${pyRepr(this.dilation)}, ceil_mode=${pyRepr(this.ceilMode)}`;
  }
}

/** Options of `AvgPool2d` (PyTorch's keywords). */
export interface AvgPool2dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: Size2 | null;
  /** Implicit zero padding on both sides (default 0). */
  padding?: Size2;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Count padding in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide each window's sum by this instead. */
  divisorOverride?: number | null;
}

/**
 * 2-D average pooling over (N, C, H, W) inputs (PyTorch's `nn.AvgPool2d`).
 * @example new nn.AvgPool2d(2).call(torch.randn(1, 3, 8, 8)).shape // [1, 3, 4, 4]
 */
export class AvgPool2d extends Module {
  /** Window size. */
  kernelSize: Size2;
  /** Window step. */
  stride: Size2;
  /** Padding. */
  padding: Size2;
  /** Whether output sizes round up. */
  ceilMode: boolean;
  /** Whether padding counts in the divisor. */
  countIncludePad: boolean;
  /** Fixed divisor, or null. */
  divisorOverride: number | null;

  constructor(kernelSize: Size2, opts: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }

  /** Pools `input`. @example pool.call(x) */
  override forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

/**
 * Average pooling to a fixed output size (PyTorch's `nn.AdaptiveAvgPool2d`); `null` keeps a dim.
 * @example new nn.AdaptiveAvgPool2d(1).call(torch.randn(2, 8, 7, 7)).shape // [2, 8, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  /** Target (H, W), or one number for both. */
  outputSize: number | readonly (number | null)[];

  constructor(outputSize: number | readonly (number | null)[]) {
    super();
    this.outputSize = outputSize;
  }

  /** Pools `input`. @example pool.call(x) */
  override forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}
