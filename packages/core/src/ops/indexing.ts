import { argTypeError, checkTensor, checkTensorOrScalar } from '../arg-check.js';
import { scalarTensor, tensor, zeros } from '../creation.js';
import { noGrad } from '../grad-mode.js';
import type { RegisteredOp, TensorMeta } from '../registry.js';
import {
  broadcastShapes,
  contiguousStrides,
  formatShape,
  normalizeDim,
  numelOf,
  shapesEqual,
} from '../shape.js';
import type { NestedArray } from '../tensor.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { whereOp } from './compare.js';
import { op, run } from './define.js';
import { inplaceMaybeView } from './inplace-view.js';
import { maskedOperands, selectAt } from './masked-select.js';
import { coordinateColumns, nonzeroCount, requireSyncCount } from './nonzero-count.js';
import { sum } from './reduce.js';
import { asStrided, contiguous, expand, reshape, sumTo } from './view.js';

/**
 * Gather/scatter-style indexing ops. Index tensors are int32 (PyTorch's int64 role); every
 * kernel checks indices before writing anything. Advanced indexing (`x.get([0, 2])`) reduces to
 * the `index` and `indexPut` ops; see `getitem.ts` for the `get`/`set` front end.
 */

function checkIndexDType(opName: string, index: Tensor, what = 'index'): void {
  if (index.dtype !== 'int32') {
    throw new TypeError(
      `${opName}(): Expected dtype int32 for ${what} (int32 plays PyTorch's int64 role), got ${index.dtype}`,
    );
  }
}

/** Shape of `x` with the `k` dims from `dim` replaced by the index shape `b`. */
function indexedShape(
  x: readonly number[],
  dim: number,
  k: number,
  b: readonly number[],
): number[] {
  return [...x.slice(0, dim), ...b, ...x.slice(dim + k)];
}

function inferIndexed(opName: string, x: Tensor, indices: Tensor, dim: number): number[] {
  checkIndexDType(opName, indices, 'indices');
  const k = indices.shape[0] ?? 0;
  if (indices.shape.length === 0 || k === 0 || dim < 0 || dim + k > x.shape.length) {
    throw new RangeError(
      `${opName}: indices of shape ${formatShape(indices.shape)} (k index tensors stacked on dim 0) cannot index dims ${dim}..${dim + k - 1} of a tensor of shape ${formatShape(x.shape)}`,
    );
  }
  return indexedShape(x.shape, dim, k, indices.shape.slice(1));
}

/** Sample inputs: a float tensor and literal int32 stacked indices. */
const idx = (shape: number[], values: number[]) => ({
  shape,
  dtype: 'int32' as const,
  values,
  requiresGrad: false,
});

/**
 * `x[..., i_0, ..., i_{k-1}, ...]`: the k index tensors (broadcast to one shape B and stacked into
 * `indices` of shape `[k, ...B]`) address dims `dim..dim+k-1`; those dims become B. A copy.
 */
export const indexOp = op<{ dim: number }>({
  name: 'index',
  inputs: ['input', 'indices'],
  attrs: { dim: { type: 'int', default: 0 } },
  infer: ([x, indices], { dim }) => ({
    shape: inferIndexed('index', x!, indices!, dim),
    dtype: x!.dtype,
  }),
  saveInputs: [1],
  vjp: {
    input: ({ grad, inputs, inputMetas, attrs }) =>
      run(
        indexPutOp,
        [zeros(inputMetas[0]!.shape, { dtype: grad.dtype, device: grad.device }), inputs[1]!, grad],
        { dim: attrs.dim, accumulate: true },
      ),
  },
  samples: () => [
    { name: 'rows', inputs: [{ shape: [4, 3] }, idx([1, 3], [2, 0, 2])], attrs: { dim: 0 } },
    {
      name: 'pairs transposed',
      inputs: [{ shape: [3, 4], layout: 'transposed' }, idx([2, 2], [0, 2, -1, 1])],
      attrs: { dim: 0 },
    },
    {
      name: 'inner dim',
      inputs: [{ shape: [2, 5] }, idx([1, 2, 2], [4, 0, 1, 1])],
      attrs: { dim: 1 },
    },
    { name: 'empty', inputs: [{ shape: [3] }, idx([1, 0], [])], attrs: { dim: 0 } },
  ],
  doc: 'Advanced (integer-array) indexing of consecutive dims; a copy.',
});

/** The indexed region's values written (or added) into a copy of `input`: the inverse of `index`. */
/** Attributes of `indexPut`. */
interface IndexPutAttrs {
  dim: number;
  accumulate: boolean;
}

/** The registered 'indexPut' op (PyTorch's `index_put`); call it through {@link indexPut} or `x.set(...)`. */
export const indexPutOp: RegisteredOp<IndexPutAttrs> = op<IndexPutAttrs>({
  name: 'indexPut',
  inputs: ['input', 'indices', 'values'],
  attrs: { dim: { type: 'int', default: 0 }, accumulate: { type: 'bool', default: false } },
  infer: ([x, indices, values], { dim }) => {
    const shape = inferIndexed('index_put', x!, indices!, dim);
    if (!shapesEqual(values!.shape, shape) || values!.dtype !== x!.dtype) {
      throw new RangeError(
        `index_put: values of shape ${formatShape(values!.shape)} ${values!.dtype} must have the indexing result's shape ${formatShape(shape)} and the input's dtype ${x!.dtype}`,
      );
    }
    return { shape: x!.shape, dtype: x!.dtype };
  },
  saveInputs: [1],
  vjp: {
    input: ({ grad, inputs, inputMetas, attrs }) =>
      attrs.accumulate
        ? grad
        : run(
            indexPutOp,
            [
              grad,
              inputs[1]!,
              zeros(inputMetas[2]!.shape, { dtype: grad.dtype, device: grad.device }),
            ],
            { dim: attrs.dim, accumulate: false },
          ),
    values: ({ grad, inputs, attrs }) => run(indexOp, [grad, inputs[1]!], { dim: attrs.dim }),
  },
  gradFnName: 'IndexPutBackward0',
  samples: () => [
    {
      name: 'set rows',
      inputs: [{ shape: [4, 3] }, idx([1, 2], [3, 1]), { shape: [2, 3] }],
      attrs: { dim: 0, accumulate: false },
    },
    {
      name: 'accumulate repeated',
      inputs: [{ shape: [3, 4], layout: 'transposed' }, idx([1, 3], [0, 2, 0]), { shape: [3, 4] }],
      attrs: { dim: 0, accumulate: true },
    },
    {
      name: 'elements',
      inputs: [{ shape: [2, 3] }, idx([2, 2], [0, 1, 2, -3]), { shape: [2] }],
      attrs: { dim: 0, accumulate: false },
    },
  ],
  doc: 'Writes or accumulates values at integer-array indices (into a copy of the input).',
});

/** The registered 'indexSelect' op; call it through {@link indexSelect}. */
export const indexSelectOp = op<{ dim: number }>({
  name: 'indexSelect',
  inputs: ['input', 'index'],
  attrs: { dim: { type: 'int' } },
  infer: ([x, index], { dim }) => {
    if (index!.dtype !== 'int32') {
      throw new TypeError(
        `index_select(): Expected dtype int32 for index (int32 plays PyTorch's int64 role), got ${index!.dtype}`,
      );
    }
    if (index!.shape.length > 1) {
      throw new RangeError('index_select(): Index is supposed to be a vector');
    }
    const d = normalizeDim(dim, x!.shape.length, 'index_select');
    if (x!.shape.length === 0) return { shape: [], dtype: x!.dtype };
    const shape = x!.shape.slice();
    shape[d] = index!.numel();
    return { shape, dtype: x!.dtype };
  },
  saveInputs: [1],
  vjp: {
    input: ({ grad, inputs, inputMetas, attrs }) => {
      const shape = inputMetas[0]!.shape;
      const index = inputs[1]!;
      if (shape.length === 0) return reshape(grad, []);
      const d = normalizeDim(attrs.dim, shape.length, 'index_select');
      return run(
        indexPutOp,
        [
          zeros(shape, { dtype: grad.dtype, device: grad.device }),
          reshape(index, [1, index.numel()]),
          grad,
        ],
        { dim: d, accumulate: true },
      );
    },
  },
  samples: () => [
    { name: 'rows', inputs: [{ shape: [3, 4] }, idx([4], [2, 0, 2, 1])], attrs: { dim: 0 } },
    {
      name: 'transposed',
      inputs: [{ shape: [3, 4], layout: 'transposed' }, idx([2], [3, 0])],
      attrs: { dim: 1 },
    },
    { name: '0-d index', inputs: [{ shape: [3, 2] }, idx([], [1])], attrs: { dim: 0 } },
    { name: 'empty index', inputs: [{ shape: [3, 2] }, idx([0], [])], attrs: { dim: 1 } },
  ],
  doc: 'Whole slices along a dimension, picked by a 1-d index.',
});

/**
 * The slices of `input` along `dim` at the positions in the 1-d int32 `index` (a copy).
 * @example torch.arange(6).reshape(3, 2).indexSelect(0, torch.tensor([2, 0], { dtype: 'int32' }))
 * // tensor([[4, 5], [0, 1]])
 */
export function indexSelect(input: Tensor, dim: number, index: Tensor | readonly number[]): Tensor {
  checkTensor(input, 'indexSelect', 'input');
  return run(indexSelectOp, [input, asIndex(index, input.device, 'indexSelect')], {
    dim: normalizeDim(dim, input.shape.length, 'index_select'),
  });
}

/**
 * Number arrays (possibly nested) become int32 index tensors on `device`; tensors pass through.
 * @example asIndex([[0, 1], [1, 0]], 'cpu') // int32 tensor of shape [2, 2]
 */
export function asIndex(
  index: Tensor | readonly unknown[],
  device: string,
  fn = 'index',
  arg = 'index',
): Tensor {
  if (index instanceof Tensor) return index;
  if (!Array.isArray(index)) throw argTypeError(fn, arg, index, 'a Tensor or an array of integers');
  const flat = (index as unknown[]).flat(Number.POSITIVE_INFINITY);
  for (const v of flat) {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new TypeError(`index: expected integer indices, got ${JSON.stringify(v)}`);
    }
  }
  return tensor(index as NestedArray[], { dtype: 'int32', device });
}

/** Checks gather/scatter shapes; `src` is given for scatter. */
function checkGatherShapes(
  opName: string,
  x: Tensor,
  dim: number,
  index: Tensor,
  src?: Tensor,
): void {
  checkIndexDType(opName, index);
  const nd = Math.max(x.shape.length, 1);
  const ind = Math.max(index.shape.length, 1);
  if (index.numel() === 0) return;
  if (ind !== nd) {
    throw new RangeError(
      `${opName}(): Index tensor must have the same number of dimensions as ${src ? 'self' : 'input'} tensor`,
    );
  }
  if (src && Math.max(src.shape.length, 1) !== nd) {
    throw new RangeError(
      `${opName}(): Index tensor must have the same number of dimensions as src tensor`,
    );
  }
  const xs = x.shape.length ? x.shape : [1];
  const is = index.shape.length ? index.shape : [1];
  const ss = src ? (src.shape.length ? src.shape : [1]) : null;
  for (let d = 0; d < nd; d++) {
    const badSelf = d !== dim && is[d]! > xs[d]!;
    const badSrc = ss !== null && is[d]! > ss[d]!;
    if (badSelf || badSrc) {
      throw new RangeError(
        ss
          ? `${opName}(): Expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${dim} and to be smaller size than src ${formatShape(src!.shape)}`
          : `${opName}(): Size does not match at dimension ${d} expected index ${formatShape(index.shape)} to be smaller than self ${formatShape(x.shape)} apart from dimension ${dim}`,
      );
    }
  }
}

/** The registered 'gather' op; call it through {@link gather}. */
export const gatherOp = op<{ dim: number }>({
  name: 'gather',
  inputs: ['input', 'index'],
  attrs: { dim: { type: 'int' } },
  infer: ([x, index], { dim }) => {
    checkGatherShapes('gather', x!, dim, index!);
    return { shape: index!.shape, dtype: x!.dtype };
  },
  saveInputs: [1],
  vjp: {
    input: ({ grad, inputs, inputMetas, attrs }) =>
      run(
        scatterAddOp,
        [zeros(inputMetas[0]!.shape, { dtype: grad.dtype, device: grad.device }), inputs[1]!, grad],
        attrs,
      ),
  },
  samples: () => [
    { name: 'rows', inputs: [{ shape: [3, 2] }, idx([2, 2], [0, 2, 1, 1])], attrs: { dim: 0 } },
    {
      name: 'transposed',
      inputs: [{ shape: [3, 4], layout: 'transposed' }, idx([2, 3], [3, 0, 1, 2, 2, 0])],
      attrs: { dim: 1 },
    },
    { name: '0-d', inputs: [{ shape: [] }, idx([], [0])], attrs: { dim: 0 } },
    { name: 'empty', inputs: [{ shape: [2, 3] }, idx([0, 3], [])], attrs: { dim: 0 } },
  ],
  doc: 'Picks values along a dimension by an index tensor of the output shape.',
});

function scatterSamples() {
  return [
    {
      name: 'rows',
      inputs: [{ shape: [3, 4] }, idx([2, 3], [0, 2, 1, 2, 0, 0]), { shape: [2, 3] }],
      attrs: { dim: 0 },
    },
    {
      name: 'transposed src larger',
      inputs: [
        { shape: [2, 5] },
        idx([2, 2], [4, 0, 1, 3]),
        { shape: [3, 3], layout: 'transposed' as const },
      ],
      attrs: { dim: 1 },
    },
    { name: '0-d', inputs: [{ shape: [] }, idx([], [0]), { shape: [] }], attrs: { dim: 0 } },
  ];
}

function scatterInfer(opName: string) {
  return ([x, index, src]: readonly Tensor[], { dim }: { dim: number }): TensorMeta => {
    checkGatherShapes(opName, x!, dim, index!, src!);
    if (src!.dtype !== x!.dtype) {
      throw new TypeError(
        `${opName}(): Expected self.dtype to be equal to src.dtype (got ${x!.dtype} and ${src!.dtype})`,
      );
    }
    return { shape: x!.shape, dtype: x!.dtype };
  };
}

/** Gradient for `src`: the gradient at the scattered positions, padded back to `src`'s shape. */
function srcGrad(grad: Tensor, index: Tensor, dim: number, srcShape: readonly number[]): Tensor {
  const g = run(gatherOp, [grad, index], { dim });
  if (shapesEqual(g.shape, srcShape)) return g;
  const size = srcShape.slice();
  const layout = { shape: g.shape.slice(), strides: contiguousStrides(srcShape), offset: 0 };
  return run(asStridedScatterOp, [zeros(size, { dtype: g.dtype, device: g.device }), g], layout);
}

/** The registered 'scatter' op; call it through {@link scatter}. */
export const scatterOp: RegisteredOp<{ dim: number }> = op<{ dim: number }>({
  name: 'scatter',
  inputs: ['input', 'index', 'src'],
  attrs: { dim: { type: 'int' } },
  infer: scatterInfer('scatter'),
  saveInputs: [1],
  vjp: {
    input: ({ grad, inputs, attrs }) => {
      const index = inputs[1]!;
      const zero = expand(scalarTensor(0, grad.dtype, grad.device), index.shape);
      return run(scatterOp, [grad, index, zero], attrs);
    },
    src: ({ grad, inputs, inputMetas, attrs }) =>
      srcGrad(grad, inputs[1]!, attrs.dim, inputMetas[2]!.shape),
  },
  samples: scatterSamples,
  doc: 'Writes src values into a copy of the input at positions given by an index along a dim.',
});

/** The registered 'scatterAdd' op (PyTorch's `scatter_add`); call it through {@link scatterAdd}. */
export const scatterAddOp = op<{ dim: number }>({
  name: 'scatterAdd',
  inputs: ['input', 'index', 'src'],
  attrs: { dim: { type: 'int' } },
  infer: scatterInfer('scatter_add'),
  saveInputs: [1],
  vjp: {
    input: ({ grad }) => grad,
    src: ({ grad, inputs, inputMetas, attrs }) =>
      srcGrad(grad, inputs[1]!, attrs.dim, inputMetas[2]!.shape),
  },
  samples: scatterSamples,
  doc: 'Adds src values into a copy of the input at positions given by an index along a dim.',
});

/**
 * Values of `input` along `dim` picked by `index` (same number of dims; the output has its
 * shape): for dim 0, `out[i][j] = input[index[i][j]][j]`.
 * @example torch.tensor([[1, 2], [3, 4]]).gather(1, torch.tensor([[0, 0], [1, 0]], { dtype: 'int32' }))
 * // tensor([[1., 1.], [4., 3.]])
 */
export function gather(input: Tensor, dim: number, index: Tensor | readonly number[]): Tensor {
  checkTensor(input, 'gather', 'input');
  return run(gatherOp, [input, asIndex(index, input.device, 'gather')], {
    dim: normalizeDim(dim, input.shape.length, 'gather'),
  });
}

/** The `src` operand of scatter: a tensor (cast to the input's dtype) or a scalar broadcast. */
function scatterSource(
  opName: string,
  input: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor | number | boolean,
): Tensor {
  if (src instanceof Tensor) {
    checkGatherShapes(opName, input, dim, index, src);
    return cast(src, input.dtype);
  }
  return expand(scalarTensor(src, input.dtype, input.device), index.shape);
}

/**
 * A copy of `input` with `src` values (a tensor, or one scalar) written at the positions
 * `index` gives along `dim`: for dim 0, `out[index[i][j]][j] = src[i][j]`.
 * @example torch.zeros(2, 3).scatter(0, torch.tensor([[1, 0, 1]], { dtype: 'int32' }), 5)
 * // tensor([[0., 5., 0.], [5., 0., 5.]])
 */
export function scatter(
  input: Tensor,
  dim: number,
  index: Tensor | readonly number[],
  src: Tensor | number | boolean,
): Tensor {
  checkTensor(input, 'scatter', 'input');
  checkTensorOrScalar(src, 'scatter', 'src');
  const ix = asIndex(index, input.device, 'scatter');
  const d = normalizeDim(dim, input.shape.length, 'scatter');
  checkIndexDType('scatter', ix);
  return run(scatterOp, [input, ix, scatterSource('scatter', input, d, ix, src)], { dim: d });
}

/**
 * A copy of `input` with `src` values added at the positions `index` gives along `dim`
 * (repeated positions accumulate).
 * @example torch.zeros(3).scatterAdd(0, torch.tensor([0, 0, 2], { dtype: 'int32' }), torch.ones(3))
 * // tensor([2., 0., 1.])
 */
export function scatterAdd(
  input: Tensor,
  dim: number,
  index: Tensor | readonly number[],
  src: Tensor,
): Tensor {
  checkTensor(input, 'scatterAdd', 'input');
  checkTensor(src, 'scatterAdd', 'src');
  const ix = asIndex(index, input.device, 'scatterAdd');
  const d = normalizeDim(dim, input.shape.length, 'scatter_add');
  checkIndexDType('scatter_add', ix);
  return run(scatterAddOp, [input, ix, scatterSource('scatter_add', input, d, ix, src)], {
    dim: d,
  });
}

/** The registered 'maskedFill' op; call it through {@link maskedFill}. */
export const maskedFillOp: RegisteredOp<Record<string, never>> = op({
  name: 'maskedFill',
  inputs: ['input', 'mask', 'value'],
  infer: ([x, mask, value]) => {
    if (mask!.dtype !== 'bool') {
      throw new TypeError(
        `masked_fill_ only supports boolean masks, but got mask with dtype ${mask!.dtype}`,
      );
    }
    if (value!.shape.length !== 0) {
      throw new RangeError(
        `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value!.shape.length} dimension(s).`,
      );
    }
    if (value!.dtype !== x!.dtype) {
      throw new TypeError(
        `masked_fill: value of dtype ${value!.dtype} does not match the input's dtype ${x!.dtype}`,
      );
    }
    return { shape: broadcastShapes(x!.shape, mask!.shape, 'masked_fill'), dtype: x!.dtype };
  },
  saveInputs: [1],
  vjp: {
    input: ({ grad, inputs, inputMetas }) => {
      const zero = scalarTensor(0, grad.dtype, grad.device);
      return sumTo(run(maskedFillOp, [grad, inputs[1]!, zero]), inputMetas[0]!.shape);
    },
    value: ({ grad, inputs }) => sum(grad.mul(cast(inputs[1]!, grad.dtype))),
  },
  samples: () => [
    {
      name: 'broadcast mask',
      inputs: [
        { shape: [2, 3] },
        { shape: [3], dtype: 'bool', values: [1, 0, 1] },
        { shape: [], values: [7] },
      ],
    },
    {
      name: 'transposed',
      inputs: [
        { shape: [3, 2], layout: 'transposed' },
        { shape: [3, 2], dtype: 'bool', values: [0, 1, 1, 0, 0, 1] },
        { shape: [], values: [-1] },
      ],
    },
    {
      name: '0-d',
      inputs: [
        { shape: [] },
        { shape: [], dtype: 'bool', values: [1] },
        { shape: [], values: [2] },
      ],
    },
  ],
  doc: 'Replaces elements where a boolean mask is true by a scalar value.',
  decomposition: ([x, mask, value]) => run(whereOp, [mask!, value!, x!]),
});

/** The 0-d value tensor of masked_fill: scalars become the input's dtype. */
function fillValue(input: Tensor, value: Tensor | number | boolean): Tensor {
  if (value instanceof Tensor) {
    if (value.shape.length !== 0) {
      throw new RangeError(
        `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.shape.length} dimension(s).`,
      );
    }
    return cast(value, input.dtype);
  }
  return scalarTensor(value, input.dtype, input.device);
}

/**
 * A copy of `input` with `value` where the bool `mask` (broadcast) is true.
 * @example torch.arange(4).maskedFill(torch.tensor([true, false, true, false]), -1)
 * // tensor([-1,  1, -1,  3])
 */
export function maskedFill(input: Tensor, mask: Tensor, value: Tensor | number | boolean): Tensor {
  checkTensor(input, 'maskedFill', 'input');
  checkTensor(mask, 'maskedFill', 'mask');
  checkTensorOrScalar(value, 'maskedFill', 'value');
  return run(maskedFillOp, [input, mask, fillValue(input, value)]);
}

/**
 * In-place `maskedFill`: the mask must broadcast to `input`'s shape. Returns `input`.
 * @example x.maskedFill_(x.lt(0), 0)
 */
export function maskedFill_(input: Tensor, mask: Tensor, value: Tensor | number | boolean): Tensor {
  checkTensor(input, 'maskedFill_', 'input');
  checkTensor(mask, 'maskedFill_', 'mask');
  checkTensorOrScalar(value, 'maskedFill_', 'value');
  return inplaceMaybeView(input, 'masked_fill_', () => maskedFill(input, mask, value));
}

/** The registered 'nonzero' op; call it through {@link nonzero}. */
export const nonzeroOp = op({
  name: 'nonzero',
  inputs: ['input'],
  infer: ([x]) => ({ shape: [nonzeroCount(x!), x!.shape.length], dtype: 'int32' }),
  samples: () => [
    { name: 'matrix', inputs: [{ shape: [2, 3], values: [0, 1, 0, 2, 0, 3] }] },
    {
      name: 'transposed bool',
      inputs: [{ shape: [2, 2], dtype: 'bool', values: [1, 0, 1, 1], layout: 'transposed' }],
    },
    { name: '0-d', inputs: [{ shape: [], values: [5] }] },
    { name: 'empty', inputs: [{ shape: [0] }] },
  ],
  doc: 'Coordinates of the nonzero elements, one row each.',
});

/**
 * The coordinates of the nonzero elements as an int32 tensor of shape `[count, ndim]`, in
 * row-major order; with `{ asTuple: true }`, one 1-d tensor per dimension.
 * @example torch.tensor([[0, 1], [2, 0]]).nonzero() // tensor([[0, 1], [1, 0]])
 */
export function nonzero(input: Tensor, opts: { asTuple: true }): Tensor[];
/**
 * The coordinates of the nonzero elements as an `[n, ndim]` int32 tensor.
 * @example torch.nonzero(torch.tensor([0, 3, 0, 5])) // tensor([[1], [3]])
 */
export function nonzero(input: Tensor, opts?: { asTuple?: false }): Tensor;
/** Implementation of the `nonzero` overloads above. */
export function nonzero(input: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  checkTensor(input, 'nonzero', 'input');
  const r = run(nonzeroOp, [input]);
  return opts.asTuple ? coordinateColumns(input, r) : r;
}

/**
 * Same as `nonzero(input)` (NumPy's name).
 * @example torch.argwhere(torch.tensor([0, 3])) // tensor([[1]])
 */
export function argwhere(input: Tensor): Tensor {
  checkTensor(input, 'argwhere', 'input');
  return nonzero(input);
}

/**
 * The elements of `input` where the bool `mask` (both broadcast) is true, as a 1-d tensor.
 * @example torch.tensor([1, -2, 3]).maskedSelect(torch.tensor([true, false, true])) // tensor([1., 3.])
 */
export function maskedSelect(input: Tensor, mask: Tensor): Tensor {
  checkTensor(input, 'maskedSelect', 'input');
  checkTensor(mask, 'maskedSelect', 'mask');
  const [x, m] = maskedOperands(input, mask);
  requireSyncCount('masked_select()', mask, "'await input.maskedSelectAsync(mask)'");
  return selectAt(x, run(nonzeroOp, [m]));
}

/**
 * Elements of `input` at flat (row-major) positions `index`; the result has `index`'s shape.
 * Negative positions count from the end.
 * @example torch.tensor([[4, 3], [5, 7]]).take(torch.tensor([0, 3], { dtype: 'int32' })) // tensor([4., 7.])
 */
export function take(input: Tensor, index: Tensor | readonly number[]): Tensor {
  checkTensor(input, 'take', 'input');
  const ix = asIndex(index, input.device, 'take');
  checkIndexDType('take', ix);
  const n = input.numel();
  // PyTorch's wording needs the values; devices without synchronous reads get the kernel's check.
  if (ix.backend.readSync) {
    const values = noGrad(() => ix.dataSync());
    for (const v of values) {
      if (v < -n || v >= n) {
        throw new RangeError(
          `take(): out of range: tried to access index ${v} on a tensor of ${n} elements.`,
        );
      }
    }
  }
  return run(indexOp, [reshape(input, [n]), reshape(ix, [1, ...ix.shape])], { dim: 0 });
}

/** A strided layout inside a dense tensor, as `asStrided` takes. */
interface LayoutAttrs {
  shape: number[];
  strides: number[];
  offset: number;
}

/** The registered 'asStridedScatter' op: writes `src` at a strided layout of a copy of `input` (PyTorch's `as_strided_scatter`); used by `x.set(...)` and in-place writes to views. */
export const asStridedScatterOp: RegisteredOp<LayoutAttrs> = op<LayoutAttrs>({
  name: 'asStridedScatter',
  inputs: ['input', 'src'],
  attrs: {
    shape: { type: 'int[]' },
    strides: { type: 'int[]' },
    offset: { type: 'int', default: 0 },
  },
  infer: ([x, src], a) => {
    if (!shapesEqual(src!.shape, a.shape) || src!.dtype !== x!.dtype) {
      throw new RangeError(
        `as_strided_scatter: src of shape ${formatShape(src!.shape)} ${src!.dtype} must match the view shape ${formatShape(a.shape)} and the input's dtype ${x!.dtype}`,
      );
    }
    let last = a.offset;
    for (let i = 0; i < a.shape.length; i++) {
      if (a.shape[i] === 0) return { shape: x!.shape, dtype: x!.dtype };
      last += (a.shape[i]! - 1) * a.strides[i]!;
    }
    if (a.offset < 0 || last >= Math.max(numelOf(x!.shape), 0) || last < 0) {
      throw new RangeError(
        `as_strided_scatter: the view ${formatShape(a.shape)} with strides ${formatShape(a.strides)} and offset ${a.offset} reaches outside an input of shape ${formatShape(x!.shape)}`,
      );
    }
    return { shape: x!.shape, dtype: x!.dtype };
  },
  saveInputs: [],
  vjp: {
    input: ({ grad, attrs }) =>
      run(
        asStridedScatterOp,
        [grad, zeros(attrs.shape, { dtype: grad.dtype, device: grad.device })],
        attrs,
      ),
    src: ({ grad, attrs }) => asStrided(contiguous(grad), attrs.shape, attrs.strides, attrs.offset),
  },
  gradFnName: 'CopySlices',
  samples: () => [
    {
      name: 'row',
      inputs: [{ shape: [3, 4] }, { shape: [4] }],
      attrs: { shape: [4], strides: [1], offset: 4 },
    },
    {
      name: 'strided column',
      inputs: [{ shape: [3, 4], layout: 'transposed' }, { shape: [2] }],
      attrs: { shape: [2], strides: [8], offset: 1 },
    },
    {
      name: 'element',
      inputs: [{ shape: [2, 2] }, { shape: [] }],
      attrs: { shape: [], strides: [], offset: 3 },
    },
  ],
  doc: 'Writes src into a strided region of a copy of the input.',
});

declare module '../tensor.js' {
  interface Tensor {
    /** Slices along `dim` at `index`. @example x.indexSelect(0, idx) */
    indexSelect(dim: number, index: Tensor | readonly number[]): Tensor;
    /** Values along `dim` picked by `index`. @example x.gather(1, idx) */
    gather(dim: number, index: Tensor | readonly number[]): Tensor;
    /** A copy with `src` scattered along `dim`. @example x.scatter(0, idx, 1) */
    scatter(dim: number, index: Tensor | readonly number[], src: Tensor | number | boolean): Tensor;
    /** In-place `scatter`. @example x.scatter_(0, idx, src) */
    scatter_(dim: number, index: Tensor | readonly number[], src: Tensor | number | boolean): this;
    /** A copy with `src` added along `dim`. @example x.scatterAdd(0, idx, src) */
    scatterAdd(dim: number, index: Tensor | readonly number[], src: Tensor): Tensor;
    /** In-place `scatterAdd`. @example x.scatterAdd_(0, idx, src) */
    scatterAdd_(dim: number, index: Tensor | readonly number[], src: Tensor): this;
    /** A copy with `value` where `mask` is true. @example x.maskedFill(m, 0) */
    maskedFill(mask: Tensor, value: Tensor | number | boolean): Tensor;
    /** In-place `maskedFill`. @example x.maskedFill_(m, 0) */
    maskedFill_(mask: Tensor, value: Tensor | number | boolean): this;
    /** 1-d tensor of the elements where `mask` is true. @example x.maskedSelect(m) */
    maskedSelect(mask: Tensor): Tensor;
    /**
     * Coordinates of nonzero elements, one int32 tensor per dimension.
     * @example x.nonzero({ asTuple: true })
     */
    nonzero(opts: { asTuple: true }): Tensor[];
    /** Coordinates of nonzero elements. @example x.nonzero() */
    nonzero(opts?: { asTuple?: false }): Tensor;
    /** Coordinates of nonzero elements. @example x.argwhere() */
    argwhere(): Tensor;
    /** Elements at flat positions. @example x.take(idx) */
    take(index: Tensor | readonly number[]): Tensor;
  }
}

const proto = Tensor.prototype;
proto.indexSelect = function (this: Tensor, dim: number, index: Tensor | readonly number[]) {
  return indexSelect(this, dim, index);
};
proto.gather = function (this: Tensor, dim: number, index: Tensor | readonly number[]) {
  return gather(this, dim, index);
};
proto.scatter = function (this: Tensor, dim, index, src) {
  return scatter(this, dim, index, src);
};
proto.scatter_ = function (this: Tensor, dim, index, src) {
  // Checked here so that errors name the method the caller used.
  checkTensorOrScalar(src, 'scatter_', 'src');
  const ix = asIndex(index, this.device, 'scatter_');
  return inplaceMaybeView(this, 'scatter_', () => scatter(this, dim, ix, src)) as never;
};
proto.scatterAdd = function (this: Tensor, dim, index, src) {
  return scatterAdd(this, dim, index, src);
};
proto.scatterAdd_ = function (this: Tensor, dim, index, src) {
  checkTensor(src, 'scatterAdd_', 'src');
  const ix = asIndex(index, this.device, 'scatterAdd_');
  return inplaceMaybeView(this, 'scatter_add_', () => scatterAdd(this, dim, ix, src)) as never;
};
proto.maskedFill = function (this: Tensor, mask: Tensor, value: Tensor | number | boolean) {
  return maskedFill(this, mask, value);
};
proto.maskedFill_ = function (this: Tensor, mask: Tensor, value: Tensor | number | boolean) {
  return maskedFill_(this, mask, value) as never;
};
proto.maskedSelect = function (this: Tensor, mask: Tensor) {
  return maskedSelect(this, mask);
};
proto.nonzero = function (this: Tensor, opts?: { asTuple?: boolean }) {
  return nonzero(this, opts as { asTuple?: false }) as never;
};
proto.argwhere = function (this: Tensor) {
  return argwhere(this);
};
proto.take = function (this: Tensor, index: Tensor | readonly number[]) {
  return take(this, index);
};
