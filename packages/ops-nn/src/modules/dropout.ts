import type { Tensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { Module } from './module.js';
import { pyFloat, pyRepr } from './repr.js';

/**
 * Dropout through `torch.nn.functional.dropout` (one place that knows its signature).
 * @example applyDropout(x, 0.1, model.training)
 */
export function applyDropout(input: Tensor, p: number, training: boolean, inplace = false): Tensor {
  return F.dropout(input, { p, training, inplace });
}

/** Options of `Dropout`. */
export interface DropoutOptions {
  /** Overwrite the input (default false). */
  inplace?: boolean;
}

/**
 * Zeroes each element with probability `p` in training and scales the rest by 1/(1 − p); the
 * identity in evaluation (PyTorch's `nn.Dropout`).
 * @example const drop = new nn.Dropout(0.1); drop.eval().call(x) // x unchanged
 */
export class Dropout extends Module {
  /** Drop probability. */
  p: number;
  /** Whether the input is overwritten. */
  inplace: boolean;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
    }
    this.p = p;
    this.inplace = opts.inplace ?? false;
  }

  /** Applies dropout in training mode. @example drop.call(x) */
  override forward(input: Tensor): Tensor {
    return applyDropout(input, this.p, this.training, this.inplace);
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyRepr(this.inplace)}`;
  }
}
