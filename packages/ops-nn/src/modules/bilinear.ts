import type { Tensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { uniform_ } from '../init.js';
import type { FactoryOptions } from './factory.js';
import { checkCount, newParameter } from './factory.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { pyRepr } from './repr.js';

/** Options of `Bilinear`. */
export interface BilinearOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * y = x1ᵀ·A·x2 + b (PyTorch's `nn.Bilinear`): `weight` (outFeatures, in1Features, in2Features),
 * `bias` (outFeatures). Initialised as PyTorch does, weights and bias U(±1/√in1Features), so a
 * seeded construction gives PyTorch's values.
 * @example torch.manualSeed(0); const m = new nn.Bilinear(3, 4, 2); m.call(torch.randn(5, 3), torch.randn(5, 4)).shape // [5, 2]
 */
export class Bilinear extends Module {
  /** Size of each first input sample. */
  in1Features: number;
  /** Size of each second input sample. */
  in2Features: number;
  /** Size of each output sample. */
  outFeatures: number;
  /** The learnable weights, shape (outFeatures, in1Features, in2Features). */
  weight: Parameter;
  /** The learnable bias, shape (outFeatures), or null. */
  bias: Parameter | null;

  constructor(
    in1Features: number,
    in2Features: number,
    outFeatures: number,
    opts: BilinearOptions = {},
  ) {
    super();
    checkCount(this.getName(), 'in1_features', in1Features);
    checkCount(this.getName(), 'in2_features', in2Features);
    checkCount(this.getName(), 'out_features', outFeatures);
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = newParameter([outFeatures, in1Features, in2Features], opts);
    this.bias = opts.bias === false ? null : newParameter([outFeatures], opts);
    this.resetParameters();
  }

  /**
   * Re-draws the weights and bias from U(±1/√in1Features), PyTorch's default (weights first).
   * @example m.resetParameters()
   */
  resetParameters(): void {
    const bound = this.in1Features > 0 ? 1 / Math.sqrt(this.in1Features) : 0;
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  /** x1ᵀ·A·x2 + b over the last dims of the inputs. @example m.call(x1, x2) */
  override forward(input1: Tensor, input2: Tensor): Tensor {
    return F.bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyRepr(this.bias !== null)}`;
  }
}
