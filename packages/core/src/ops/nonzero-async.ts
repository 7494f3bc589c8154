import { checkTensor } from '../arg-check.js';
import { Tensor } from '../tensor.js';
import { run } from './define.js';
import { nonzeroOp } from './indexing.js';
import { maskedOperands, selectAt } from './masked-select.js';
import { coordinateColumns, countedMask } from './nonzero-count.js';
import { clone } from './view.js';

/**
 * Asynchronous forms of the ops whose output size depends on the values (`nonzero`, `argwhere`,
 * `maskedSelect`; `getAsync` for boolean-mask indexing lives in getitem.ts), as TensorFlow.js's
 * `whereAsync` and `booleanMaskAsync`: they work on every device, WebGPU included, where the
 * synchronous forms cannot read the count. Each takes the values its arguments have when it is
 * called (snapshots are recorded before the first await), reads the count back asynchronously,
 * then runs the op on the device.
 */

/**
 * `nonzero` for every device: resolves with the `[count, ndim]` int32 coordinates of the
 * nonzero elements in row-major order (or, with `{ asTuple: true }`, one 1-d tensor per dim).
 * @example await torch.nonzeroAsync(torch.tensor([0, 3, 0, 5], { device: 'webgpu' })) // tensor([[1], [3]])
 */
export async function nonzeroAsync(input: Tensor, opts: { asTuple: true }): Promise<Tensor[]>;
/**
 * `nonzero` for every device: the `[count, ndim]` int32 coordinates of the nonzero elements.
 * @example const idx = await torch.nonzeroAsync(x.gt(0));
 */
export async function nonzeroAsync(input: Tensor, opts?: { asTuple?: false }): Promise<Tensor>;
/** Implementation of the `nonzeroAsync` overloads above. */
export async function nonzeroAsync(
  input: Tensor,
  opts: { asTuple?: boolean } = {},
): Promise<Tensor | Tensor[]> {
  checkTensor(input, 'nonzeroAsync', 'input');
  const mask = await countedMask(input);
  try {
    const coords = run(nonzeroOp, [mask]);
    return opts.asTuple ? coordinateColumns(input, coords) : coords;
  } finally {
    mask.dispose();
  }
}

/**
 * `argwhere` for every device: the same as `nonzeroAsync(input)` (NumPy's name).
 * @example await torch.argwhereAsync(torch.tensor([0, 3], { device: 'webgpu' })) // tensor([[1]])
 */
export function argwhereAsync(input: Tensor): Promise<Tensor> {
  checkTensor(input, 'argwhereAsync', 'input');
  return nonzeroAsync(input);
}

/**
 * `maskedSelect` for every device: resolves with the elements of `input` where the bool `mask`
 * (both broadcast) is true, as a 1-d tensor, with the values both had at the call. Gradients
 * flow to `input` as through `maskedSelect`.
 * @example await x.maskedSelectAsync(x.gt(0)) // the positive elements of x
 */
export async function maskedSelectAsync(input: Tensor, mask: Tensor): Promise<Tensor> {
  checkTensor(input, 'maskedSelectAsync', 'input');
  checkTensor(mask, 'maskedSelectAsync', 'mask');
  const [view, m] = maskedOperands(input, mask);
  // The input's values as of now: a copy (differentiable), since the count is read first.
  const x = clone(view);
  return selectAt(x, await nonzeroAsync(m));
}

declare module '../tensor.js' {
  interface Tensor {
    /**
     * `nonzero` on every device (WebGPU included): one int32 tensor per dim.
     * @example const [rows, cols] = await x.nonzeroAsync({ asTuple: true });
     */
    nonzeroAsync(opts: { asTuple: true }): Promise<Tensor[]>;
    /** `nonzero` on every device (WebGPU included). @example const idx = await x.nonzeroAsync(); */
    nonzeroAsync(opts?: { asTuple?: false }): Promise<Tensor>;
    /** `argwhere` on every device. @example const idx = await x.argwhereAsync(); */
    argwhereAsync(): Promise<Tensor>;
    /** `maskedSelect` on every device. @example const pos = await x.maskedSelectAsync(x.gt(0)); */
    maskedSelectAsync(mask: Tensor): Promise<Tensor>;
  }
}

const proto = Tensor.prototype;
proto.nonzeroAsync = function (this: Tensor, opts?: { asTuple?: boolean }) {
  return nonzeroAsync(this, opts as { asTuple?: false }) as never;
};
proto.argwhereAsync = function (this: Tensor) {
  return argwhereAsync(this);
};
proto.maskedSelectAsync = function (this: Tensor, mask: Tensor) {
  return maskedSelectAsync(this, mask);
};
