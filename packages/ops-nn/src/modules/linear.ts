import type { Tensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';
import type { FactoryOptions } from './factory.js';
import { checkCount, newParameter } from './factory.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { pyRepr } from './repr.js';

/**
 * Returns its input unchanged (a placeholder layer; PyTorch's `nn.Identity`).
 * @example new nn.Identity().call(x) === x // true
 */
export class Identity extends Module {
  /** Accepts and ignores any constructor arguments, like PyTorch's. */
  constructor(..._args: unknown[]) {
    super();
  }

  /** Returns `input`. @example id.call(x) */
  override forward(input: Tensor): Tensor {
    return input;
  }
}

/** Options of `Linear`. */
export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b (PyTorch's `nn.Linear`): `weight` (outFeatures, inFeatures), `bias` (outFeatures).
 * Initialised as PyTorch does: Kaiming-uniform weights (a = √5), bias U(±1/√inFeatures), so a
 * seeded construction gives PyTorch's values.
 * @example torch.manualSeed(0); const fc = new nn.Linear(4, 3); fc.call(torch.randn(2, 4)).shape // [2, 3]
 */
export class Linear extends Module {
  /** Size of each input sample. */
  inFeatures: number;
  /** Size of each output sample. */
  outFeatures: number;
  /** The learnable weights, shape (outFeatures, inFeatures). */
  weight: Parameter;
  /** The learnable bias, shape (outFeatures), or null. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    checkCount(this.getName(), 'in_features', inFeatures);
    checkCount(this.getName(), 'out_features', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = newParameter([outFeatures, inFeatures], opts);
    this.bias = opts.bias === false ? null : newParameter([outFeatures], opts);
    this.resetParameters();
  }

  /**
   * Re-draws the weights and bias with PyTorch's default initialisation.
   * @example fc.resetParameters()
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /** x·Wᵀ + b over the last dim of `input`. @example fc.call(torch.randn(8, 4)) */
  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyRepr(this.bias !== null)}`;
  }
}
