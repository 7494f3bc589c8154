import type { Tensor } from '@autodag/core';
import { formatShape, isFloatingPoint, numelOf, shapesEqual } from '@autodag/core';

/**
 * How a loss combines its per-element values (PyTorch's `reduction`).
 * @example F.mseLoss(x, y, { reduction: 'sum' })
 */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * Options shared by every loss.
 * @example F.l1Loss(x, y, { reduction: 'none' })
 */
export interface ReductionOptions {
  /** `'mean'` (default) averages, `'sum'` adds, `'none'` keeps the per-element losses. */
  reduction?: Reduction;
}

/** The `reduction` attribute declaration shared by the loss ops. */
export const REDUCTION_ATTR = {
  type: 'string',
  default: 'mean',
  doc: "'mean', 'sum' or 'none'",
} as const;

/**
 * The reduction, checked against the values the op accepts (PyTorch's wording).
 * @example checkReduction('mseLoss', 'avg') // throws: mseLoss: 'avg' is not a valid value for reduction ...
 */
export function checkReduction<R extends string = Reduction>(
  name: string,
  reduction: unknown,
  allowed: readonly string[] = ['mean', 'sum', 'none'],
): R {
  if (typeof reduction !== 'string' || !allowed.includes(reduction)) {
    throw new TypeError(
      `${name}: ${JSON.stringify(reduction)} is not a valid value for reduction (expected ${allowed.map((r) => `'${r}'`).join(', ')})`,
    );
  }
  return reduction as R;
}

/**
 * Applies a (checked) reduction to per-element losses.
 * @example reduceLoss(x.sub(y).square(), 'mean')
 */
export function reduceLoss(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'mean') return loss.mean();
  return loss;
}

/**
 * Rejects non-floating inputs of losses that need them.
 * @example checkFloat('mseLoss', 'input', x)
 */
export function checkFloat(name: string, arg: string, t: Tensor): void {
  if (!isFloatingPoint(t.dtype)) {
    throw new TypeError(
      `${name}: expected ${arg} to be a floating point tensor, got ${t.dtype} (cast with .float())`,
    );
  }
}

/**
 * Losses that compare element by element without broadcasting: shapes must be equal.
 * @example sameShape('binaryCrossEntropy', x, y)
 */
export function sameShape(name: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new RangeError(
      `${name}: target size ${formatShape(target.shape)} must be the same as input size ${formatShape(input.shape)}`,
    );
  }
}

/**
 * Broadcasts the gradient of a reduced loss back over the per-element losses of `shape`
 * (divided by their count for `'mean'`); a `'none'` gradient already has that shape.
 * @example unreduceLossGrad(grad, [3, 4], 'mean') // grad / 12, expanded to [3, 4]
 */
export function unreduceLossGrad(
  g: Tensor,
  shape: readonly number[],
  reduction: Reduction,
): Tensor {
  if (reduction === 'none') return g;
  return (reduction === 'mean' ? g.div(numelOf(shape)) : g).expand(shape);
}
