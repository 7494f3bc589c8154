import { checkTensorOrScalar } from '../arg-check.js';
import { scalarTensor } from '../creation.js';
import type { DType } from '../dtype.js';
import { DEFAULT_FLOAT_DTYPE, dtypeCategory, promoteTypes } from '../dtype.js';
import { Tensor } from '../tensor.js';

/** A tensor or a plain JS scalar, as binary ops accept. */
export type Scalar = number | boolean;
/** A tensor operand or a plain JS scalar (number or boolean). */
export type TensorOrScalar = Tensor | Scalar;

function scalarDType(v: Scalar): DType {
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int32' : DEFAULT_FLOAT_DTYPE;
}

/**
 * PyTorch's result type: tensors with dims outrank 0-d tensors, which outrank plain scalars;
 * a lower-ranked operand only matters when it brings a higher category (bool < int < float).
 * An integral JS number counts as an int scalar, any other number as a float scalar.
 * @example resultType(torch.tensor([1, 2], { dtype: 'int32' }), 2.5) // 'float32'
 */
export function resultType(...operands: readonly TensorOrScalar[]): DType {
  for (const o of operands) checkTensorOrScalar(o, 'resultType', 'operands');
  let dimmed: DType | null = null;
  let zeroDim: DType | null = null;
  let scalar: DType | null = null;
  for (const o of operands) {
    if (o instanceof Tensor) {
      if (o.shape.length > 0) dimmed = dimmed ? promoteTypes(dimmed, o.dtype) : o.dtype;
      else zeroDim = zeroDim ? promoteTypes(zeroDim, o.dtype) : o.dtype;
    } else {
      const d = scalarDType(o);
      scalar = scalar ? promoteTypes(scalar, d) : d;
    }
  }
  let result = dimmed ?? zeroDim ?? scalar!;
  if (zeroDim && dtypeCategory(zeroDim) > dtypeCategory(result)) result = zeroDim;
  if (scalar && dtypeCategory(scalar) > dtypeCategory(result)) {
    // A Python-style scalar of a higher category promotes to that category's default type.
    result = dtypeCategory(scalar) === 2 ? DEFAULT_FLOAT_DTYPE : scalar;
  }
  return result;
}

/**
 * Turns a scalar operand into a 0-d tensor of `dtype` on `device`; tensors pass through.
 * @example torch.toTensor(2, 'int32', 'cpu') // 0-d int32 tensor; a tensor argument is returned as is
 */
export function toTensor(x: TensorOrScalar, dtype: DType, device: string): Tensor {
  checkTensorOrScalar(x, 'toTensor', 'input');
  return x instanceof Tensor ? x : scalarTensor(x, dtype, device);
}

/**
 * The device of the first tensor operand.
 * @example torch.deviceOf(2, torch.zeros(1)) // 'cpu'
 */
export function deviceOf(...operands: readonly TensorOrScalar[]): string {
  for (const o of operands) checkTensorOrScalar(o, 'deviceOf', 'operands');
  for (const o of operands) if (o instanceof Tensor) return o.device;
  throw new TypeError('expected at least one tensor operand');
}
