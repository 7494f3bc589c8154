import type { Tensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { ones_, zeros_ } from '../init.js';
import type { FactoryOptions } from './factory.js';
import { checkCount, newParameter } from './factory.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { pyFloat, pyRepr } from './repr.js';

/** Options of `LayerNorm`. */
export interface LayerNormLayerOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-element scale and shift over the normalised shape (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Normalises over the trailing `normalizedShape` dims (PyTorch's `nn.LayerNorm`).
 * @example new nn.LayerNorm(8).call(torch.randn(2, 5, 8))
 */
export class LayerNorm extends Module {
  /** The trailing dims normalised over. */
  normalizedShape: number[];
  /** Added to the variance. */
  eps: number;
  /** Whether weight and bias are learned. */
  elementwiseAffine: boolean;
  /** Scale (ones), or null. */
  weight: Parameter | null;
  /** Shift (zeros), or null. */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormLayerOptions = {}) {
    super();
    this.normalizedShape =
      typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    for (const d of this.normalizedShape) checkCount(this.getName(), 'normalized_shape', d);
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? newParameter(this.normalizedShape, opts) : null;
    this.bias = this.elementwiseAffine ? newParameter(this.normalizedShape, opts) : null;
    this.resetParameters();
  }

  /** Weight to ones, bias to zeros. @example ln.resetParameters() */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  /** Normalises `input`. @example ln.call(x) */
  override forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyRepr(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyRepr(this.elementwiseAffine)}`;
  }
}

/** Options of `GroupNorm`. */
export interface GroupNormLayerOptions extends FactoryOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
}

/**
 * Normalises each group of channels over (channels in group, spatial dims) (PyTorch's `nn.GroupNorm`).
 * @example new nn.GroupNorm(2, 4).call(torch.randn(3, 4, 5, 5))
 */
export class GroupNorm extends Module {
  /** Number of channel groups. */
  numGroups: number;
  /** Number of channels. */
  numChannels: number;
  /** Added to the variance. */
  eps: number;
  /** Whether weight and bias are learned. */
  affine: boolean;
  /** Per-channel scale (ones), or null. */
  weight: Parameter | null;
  /** Per-channel shift (zeros), or null. */
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, opts: GroupNormLayerOptions = {}) {
    super();
    checkCount(this.getName(), 'num_groups', numGroups, false);
    checkCount(this.getName(), 'num_channels', numChannels);
    if (numChannels % numGroups !== 0) {
      throw new RangeError('num_channels must be divisible by num_groups');
    }
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.affine ? newParameter([numChannels], opts) : null;
    this.bias = this.affine ? newParameter([numChannels], opts) : null;
    this.resetParameters();
  }

  /** Weight to ones, bias to zeros. @example gn.resetParameters() */
  resetParameters(): void {
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  /** Normalises `input` (N, C, ...). @example gn.call(x) */
  override forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, this.weight, this.bias, { eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyRepr(this.affine)}`;
  }
}
