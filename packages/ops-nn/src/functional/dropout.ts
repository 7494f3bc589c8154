import type { Generator, Tensor } from '@autodag/core';
import { checkTensor, rand, zerosLike } from '@autodag/core';
import { requireFloat } from './layer-util.js';

/**
 * Options of `dropout` (PyTorch's keywords, plus the generator to draw the mask from).
 * @example F.dropout(x, { p: 0.2, training: true, generator: new torch.Generator(0) })
 */
export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  /** Apply dropout (default true, as PyTorch's functional form); false returns the input. */
  training?: boolean;
  /** Modify the input in place (default false). */
  inplace?: boolean;
  /** Generator of the mask (default `torch.defaultGenerator`, seeded by `torch.manualSeed`). */
  generator?: Generator;
}

/**
 * A fresh dropout mask shaped like `input`: 0 with probability p, else 1/(1 - p).
 * @example dropoutMask(x, 0.5) // values 0 or 2
 */
export function dropoutMask(input: Tensor, p: number, generator?: Generator): Tensor {
  checkTensor(input, 'dropoutMask', 'input');
  const u = rand(input.shape, { dtype: input.dtype, device: input.device, generator });
  return u
    .lt(1 - p)
    .to(input.dtype)
    .div(1 - p);
}

/**
 * Randomly zeroes elements with probability `p` and scales the rest by 1/(1 - p), like
 * `torch.nn.functional.dropout`. Not training, or p = 0, returns the input itself; p = 1 gives
 * zeros. The result is `input * mask` (its gradient is `MulBackward0`, the mask times the
 * incoming gradient).
 * @example torch.manualSeed(0); F.dropout(torch.ones(6), { p: 0.5 }) // e.g. tensor([2., 0., 2., 2., 0., 0.])
 */
export function dropout(input: Tensor, opts: DropoutOptions = {}): Tensor {
  checkTensor(input, 'dropout', 'input');
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`dropout: dropout probability has to be between 0 and 1, but got ${p}`);
  }
  const training = opts.training ?? true;
  if (!training || p === 0) return input;
  requireFloat('dropout', input);
  const mask = p === 1 ? zerosLike(input) : dropoutMask(input, p, opts.generator);
  return opts.inplace ? input.mul_(mask) : input.mul(mask);
}
