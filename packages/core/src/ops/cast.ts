import { checkTensor } from '../arg-check.js';
import type { DType } from '../dtype.js';
import { checkDType, isFloatingPoint } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { op, run } from './define.js';

/** Converts elements to another dtype (a copy); differentiable between floating dtypes. */
export const castOp = op<{ dtype: DType }>({
  name: 'cast',
  inputs: ['input'],
  attrs: { dtype: { type: 'dtype', doc: 'target dtype' } },
  infer: ([x], { dtype }) => ({ shape: x!.shape, dtype }),
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas }) =>
      isFloatingPoint(inputMetas[0]!.dtype) ? cast(grad, inputMetas[0]!.dtype) : null,
  },
  gradFnName: 'ToCopyBackward0',
  samples: () => [
    { name: 'float32 to float64', inputs: [{ shape: [2, 3] }], attrs: { dtype: 'float64' } },
    {
      name: 'float64 to float32',
      inputs: [{ shape: [2, 3], dtype: 'float64', layout: 'transposed' }],
      attrs: { dtype: 'float32' },
    },
    {
      name: 'float32 to int32 truncates',
      inputs: [{ shape: [6], values: [-2.7, -1.5, -0.2, 0.2, 1.5, 2.7] }],
      attrs: { dtype: 'int32' },
    },
    {
      name: 'float32 to bool',
      inputs: [{ shape: [4], values: [0, -0.5, 2, 0] }],
      attrs: { dtype: 'bool' },
    },
    {
      name: 'int32 to float32',
      inputs: [{ shape: [5], dtype: 'int32' }],
      attrs: { dtype: 'float32' },
    },
    {
      name: 'bool to int32',
      inputs: [{ shape: [2, 2], dtype: 'bool' }],
      attrs: { dtype: 'int32' },
    },
  ],
  doc: 'Converts elements to another dtype.',
});

/**
 * `t` converted to `dtype` (itself when already of that dtype).
 * @example torch.cast(torch.tensor([1.7, -1.7]), 'int32') // tensor([ 1, -1])
 */
export function cast(t: Tensor, dtype: DType): Tensor {
  checkTensor(t, 'cast', 'input');
  if (t.dtype === dtype) return t;
  return run(castOp, [t], { dtype: checkDType(dtype, 'to') });
}

declare module '../tensor.js' {
  interface Tensor {
    /** A float32 copy (itself when already float32). @example torch.tensor([1], { dtype: 'int32' }).float() */
    float(): Tensor;
    /** A float64 copy. @example x.double() */
    double(): Tensor;
    /** An int32 copy, truncating toward zero. @example x.int() */
    int(): Tensor;
    /** A bool copy (nonzero → true). @example x.bool() */
    bool(): Tensor;
    /** Alias of `int()`: int32 plays PyTorch's int64 role. @example x.long() */
    long(): Tensor;
    /** Converts to a dtype. @example x.type('float64') */
    type(dtype: DType): Tensor;
  }
}

Tensor.prototype.float = function (this: Tensor) {
  return cast(this, 'float32');
};
Tensor.prototype.double = function (this: Tensor) {
  return cast(this, 'float64');
};
Tensor.prototype.int = function (this: Tensor) {
  return cast(this, 'int32');
};
Tensor.prototype.long = function (this: Tensor) {
  return cast(this, 'int32');
};
Tensor.prototype.bool = function (this: Tensor) {
  return cast(this, 'bool');
};
Tensor.prototype.type = function (this: Tensor, dtype: DType) {
  return cast(this, dtype);
};
