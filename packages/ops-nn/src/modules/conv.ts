import type { Tensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import type { FactoryOptions } from './factory.js';
import { checkCount, newParameter } from './factory.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { pyRepr } from './repr.js';

/** One integer for every spatial dim, or one per dim. */
export type IntOrTuple = number | readonly number[];

/** Options of `Conv1d`/`Conv2d` (PyTorch's keywords). */
export interface ConvLayerOptions extends FactoryOptions {
  /** Step of the kernel (default 1). */
  stride?: IntOrTuple;
  /** Zero padding on both sides (default 0), or `'valid'`/`'same'`. */
  padding?: IntOrTuple | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrTuple;
  /** Independent channel groups (default 1). */
  groups?: number;
  /** Learn a bias (default true). */
  bias?: boolean;
  /** Only `'zeros'` padding is supported. */
  paddingMode?: 'zeros';
}

/** Options of `ConvTranspose2d`. */
export interface ConvTransposeLayerOptions extends FactoryOptions {
  /** Step of the corresponding convolution (default 1). */
  stride?: IntOrTuple;
  /** Padding of the corresponding convolution (default 0). */
  padding?: IntOrTuple;
  /** Extra size on one side of each output dim (default 0). */
  outputPadding?: IntOrTuple;
  /** Independent channel groups (default 1). */
  groups?: number;
  /** Learn a bias (default true). */
  bias?: boolean;
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrTuple;
  /** Only `'zeros'` padding is supported. */
  paddingMode?: 'zeros';
}

function tuple(layer: string, name: string, v: IntOrTuple, dims: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(dims).fill(v) : [...v];
  if (list.length !== dims || !list.every((x) => Number.isInteger(x))) {
    throw new TypeError(
      `${layer}: ${name} must be an integer or ${dims} integers, got ${JSON.stringify(v)}`,
    );
  }
  return list;
}

const allEqual = (xs: readonly number[], v: number) => xs.every((x) => x === v);

/** Shared by the convolution layers (PyTorch's `_ConvNd`). */
abstract class ConvNd extends Module {
  /** Channels of the input. */
  inChannels: number;
  /** Channels of the output. */
  outChannels: number;
  /** Kernel extent per spatial dim. */
  kernelSize: number[];
  /** Stride per spatial dim. */
  stride: number[];
  /** Padding per spatial dim, or `'same'`/`'valid'`. */
  padding: number[] | 'same' | 'valid';
  /** Dilation per spatial dim. */
  dilation: number[];
  /** Whether this is a transposed convolution. */
  transposed: boolean;
  /** Output padding per spatial dim (transposed convolutions). */
  outputPadding: number[];
  /** Channel groups. */
  groups: number;
  /** Padding mode (`'zeros'`). */
  paddingMode: string;
  /** Kernel weights: (out, in/groups, ...k), or (in, out/groups, ...k) when transposed. */
  weight: Parameter;
  /** Per-output-channel bias, or null. */
  bias: Parameter | null;

  constructor(
    dims: number,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    transposed: boolean,
    opts: ConvLayerOptions & { outputPadding?: IntOrTuple },
  ) {
    super();
    const name = this.getName();
    const groups = opts.groups ?? 1;
    checkCount(name, 'in_channels', inChannels);
    checkCount(name, 'out_channels', outChannels);
    if (!Number.isInteger(groups) || groups <= 0) {
      throw new RangeError(`${name}: groups must be a positive integer`);
    }
    if (inChannels % groups !== 0) throw new RangeError('in_channels must be divisible by groups');
    if (outChannels % groups !== 0)
      throw new RangeError('out_channels must be divisible by groups');
    const paddingMode = opts.paddingMode ?? 'zeros';
    if (paddingMode !== 'zeros') {
      throw new RangeError(
        `${name}: padding_mode '${paddingMode}' is not supported (only 'zeros')`,
      );
    }
    const padding = opts.padding ?? 0;
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') {
        throw new RangeError(
          `Invalid padding string '${padding}', should be one of ['valid', 'same']`,
        );
      }
      if (padding === 'same' && !allEqual(tuple(name, 'stride', opts.stride ?? 1, dims), 1)) {
        throw new RangeError("padding='same' is not supported for strided convolutions");
      }
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = tuple(name, 'kernel_size', kernelSize, dims);
    this.stride = tuple(name, 'stride', opts.stride ?? 1, dims);
    this.padding = typeof padding === 'string' ? padding : tuple(name, 'padding', padding, dims);
    this.dilation = tuple(name, 'dilation', opts.dilation ?? 1, dims);
    this.transposed = transposed;
    this.outputPadding = tuple(name, 'output_padding', opts.outputPadding ?? 0, dims);
    this.groups = groups;
    this.paddingMode = paddingMode;
    const shape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = newParameter(shape, opts);
    this.bias = opts.bias === false ? null : newParameter([outChannels], opts);
    this.resetParameters();
  }

  /**
   * Re-draws weights (Kaiming-uniform, a = √5) and bias (U(±1/√fanIn)) as PyTorch does.
   * @example conv.resetParameters()
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (!allEqual(this.padding, 0)) s += `, padding=${pyRepr(this.padding)}`;
    if (!allEqual(this.dilation, 1)) s += `, dilation=${pyRepr(this.dilation)}`;
    if (!allEqual(this.outputPadding, 0)) s += `, output_padding=${pyRepr(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }

  protected convOptions() {
    return {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    };
  }
}

/**
 * 1-D convolution over (N, Cin, L) inputs (PyTorch's `nn.Conv1d`).
 * @example new nn.Conv1d(2, 4, 3, { padding: 1 }).call(torch.randn(8, 2, 10)).shape // [8, 4, 10]
 */
export class Conv1d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    opts: ConvLayerOptions = {},
  ) {
    super(1, inChannels, outChannels, kernelSize, false, opts);
  }

  /** Convolves `input` (N, Cin, L) or (Cin, L). @example conv.call(x) */
  override forward(input: Tensor): Tensor {
    return F.conv1d(input, this.weight, this.bias, this.convOptions());
  }
}

/**
 * 2-D convolution over (N, Cin, H, W) inputs (PyTorch's `nn.Conv2d`).
 * @example new nn.Conv2d(3, 16, 3, { stride: 2, padding: 1 }).call(torch.randn(1, 3, 32, 32)).shape // [1, 16, 16, 16]
 */
export class Conv2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    opts: ConvLayerOptions = {},
  ) {
    super(2, inChannels, outChannels, kernelSize, false, opts);
  }

  /** Convolves `input` (N, Cin, H, W) or (Cin, H, W). @example conv.call(x) */
  override forward(input: Tensor): Tensor {
    return F.conv2d(input, this.weight, this.bias, this.convOptions());
  }
}

/**
 * 2-D transposed convolution (PyTorch's `nn.ConvTranspose2d`); weight is (Cin, Cout/groups, kH, kW).
 * @example new nn.ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }).call(torch.randn(1, 4, 5, 5)).shape // [1, 2, 10, 10]
 */
export class ConvTranspose2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrTuple,
    opts: ConvTransposeLayerOptions = {},
  ) {
    if (typeof opts.padding === 'string') {
      throw new RangeError(
        'ConvTranspose2d: only "zeros" padding mode with numeric padding is supported',
      );
    }
    super(2, inChannels, outChannels, kernelSize, true, opts);
  }

  /** The transposed convolution of `input` (N, Cin, H, W). @example deconv.call(x) */
  override forward(input: Tensor): Tensor {
    return F.convTranspose2d(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPadding,
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}
