import type { Tensor } from '@autodag/core';
import { checkTensor } from '@autodag/core';
import { Module } from './module.js';
import { pyRepr } from './repr.js';

/**
 * Flattens dims `startDim`..`endDim` into one (PyTorch's `nn.Flatten`; by default all but the batch dim).
 * @example new nn.Flatten().call(torch.zeros(8, 3, 4, 4)).shape // [8, 48]
 */
export class Flatten extends Module {
  /** First dim flattened. */
  startDim: number;
  /** Last dim flattened. */
  endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /** Flattens `input`. @example flat.call(x) */
  override forward(input: Tensor): Tensor {
    checkTensor(input, this.getName(), 'input');
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into `unflattenedSize` (PyTorch's `nn.Unflatten`).
 * @example new nn.Unflatten(1, [3, 4, 4]).call(torch.zeros(8, 48)).shape // [8, 3, 4, 4]
 */
export class Unflatten extends Module {
  /** The dim split. */
  dim: number;
  /** Sizes it is split into (one may be -1). */
  unflattenedSize: number[];

  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Array.isArray(unflattenedSize) || !unflattenedSize.every((s) => Number.isInteger(s))) {
      throw new TypeError(
        `unflattened_size must be tuple of ints, but found type ${typeof unflattenedSize}`,
      );
    }
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }

  /** Unflattens `input`. @example unflat.call(x) */
  override forward(input: Tensor): Tensor {
    checkTensor(input, this.getName(), 'input');
    return input.unflatten(this.dim, this.unflattenedSize);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyRepr(this.unflattenedSize)}`;
  }
}
