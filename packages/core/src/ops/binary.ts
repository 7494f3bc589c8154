import { dtypeCategory, isFloatingPoint } from '../dtype.js';
import type { RegisteredOp } from '../registry.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { binaryInfer, op, run } from './define.js';
import type { Scalar, TensorOrScalar } from './promotion.js';
import { deviceOf, resultType, toTensor } from './promotion.js';
import { sum } from './reduce.js';
import { binarySamples, unarySamples } from './samples.js';
import { reshape } from './view.js';

/**
 * Reduces a broadcast gradient back to the shape of the operand it flows to
 * (sums the broadcast dims): the VJP of broadcasting.
 */
export function sumTo(grad: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const lead = grad.shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < grad.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) dims.push(i);
  }
  const reduced = dims.length ? sum(grad, dims, true) : grad;
  return reshape(reduced, shape);
}

/** Brings both operands to their PyTorch result dtype (and scalars to 0-d tensors). */
export function promoteOperands(
  a: TensorOrScalar,
  b: TensorOrScalar,
  floatResult = false,
): [Tensor, Tensor] {
  if (
    a instanceof Tensor &&
    b instanceof Tensor &&
    a.dtype === b.dtype &&
    (!floatResult || isFloatingPoint(a.dtype))
  ) {
    return [a, b];
  }
  let dtype = resultType(a, b);
  if (floatResult && dtypeCategory(dtype) < 2) dtype = 'float32';
  const device = deviceOf(a, b);
  return [cast(toTensor(a, dtype, device), dtype), cast(toTensor(b, dtype, device), dtype)];
}

function binary(
  o: RegisteredOp,
  a: TensorOrScalar,
  b: TensorOrScalar,
  floatResult = false,
): Tensor {
  const [x, y] = promoteOperands(a, b, floatResult);
  return run(o, [x, y]);
}

export const addOp = op({
  name: 'add',
  inputs: ['input', 'other'],
  infer: binaryInfer('add'),
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas }) => sumTo(grad, inputMetas[0]!.shape),
    other: ({ grad, inputMetas }) => sumTo(grad, inputMetas[1]!.shape),
  },
  samples: () => binarySamples({}, { int: true }),
  doc: 'Elementwise sum with broadcasting.',
});

export const subOp = op({
  name: 'sub',
  inputs: ['input', 'other'],
  infer: binaryInfer('sub'),
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas }) => sumTo(grad, inputMetas[0]!.shape),
    other: ({ grad, inputMetas }) => sumTo(neg(grad), inputMetas[1]!.shape),
  },
  samples: () => binarySamples({}, { int: true }),
  doc: 'Elementwise difference with broadcasting.',
});

export const mulOp = op({
  name: 'mul',
  inputs: ['input', 'other'],
  infer: binaryInfer('mul'),
  vjp: {
    input: ({ grad, inputs }) => sumTo(mul(grad, inputs[1]!), inputs[0]!.shape),
    other: ({ grad, inputs }) => sumTo(mul(grad, inputs[0]!), inputs[1]!.shape),
  },
  samples: () => binarySamples({}, { int: true }),
  doc: 'Elementwise product with broadcasting.',
});

export const divOp = op({
  name: 'div',
  inputs: ['input', 'other'],
  infer: binaryInfer('div'),
  vjp: {
    input: ({ grad, inputs }) => sumTo(div(grad, inputs[1]!), inputs[0]!.shape),
    other: ({ grad, inputs }) => {
      const [a, b] = inputs as [Tensor, Tensor];
      return sumTo(neg(div(mul(grad, a), mul(b, b))), b.shape);
    },
  },
  samples: () => [
    ...binarySamples({ low: 0.5, high: 2 }),
    { name: 'negative divisor', inputs: [{ shape: [4] }, { shape: [4], low: -2, high: -0.5 }] },
  ],
  doc: 'Elementwise true division with broadcasting.',
});

export const negOp = op({
  name: 'neg',
  inputs: ['input'],
  infer: ([x]) => {
    if (x!.dtype === 'bool')
      throw new TypeError(
        'neg: negation, the `-` operator, on a bool tensor is not supported; use logicalNot',
      );
    return { shape: x!.shape, dtype: x!.dtype };
  },
  saveInputs: [],
  vjp: { input: ({ grad }) => neg(grad) },
  samples: () => [
    ...unarySamples(),
    { name: 'int32', inputs: [{ shape: [5], dtype: 'int32' }] },
  ],
  doc: 'Elementwise negation.',
});

/** Options of `add`/`sub`: `alpha` scales the second operand. */
export interface AlphaOptions {
  alpha?: number;
}

function scaled(b: TensorOrScalar, alpha: number | undefined): TensorOrScalar {
  if (alpha === undefined || alpha === 1) return b;
  return b instanceof Tensor ? mul(b, alpha) : (b as number) * alpha;
}

/**
 * `input + alpha * other`, broadcasting; scalars are accepted on either side.
 * @example torch.add(x, y); x.add(1); x.add(y, { alpha: 2 })
 */
export function add(input: TensorOrScalar, other: TensorOrScalar, opts: AlphaOptions = {}): Tensor {
  return binary(addOp, input, scaled(other, opts.alpha));
}

/**
 * `input - alpha * other`, broadcasting.
 * @example torch.sub(x, 1)
 */
export function sub(input: TensorOrScalar, other: TensorOrScalar, opts: AlphaOptions = {}): Tensor {
  return binary(subOp, input, scaled(other, opts.alpha));
}

/**
 * Elementwise product, broadcasting.
 * @example torch.mul(x, y)
 */
export function mul(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return binary(mulOp, input, other);
}

/**
 * True division (integers give float32), broadcasting.
 * @example torch.div(x, 2)
 */
export function div(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return binary(divOp, input, other, true);
}

/**
 * Elementwise negation.
 * @example torch.neg(x)
 */
export function neg(input: Tensor): Tensor {
  return run(negOp, [input]);
}

declare module '../tensor.js' {
  interface Tensor {
    /** `this + alpha * other`. @example x.add(y) */
    add(other: TensorOrScalar, opts?: AlphaOptions): Tensor;
    /** `this - alpha * other`. @example x.sub(y) */
    sub(other: TensorOrScalar, opts?: AlphaOptions): Tensor;
    /** Elementwise product. @example x.mul(y) */
    mul(other: TensorOrScalar): Tensor;
    /** True division. @example x.div(2) */
    div(other: TensorOrScalar): Tensor;
    /** Elementwise negation. @example x.neg() */
    neg(): Tensor;
  }
}

Tensor.prototype.add = function (this: Tensor, other: TensorOrScalar, opts?: AlphaOptions) {
  return add(this, other, opts);
};
Tensor.prototype.sub = function (this: Tensor, other: TensorOrScalar, opts?: AlphaOptions) {
  return sub(this, other, opts);
};
Tensor.prototype.mul = function (this: Tensor, other: TensorOrScalar) {
  return mul(this, other);
};
Tensor.prototype.div = function (this: Tensor, other: TensorOrScalar) {
  return div(this, other);
};
Tensor.prototype.neg = function (this: Tensor) {
  return neg(this);
};

export type { Scalar };
