import { checkTensor } from '../arg-check.js';
import type { ViewLayout } from '../registry.js';
import { contiguousStrides, formatShape, normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { op, run } from './define.js';
import { viewScatterOp } from './view.js';

/**
 * Slicing views: `slice` (a strided range along one dim), `select` (one index, dropping the dim)
 * and `narrow`. Their VJPs scatter the gradient back into zeros through `viewScatter`, which
 * works for any view layout and is itself differentiable.
 */

/** The layout `view` gives on a contiguous tensor of the input's shape (for the generic VJP). */
function layoutOnContiguous(
  shape: readonly number[],
  view: (src: ViewLayout) => ViewLayout,
): ViewLayout {
  return view({ shape, strides: contiguousStrides(shape), offset: 0 });
}

/** Gradient of a view: scatter `grad` into zeros of the input's shape at the view's positions. */
function viewVjp(
  grad: Tensor,
  inputShape: readonly number[],
  view: (src: ViewLayout) => ViewLayout,
): Tensor {
  const layout = layoutOnContiguous(inputShape, view);
  return run(viewScatterOp, [grad], { size: inputShape.slice(), ...copyLayout(layout) });
}

function copyLayout(l: ViewLayout): { shape: number[]; strides: number[]; offset: number } {
  return { shape: l.shape.slice(), strides: l.strides.slice(), offset: l.offset };
}

/** Attributes of `slice`: a strided range along one dim. */
interface SliceAttrs {
  dim: number;
  start: number;
  end: number;
  step: number;
}

/** The registered 'slice' op (PyTorch's `x[start:end:step]` along one dim); call it through {@link slice} or {@link narrow}. */
export const sliceOp = op<SliceAttrs>({
  name: 'slice',
  inputs: ['input'],
  attrs: {
    dim: { type: 'int' },
    start: { type: 'int' },
    end: { type: 'int' },
    step: { type: 'int', default: 1 },
  },
  view: sliceLayout,
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas, attrs }) =>
      viewVjp(grad, inputMetas[0]!.shape, (s) => sliceLayout(s, attrs)),
  },
  samples: () => [
    { name: 'range', inputs: [{ shape: [5, 2] }], attrs: { dim: 0, start: 1, end: 4, step: 1 } },
    { name: 'step', inputs: [{ shape: [3, 7] }], attrs: { dim: 1, start: 0, end: 7, step: 3 } },
    {
      name: 'transposed',
      inputs: [{ shape: [4, 5], layout: 'transposed' }],
      attrs: { dim: 1, start: 1, end: 4, step: 2 },
    },
    { name: 'empty', inputs: [{ shape: [4] }], attrs: { dim: 0, start: 2, end: 2, step: 1 } },
  ],
  doc: 'Elements start, start+step, ... < end along one dimension (a view).',
});

function sliceLayout(src: ViewLayout, { dim, start, end, step }: SliceAttrs): ViewLayout {
  const shape = src.shape.slice();
  const strides = src.strides.slice();
  shape[dim] = Math.max(0, Math.ceil((end - start) / step));
  strides[dim] = src.strides[dim]! * step;
  return { shape, strides, offset: src.offset + start * src.strides[dim]! };
}

/**
 * Python-style slice `start:end:step` along `dim`, clamped to the size (a view). Negative
 * start/end count from the end; the step must be positive, as in PyTorch.
 * @example x.slice(0, 1, 3) // x[1:3]
 */
export function slice(
  t: Tensor,
  dim: number,
  start?: number | null,
  end?: number | null,
  step = 1,
): Tensor {
  checkTensor(t, 'slice', 'input');
  const d = normalizeDim(dim, t.shape.length, 'slice');
  if (t.shape.length === 0) throw new RangeError('slice() cannot be applied to a 0-dim tensor.');
  if (!Number.isInteger(step) || step <= 0)
    throw new RangeError(`slice: step must be greater than zero, got ${step}`);
  const size = t.shape[d]!;
  const clampIndex = (v: number | null | undefined, dflt: number) => {
    if (v === undefined || v === null) return dflt;
    const r = v < 0 ? v + size : v;
    return Math.min(Math.max(r, 0), size);
  };
  const s = clampIndex(start, 0);
  const e = Math.max(clampIndex(end, size), s);
  return run(sliceOp, [t], { dim: d, start: s, end: e, step });
}

/** The registered 'select' op (PyTorch's `x.select(dim, index)`); call it through {@link select}. */
export const selectOp = op<{ dim: number; index: number }>({
  name: 'select',
  inputs: ['input'],
  attrs: { dim: { type: 'int' }, index: { type: 'int' } },
  view: selectLayout,
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas, attrs }) =>
      viewVjp(grad, inputMetas[0]!.shape, (s) => selectLayout(s, attrs)),
  },
  samples: () => [
    { name: 'row', inputs: [{ shape: [3, 4] }], attrs: { dim: 0, index: 1 } },
    {
      name: 'transposed',
      inputs: [{ shape: [3, 4], layout: 'transposed' }],
      attrs: { dim: 1, index: 2 },
    },
    { name: 'to 0-d', inputs: [{ shape: [5] }], attrs: { dim: 0, index: 4 } },
  ],
  doc: 'The slice at one index along a dimension, dropping that dimension (a view).',
});

function selectLayout(src: ViewLayout, { dim, index }: { dim: number; index: number }): ViewLayout {
  const shape = src.shape.slice();
  const strides = src.strides.slice();
  shape.splice(dim, 1);
  strides.splice(dim, 1);
  return { shape, strides, offset: src.offset + index * src.strides[dim]! };
}

/**
 * `x[..., index, ...]` at `dim`, removing that dim (a view). Negative indices count from the end.
 * @example torch.tensor([[11, 12, 13], [21, 22, 23]]).select(0, 1) // tensor([21., 22., 23.])
 */
export function select(t: Tensor, dim: number, index: number): Tensor {
  checkTensor(t, 'select', 'input');
  if (t.shape.length === 0) throw new RangeError('select() cannot be applied to a 0-dim tensor.');
  const d = normalizeDim(dim, t.shape.length, 'select');
  const size = t.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(
      `select(): index ${index} out of range for tensor of size ${formatShape(t.shape)} at dimension ${d}`,
    );
  }
  return run(selectOp, [t], { dim: d, index: index < 0 ? index + size : index });
}

/**
 * `length` elements from `start` along `dim` (a view).
 * @example x.narrow(0, 1, 2) // x[1:3]
 */
export function narrow(t: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor(t, 'narrow', 'input');
  if (t.shape.length === 0) throw new RangeError('narrow() cannot be applied to a 0-dim tensor.');
  if (!Number.isInteger(start) || !Number.isInteger(length)) {
    throw new TypeError(`narrow: start and length must be integers, got ${start} and ${length}`);
  }
  const d = normalizeDim(dim, t.shape.length, 'narrow');
  const size = t.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (s < 0 || length < 0 || s + length > size) {
    throw new RangeError(
      `narrow: start (${start}) + length (${length}) exceeds dimension size (${size}).`,
    );
  }
  return run(sliceOp, [t], { dim: d, start: s, end: s + length, step: 1 });
}

declare module '../tensor.js' {
  interface Tensor {
    /** `start:end:step` along `dim` (a view). @example x.slice(0, 1, null, 2) */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;

    /** The entry at `index` along `dim`, dropping the dim (a view). @example x.select(0, 1) */
    select(dim: number, index: number): Tensor;

    /** `length` entries from `start` along `dim` (a view). @example x.narrow(1, 0, 2) */
    narrow(dim: number, start: number, length: number): Tensor;
  }
}

Tensor.prototype.slice = function (
  this: Tensor,
  dim: number,
  start?: number | null,
  end?: number | null,
  step?: number,
) {
  return slice(this, dim, start, end, step);
};
Tensor.prototype.select = function (this: Tensor, dim: number, index: number) {
  return select(this, dim, index);
};
Tensor.prototype.narrow = function (this: Tensor, dim: number, start: number, length: number) {
  return narrow(this, dim, start, length);
};
