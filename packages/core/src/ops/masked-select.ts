import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { run } from './define.js';
import { indexOp } from './indexing.js';
import { contiguous, expand, reshape } from './view.js';

/**
 * What `maskedSelect` and `maskedSelectAsync` share (internal to the op families): the mask's
 * check, the operands broadcast to one shape, and the gather at the mask's coordinates.
 */

/**
 * `input` and the bool `mask` broadcast to their common shape, two 0-d ones read as one element
 * of shape [1] (so `nonzero` of the mask gives one coordinate column to gather with).
 * @example const [x, m] = maskedOperands(input, mask); selectAt(x, run(nonzeroOp, [m]))
 */
export function maskedOperands(input: Tensor, mask: Tensor): [Tensor, Tensor] {
  if (mask.dtype !== 'bool') {
    throw new TypeError(
      `masked_select: expected BoolTensor for mask, got a mask of dtype ${mask.dtype}`,
    );
  }
  const shape = broadcastShapes(input.shape, mask.shape, 'masked_select');
  if (shape.length === 0) return [reshape(input, [1]), reshape(mask, [1])];
  return [expand(input, shape), expand(mask, shape)];
}

/**
 * The elements of `x` at `coords` (`nonzero` of a mask of x's shape) as a 1-d tensor.
 * @example selectAt(x, run(nonzeroOp, [m]))
 */
export function selectAt(x: Tensor, coords: Tensor): Tensor {
  return reshape(run(indexOp, [x, contiguous(coords.t())], { dim: 0 }), [-1]);
}
