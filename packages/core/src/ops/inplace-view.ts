import { isGradEnabled } from '../grad-mode.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { run } from './define.js';
import { asStridedScatterOp } from './indexing.js';
import { checkInplace, inplace } from './inplace.js';
import { asStrided } from './view.js';

/**
 * `inplace` for targets that may be views: when autograd records the write and `target` is a
 * view of a dense base, the write is recorded on the base (as PyTorch's `CopySlices` does) and
 * the view's history is regenerated from the updated base. Without this, `out.get(0).set(...)`
 * would change `out`'s values but leave its gradient history unaware of the write.
 * @example inplaceMaybeView(input, 'masked_fill_', () => maskedFill(input, mask, value))
 */
export function inplaceMaybeView(target: Tensor, opName: string, compute: () => Tensor): Tensor {
  const base = target.base;
  const tracked = isGradEnabled() && (target.requiresGrad || (base?.requiresGrad ?? false));
  if (!base || !tracked || !base.isContiguous() || base.storage !== target.storage) {
    return inplace(target, opName, compute);
  }
  checkInplace(target, opName);
  const layout = {
    shape: target.shape.slice(),
    strides: target.strides.slice(),
    offset: target.offset - base.offset,
  };
  let computed = false;
  inplace(base, opName, () => {
    let value = compute();
    if (!shapesEqual(value.shape, target.shape)) {
      throw new RangeError(
        `${opName}: output with shape ${formatShape(target.shape)} doesn't match the broadcast shape ${formatShape(value.shape)}`,
      );
    }
    if (value.dtype !== target.dtype) value = cast(value, target.dtype);
    computed = true;
    return run(asStridedScatterOp, [base, value], layout);
  });
  if (computed && base.gradFn !== null) {
    const regenerated = asStrided(base, layout.shape, layout.strides, layout.offset);
    target.gradFn = regenerated.gradFn;
    target.outputNr = regenerated.outputNr;
  }
  return target;
}
