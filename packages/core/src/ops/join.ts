import { checkTensor, checkTensorList } from '../arg-check.js';
import { promoteTypes } from '../dtype.js';
import { formatShape, normalizeDim, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { op, run } from './define.js';
import { narrow, select } from './slicing.js';
import { clone, reshape, unsqueeze } from './view.js';

/**
 * Joining and splitting along a dimension: `cat`/`stack` copy (variadic ops: one call joins the
 * whole list, each element copied once), `split`/`chunk`/`unbind` return views.
 */

/** Checks that two operands of `cat` agree on every dim but `dim`; `which` numbers the second. */
function checkCatShapes(
  a: readonly number[],
  b: readonly number[],
  dim: number,
  which: number,
  opName: string,
): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `${opName}: Tensors must have same number of dimensions: got ${a.length} and ${b.length}`,
    );
  }
  for (let i = 0; i < a.length; i++) {
    if (i !== dim && a[i] !== b[i]) {
      throw new RangeError(
        `${opName}: Sizes of tensors must match except in dimension ${dim}. Expected size ${a[i]} but got size ${b[i]} for tensor number ${which} in the list.`,
      );
    }
  }
}

/** The registered 'cat' op (joins a list of tensors); call it through {@link cat}. */
export const catOp = op<{ dim: number }>({
  name: 'cat',
  inputs: ['tensors'],
  variadic: true,
  attrs: { dim: { type: 'int' } },
  infer: (tensors, { dim }) => {
    const ref = tensors[0]!;
    const d = normalizeDim(dim, ref.shape.length, 'cat');
    const shape = ref.shape.slice();
    shape[d] = 0;
    tensors.forEach((t, i) => {
      if (t.dtype !== ref.dtype) {
        throw new TypeError(
          `cat: expected all tensors to have the same dtype, got ${ref.dtype} and ${t.dtype} (tensor number ${i})`,
        );
      }
      if (t.shape.length === 0) {
        throw new RangeError(
          `cat: zero-dimensional tensor (at position ${i}) cannot be concatenated`,
        );
      }
      checkCatShapes(ref.shape, t.shape, d, i, 'cat');
      shape[d]! += t.shape[d]!;
    });
    return { shape, dtype: ref.dtype };
  },
  saveInputs: [],
  vjp: {
    tensors: ({ grad, inputMetas, attrs, index }) => {
      const d = normalizeDim(attrs.dim, grad.shape.length, 'cat');
      let start = 0;
      for (let i = 0; i < index; i++) start += inputMetas[i]!.shape[d]!;
      return narrow(grad, d, start, inputMetas[index]!.shape[d]!);
    },
  },
  samples: () => [
    { name: 'rows', inputs: [{ shape: [2, 3] }, { shape: [1, 3] }], attrs: { dim: 0 } },
    {
      name: 'three',
      inputs: [{ shape: [2, 1] }, { shape: [2, 3] }, { shape: [2, 2] }],
      attrs: { dim: -1 },
    },
    {
      name: 'transposed',
      inputs: [{ shape: [3, 2], layout: 'transposed' }, { shape: [3, 4] }],
      attrs: { dim: 1 },
    },
    { name: 'empty', inputs: [{ shape: [0, 3] }, { shape: [2, 3] }], attrs: { dim: 0 } },
    {
      name: 'int',
      inputs: [
        { shape: [2], dtype: 'int32', values: [1, 2] },
        { shape: [1], dtype: 'int32', values: [7] },
      ],
      attrs: { dim: 0 },
    },
  ],
  doc: 'Concatenates tensors along a dimension.',
});

/** Old PyTorch behaviour kept for compatibility: 1-d empty tensors are skipped by `cat`. */
function isSkippable(t: Tensor): boolean {
  return t.shape.length === 1 && t.shape[0] === 0;
}

/**
 * Concatenates tensors along `dim` (default 0). They must agree on every other dim; dtypes are
 * promoted to a common one. Always returns a new tensor.
 * @example torch.cat([torch.zeros(2, 3), torch.ones(1, 3)]).shape // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return catAs('cat', tensors, dim);
}

/** `cat` under the name the caller used (`cat`, `hstack`, `vstack`), for its type errors. */
function catAs(name: string, tensors: readonly Tensor[], dim: number): Tensor {
  checkTensorList(tensors, name, 'tensors');
  if (tensors.length === 0) {
    throw new RangeError('torch.cat(): expected a non-empty list of Tensors');
  }
  tensors.forEach((t, i) => {
    if (t.shape.length === 0) {
      throw new RangeError(
        `torch.cat(): zero-dimensional tensor (at position ${i}) cannot be concatenated`,
      );
    }
  });
  const kept = tensors.filter((t) => !isSkippable(t));
  if (kept.length === 0) return clone(tensors[0]!);
  const ref = kept[0]!;
  const d = normalizeDim(dim, ref.shape.length, 'cat');
  const firstIdx = tensors.indexOf(ref);
  tensors.forEach((t, i) => {
    if (i > firstIdx && !isSkippable(t)) checkCatShapes(ref.shape, t.shape, d, i, 'torch.cat()');
  });
  const dtype = kept.reduce((acc, t) => promoteTypes(acc, t.dtype), ref.dtype);
  const list = kept.map((t) => cast(t, dtype));
  return list.length === 1 ? clone(list[0]!) : run(catOp, list, { dim: d });
}

/** Alias of `cat`. @example torch.concatenate([a, b], 1) */
export const concatenate = cat;
/** Alias of `cat`. @example torch.concat([a, b]) */
export const concat = cat;

/**
 * Joins equally shaped tensors along a new dimension `dim`.
 * @example torch.stack([torch.zeros(3), torch.ones(3)]).shape // [2, 3]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList(tensors, 'stack', 'tensors');
  if (tensors.length === 0) {
    throw new RangeError('stack expects a non-empty TensorList');
  }
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (!shapesEqual(t.shape, ref.shape)) {
      throw new RangeError(
        `stack expects each tensor to be equal size, but got ${formatShape(ref.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normalizeDim(dim, ref.shape.length + 1, 'stack');
  const dtype = tensors.reduce((acc, t) => promoteTypes(acc, t.dtype), ref.dtype);
  return run(
    stackOp,
    tensors.map((t) => cast(t, dtype)),
    { dim: d },
  );
}

/**
 * The registered 'stack' op (printed `StackBackward0`); call it through {@link stack}. Backends
 * without a kernel run it as `cat` of the inputs with a new dimension.
 */
export const stackOp = op<{ dim: number }>({
  name: 'stack',
  inputs: ['tensors'],
  variadic: true,
  attrs: { dim: { type: 'int' } },
  infer: (tensors, { dim }) => {
    const ref = tensors[0]!;
    tensors.forEach((t, i) => {
      if (!shapesEqual(t.shape, ref.shape) || t.dtype !== ref.dtype) {
        throw new RangeError(
          `stack expects each tensor to be equal size and dtype, but got ${formatShape(ref.shape)} ${ref.dtype} at entry 0 and ${formatShape(t.shape)} ${t.dtype} at entry ${i}`,
        );
      }
    });
    const shape = ref.shape.slice();
    shape.splice(dim, 0, tensors.length);
    return { shape, dtype: ref.dtype };
  },
  decomposition: (tensors, { dim }) =>
    run(
      catOp,
      tensors.map((t) => unsqueeze(t, dim)),
      { dim },
    ),
  saveInputs: [],
  vjp: { tensors: ({ grad, attrs, index }) => select(grad, attrs.dim, index) },
  samples: () => [
    { name: 'rows', inputs: [{ shape: [3] }, { shape: [3] }], attrs: { dim: 0 } },
    {
      name: 'last',
      inputs: [{ shape: [2, 3], layout: 'transposed' }, { shape: [2, 3] }, { shape: [2, 3] }],
      attrs: { dim: 2 },
    },
    { name: '0d', inputs: [{ shape: [] }, { shape: [] }], attrs: { dim: 0 } },
  ],
  doc: 'Joins equally shaped tensors along a new dimension.',
});

/** Tensors as at least 1-d (0-d becomes shape [1]). */
function atLeast1d(t: Tensor): Tensor {
  return t.shape.length === 0 ? reshape(t, [1]) : t;
}

/**
 * Stacks horizontally: along dim 1, or dim 0 for 1-d tensors.
 * @example torch.hstack([torch.zeros(2), torch.ones(3)]).shape // [5]
 */
export function hstack(tensors: readonly Tensor[]): Tensor {
  checkTensorList(tensors, 'hstack', 'tensors');
  const list = tensors.map(atLeast1d);
  return catAs('hstack', list, list[0]?.shape.length === 1 ? 0 : 1);
}

/**
 * Stacks vertically: along dim 0, viewing 1-d tensors as rows.
 * @example torch.vstack([torch.zeros(3), torch.ones(3)]).shape // [2, 3]
 */
export function vstack(tensors: readonly Tensor[]): Tensor {
  checkTensorList(tensors, 'vstack', 'tensors');
  return catAs(
    'vstack',
    tensors.map((t) => (t.shape.length < 2 ? reshape(t, [1, -1]) : t)),
    0,
  );
}

/**
 * Splits into views along `dim`: pieces of `splitSize` (the last may be smaller), or pieces of
 * the listed sizes, which must add up to the size of `dim`.
 * @example torch.arange(5).split(2) // [tensor([0, 1]), tensor([2, 3]), tensor([4])]
 * @example torch.arange(5).split([1, 4]) // [tensor([0]), tensor([1, 2, 3, 4])]
 */
export function split(
  t: Tensor,
  splitSizeOrSections: number | readonly number[],
  dim = 0,
): Tensor[] {
  checkTensor(t, 'split', 'input');
  if (t.shape.length === 0) {
    throw new RangeError(`split: Dimension specified as ${dim} but tensor has no dimensions`);
  }
  const d = normalizeDim(dim, t.shape.length, 'split');
  const size = t.shape[d]!;
  if (typeof splitSizeOrSections !== 'number') {
    const sizes = splitSizeOrSections.slice();
    if (sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new RangeError(
        `split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${formatShape(sizes)}`,
      );
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size) {
      throw new RangeError(
        `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${formatShape(sizes)}`,
      );
    }
    let start = 0;
    return sizes.map((s) => {
      const piece = narrow(t, d, start, s);
      start += s;
      return piece;
    });
  }
  const splitSize = splitSizeOrSections;
  if (!Number.isInteger(splitSize) || splitSize < 0) {
    throw new RangeError(
      `split expects split_size be non-negative, but got split_size=${splitSize}`,
    );
  }
  if (splitSize === 0 && size !== 0) {
    throw new RangeError(
      `split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`,
    );
  }
  const pieces = Math.max(1, Math.ceil(size / Math.max(splitSize, 1)));
  const out: Tensor[] = [];
  for (let i = 0; i < pieces; i++) {
    const start = i * splitSize;
    out.push(narrow(t, d, start, Math.min(splitSize, size - start)));
  }
  return out;
}

/**
 * Splits into `chunks` views of equal size along `dim` (the last may be smaller, and fewer may
 * be returned when the size does not allow that many).
 * @example torch.arange(6).chunk(4).length // 3
 */
export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor(t, 'chunk', 'input');
  if (t.shape.length === 0) {
    throw new RangeError('chunk expects at least a 1-dimensional tensor');
  }
  if (!Number.isInteger(chunks) || chunks <= 0) {
    throw new RangeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  }
  const d = normalizeDim(dim, t.shape.length, 'chunk');
  const size = t.shape[d]!;
  if (size === 0) return Array.from({ length: chunks }, () => narrow(t, d, 0, 0));
  return split(t, Math.ceil(size / chunks), d);
}

/**
 * Removes dimension `dim`, returning the slices along it (views).
 * @example torch.eye(2).unbind() // [tensor([1., 0.]), tensor([0., 1.])]
 */
export function unbind(t: Tensor, dim = 0): Tensor[] {
  checkTensor(t, 'unbind', 'input');
  if (t.shape.length === 0) {
    throw new RangeError(`unbind: Dimension specified as ${dim} but tensor has no dimensions`);
  }
  const d = normalizeDim(dim, t.shape.length, 'unbind');
  return Array.from({ length: t.shape[d]! }, (_, i) => select(t, d, i));
}

declare module '../tensor.js' {
  interface Tensor {
    /** Views of `splitSize` (or listed sizes) along `dim`. @example x.split(2) */
    split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
    /** `chunks` views of equal size along `dim`. @example x.chunk(3, 1) */
    chunk(chunks: number, dim?: number): Tensor[];
    /** The slices along `dim`, dropping it. @example x.unbind(0) */
    unbind(dim?: number): Tensor[];
  }
}

Tensor.prototype.split = function (
  this: Tensor,
  splitSizeOrSections: number | readonly number[],
  dim?: number,
) {
  return split(this, splitSizeOrSections, dim);
};
Tensor.prototype.chunk = function (this: Tensor, chunks: number, dim?: number) {
  return chunk(this, chunks, dim);
};
Tensor.prototype.unbind = function (this: Tensor, dim?: number) {
  return unbind(this, dim);
};
