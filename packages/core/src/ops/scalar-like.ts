import { scalarTensor } from '../creation.js';
import type { Tensor } from '../tensor.js';

/**
 * A 0-d tensor of `value` with `like`'s dtype and device: the scalar operand of a decomposition
 * (internal to the op families, not exported).
 * @example run(mulOp, [x, scalarLike(-1, x)]) // neg as a product
 */
export function scalarLike(value: number, like: Tensor): Tensor {
  return scalarTensor(value, like.dtype, like.device);
}
