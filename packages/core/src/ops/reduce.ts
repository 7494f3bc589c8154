import { type DType, dtypeCategory } from '../dtype.js';
import type { TensorMeta } from '../registry.js';
import { normalizeDims } from '../shape.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { op, run } from './define.js';
import { expand, reshape } from './view.js';

/** Attributes shared by reductions: the (normalised, sorted) dims reduced, and keepdim. */
export interface ReduceAttrs {
  dims: number[];
  keepdim: boolean;
}

/** Output meta of a reduction over `dims`. */
export function reducedMeta(
  x: Tensor,
  { dims, keepdim }: ReduceAttrs,
  dtype: DType = x.dtype,
): TensorMeta {
  const shape: number[] = [];
  for (let i = 0; i < x.shape.length; i++) {
    if (dims.includes(i)) {
      if (keepdim) shape.push(1);
    } else shape.push(x.shape[i]!);
  }
  return { shape, dtype };
}

/** Normalises PyTorch's `dim` argument (a number, a list, or undefined for all dims). */
export function reduceDims(
  dim: number | readonly number[] | undefined | null,
  ndim: number,
  opName: string,
): number[] {
  if (dim === undefined || dim === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  if (list.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  return normalizeDims(list, ndim, opName).sort((a, b) => a - b);
}

/**
 * Broadcasts a reduction's output-shaped tensor (gradient, result) back over the input's shape:
 * re-inserts the reduced dims when keepdim was false, then expands.
 */
export function unreduce(
  g: Tensor,
  inputShape: readonly number[],
  { dims, keepdim }: ReduceAttrs,
): Tensor {
  let r = g;
  if (!keepdim && dims.length) {
    r = reshape(
      r,
      inputShape.map((s, i) => (dims.includes(i) ? 1 : s)),
    );
  }
  return expand(r, inputShape);
}

export const sumOp = op<ReduceAttrs>({
  name: 'sum',
  inputs: ['input'],
  attrs: { dims: { type: 'int[]' }, keepdim: { type: 'bool', default: false } },
  infer: ([x], a) => reducedMeta(x!, a),
  saveInputs: [],
  vjp: { input: ({ grad, inputMetas, attrs }) => unreduce(grad, inputMetas[0]!.shape, attrs) },
  doc: 'Sum over the given dimensions.',
});

/** Options of reductions: PyTorch's `dim` and `keepdim`. */
export interface ReduceOptions {
  dim?: number | readonly number[] | null;
  keepdim?: boolean;
}

/** Reads `(dim?, keepdim?)` or `({ dim, keepdim })` call forms. */
export function reduceArgs(
  dimOrOpts: number | readonly number[] | ReduceOptions | null | undefined,
  keepdim: boolean | undefined,
): ReduceOptions {
  if (dimOrOpts !== null && typeof dimOrOpts === 'object' && !Array.isArray(dimOrOpts)) {
    return dimOrOpts as ReduceOptions;
  }
  return { dim: dimOrOpts as number | readonly number[] | undefined, keepdim };
}

/**
 * Sum of all elements, or over `dim` (a number or list) keeping the dims when `keepdim`.
 * Bool and int tensors sum to int32.
 * @example x.sum(); x.sum(0, true); x.sum({ dim: [0, 1] })
 */
export function sum(
  input: Tensor,
  dim?: number | readonly number[] | ReduceOptions | null,
  keepdim?: boolean,
): Tensor {
  const o = reduceArgs(dim, keepdim);
  const x = dtypeCategory(input.dtype) === 0 ? cast(input, 'int32') : input;
  return run(sumOp, [x], {
    dims: reduceDims(o.dim, x.shape.length, 'sum'),
    keepdim: o.keepdim ?? false,
  });
}

declare module '../tensor.js' {
  interface Tensor {
    /** Sum over all or some dims. @example x.sum(1, true) */
    sum(dim?: number | readonly number[] | ReduceOptions | null, keepdim?: boolean): Tensor;
  }
}

Tensor.prototype.sum = function (
  this: Tensor,
  dim?: number | readonly number[] | ReduceOptions | null,
  keepdim?: boolean,
) {
  return sum(this, dim, keepdim);
};
