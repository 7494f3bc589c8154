import { checkTensor } from '../arg-check.js';
import { dtypeCategory } from '../dtype.js';
import type { RegisteredOp } from '../registry.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { op, run } from './define.js';
import { reduceDim } from './reduce.js';

/** Attributes of cumulative ops: the (normalised) dim, and whether to run from the end. */
export interface CumulativeAttrs {
  /** The dim to accumulate along, already normalised to `[0, ndim)`. */
  dim: number;
  /** Accumulate from the last element backwards (the VJP of a forward cumsum). */
  reverse: boolean;
}

/** The registered 'cumsum' op; call it through {@link cumsum}. */
export const cumsumOp: RegisteredOp<CumulativeAttrs> = op<CumulativeAttrs>({
  name: 'cumsum',
  inputs: ['input'],
  attrs: {
    dim: { type: 'int', doc: 'the dim accumulated along (normalised)' },
    reverse: { type: 'bool', default: false, doc: 'accumulate from the end' },
  },
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  saveInputs: [],
  vjp: {
    // d(cumsum)/dx is upper-triangular ones: the gradient is the reversed cumulative sum.
    input: ({ grad, attrs }): Tensor =>
      run(cumsumOp, [grad], { dim: attrs.dim, reverse: !attrs.reverse }),
  },
  gradFnName: 'CumsumBackward0',
  samples: () => [
    { name: 'dim1', inputs: [{ shape: [3, 4] }], attrs: { dim: 1, reverse: false } },
    { name: 'dim0', inputs: [{ shape: [3, 4] }], attrs: { dim: 0, reverse: false } },
    { name: 'middle_3d', inputs: [{ shape: [2, 3, 4] }], attrs: { dim: 1, reverse: false } },
    {
      name: 'transposed',
      inputs: [{ shape: [4, 3], layout: 'transposed' }],
      attrs: { dim: 0, reverse: false },
    },
    { name: 'reverse', inputs: [{ shape: [2, 5] }], attrs: { dim: 1, reverse: true } },
    { name: '0d', inputs: [{ shape: [] }], attrs: { dim: 0, reverse: false } },
    { name: 'empty', inputs: [{ shape: [0, 3] }], attrs: { dim: 0, reverse: false } },
  ],
  doc: 'Cumulative sum along a dim.',
});

/** Options of `cumsum`: PyTorch's `dim` keyword. */
export interface CumsumOptions {
  /** The dim to accumulate along (PyTorch's `dim=`); negative dims count from the end. */
  dim: number;
}

/**
 * Cumulative sum along `dim` (required): `out[i] = x[0] + ... + x[i]`. Bool and int inputs give
 * int32; float sums accumulate in float64.
 * @example torch.cumsum(x, 0); x.cumsum(-1); x.cumsum({ dim: 1 })
 */
export function cumsum(input: Tensor, dim: number | CumsumOptions): Tensor {
  checkTensor(input, 'cumsum', 'input');
  const d = typeof dim === 'object' && dim !== null ? dim.dim : dim;
  if (d === undefined || d === null) {
    throw new TypeError(
      `cumsum(): missing required argument 'dim' (got a tensor of shape [${input.shape.join(', ')}])`,
    );
  }
  const x = dtypeCategory(input.dtype) === 0 ? cast(input, 'int32') : input;
  return run(cumsumOp, [x], { dim: reduceDim(d, x.shape.length, 'cumsum'), reverse: false });
}

declare module '../tensor.js' {
  interface Tensor {
    /** Cumulative sum along a dim. @example x.cumsum(0) */
    cumsum(dim: number | CumsumOptions): Tensor;
  }
}

Tensor.prototype.cumsum = function (this: Tensor, dim: number | CumsumOptions) {
  return cumsum(this, dim);
};
