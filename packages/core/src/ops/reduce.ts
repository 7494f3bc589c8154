import { argTypeError, checkTensor, checkTensorOrScalar } from '../arg-check.js';
import { scalarTensor } from '../creation.js';
import { type DType, dtypeCategory, isFloatingPoint, scalarTypeName } from '../dtype.js';
import type { OpSample, TensorMeta } from '../registry.js';
import { broadcastShapes, normalizeDim, normalizeDims } from '../shape.js';
import { Tensor } from '../tensor.js';
import { divOp } from './binary.js';
import { cast } from './cast.js';
import { op, run } from './define.js';
import { expand, reshape } from './view.js';

/**
 * The shared machinery of reductions (dims, keepdim, output shapes, gradient broadcasting) and
 * the additive reductions: sum, mean, prod. Statistics, min/max, norms, logical and cumulative
 * reductions live in the neighbouring reduce-*.ts, norm.ts and cumulative.ts files.
 */

/** Attributes shared by reductions: the (normalised, sorted) dims reduced, and keepdim. */
export interface ReduceAttrs {
  /** The reduced dims, normalised to `[0, ndim)` and sorted. */
  dims: number[];
  /** Keep the reduced dims with size 1. */
  keepdim: boolean;
}

/** The attribute declarations of `ReduceAttrs`, reused by every dim-taking reduction. */
export const REDUCE_ATTR_SPECS = {
  dims: { type: 'int[]', doc: 'dims to reduce (normalised, sorted)' },
  keepdim: { type: 'bool', default: false, doc: 'keep reduced dims with size 1' },
} as const;

/**
 * Output meta of a reduction over `dims`.
 * @example reducedMeta(x, { dims: [1], keepdim: true }) // { shape: [2, 1, 4], dtype } for x of shape [2, 3, 4]
 */
export function reducedMeta(x: Tensor, { dims, keepdim }: ReduceAttrs, dtype?: DType): TensorMeta {
  checkTensor(x, 'reducedMeta', 'input');
  dtype ??= x.dtype;
  const shape: number[] = [];
  for (let i = 0; i < x.shape.length; i++) {
    if (dims.includes(i)) {
      if (keepdim) shape.push(1);
    } else shape.push(x.shape[i]!);
  }
  return { shape, dtype };
}

/**
 * Every dim of an `ndim`-d tensor.
 * @example torch.allDims(3) // [0, 1, 2]
 */
export function allDims(ndim: number): number[] {
  return Array.from({ length: ndim }, (_, i) => i);
}

/**
 * Normalises PyTorch's `dim` argument (a number, a list, or undefined for all dims).
 * A 0-d tensor accepts dim 0 / -1, which reduces nothing.
 * @example torch.reduceDims(-1, 3, 'sum') // [2]; torch.reduceDims(undefined, 3, 'sum') // [0, 1, 2]
 */
export function reduceDims(
  dim: number | readonly number[] | undefined | null,
  ndim: number,
  opName: string,
): number[] {
  if (dim === undefined || dim === null) return allDims(ndim);
  if (typeof dim !== 'number' && !Array.isArray(dim)) {
    throw argTypeError(opName, 'dim', dim, 'an integer or a list of integers');
  }
  const list = typeof dim === 'number' ? [dim] : dim;
  if (list.length === 0) return allDims(ndim);
  const dims = normalizeDims(list, ndim, opName).sort((a, b) => a - b);
  return ndim === 0 ? [] : dims;
}

/**
 * Normalises a single required `dim` (0-d tensors accept 0 and -1).
 * @example torch.reduceDim(-1, 2, 'cumsum') // 1
 */
export function reduceDim(dim: unknown, ndim: number, opName: string): number {
  if (typeof dim !== 'number') {
    throw new TypeError(`${opName}: argument 'dim' must be an integer, got ${JSON.stringify(dim)}`);
  }
  return normalizeDim(dim, ndim, opName);
}

/**
 * Number of elements each output element of a reduction over `dims` combines.
 * @example torch.reducedCount([2, 3, 4], [0, 2]) // 8
 */
export function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d]!;
  return n;
}

/**
 * Re-inserts the reduced dims (as size 1) into an output-shaped tensor when keepdim was false,
 * so that it broadcasts against the input.
 * @example torch.keepDims(torch.zeros(2), [2, 3], { dims: [1], keepdim: false }).shape // [2, 1]
 */
export function keepDims(
  t: Tensor,
  inputShape: readonly number[],
  { dims, keepdim }: ReduceAttrs,
): Tensor {
  checkTensor(t, 'keepDims', 'grad');
  if (keepdim || dims.length === 0) return t;
  return reshape(
    t,
    inputShape.map((s, i) => (dims.includes(i) ? 1 : s)),
  );
}

/**
 * Broadcasts a reduction's output-shaped tensor (gradient, result) back over the input's shape:
 * re-inserts the reduced dims when keepdim was false, then expands.
 * @example torch.unreduce(torch.ones(2), [2, 3], { dims: [1], keepdim: false }).shape // [2, 3]
 */
export function unreduce(g: Tensor, inputShape: readonly number[], attrs: ReduceAttrs): Tensor {
  checkTensor(g, 'unreduce', 'grad');
  return expand(keepDims(g, inputShape, attrs), inputShape);
}

/**
 * The attrs a full reduction of an `ndim`-d tensor behaves like.
 * @example torch.fullAttrs(2) // { dims: [0, 1], keepdim: false }
 */
export function fullAttrs(ndim: number): ReduceAttrs {
  return { dims: allDims(ndim), keepdim: false };
}

// ---- masks used by the VJPs of selecting reductions -----------------------------------------

/** How `compareMask` compares its operands. */
export type MaskComparison = 'eq' | 'gt' | 'lt';

/**
 * 1 where `input <cmp> other` (broadcasting), else 0, as `dtype`. Its output carries no gradient:
 * the VJPs of max/min/amax/norm/prod use it to route gradients, and a mask is piecewise constant.
 */
export const compareMaskOp = op<{ cmp: MaskComparison; dtype: DType }>({
  name: 'compareMask',
  inputs: ['input', 'other'],
  attrs: {
    cmp: { type: 'string', default: 'eq', doc: "'eq', 'gt' or 'lt'" },
    dtype: { type: 'dtype', default: 'float32', doc: 'dtype of the 0/1 result' },
  },
  infer: ([a, b], { cmp, dtype }) => {
    if (cmp !== 'eq' && cmp !== 'gt' && cmp !== 'lt') {
      throw new TypeError(`compareMask: cmp must be 'eq', 'gt' or 'lt', got '${cmp}'`);
    }
    return { shape: broadcastShapes(a!.shape, b!.shape, 'compareMask'), dtype };
  },
  differentiableOutputs: [],
  saveInputs: [],
  samples: () => [
    {
      name: 'eq_broadcast',
      inputs: [
        { shape: [2, 3], values: [1, 2, 3, 3, 2, 1] },
        { shape: [1, 3], values: [1, 2, 1] },
      ],
      attrs: { cmp: 'eq', dtype: 'float32' },
      noGrad: true,
    },
    {
      name: 'gt_scalar',
      inputs: [
        { shape: [4], values: [-1, 0, 2, 0.5] },
        { shape: [], values: [0] },
      ],
      attrs: { cmp: 'gt', dtype: 'float64' },
      noGrad: true,
    },
  ],
  doc: '0/1 mask of an elementwise comparison, without gradient (used by reduction VJPs).',
});

/**
 * A 0/1 mask of `input <cmp> other` with `input`'s dtype (or `dtype`); `other` may be a number.
 * Carries no gradient.
 * @example compareMask(x, 0, 'gt') // 1 where x > 0
 */
export function compareMask(
  input: Tensor,
  other: Tensor | number,
  cmp: MaskComparison = 'eq',
  dtype?: DType,
): Tensor {
  checkTensor(input, 'compareMask', 'input');
  checkTensorOrScalar(other, 'compareMask', 'other');
  dtype ??= input.dtype;
  const b = other instanceof Tensor ? other : scalarTensor(other, input.dtype, input.device);
  return run(compareMaskOp, [input, b], { cmp, dtype });
}

/**
 * sign(x) as a constant (no gradient): 1, 0 or -1.
 * @example torch.signMask(torch.tensor([-2, 0, 3])) // tensor([-1., 0., 1.])
 */
export function signMask(x: Tensor): Tensor {
  checkTensor(x, 'signMask', 'input');
  return compareMask(x, 0, 'gt').sub(compareMask(x, 0, 'lt'));
}

// ---- samples -------------------------------------------------------------------------------

/**
 * Conformance cases shared by dim-list reductions over floats (attrs are the op's resolved attrs).
 * @example samples: () => [...reduceSamples({}, { low: -5, high: 5 })]
 */
export function reduceSamples(
  extra: Record<string, unknown> = {},
  opts: { low?: number; high?: number; empty?: boolean; zeroD?: boolean } = {},
): OpSample[] {
  const r = { low: opts.low ?? -2, high: opts.high ?? 2 };
  const s: OpSample[] = [
    {
      name: 'dim1',
      inputs: [{ shape: [3, 4], ...r }],
      attrs: { dims: [1], keepdim: false, ...extra },
    },
    {
      name: 'dim0_keepdim',
      inputs: [{ shape: [3, 4], ...r }],
      attrs: { dims: [0], keepdim: true, ...extra },
    },
    {
      name: 'dims02_3d',
      inputs: [{ shape: [2, 3, 4], ...r }],
      attrs: { dims: [0, 2], keepdim: false, ...extra },
    },
    {
      name: 'all_dims_listed',
      inputs: [{ shape: [2, 3], ...r }],
      attrs: { dims: [0, 1], keepdim: true, ...extra },
    },
    {
      name: 'transposed',
      inputs: [{ shape: [4, 3], layout: 'transposed', ...r }],
      attrs: { dims: [0], keepdim: false, ...extra },
    },
  ];
  if (opts.zeroD !== false) {
    s.push({
      name: '0d',
      inputs: [{ shape: [], ...r }],
      attrs: { dims: [], keepdim: false, ...extra },
    });
  }
  if (opts.empty !== false) {
    s.push({
      name: 'empty',
      inputs: [{ shape: [0, 3], ...r }],
      attrs: { dims: [0], keepdim: false, ...extra },
    });
  }
  return s;
}

/**
 * Conformance cases shared by full reductions (no attrs besides `extra`).
 * @example samples: () => reduceAllSamples({}, { empty: false })
 */
export function reduceAllSamples(
  extra: Record<string, unknown> = {},
  opts: { low?: number; high?: number; empty?: boolean } = {},
): OpSample[] {
  const r = { low: opts.low ?? -2, high: opts.high ?? 2 };
  const s: OpSample[] = [
    { name: 'matrix', inputs: [{ shape: [3, 4], ...r }], attrs: { ...extra } },
    {
      name: 'transposed',
      inputs: [{ shape: [4, 3], layout: 'transposed', ...r }],
      attrs: { ...extra },
    },
    { name: '0d', inputs: [{ shape: [], ...r }], attrs: { ...extra } },
  ];
  if (opts.empty !== false) {
    s.push({ name: 'empty', inputs: [{ shape: [0, 3], ...r }], attrs: { ...extra } });
  }
  return s;
}

// ---- sum -----------------------------------------------------------------------------------

/** The registered 'sum' op (over given dims); call it through {@link sum}. */
export const sumOp = op<ReduceAttrs>({
  name: 'sum',
  inputs: ['input'],
  attrs: REDUCE_ATTR_SPECS,
  infer: ([x], a) => reducedMeta(x!, a),
  saveInputs: [],
  vjp: { input: ({ grad, inputMetas, attrs }) => unreduce(grad, inputMetas[0]!.shape, attrs) },
  gradFnName: 'SumBackward1',
  samples: () => reduceSamples(),
  doc: 'Sum over the given dimensions.',
});

/** The registered 'sumAll' op (over all elements); call it through {@link sum} without `dim`. */
export const sumAllOp = op<Record<string, never>>({
  name: 'sumAll',
  inputs: ['input'],
  infer: ([x]) => ({ shape: [], dtype: x!.dtype }),
  saveInputs: [],
  vjp: { input: ({ grad, inputMetas }) => expand(grad, inputMetas[0]!.shape) },
  gradFnName: 'SumBackward0',
  samples: () => reduceAllSamples(),
  doc: 'Sum of all elements.',
  decomposition: ([x]) => run(sumOp, [x!], fullAttrs(x!.shape.length)),
});

/** Options of reductions: PyTorch's `dim` and `keepdim`. */
export interface ReduceOptions {
  /** Dim or dims to reduce (PyTorch's `dim=`); `null`/absent: all elements. */
  dim?: number | readonly number[] | null;
  /** Keep the reduced dims with size 1 (PyTorch's `keepdim=`); default false. */
  keepdim?: boolean;
}

/** The `dim` argument of dim-list reductions: one dim, several, or an options object. */
export type DimArg = number | readonly number[] | ReduceOptions | null;

/**
 * Reads `(dim?, keepdim?)` or `({ dim, keepdim })` call forms.
 * @example torch.reduceArgs({ dim: 1 }, undefined) // { dim: 1 }; torch.reduceArgs(1, true) // { dim: 1, keepdim: true }
 */
export function reduceArgs(
  dimOrOpts: number | readonly number[] | ReduceOptions | null | undefined,
  keepdim: boolean | undefined,
): ReduceOptions {
  const isOptions =
    dimOrOpts !== null &&
    typeof dimOrOpts === 'object' &&
    !Array.isArray(dimOrOpts) &&
    !(dimOrOpts instanceof Tensor);
  if (isOptions) {
    return dimOrOpts as ReduceOptions;
  }
  return { dim: dimOrOpts as number | readonly number[] | undefined, keepdim };
}

/**
 * True when a reduction call names no dim (PyTorch's full-reduction overload).
 * @example torch.isFullReduction({}) // true; torch.isFullReduction({ dim: 0 }) // false
 */
export function isFullReduction(o: ReduceOptions): boolean {
  return (o.dim === undefined || o.dim === null) && !o.keepdim;
}

/**
 * Attributes of a dim-list reduction call.
 * @example torch.dimAttrs({ dim: -1, keepdim: true }, 3, 'sum') // { dims: [2], keepdim: true }
 */
export function dimAttrs(o: ReduceOptions, ndim: number, opName: string): ReduceAttrs {
  return { dims: reduceDims(o.dim, ndim, opName), keepdim: o.keepdim ?? false };
}

/** Bool/int inputs of sum-like reductions accumulate in int32 (PyTorch's int64). */
function intAccumulate(x: Tensor): Tensor {
  return dtypeCategory(x.dtype) === 0 ? cast(x, 'int32') : x;
}

/**
 * Sum of all elements, or over `dim` (a number or list) keeping the dims when `keepdim`.
 * Bool and int tensors sum to int32. Float sums accumulate in float64.
 * @example x.sum(); x.sum(0, true); x.sum({ dim: [0, 1] })
 */
export function sum(input: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  checkTensor(input, 'sum', 'input');
  const o = reduceArgs(dim, keepdim);
  const x = intAccumulate(input);
  if (isFullReduction(o)) return run(sumAllOp, [x]);
  return run(sumOp, [x], dimAttrs(o, x.shape.length, 'sum'));
}

// ---- mean ----------------------------------------------------------------------------------

function meanInfer(x: Tensor, a: ReduceAttrs): TensorMeta {
  if (!isFloatingPoint(x.dtype)) {
    throw new TypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${scalarTypeName(x.dtype)}`,
    );
  }
  return reducedMeta(x, a);
}

/** `sum / count` in the sum's dtype (an empty count gives NaN, as the mean of nothing). */
function divideByCount(sum: Tensor, count: number): Tensor {
  return run(divOp, [sum, scalarTensor(count, sum.dtype, sum.device)]);
}

/** The registered 'mean' op (over given dims); call it through {@link mean}. */
export const meanOp = op<ReduceAttrs>({
  name: 'mean',
  inputs: ['input'],
  attrs: REDUCE_ATTR_SPECS,
  infer: ([x], a) => meanInfer(x!, a),
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas, attrs }) => {
      const shape = inputMetas[0]!.shape;
      return unreduce(grad.div(reducedCount(shape, attrs.dims)), shape, attrs);
    },
  },
  gradFnName: 'MeanBackward1',
  samples: () => reduceSamples(),
  doc: 'Mean over the given dimensions.',
  decomposition: ([x], a) => divideByCount(run(sumOp, [x!], a), reducedCount(x!.shape, a.dims)),
});

/** The registered 'meanAll' op (over all elements); call it through {@link mean} without `dim`. */
export const meanAllOp = op<Record<string, never>>({
  name: 'meanAll',
  inputs: ['input'],
  infer: ([x]) => meanInfer(x!, fullAttrs(x!.shape.length)),
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas }) => {
      const shape = inputMetas[0]!.shape;
      return expand(grad.div(reducedCount(shape, allDims(shape.length))), shape);
    },
  },
  gradFnName: 'MeanBackward0',
  samples: () => reduceAllSamples(),
  doc: 'Mean of all elements.',
  decomposition: ([x]) => divideByCount(run(sumOp, [x!], fullAttrs(x!.shape.length)), x!.numel()),
});

/**
 * Mean of all elements, or over `dim` (a number or list). Floating inputs only, as in PyTorch;
 * the mean of an empty tensor is NaN.
 * @example x.mean(); x.mean(1, true); torch.mean(x, { dim: [0, 1] })
 */
export function mean(input: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  checkTensor(input, 'mean', 'input');
  const o = reduceArgs(dim, keepdim);
  if (isFullReduction(o)) return run(meanAllOp, [input]);
  return run(meanOp, [input], dimAttrs(o, input.shape.length, 'mean'));
}

// ---- prod ----------------------------------------------------------------------------------

/**
 * Gradient of a product, correct when the input holds zeros: where a slice has no zero it is
 * `out / x`; with exactly one zero at k, element k gets the product of the others and every
 * other element i gets `x_k · (product of the nonzeros) / x_i`, which is 0 but carries the right
 * derivative w.r.t. x_k; with more zeros every element gets 0. Second derivatives are therefore
 * exact for slices with at most one zero.
 */
function prodVjp(grad: Tensor, x: Tensor, out: Tensor, attrs: ReduceAttrs): Tensor {
  const keep: ReduceAttrs = { dims: attrs.dims, keepdim: true };
  const g = keepDims(grad, x.shape, attrs);
  const outK = keepDims(out, x.shape, attrs);
  const zeros = compareMask(x, 0);
  const count = sum(zeros, keep.dims, true);
  const noZero = compareMask(count, 0);
  const oneZero = compareMask(count, 1);
  // Zeros replaced by constant ones: finite divisor, and the product of the nonzero elements.
  const notZeros = zeros.neg().add(1);
  const nonZero = x.mul(notZeros).add(zeros);
  const prodNonZero = run(prodOp, [nonZero], keep);
  const zeroValue = sum(zeros.mul(x), keep.dims, true); // x_k: 0, but differentiable
  const others = notZeros.mul(prodNonZero).div(nonZero).mul(zeroValue);
  const local = noZero
    .mul(outK)
    .div(nonZero)
    .add(oneZero.mul(zeros.mul(prodNonZero).add(others)));
  return g.mul(local);
}

/** The registered 'prod' op (over given dims); call it through {@link prod}. */
export const prodOp = op<ReduceAttrs>({
  name: 'prod',
  inputs: ['input'],
  attrs: REDUCE_ATTR_SPECS,
  infer: ([x], a) => reducedMeta(x!, a),
  saveOutputs: true,
  vjp: {
    input: ({ grad, inputs, outputs, attrs }) => prodVjp(grad, inputs[0]!, outputs[0]!, attrs),
  },
  gradFnName: 'ProdBackward1',
  samples: () => [
    ...reduceSamples({}, { low: 0.5, high: 1.5 }),
    {
      name: 'one_zero',
      inputs: [{ shape: [2, 3], values: [1.5, 0, 2, 0, 0, 3] }],
      attrs: { dims: [1], keepdim: false },
    },
  ],
  doc: 'Product over the given dimensions.',
});

/** The registered 'prodAll' op (over all elements); call it through {@link prod} without `dim`. */
export const prodAllOp = op<Record<string, never>>({
  name: 'prodAll',
  inputs: ['input'],
  infer: ([x]) => ({ shape: [], dtype: x!.dtype }),
  saveOutputs: true,
  vjp: {
    input: ({ grad, inputs, outputs }) =>
      prodVjp(grad, inputs[0]!, outputs[0]!, fullAttrs(inputs[0]!.shape.length)),
  },
  gradFnName: 'ProdBackward0',
  samples: () => [
    ...reduceAllSamples({}, { low: 0.5, high: 1.5 }),
    { name: 'one_zero', inputs: [{ shape: [4], values: [1.5, 0, 2, -1] }] },
    { name: 'two_zeros', inputs: [{ shape: [4], values: [1.5, 0, 2, 0] }] },
  ],
  doc: 'Product of all elements.',
  decomposition: ([x]) => run(prodOp, [x!], fullAttrs(x!.shape.length)),
});

/**
 * Product of all elements, or over `dim`. Bool and int tensors multiply in int32. The gradient
 * handles zeros exactly (the product of the other elements), as PyTorch's does.
 * @example x.prod(); x.prod(1, true); torch.prod(x, { dim: 0 })
 */
export function prod(input: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  checkTensor(input, 'prod', 'input');
  const o = reduceArgs(dim, keepdim);
  const x = intAccumulate(input);
  if (isFullReduction(o)) return run(prodAllOp, [x]);
  return run(prodOp, [x], dimAttrs(o, x.shape.length, 'prod'));
}

declare module '../tensor.js' {
  interface Tensor {
    /** Sum over all or some dims. @example x.sum(1, true); x.sum({ dim: 0, keepdim: true }) */
    sum(dim?: DimArg, keepdim?: boolean): Tensor;
    /** Mean over all or some dims. @example x.mean(0) */
    mean(dim?: DimArg, keepdim?: boolean): Tensor;
    /** Product over all or some dims. @example x.prod(1) */
    prod(dim?: DimArg, keepdim?: boolean): Tensor;
  }
}

Tensor.prototype.sum = function (this: Tensor, dim?: DimArg, keepdim?: boolean) {
  return sum(this, dim, keepdim);
};
Tensor.prototype.mean = function (this: Tensor, dim?: DimArg, keepdim?: boolean) {
  return mean(this, dim, keepdim);
};
Tensor.prototype.prod = function (this: Tensor, dim?: DimArg, keepdim?: boolean) {
  return prod(this, dim, keepdim);
};
