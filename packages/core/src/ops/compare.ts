import { checkTensor, checkTensorOrScalar } from '../arg-check.js';
import { scalarTensor } from '../creation.js';
import { isFloatingPoint } from '../dtype.js';
import type { OpSample, RegisteredOp, TensorMeta } from '../registry.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { binarySamples, promoteOperands, subOp } from './binary.js';
import { cast } from './cast.js';
import { binaryInfer, op, run } from './define.js';
import type { TensorOrScalar } from './promotion.js';
import { deviceOf, resultType, toTensor } from './promotion.js';
import { absOp } from './unary.js';
import { sumTo } from './view.js';

/**
 * Comparisons (eq, ne, lt, le, gt, ge), logical ops, NaN/infinity tests and `where`. Every result
 * but `where`'s is a bool tensor; operands are promoted to their common dtype first, so
 * `intTensor.lt(2.5)` compares as float32. Bool results carry no gradient.
 */

const EDGE_A = [0, -0, 1, NaN, NaN, Infinity, -Infinity, 2, 1e30];
const EDGE_B = [-0, 0, NaN, 1, NaN, Infinity, Infinity, 2, 1e30];

type Decomposition = (args: readonly Tensor[]) => Tensor;

function comparison(name: string, doc: string, decomposition?: Decomposition): RegisteredOp {
  return op({
    name,
    inputs: ['input', 'other'],
    infer: binaryInfer(name, 'bool'),
    decomposition,
    saveInputs: [],
    samples: () => [
      ...binarySamples(-2, 2, {
        edge: [EDGE_A, EDGE_B],
        int: [
          [1, 2, 3, -1],
          [2, 2, 2, -1],
        ],
      })(),
      {
        name: 'bool',
        inputs: [
          { shape: [4], dtype: 'bool', values: [1, 1, 0, 0] },
          { shape: [4], dtype: 'bool', values: [1, 0, 1, 0] },
        ],
      },
    ],
    doc,
  });
}

/** The registered 'eq' op; call it through {@link eq}. */
export const eqOp = comparison('eq', 'Elementwise ==.');
/** The registered 'ne' op; call it through {@link ne}. */
export const neOp = comparison('ne', 'Elementwise !=.', ([a, b]) =>
  run(logicalNotOp, [run(eqOp, [a!, b!])]),
);
/** The registered 'lt' op; call it through {@link lt}. */
export const ltOp = comparison('lt', 'Elementwise <.');
/** The registered 'le' op; call it through {@link le}. */
export const leOp = comparison('le', 'Elementwise <=.');
/** The registered 'gt' op; call it through {@link gt}. */
export const gtOp = comparison('gt', 'Elementwise >.', ([a, b]) => run(ltOp, [b!, a!]));
/** The registered 'ge' op; call it through {@link ge}. */
export const geOp = comparison('ge', 'Elementwise >=.', ([a, b]) => run(leOp, [b!, a!]));
/** The registered 'logicalAnd' op; call it through {@link logicalAnd}. */
export const logicalAndOp = comparison('logicalAnd', 'Elementwise logical and (nonzero is true).');
/** The registered 'logicalOr' op; call it through {@link logicalOr}. */
export const logicalOrOp = comparison('logicalOr', 'Elementwise logical or.', ([a, b]) =>
  run(logicalNotOp, [run(logicalAndOp, [run(logicalNotOp, [a!]), run(logicalNotOp, [b!])])]),
);
/** The registered 'logicalXor' op; call it through {@link logicalXor}. */
export const logicalXorOp = comparison(
  'logicalXor',
  'Elementwise logical exclusive or.',
  ([a, b]) => run(neOp, [run(logicalNotOp, [a!]), run(logicalNotOp, [b!])]),
);

const UNARY_EDGE = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e30];

function predicate(name: string, doc: string, decomposition?: Decomposition): RegisteredOp {
  return op({
    name,
    inputs: ['input'],
    infer: ([x]): TensorMeta => ({ shape: x!.shape, dtype: 'bool' }),
    decomposition,
    saveInputs: [],
    samples: () => [
      { name: 'edge values', inputs: [{ shape: [UNARY_EDGE.length], values: UNARY_EDGE }] },
      { name: 'transposed', inputs: [{ shape: [4, 3], layout: 'transposed' }] },
      { name: '0-d', inputs: [{ shape: [] }] },
      { name: 'empty', inputs: [{ shape: [0, 2] }] },
      { name: 'int32', inputs: [{ shape: [3], dtype: 'int32', values: [0, -4, 9] }] },
      { name: 'bool', inputs: [{ shape: [2], dtype: 'bool', values: [1, 0] }] },
    ],
    doc,
  });
}

/** The registered 'logicalNot' op; call it through {@link logicalNot}. */
export const logicalNotOp = predicate('logicalNot', 'Elementwise logical not (zero is true).');
/** The registered 'isnan' op; call it through {@link isnan}. */
export const isnanOp = predicate('isnan', 'True where the element is NaN.', ([x]) =>
  run(neOp, [x!, x!]),
);
/** The registered 'isinf' op; call it through {@link isinf}. */
export const isinfOp = predicate('isinf', 'True where the element is +-infinity.', ([x]) =>
  isFloatingPoint(x!.dtype)
    ? run(eqOp, [run(absOp, [x!]), scalarTensor(Infinity, x!.dtype, x!.device)])
    : run(logicalNotOp, [run(eqOp, [x!, x!])]),
);
/** The registered 'isfinite' op; call it through {@link isfinite}. */
export const isfiniteOp = predicate(
  'isfinite',
  'True where the element is neither NaN nor infinite.',
  // x - x is 0 for finite x and NaN for infinities and NaN.
  ([x]) =>
    isFloatingPoint(x!.dtype)
      ? run(eqOp, [run(subOp, [x!, x!]), scalarTensor(0, x!.dtype, x!.device)])
      : run(eqOp, [x!, x!]),
);

function compareWith(o: RegisteredOp, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return run(o, promoteOperands(a, b, false, o.def.name));
}

/** Elementwise `input == other` as a bool tensor. @example torch.eq(x, 2) */
export function eq(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(eqOp, input, other);
}

/** Elementwise `input != other` (true for NaN). @example torch.ne(x, y) */
export function ne(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(neOp, input, other);
}

/** Elementwise `input < other`. @example torch.lt(x, 0) */
export function lt(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(ltOp, input, other);
}

/** Elementwise `input <= other`. @example torch.le(x, 0) */
export function le(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(leOp, input, other);
}

/** Elementwise `input > other`. @example torch.gt(x, 0) */
export function gt(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(gtOp, input, other);
}

/** Elementwise `input >= other`. @example torch.ge(x, 0) */
export function ge(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(geOp, input, other);
}

/** Logical and of truthiness (nonzero, NaN included, is true). @example torch.logicalAnd(a, b) */
export function logicalAnd(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(logicalAndOp, input, other);
}

/** Logical or. @example torch.logicalOr(a, b) */
export function logicalOr(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(logicalOrOp, input, other);
}

/** Logical exclusive or. @example torch.logicalXor(a, b) */
export function logicalXor(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compareWith(logicalXorOp, input, other);
}

/** Logical not: true where the element is zero. @example torch.logicalNot(mask) */
export function logicalNot(input: Tensor): Tensor {
  checkTensor(input, 'logicalNot', 'input');
  return run(logicalNotOp, [input]);
}

/** True where NaN. @example torch.isnan(torch.tensor([1, NaN])) // tensor([False,  True]) */
export function isnan(input: Tensor): Tensor {
  checkTensor(input, 'isnan', 'input');
  return run(isnanOp, [input]);
}

/** True where +-infinity. @example torch.isinf(torch.tensor([1, Infinity])) */
export function isinf(input: Tensor): Tensor {
  checkTensor(input, 'isinf', 'input');
  return run(isinfOp, [input]);
}

/** True where finite (not NaN, not infinite). @example torch.isfinite(x) */
export function isfinite(input: Tensor): Tensor {
  checkTensor(input, 'isfinite', 'input');
  return run(isfiniteOp, [input]);
}

// ---- where ------------------------------------------------------------------------------------

/** The registered 'where' op; call it through {@link where}. */
export const whereOp = op({
  name: 'where',
  inputs: ['condition', 'input', 'other'],
  infer: ([c, a, b]): TensorMeta => {
    if (c!.dtype !== 'bool') {
      throw new TypeError(
        `where: expected condition to be a boolean tensor, but got a tensor with dtype ${c!.dtype}`,
      );
    }
    if (a!.dtype !== b!.dtype) {
      throw new TypeError(
        `where: expected input and other to have the same dtype, got ${a!.dtype} and ${b!.dtype}`,
      );
    }
    const ab = broadcastShapes(a!.shape, b!.shape, 'where');
    return { shape: broadcastShapes(c!.shape, ab, 'where'), dtype: a!.dtype };
  },
  saveInputs: [0],
  vjp: {
    input: ({ grad, inputs, inputMetas }) =>
      sumTo(where(inputs[0]!, grad, 0), inputMetas[1]!.shape),
    other: ({ grad, inputs, inputMetas }) =>
      sumTo(where(inputs[0]!, 0, grad), inputMetas[2]!.shape),
  },
  samples: (): OpSample[] => {
    const cond = { shape: [3, 4], dtype: 'bool' as const, low: 0, high: 2 };
    return [
      { name: 'same shape', inputs: [cond, { shape: [3, 4] }, { shape: [3, 4] }] },
      {
        name: 'broadcast',
        inputs: [{ ...cond, shape: [3, 1] }, { shape: [1, 4] }, { shape: [4] }],
      },
      {
        name: 'transposed',
        inputs: [cond, { shape: [3, 4], layout: 'transposed' }, { shape: [] }],
      },
      { name: '0-d', inputs: [{ ...cond, shape: [] }, { shape: [] }, { shape: [] }] },
      { name: 'empty', inputs: [{ ...cond, shape: [0, 2] }, { shape: [2] }, { shape: [0, 1] }] },
      {
        name: 'edge values',
        inputs: [
          { shape: [4], dtype: 'bool', values: [1, 0, 1, 0] },
          { shape: [4], values: [NaN, NaN, Infinity, 0] },
          { shape: [4], values: [1, -Infinity, -0, NaN] },
        ],
        noGrad: true,
      },
      {
        name: 'int32',
        inputs: [
          { shape: [3], dtype: 'bool', values: [1, 0, 1] },
          { shape: [3], dtype: 'int32', values: [1, 2, 3] },
          { shape: [3], dtype: 'int32', values: [-1, -2, -3] },
        ],
      },
    ];
  },
  gradFnName: 'WhereBackward0',
  doc: 'Chooses input where the condition holds, other elsewhere.',
});

/**
 * `input` where `condition` is true, `other` elsewhere, broadcasting all three. Either value may
 * be a scalar; the values are promoted to their common dtype.
 * @example torch.where(x.gt(0), x, 0)
 */
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  checkTensor(condition, 'where', 'condition');
  checkTensorOrScalar(input, 'where', 'input');
  checkTensorOrScalar(other, 'where', 'other');
  if (condition.dtype !== 'bool') {
    throw new TypeError(
      `where: expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype}`,
    );
  }
  const dtype = resultType(input, other);
  const device =
    input instanceof Tensor || other instanceof Tensor ? deviceOf(input, other) : condition.device;
  const a = cast(toTensor(input, dtype, device), dtype);
  const b = cast(toTensor(other, dtype, device), dtype);
  return run(whereOp, [condition, a, b]);
}

declare module '../tensor.js' {
  interface Tensor {
    /** `this == other`. @example x.eq(2) */
    eq(other: TensorOrScalar): Tensor;
    /** `this != other`. @example x.ne(2) */
    ne(other: TensorOrScalar): Tensor;
    /** `this < other`. @example x.lt(2) */
    lt(other: TensorOrScalar): Tensor;
    /** `this <= other`. @example x.le(2) */
    le(other: TensorOrScalar): Tensor;
    /** `this > other`. @example x.gt(0) */
    gt(other: TensorOrScalar): Tensor;
    /** `this >= other`. @example x.ge(0) */
    ge(other: TensorOrScalar): Tensor;
    /** Logical and. @example a.logicalAnd(b) */
    logicalAnd(other: TensorOrScalar): Tensor;
    /** Logical or. @example a.logicalOr(b) */
    logicalOr(other: TensorOrScalar): Tensor;
    /** Logical xor. @example a.logicalXor(b) */
    logicalXor(other: TensorOrScalar): Tensor;
    /** Logical not. @example mask.logicalNot() */
    logicalNot(): Tensor;
    /** NaN test. @example x.isnan() */
    isnan(): Tensor;
    /** Infinity test. @example x.isinf() */
    isinf(): Tensor;
    /** Finiteness test. @example x.isfinite() */
    isfinite(): Tensor;
    /** `torch.where(condition, this, other)`. @example x.where(x.gt(0), 0) */
    where(condition: Tensor, other: TensorOrScalar): Tensor;
  }
}

const binaryMethods: Record<string, (a: TensorOrScalar, b: TensorOrScalar) => Tensor> = {
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalXor,
};
const proto = Tensor.prototype as unknown as Record<string, unknown>;
for (const [name, f] of Object.entries(binaryMethods)) {
  proto[name] = function (this: Tensor, other: TensorOrScalar) {
    return f(this, other);
  };
}
for (const [name, f] of Object.entries({ logicalNot, isnan, isinf, isfinite })) {
  proto[name] = function (this: Tensor) {
    return f(this);
  };
}
Tensor.prototype.where = function (this: Tensor, condition: Tensor, other: TensorOrScalar) {
  return where(condition, this, other);
};
