import { isGradEnabled, noGrad } from '../grad-mode.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { op, run } from './define.js';
import { expand } from './view.js';

/**
 * In-place ops. Each computes its result out of place (recording the graph as usual), then
 * writes it into the target's storage with the `assign` kernel, bumps the version counter,
 * and moves the target to the new node of the graph, as PyTorch rebases history.
 */

/** Writes `src` (same shape and dtype) into `dst`'s elements, honouring `dst`'s strides. No outputs. */
export const assignOp = op({
  name: 'assign',
  inputs: ['dst', 'src'],
  infer: ([dst, src]) => {
    if (!shapesEqual(dst!.shape, src!.shape) || dst!.dtype !== src!.dtype) {
      throw new RangeError(
        `assign: source ${formatShape(src!.shape)} ${src!.dtype} does not match destination ${formatShape(dst!.shape)} ${dst!.dtype}`,
      );
    }
    return [];
  },
  samples: () => [
    { name: 'dense', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }] },
    {
      name: 'strided destination',
      inputs: [
        { shape: [3, 2], layout: 'strided' },
        { shape: [3, 2], layout: 'transposed' },
      ],
    },
    {
      name: 'int32',
      inputs: [
        { shape: [4], dtype: 'int32' },
        { shape: [4], dtype: 'int32' },
      ],
    },
  ],
  doc: 'Copies src into dst in place (a backend primitive; autograd goes through `inplace`).',
});

/** Throws PyTorch's errors for in-place writes autograd cannot allow. */
export function checkInplace(target: Tensor, opName: string): void {
  if (!isGradEnabled() || !target.requiresGrad) return;
  if (target.gradFn === null) {
    throw new Error(
      `${opName}: a leaf Variable that requires grad is being used in an in-place operation.`,
    );
  }
  if (target.base && target.base.gradFn === null && target.base.requiresGrad) {
    throw new Error(
      `${opName}: a view of a leaf Variable that requires grad is being used in an in-place operation.`,
    );
  }
}

/**
 * Replaces `target`'s values with `compute()`'s result (broadcast and cast to `target`), in place.
 * Returns `target`.
 */
export function inplace(target: Tensor, opName: string, compute: () => Tensor): Tensor {
  checkInplace(target, opName);
  let result = compute();
  if (!shapesEqual(result.shape, target.shape)) {
    try {
      result = expand(result, target.shape);
    } catch {
      throw new RangeError(
        `${opName}: output with shape ${formatShape(target.shape)} doesn't match the broadcast shape ${formatShape(result.shape)}`,
      );
    }
  }
  if (result.dtype !== target.dtype) {
    if (target.dtype === 'int32' && (result.dtype === 'float32' || result.dtype === 'float64')) {
      throw new TypeError(
        `${opName}: result type Float can't be cast to the desired output type Int`,
      );
    }
    result = cast(result, target.dtype);
  }
  noGrad(() => run(assignOp, [target, result]));
  target.storage.version++;
  if (result.gradFn !== null && isGradEnabled()) {
    target.gradFn = result.gradFn;
    target.outputNr = result.outputNr;
  }
  return target;
}

/** Writes raw values (no autograd) into `target`: used by fill_, zero_, uniform_, copy_ under noGrad. */
export function overwrite(target: Tensor, values: Tensor): Tensor {
  noGrad(() => run(assignOp, [target, cast(expand(values, target.shape), target.dtype)]));
  target.storage.version++;
  return target;
}
