import { AllocationError } from '../alloc.js';
import { checkTensor } from '../arg-check.js';
import { contiguousStrides, formatShape, normalizeDim, numelOf, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { op, run } from './define.js';

/**
 * View ops: results share the input's storage (no kernel, no copy). Their VJPs are written with
 * ops, and every view has a generic VJP through `viewScatter`, so any view is differentiable to
 * any order on every backend.
 */

/** Attributes of `asStrided`/`viewScatter`: a layout inside a contiguous tensor of `size`. */
interface StridedAttrs {
  size: number[];
  shape: number[];
  strides: number[];
  offset: number;
}

/**
 * Writes (accumulating, so that broadcast views sum) `input` into the `shape/strides/offset`
 * positions of a fresh zero tensor of `size`. The VJP of every view op.
 * @example run(viewScatterOp, [grad], { size: [2, 3], shape: [3], strides: [1], offset: 3 }) // grad placed in row 1 of zeros(2, 3)
 */
export const viewScatterOp = op<StridedAttrs>({
  name: 'viewScatter',
  inputs: ['input'],
  attrs: {
    size: { type: 'int[]' },
    shape: { type: 'int[]' },
    strides: { type: 'int[]' },
    offset: { type: 'int' },
  },
  infer: ([g], a) => {
    if (!shapesEqual(g!.shape, a.shape)) {
      throw new RangeError(
        `viewScatter: gradient shape ${formatShape(g!.shape)} does not match view shape ${formatShape(a.shape)}`,
      );
    }
    return { shape: a.size, dtype: g!.dtype };
  },
  saveInputs: [],
  vjp: {
    input: ({ grad, attrs }) =>
      asStrided(contiguous(grad), attrs.shape, attrs.strides, attrs.offset),
  },
  gradFnName: 'AsStridedScatterBackward0',
  samples: () => [
    {
      name: 'row',
      inputs: [{ shape: [3] }],
      attrs: { size: [2, 3], shape: [3], strides: [1], offset: 3 },
    },
    {
      name: 'overlap',
      inputs: [{ shape: [2, 2] }],
      attrs: { size: [3], shape: [2, 2], strides: [1, 1], offset: 0 },
    },
  ],
  doc: 'Scatter-adds a view-shaped tensor into zeros (the VJP of views).',
});

/**
 * A view with an explicit layout over a contiguous tensor.
 * @example run(asStridedOp, [x], { shape: [2, 2], strides: [1, 2], offset: 0 }) // what torch.asStrided(x, [2, 2], [1, 2]) runs
 */
export const asStridedOp = op<{ shape: number[]; strides: number[]; offset: number }>({
  name: 'asStrided',
  inputs: ['input'],
  attrs: {
    shape: { type: 'int[]' },
    strides: { type: 'int[]' },
    offset: { type: 'int', default: 0 },
  },
  view: (src, a) => ({ shape: a.shape, strides: a.strides, offset: src.offset + a.offset }),
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas, attrs }) =>
      run(viewScatterOp, [grad], { size: inputMetas[0]!.shape.slice(), ...attrs }),
  },
  samples: () => [
    {
      name: 'window',
      inputs: [{ shape: [6] }],
      attrs: { shape: [2, 3], strides: [2, 1], offset: 0 },
    },
    { name: 'offset', inputs: [{ shape: [2, 3] }], attrs: { shape: [2], strides: [3], offset: 1 } },
  ],
  doc: 'A view with explicit sizes, strides and offset (inputs must be contiguous).',
});

/** PyTorch's as_strided checks: a well-formed layout whose last element lies inside the storage. */
function checkStridedLayout(
  opName: string,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  storageSize: number,
): void {
  if (shape.length !== strides.length) {
    throw new RangeError(
      `${opName}: mismatch in length of strides and shape (shape ${formatShape(shape)}, strides ${formatShape(strides)})`,
    );
  }
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new RangeError(`${opName}: invalid shape ${formatShape(shape)}`);
  }
  if (strides.some((s) => s < 0)) {
    throw new RangeError(
      `${opName}: Negative strides are not supported at the moment, got strides: ${formatShape(strides)}`,
    );
  }
  if (offset < 0) {
    throw new RangeError(`${opName}: Tensor: invalid storage offset ${offset}`);
  }
  if (shape.includes(0)) return;
  let last = offset;
  for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * strides[i]!;
  if (last >= storageSize) {
    throw new RangeError(
      `${opName}: sizes ${formatShape(shape)}, strides ${formatShape(strides)}, storage offset ${offset} require a storage of ${last + 1} elements, out of bounds for a storage of ${storageSize} elements`,
    );
  }
}

/**
 * A view of `t` with the given layout (relative to `t`'s own offset); `t` should be contiguous.
 * @example torch.asStrided(x, [2, 2], [1, 2])
 */
export function asStrided(
  t: Tensor,
  shape: readonly number[],
  strides: readonly number[],
  offset = 0,
): Tensor {
  checkTensor(t, 'asStrided', 'input');
  checkStridedLayout('asStrided', shape, strides, t.offset + offset, t.storage.size);
  return run(asStridedOp, [t], { shape: shape.slice(), strides: strides.slice(), offset });
}

/**
 * A dense row-major copy (or `t` itself when already contiguous).
 * @example run(contiguousOp, [x.t()]) // what x.t().contiguous() runs
 */
export const contiguousOp = op({
  name: 'contiguous',
  inputs: ['input'],
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  saveInputs: [],
  vjp: { input: ({ grad }) => grad },
  gradFnName: 'CloneBackward0',
  samples: () => [
    { name: 'transposed', inputs: [{ shape: [3, 4], layout: 'transposed' }] },
    { name: '0-d', inputs: [{ shape: [] }] },
    { name: 'empty', inputs: [{ shape: [0, 3] }] },
  ],
  doc: 'Copies a tensor into dense row-major storage.',
});

/**
 * `t` itself when dense row-major, else a dense copy.
 * @example x.t().contiguous().isContiguous() // true
 */
export function contiguous(t: Tensor): Tensor {
  checkTensor(t, 'contiguous', 'input');
  return t.isContiguous() ? t : run(contiguousOp, [t]);
}

/**
 * A copy with its own storage (PyTorch's `clone`), always dense.
 * @example const y = x.clone();
 */
export function clone(t: Tensor): Tensor {
  checkTensor(t, 'clone', 'input');
  return copyFor('clone', t);
}

/**
 * Resolves one `-1` in a requested shape against the element count.
 * @example torch.inferSize([2, -1], 6, 'view') // [2, 3]
 */
export function inferSize(shape: readonly number[], numel: number, opName: string): number[] {
  const out = shape.slice();
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const s = out[i]!;
    if (s === -1) {
      if (infer >= 0) throw new RangeError(`${opName}: only one dimension can be inferred`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(`${opName}: invalid shape dimension ${s}`);
    } else known *= s;
  }
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new RangeError(
        `${opName}: shape '${formatShape(shape)}' is invalid for input of size ${numel}`,
      );
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new RangeError(
      `${opName}: shape '${formatShape(shape)}' is invalid for input of size ${numel}`,
    );
  }
  return out;
}

/**
 * Strides for viewing a (possibly non-contiguous) layout with a new shape without copying,
 * or null when impossible (PyTorch's `computeStride`).
 * @example torch.viewStrides([2, 3], [3, 1], [6]) // [1]; torch.viewStrides([3, 2], [1, 3], [6]) // null
 */
export function viewStrides(
  oldShape: readonly number[],
  oldStrides: readonly number[],
  newShape: readonly number[],
): number[] | null {
  const numel = numelOf(oldShape);
  if (numel <= 1) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length).fill(0);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

/** The registered 'view' op; call it through {@link view} or {@link reshape}. */
export const viewOp = op<{ shape: number[] }>({
  name: 'view',
  inputs: ['input'],
  attrs: { shape: { type: 'int[]' } },
  view: (src, { shape }) => {
    const strides = viewStrides(src.shape, src.strides, shape);
    if (!strides) {
      throw new RangeError(
        `view: size ${formatShape(shape)} is not compatible with input tensor's size ${formatShape(src.shape)} and stride ${formatShape(src.strides)} (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.`,
      );
    }
    return { shape, strides, offset: src.offset };
  },
  saveInputs: [],
  vjp: { input: ({ grad, inputMetas }) => reshape(grad, inputMetas[0]!.shape) },
  samples: () => [
    { name: 'flatten', inputs: [{ shape: [2, 3] }], attrs: { shape: [6] } },
    {
      name: 'transposed',
      inputs: [{ shape: [2, 3], layout: 'transposed' }],
      attrs: { shape: [1, 2, 3] },
    },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { shape: [1, 1] } },
    { name: 'empty', inputs: [{ shape: [0, 4] }], attrs: { shape: [2, 0] } },
  ],
  doc: 'Views the same elements with another shape (no copy).',
});

function shapeArgs(args: readonly (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0])
    ? (args[0] as number[]).slice()
    : (args as number[]);
}

/**
 * The same elements with another shape, sharing storage; one dim may be -1.
 * @example torch.arange(6).view(2, 3)
 */
export function view(t: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  checkTensor(t, 'view', 'input');
  return run(viewOp, [t], { shape: inferSize(shapeArgs(shape), t.numel(), 'view') });
}

/** A contiguous copy made on behalf of `fn`, whose name a failed allocation then carries. */
function copyFor(fn: string, t: Tensor): Tensor {
  try {
    return run(contiguousOp, [t]);
  } catch (e) {
    throw AllocationError.as(e, fn);
  }
}

/**
 * Like `view`, but copies when the layout does not allow a view.
 * @example x.t().reshape(-1)
 */
export function reshape(t: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  checkTensor(t, 'reshape', 'input');
  const target = inferSize(shapeArgs(shape), t.numel(), 'reshape');
  // Like PyTorch, even an unchanged shape gives a new alias, never `t` itself.
  const strides = shapesEqual(target, t.shape)
    ? t.strides
    : viewStrides(t.shape, t.strides, target);
  return run(viewOp, [strides ? t : copyFor('reshape', t)], { shape: target });
}

/** The registered 'transpose' op; call it through {@link transpose}. */
export const transposeOp = op<{ dim0: number; dim1: number }>({
  name: 'transpose',
  inputs: ['input'],
  attrs: { dim0: { type: 'int' }, dim1: { type: 'int' } },
  view: (src, { dim0, dim1 }) => {
    // Swapping a dim with itself is the identity (and the only transpose of a 0-d tensor).
    if (dim0 === dim1)
      return { shape: src.shape.slice(), strides: src.strides.slice(), offset: src.offset };
    const shape = src.shape.slice();
    const strides = src.strides.slice();
    [shape[dim0], shape[dim1]] = [shape[dim1]!, shape[dim0]!];
    [strides[dim0], strides[dim1]] = [strides[dim1]!, strides[dim0]!];
    return { shape, strides, offset: src.offset };
  },
  saveInputs: [],
  vjp: { input: ({ grad, attrs }) => transpose(grad, attrs.dim0, attrs.dim1) },
  samples: () => [
    { name: 'matrix', inputs: [{ shape: [2, 3] }], attrs: { dim0: 0, dim1: 1 } },
    {
      name: 'transposed',
      inputs: [{ shape: [2, 3, 4], layout: 'transposed' }],
      attrs: { dim0: 0, dim1: 2 },
    },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { dim0: 0, dim1: 0 } },
  ],
  doc: 'Swaps two dimensions (a view).',
});

/**
 * Swaps two dimensions (a view).
 * @example x.transpose(0, 1)
 */
export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor(t, 'transpose', 'input');
  const n = t.shape.length;
  const d0 = normalizeDim(dim0, n, 'transpose');
  const d1 = normalizeDim(dim1, n, 'transpose');
  if (n < 2 && d0 === d1) return run(transposeOp, [t], { dim0: 0, dim1: 0 });
  return run(transposeOp, [t], { dim0: d0, dim1: d1 });
}

/** The registered 'permute' op; call it through {@link permute}. */
export const permuteOp = op<{ dims: number[] }>({
  name: 'permute',
  inputs: ['input'],
  attrs: { dims: { type: 'int[]' } },
  view: (src, { dims }) => ({
    shape: dims.map((d) => src.shape[d]!),
    strides: dims.map((d) => src.strides[d]!),
    offset: src.offset,
  }),
  saveInputs: [],
  vjp: {
    input: ({ grad, attrs }) => {
      const inverse = new Array<number>(attrs.dims.length);
      attrs.dims.forEach((d, i) => {
        inverse[d] = i;
      });
      return permute(grad, inverse);
    },
  },
  samples: () => [
    { name: '3-d', inputs: [{ shape: [2, 3, 4] }], attrs: { dims: [2, 0, 1] } },
    {
      name: 'transposed',
      inputs: [{ shape: [3, 4], layout: 'transposed' }],
      attrs: { dims: [1, 0] },
    },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { dims: [] } },
  ],
  doc: 'Reorders dimensions (a view).',
});

/**
 * Reorders dimensions (a view).
 * @example torch.zeros(2, 3, 4).permute(2, 0, 1).shape // [4, 2, 3]
 */
export function permute(t: Tensor, ...dims: (number | readonly number[])[]): Tensor {
  checkTensor(t, 'permute', 'input');
  const list = shapeArgs(dims);
  if (list.length !== t.shape.length) {
    throw new RangeError(
      `permute: number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${t.shape.length} is not equal to len(dims) = ${list.length}`,
    );
  }
  const norm = list.map((d) => normalizeDim(d, t.shape.length, 'permute'));
  if (new Set(norm).size !== norm.length)
    throw new RangeError('permute(): duplicate dims are not allowed.');
  return run(permuteOp, [t], { dims: norm });
}

/**
 * Reduces a broadcast gradient back to the shape of the operand it flows to
 * (sums the broadcast dims): the VJP of broadcasting.
 * @example torch.sumTo(torch.ones(2, 3), [1, 3]) // tensor([[2., 2., 2.]])
 */
export function sumTo(grad: Tensor, shape: readonly number[]): Tensor {
  checkTensor(grad, 'sumTo', 'input');
  if (shapesEqual(grad.shape, shape)) return grad;
  const lead = grad.shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < grad.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) dims.push(i);
  }
  const reduced = dims.length ? grad.sum(dims, true) : grad;
  return reshape(reduced, shape);
}

/** The registered 'expand' op; call it through {@link expand}. */
export const expandOp = op<{ shape: number[] }>({
  name: 'expand',
  inputs: ['input'],
  attrs: { shape: { type: 'int[]' } },
  view: (src, { shape }) => {
    const lead = shape.length - src.shape.length;
    const strides = shape.map((s, i) => {
      const j = i - lead;
      if (j < 0) return 0;
      if (src.shape[j] === s) return src.strides[j]!;
      return 0;
    });
    return { shape, strides, offset: src.offset };
  },
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas }) => sumTo(grad, inputMetas[0]!.shape),
  },
  samples: () => [
    { name: 'rows', inputs: [{ shape: [1, 3] }], attrs: { shape: [4, 3] } },
    { name: 'leading', inputs: [{ shape: [3] }], attrs: { shape: [2, 2, 3] } },
    {
      name: 'transposed',
      inputs: [{ shape: [1, 3], layout: 'transposed' }],
      attrs: { shape: [2, 1, 3] },
    },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { shape: [2, 2] } },
  ],
  doc: 'Broadcasts singleton dimensions to a larger size (a view, stride 0).',
});

/**
 * Broadcasts size-1 dims to `shape` without copying; -1 keeps a size.
 * @example torch.tensor([1, 2]).expand(3, 2)
 */
export function expand(t: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  checkTensor(t, 'expand', 'input');
  const want = shapeArgs(shape);
  if (want.length < t.shape.length) {
    throw new RangeError(
      `expand: the number of sizes provided (${want.length}) must be greater or equal to the number of dimensions in the tensor (${t.shape.length})`,
    );
  }
  const lead = want.length - t.shape.length;
  const target = want.map((s, i) => {
    const own = i >= lead ? t.shape[i - lead]! : -1;
    if (s === -1) {
      if (i < lead)
        throw new RangeError(`expand: -1 is not allowed in a leading, non-existing dimension ${i}`);
      return own;
    }
    if (!Number.isInteger(s) || s < 0) {
      throw new RangeError(
        `expand: invalid size ${s} at dimension ${i}: sizes must be non-negative integers or -1. Target sizes: ${formatShape(want)}`,
      );
    }
    if (i >= lead && own !== 1 && own !== s) {
      throw new RangeError(
        `expand: the expanded size of the tensor (${s}) must match the existing size (${own}) at non-singleton dimension ${i}. Target sizes: ${formatShape(want)}. Tensor sizes: ${formatShape(t.shape)}`,
      );
    }
    return s;
  });
  return run(expandOp, [t], { shape: target });
}

/**
 * `t` broadcast to `shape` (a view).
 * @example torch.broadcastTo(torch.tensor([1, 2]), [3, 2])
 */
export function broadcastTo(t: Tensor, shape: readonly number[]): Tensor {
  checkTensor(t, 'broadcastTo', 'input');
  return expand(t, shape);
}

/** The registered 'unsqueeze' op; call it through {@link unsqueeze}. */
export const unsqueezeOp = op<{ dim: number }>({
  name: 'unsqueeze',
  inputs: ['input'],
  attrs: { dim: { type: 'int' } },
  view: (src, { dim }) => {
    const shape = src.shape.slice();
    const strides = src.strides.slice();
    const stride = dim < src.shape.length ? src.shape[dim]! * src.strides[dim]! : 1;
    shape.splice(dim, 0, 1);
    strides.splice(dim, 0, stride);
    return { shape, strides, offset: src.offset };
  },
  saveInputs: [],
  vjp: { input: ({ grad, inputMetas }) => reshape(grad, inputMetas[0]!.shape) },
  samples: () => [
    { name: 'front', inputs: [{ shape: [2, 3] }], attrs: { dim: 0 } },
    { name: 'transposed', inputs: [{ shape: [2, 3], layout: 'transposed' }], attrs: { dim: 2 } },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { dim: 0 } },
  ],
  doc: 'Inserts a dimension of size 1 (a view).',
});

/**
 * Inserts a size-1 dimension at `dim` (a view).
 * @example torch.tensor([1, 2]).unsqueeze(0).shape // [1, 2]
 */
export function unsqueeze(t: Tensor, dim: number): Tensor {
  checkTensor(t, 'unsqueeze', 'input');
  return run(unsqueezeOp, [t], { dim: normalizeDim(dim, t.shape.length + 1, 'unsqueeze') });
}

/** The registered 'squeeze' op; call it through {@link squeeze}. */
export const squeezeOp = op<{ dims: number[] }>({
  name: 'squeeze',
  inputs: ['input'],
  attrs: { dims: { type: 'int[]' } },
  view: (src, { dims }) => {
    const shape: number[] = [];
    const strides: number[] = [];
    for (let i = 0; i < src.shape.length; i++) {
      if (dims.includes(i) && src.shape[i] === 1) continue;
      shape.push(src.shape[i]!);
      strides.push(src.strides[i]!);
    }
    return { shape, strides, offset: src.offset };
  },
  saveInputs: [],
  vjp: { input: ({ grad, inputMetas }) => reshape(grad, inputMetas[0]!.shape) },
  samples: () => [
    { name: 'all', inputs: [{ shape: [2, 1, 3, 1] }], attrs: { dims: [0, 1, 2, 3] } },
    { name: 'transposed', inputs: [{ shape: [1, 3], layout: 'transposed' }], attrs: { dims: [1] } },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { dims: [] } },
  ],
  doc: 'Removes dimensions of size 1 (a view).',
});

/**
 * Removes size-1 dims (all, or the given ones; others are left alone as in PyTorch).
 * @example torch.zeros(2, 1, 3).squeeze().shape // [2, 3]
 */
export function squeeze(t: Tensor, dim?: number | readonly number[]): Tensor {
  checkTensor(t, 'squeeze', 'input');
  const n = t.shape.length;
  const dims =
    dim === undefined
      ? t.shape.map((_, i) => i)
      : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim(d, n, 'squeeze'));
  return run(squeezeOp, [t], { dims });
}

/**
 * The transpose of a matrix (0-d and 1-d tensors are returned as is).
 * @example m.t()
 */
export function t(x: Tensor): Tensor {
  checkTensor(x, 't', 'input');
  if (x.shape.length > 2)
    throw new RangeError(
      `t() expects a tensor with <= 2 dimensions, but self is ${x.shape.length}D`,
    );
  return x.shape.length < 2 ? x : run(tOp, [x]);
}

/** The registered 't' op: a matrix transpose view, printed as PyTorch's `TBackward0`. */
export const tOp = op({
  name: 't',
  inputs: ['input'],
  view: (src) => ({
    shape: [src.shape[1]!, src.shape[0]!],
    strides: [src.strides[1]!, src.strides[0]!],
    offset: src.offset,
  }),
  saveInputs: [],
  vjp: { input: ({ grad }) => t(grad) },
  samples: () => [
    { name: 'matrix', inputs: [{ shape: [2, 3] }] },
    { name: 'transposed', inputs: [{ shape: [3, 4], layout: 'transposed' }] },
  ],
  doc: 'Transposes a 2-D tensor (a view).',
});

/**
 * Merges dims `startDim..endDim` (inclusive) into one; a view when the layout allows, else a
 * copy, as `reshape`. A 0-d tensor becomes 1-d.
 * @example torch.zeros(2, 3, 4).flatten(1).shape // [2, 12]
 */
export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor(t, 'flatten', 'input');
  const n = t.shape.length;
  const s = normalizeDim(startDim, n, 'flatten');
  const e = normalizeDim(endDim, n, 'flatten');
  if (s > e)
    throw new RangeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (n === 0) return reshape(t, [1]);
  if (s === e) return t;
  let merged = 1;
  for (let i = s; i <= e; i++) merged *= t.shape[i]!;
  try {
    return reshape(t, [...t.shape.slice(0, s), merged, ...t.shape.slice(e + 1)]);
  } catch (err) {
    throw AllocationError.as(err, 'flatten');
  }
}

/**
 * Splits dim `dim` into `sizes` (one of them may be -1), the inverse of `flatten`.
 * @example torch.zeros(2, 12).unflatten(1, [3, -1]).shape // [2, 3, 4]
 */
export function unflatten(t: Tensor, dim: number, sizes: readonly number[]): Tensor {
  checkTensor(t, 'unflatten', 'input');
  const d = normalizeDim(dim, t.shape.length, 'unflatten');
  if (t.shape.length === 0) {
    throw new RangeError(`unflatten: Dimension specified as ${dim} but tensor has no dimensions`);
  }
  if (sizes.length === 0) throw new RangeError('unflatten: sizes must be non-empty');
  const size = t.shape[d]!;
  let resolved: number[];
  try {
    resolved = inferSize(sizes, size, 'unflatten');
  } catch (e) {
    if (sizes.filter((v) => v === -1).length > 1) {
      throw new RangeError('unflatten: only one dimension can be inferred');
    }
    throw new RangeError(
      `unflatten: Provided sizes ${formatShape(sizes)} don't multiply up to the size of dim ${dim} (${size}) in the input tensor`,
      { cause: e },
    );
  }
  // Splitting one dim is always expressible with strides, so this is a view.
  return view(t, [...t.shape.slice(0, d), ...resolved, ...t.shape.slice(d + 1)]);
}

/**
 * Moves dims `source` to positions `destination` (numbers or equal-length lists), keeping the
 * order of the others (a view).
 * @example torch.zeros(2, 3, 4).movedim(0, -1).shape // [3, 4, 2]
 */
export function movedim(
  t: Tensor,
  source: number | readonly number[],
  destination: number | readonly number[],
): Tensor {
  checkTensor(t, 'movedim', 'input');
  const n = t.shape.length;
  const src = typeof source === 'number' ? [source] : source.slice();
  const dst = typeof destination === 'number' ? [destination] : destination.slice();
  if (src.length !== dst.length) {
    throw new RangeError(
      `movedim: Invalid source or destination dims: source (${formatShape(src)} dims) should contain the same number of dims as destination (${formatShape(dst)} dims)`,
    );
  }
  const ns = src.map((d) => normalizeDim(d, n, 'movedim'));
  const nd = dst.map((d) => normalizeDim(d, n, 'movedim'));
  if (new Set(ns).size !== ns.length) {
    throw new RangeError(`movedim: repeated dim in \`source\` (${formatShape(src)})`);
  }
  if (new Set(nd).size !== nd.length) {
    throw new RangeError(`movedim: repeated dim in \`destination\` (${formatShape(dst)})`);
  }
  const order = new Array<number>(n).fill(-1);
  ns.forEach((s, i) => {
    order[nd[i]!] = s;
  });
  const rest = Array.from({ length: n }, (_, i) => i).filter((i) => !ns.includes(i));
  let k = 0;
  for (let i = 0; i < n; i++) if (order[i] === -1) order[i] = rest[k++]!;
  if (order.every((d, i) => d === i)) return t;
  return run(permuteOp, [t], { dims: order });
}

/** Alias of `movedim` (NumPy's name). @example torch.moveaxis(x, 0, 1) */
export const moveaxis = movedim;

/** Alias of `transpose` (NumPy's name). @example torch.swapaxes(x, 0, 1) */
export function swapaxes(t: Tensor, axis0: number, axis1: number): Tensor {
  checkTensor(t, 'swapaxes', 'input');
  return transpose(t, axis0, axis1);
}

/** Alias of `transpose`. @example torch.swapdims(x, 0, 1) */
export function swapdims(t: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor(t, 'swapdims', 'input');
  return transpose(t, dim0, dim1);
}

declare module '../tensor.js' {
  interface Tensor {
    /** Same elements, new shape, shared storage. @example x.view(2, -1) */
    view(...shape: (number | readonly number[])[]): Tensor;
    /** New shape; a view when possible, else a copy. @example x.reshape([3, 2]) */
    reshape(...shape: (number | readonly number[])[]): Tensor;
    /** Swaps two dims (a view). @example x.transpose(0, 1) */
    transpose(dim0: number, dim1: number): Tensor;
    /** Reorders dims (a view). @example x.permute(1, 0) */
    permute(...dims: (number | readonly number[])[]): Tensor;
    /** Broadcasts size-1 dims (a view). @example x.expand(3, -1) */
    expand(...shape: (number | readonly number[])[]): Tensor;
    /** Broadcasts like `other`. @example x.expandAs(y) */
    expandAs(other: Tensor): Tensor;
    /** Inserts a size-1 dim. @example x.unsqueeze(0) */
    unsqueeze(dim: number): Tensor;
    /** Removes size-1 dims. @example x.squeeze() */
    squeeze(dim?: number | readonly number[]): Tensor;
    /** Matrix transpose. @example m.t() */
    t(): Tensor;
    /** Transpose of a matrix (PyTorch's `.T` for 2-d). @example m.T */
    readonly T: Tensor;
    /** Dense copy unless already dense. @example x.t().contiguous() */
    contiguous(): Tensor;
    /** A dense copy. @example x.clone() */
    clone(): Tensor;
    /** Broadcasts to `shape`. @example x.broadcastTo([2, 3]) */
    broadcastTo(shape: readonly number[]): Tensor;
    /** Views with the shape of `other`. @example x.viewAs(y) */
    viewAs(other: Tensor): Tensor;
    /** Reshapes like `other`. @example x.reshapeAs(y) */
    reshapeAs(other: Tensor): Tensor;
    /** Merges dims `startDim..endDim` into one. @example x.flatten(1) */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Splits one dim into `sizes`. @example x.unflatten(1, [3, 4]) */
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /** Moves dims to new positions (a view). @example x.movedim(0, -1) */
    movedim(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    /** Alias of `movedim`. @example x.moveaxis(0, -1) */
    moveaxis(source: number | readonly number[], destination: number | readonly number[]): Tensor;
    /** Alias of `transpose`. @example x.swapaxes(0, 1) */
    swapaxes(axis0: number, axis1: number): Tensor;
    /** Alias of `transpose`. @example x.swapdims(0, 1) */
    swapdims(dim0: number, dim1: number): Tensor;
  }
}

const proto = Tensor.prototype;
proto.view = function (this: Tensor, ...shape) {
  return view(this, ...shape);
};
proto.reshape = function (this: Tensor, ...shape) {
  return reshape(this, ...shape);
};
proto.transpose = function (this: Tensor, d0: number, d1: number) {
  return transpose(this, d0, d1);
};
proto.permute = function (this: Tensor, ...dims) {
  return permute(this, ...dims);
};
proto.expand = function (this: Tensor, ...shape) {
  return expand(this, ...shape);
};
proto.expandAs = function (this: Tensor, other: Tensor) {
  checkTensor(other, 'expandAs', 'other');
  return expand(this, other.shape);
};
proto.unsqueeze = function (this: Tensor, dim: number) {
  return unsqueeze(this, dim);
};
proto.squeeze = function (this: Tensor, dim?: number | readonly number[]) {
  return squeeze(this, dim);
};
proto.t = function (this: Tensor) {
  return t(this);
};
Object.defineProperty(proto, 'T', {
  get(this: Tensor) {
    return this.shape.length < 2
      ? this
      : permute(
          this,
          this.shape.map((_, i) => this.shape.length - 1 - i),
        );
  },
});
proto.contiguous = function (this: Tensor) {
  return contiguous(this);
};
proto.clone = function (this: Tensor) {
  return clone(this);
};
proto.broadcastTo = function (this: Tensor, shape: readonly number[]) {
  return broadcastTo(this, shape);
};
proto.viewAs = function (this: Tensor, other: Tensor) {
  checkTensor(other, 'viewAs', 'other');
  return view(this, other.shape);
};
proto.reshapeAs = function (this: Tensor, other: Tensor) {
  checkTensor(other, 'reshapeAs', 'other');
  return reshape(this, other.shape);
};
proto.flatten = function (this: Tensor, startDim?: number, endDim?: number) {
  return flatten(this, startDim, endDim);
};
proto.unflatten = function (this: Tensor, dim: number, sizes: readonly number[]) {
  return unflatten(this, dim, sizes);
};
proto.movedim = function (this: Tensor, source, destination) {
  return movedim(this, source, destination);
};
proto.moveaxis = proto.movedim;
proto.swapaxes = function (this: Tensor, a: number, b: number) {
  return transpose(this, a, b);
};
proto.swapdims = proto.swapaxes;
