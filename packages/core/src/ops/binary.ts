import { checkTensor, checkTensorOrScalar } from '../arg-check.js';
import { zeros } from '../creation.js';
import type { DType } from '../dtype.js';
import { dtypeCategory, isFloatingPoint } from '../dtype.js';
import type { OpSample, RegisteredOp, SampleInput, TensorMeta, VjpFn } from '../registry.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { eq, ge, gt, logicalAnd, lt, where } from './compare.js';
import { binaryInfer, op, run, zeroGradOf } from './define.js';
import type { Scalar, TensorOrScalar } from './promotion.js';
import { deviceOf, resultType, toTensor } from './promotion.js';
import { scalarLike } from './scalar-like.js';
import { log } from './unary.js';
import { sumTo } from './view.js';

/**
 * Elementwise arithmetic with broadcasting and PyTorch's type promotion: add, sub, mul, div
 * (true, truncating or flooring), remainder, fmod, pow, maximum, minimum, neg.
 */

/**
 * Brings both operands to their PyTorch result dtype (and scalars to 0-d tensors).
 * @example torch.promoteOperands(torch.tensor([1, 2], { dtype: 'int32' }), 0.5) // [float32 tensor([1., 2.]), float32 tensor(0.5000)]
 */
export function promoteOperands(
  a: TensorOrScalar,
  b: TensorOrScalar,
  floatResult = false,
  opName = 'promoteOperands',
): [Tensor, Tensor] {
  if (
    a instanceof Tensor &&
    b instanceof Tensor &&
    a.dtype === b.dtype &&
    (!floatResult || isFloatingPoint(a.dtype))
  ) {
    return [a, b];
  }
  checkOperands(opName, a, b);
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
  const [x, y] = promoteOperands(a, b, floatResult, o.def.name);
  return run(o, [x, y]);
}

/** Binary ops take tensors and JS numbers/booleans, at least one of them a tensor. */
function checkOperands(opName: string, a: unknown, b: unknown, bName = 'other'): void {
  checkTensorOrScalar(a, opName, 'input');
  checkTensorOrScalar(b, opName, bName);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new TypeError(
      `${opName}(): expected at least one Tensor operand, got ${typeof a} and ${typeof b}`,
    );
  }
}

/** PyTorch's error for arithmetic it does not define on bool tensors. */
function rejectBool(name: string, x: Tensor): void {
  if (x.dtype === 'bool') throw new TypeError(`${name}: "${name}" not implemented for 'Bool'`);
}

/** `binaryInfer` for ops without a bool version (pow, remainder, fmod). */
function numericInfer(name: string) {
  const base = binaryInfer(name);
  return (args: readonly Tensor[]): TensorMeta => {
    rejectBool(name, args[0]!);
    return base(args);
  };
}

/**
 * Conformance cases shared by the binary ops: broadcasting, a transposed operand, 0-d with a
 * dimmed tensor, an empty tensor, edge values, float64 and (when `int`) int32 operands.
 * @example samples: binarySamples(-3, 3, { otherLow: 0.5, otherHigh: 3 }) // a divisor kept away from zero
 */
export function binarySamples(
  low: number,
  high: number,
  opts: {
    edge?: readonly [number[], number[]];
    int?: readonly [number[], number[]];
    otherLow?: number;
    otherHigh?: number;
    noGrad?: boolean;
  } = {},
): () => OpSample[] {
  const b = (shape: number[], extra: Partial<SampleInput> = {}): SampleInput => ({
    shape,
    low: opts.otherLow ?? low,
    high: opts.otherHigh ?? high,
    ...extra,
  });
  const a = (shape: number[], extra: Partial<SampleInput> = {}): SampleInput => ({
    shape,
    low,
    high,
    ...extra,
  });
  const noGrad = opts.noGrad;
  return () => {
    const s: OpSample[] = [
      { name: 'same shape', inputs: [a([3, 4]), b([3, 4])], noGrad },
      { name: 'broadcast', inputs: [a([3, 1]), b([1, 4])], noGrad },
      { name: 'broadcast rank', inputs: [a([2, 3, 4]), b([4])], noGrad },
      { name: 'transposed', inputs: [a([3, 4], { layout: 'transposed' }), b([3, 4])], noGrad },
      { name: '0-d and dimmed', inputs: [a([]), b([2, 3])], noGrad },
      { name: 'empty', inputs: [a([0, 3]), b([3])], noGrad },
      {
        name: 'float64',
        inputs: [a([2, 3], { dtype: 'float64' }), b([2, 3], { dtype: 'float64' })],
        noGrad,
      },
    ];
    if (opts.edge) {
      const [x, y] = opts.edge;
      s.push({
        name: 'edge values',
        inputs: [
          { shape: [x.length], values: x },
          { shape: [y.length], values: y },
        ],
        noGrad: true,
      });
    }
    if (opts.int) {
      const [x, y] = opts.int;
      s.push({
        name: 'int32',
        inputs: [
          { shape: [x.length], dtype: 'int32', values: x },
          { shape: [y.length], dtype: 'int32', values: y },
        ],
      });
    }
    return s;
  };
}

const EDGE_X = [0, -0, 1, -1, 2.5, -2.5, 1e30, Infinity, -Infinity, NaN, 3, Infinity];
const EDGE_Y = [1, 2, -0, 0, -2, 3, 1e-30, 2, Infinity, 1, NaN, -Infinity];
const INT_X = [7, -7, 7, -7, 0, 2];
const INT_Y = [2, 2, -2, -2, 3, 1];

/** The registered 'add' op; call it through {@link add}. */
export const addOp = op({
  name: 'add',
  inputs: ['input', 'other'],
  infer: binaryInfer('add'),
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas }) => sumTo(grad, inputMetas[0]!.shape),
    other: ({ grad, inputMetas }) => sumTo(grad, inputMetas[1]!.shape),
  },
  samples: binarySamples(-3, 3, { edge: [EDGE_X, EDGE_Y], int: [INT_X, INT_Y] }),
  doc: 'Elementwise sum with broadcasting.',
});

/** The registered 'sub' op; call it through {@link sub}. */
export const subOp = op({
  name: 'sub',
  inputs: ['input', 'other'],
  infer: binaryInfer('sub'),
  saveInputs: [],
  vjp: {
    input: ({ grad, inputMetas }) => sumTo(grad, inputMetas[0]!.shape),
    other: ({ grad, inputMetas }) => sumTo(neg(grad), inputMetas[1]!.shape),
  },
  samples: binarySamples(-3, 3, { edge: [EDGE_X, EDGE_Y], int: [INT_X, INT_Y] }),
  doc: 'Elementwise difference with broadcasting.',
  decomposition: ([a, b]) => run(addOp, [a!, run(negOp, [b!])]),
});

/** The registered 'mul' op; call it through {@link mul}. */
export const mulOp = op({
  name: 'mul',
  inputs: ['input', 'other'],
  infer: binaryInfer('mul'),
  saveInputsFor: { input: [1], other: [0] },
  vjp: {
    input: ({ grad, inputs, inputMetas }) => sumTo(mul(grad, inputs[1]!), inputMetas[0]!.shape),
    other: ({ grad, inputs, inputMetas }) => sumTo(mul(grad, inputs[0]!), inputMetas[1]!.shape),
  },
  samples: binarySamples(-3, 3, { edge: [EDGE_X, EDGE_Y], int: [INT_X, INT_Y] }),
  doc: 'Elementwise product with broadcasting.',
});

/** The registered 'div' op (true division); call it through {@link div}. */
export const divOp = op({
  name: 'div',
  inputs: ['input', 'other'],
  infer: binaryInfer('div'),
  saveInputsFor: { input: [1], other: [0, 1] },
  vjp: {
    input: ({ grad, inputs, inputMetas }) => sumTo(div(grad, inputs[1]!), inputMetas[0]!.shape),
    other: ({ grad, inputs }) => {
      const [a, b] = inputs as [Tensor, Tensor];
      return sumTo(neg(div(mul(grad, a), mul(b, b))), b.shape);
    },
  },
  samples: binarySamples(-3, 3, { edge: [EDGE_X, EDGE_Y], otherLow: 0.5, otherHigh: 3 }),
  doc: 'Elementwise true division with broadcasting.',
});

/** Attributes of the tensor-by-scalar ops: the scalar. */
export interface ScalarOperandAttrs {
  /** The scalar operand. */
  other: number;
}

/**
 * Tensor-by-scalar product and quotient: they save no tensor (the scalar lives in the attributes),
 * so the input may be modified in place afterwards, as with PyTorch's wrapped scalars.
 */
function scalarOp(name: 'mul' | 'div', vjp: VjpFn<ScalarOperandAttrs>, doc: string) {
  return op<ScalarOperandAttrs>({
    name: `${name}Scalar`,
    inputs: ['input'],
    attrs: { other: { type: 'float', doc: 'the scalar operand' } },
    infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
    saveInputs: [],
    vjp: { input: vjp },
    gradFnName: name === 'mul' ? 'MulBackward0' : 'DivBackward0',
    samples: () => [
      { name: 'matrix', inputs: [{ shape: [3, 4] }], attrs: { other: 2.5 } },
      {
        name: 'transposed',
        inputs: [{ shape: [4, 3], layout: 'transposed' }],
        attrs: { other: -3 },
      },
      { name: '0-d', inputs: [{ shape: [] }], attrs: { other: 0.5 } },
      { name: 'empty', inputs: [{ shape: [0, 3] }], attrs: { other: 2 } },
      {
        name: 'edge values',
        inputs: [{ shape: [5], values: [0, -0, Infinity, NaN, 1e30] }],
        attrs: { other: name === 'mul' ? 1e10 : 1e-10 },
        noGrad: true,
      },
    ],
    doc,
  });
}

/** The registered 'mulScalar' op (tensor times a number); call it through {@link mul}. */
export const mulScalarOp = scalarOp(
  'mul',
  ({ grad, attrs }) => mul(grad, attrs.other),
  'Product with a scalar.',
);
/** The registered 'divScalar' op (tensor divided by a number); call it through {@link div}. */
export const divScalarOp = scalarOp(
  'div',
  ({ grad, attrs }) => div(grad, attrs.other),
  'True division by a scalar.',
);

/** Rounded division: piecewise constant, so its gradient is zero (as in PyTorch). */
function roundedDiv(name: string, doc: string): RegisteredOp {
  return op({
    name,
    inputs: ['input', 'other'],
    infer: binaryInfer(name),
    saveInputs: [],
    vjp: { input: zeroGradOf(0), other: zeroGradOf(1) },
    gradFnName: 'DivBackward2',
    samples: binarySamples(-5, 5, {
      edge: [EDGE_X, EDGE_Y],
      int: [INT_X, INT_Y],
      otherLow: 0.5,
      otherHigh: 3,
    }),
    doc,
  });
}

/** The registered 'divTrunc' op; call it through {@link div} with `roundingMode: 'trunc'`. */
export const divTruncOp = roundedDiv('divTrunc', 'Division rounded toward zero.');
/** The registered 'divFloor' op; call it through {@link div} with `roundingMode: 'floor'` or {@link floorDivide}. */
export const divFloorOp = roundedDiv('divFloor', 'Division rounded down (floor division).');

/** The registered 'remainder' op; call it through {@link remainder}. */
export const remainderOp = op({
  name: 'remainder',
  inputs: ['input', 'other'],
  infer: numericInfer('remainder'),
  vjp: {
    input: ({ grad, inputMetas }) => sumTo(grad, inputMetas[0]!.shape),
    other: ({ grad, inputs }) =>
      sumTo(
        neg(mul(grad, div(inputs[0]!, inputs[1]!, { roundingMode: 'floor' }))),
        inputs[1]!.shape,
      ),
  },
  gradFnName: 'RemainderBackward1',
  samples: binarySamples(-5, 5, {
    edge: [EDGE_X, EDGE_Y],
    int: [INT_X, INT_Y],
    otherLow: 0.7,
    otherHigh: 3,
  }),
  doc: 'Python-style modulus: the result has the sign of the divisor.',
});

/** The registered 'fmod' op; call it through {@link fmod}. */
export const fmodOp = op({
  name: 'fmod',
  inputs: ['input', 'other'],
  infer: numericInfer('fmod'),
  vjp: {
    input: ({ grad, inputMetas }) => sumTo(grad, inputMetas[0]!.shape),
    other: ({ grad, inputs }) =>
      sumTo(
        neg(mul(grad, div(inputs[0]!, inputs[1]!, { roundingMode: 'trunc' }))),
        inputs[1]!.shape,
      ),
  },
  gradFnName: 'FmodBackward1',
  samples: binarySamples(-5, 5, {
    edge: [EDGE_X, EDGE_Y],
    int: [INT_X, INT_Y],
    otherLow: 0.7,
    otherHigh: 3,
  }),
  doc: 'C-style modulus: the result has the sign of the dividend.',
});

/** PyTorch's maximum/minimum VJP: ties split the gradient in half; `loser` marks where it is 0. */
function extremumVjp(loser: (a: Tensor, b: Tensor) => Tensor, argIndex: number): VjpFn {
  return ({ grad, inputs }) => {
    const [a, b] = inputs as [Tensor, Tensor];
    const g = where(eq(a, b), div(grad, 2), grad);
    return sumTo(where(loser(a, b), 0, g), inputs[argIndex]!.shape);
  };
}

/** The registered 'maximum' op; call it through {@link maximum}. */
export const maximumOp = op({
  name: 'maximum',
  inputs: ['input', 'other'],
  infer: binaryInfer('maximum'),
  vjp: {
    input: extremumVjp((a, b) => lt(a, b), 0),
    other: extremumVjp((a, b) => gt(a, b), 1),
  },
  samples: binarySamples(-3, 3, { edge: [EDGE_X, EDGE_Y], int: [INT_X, INT_Y] }),
  doc: 'Elementwise maximum; NaN propagates.',
});

/** The registered 'minimum' op; call it through {@link minimum}. */
export const minimumOp = op({
  name: 'minimum',
  inputs: ['input', 'other'],
  infer: binaryInfer('minimum'),
  vjp: {
    input: extremumVjp((a, b) => gt(a, b), 0),
    other: extremumVjp((a, b) => lt(a, b), 1),
  },
  samples: binarySamples(-3, 3, { edge: [EDGE_X, EDGE_Y], int: [INT_X, INT_Y] }),
  doc: 'Elementwise minimum; NaN propagates.',
});

/** The registered 'neg' op; call it through {@link neg}. */
export const negOp = op({
  name: 'neg',
  inputs: ['input'],
  infer: ([x]) => {
    if (x!.dtype === 'bool')
      throw new TypeError(
        'neg: Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.',
      );
    return { shape: x!.shape, dtype: x!.dtype };
  },
  saveInputs: [],
  vjp: { input: ({ grad }) => neg(grad) },
  samples: () => [
    { name: 'matrix', inputs: [{ shape: [3, 4] }] },
    { name: 'transposed', inputs: [{ shape: [4, 3], layout: 'transposed' }] },
    { name: '0-d', inputs: [{ shape: [] }] },
    { name: 'empty', inputs: [{ shape: [0] }] },
    {
      name: 'edge values',
      inputs: [{ shape: [5], values: [0, -0, Infinity, -Infinity, NaN] }],
      noGrad: true,
    },
    { name: 'int32', inputs: [{ shape: [3], dtype: 'int32', values: [-2, 0, 5] }] },
  ],
  doc: 'Elementwise negation.',
  decomposition: ([x]) => run(mulOp, [x!, scalarLike(-1, x!)]),
});

// ---- pow --------------------------------------------------------------------------------------

/** Attributes of `powScalar`: the exponent. */
export interface PowScalarAttrs {
  /** The exponent. */
  exponent: number;
}

/** The registered 'powScalar' op (tensor to a number power); call it through {@link pow}. */
export const powScalarOp = op<PowScalarAttrs>({
  name: 'powScalar',
  inputs: ['input'],
  attrs: { exponent: { type: 'float', doc: 'the exponent' } },
  infer: ([x], { exponent }): TensorMeta => {
    rejectBool('pow', x!);
    if (!isFloatingPoint(x!.dtype) && exponent < 0) {
      throw new RangeError('pow: Integers to negative integer powers are not allowed.');
    }
    return { shape: x!.shape, dtype: x!.dtype };
  },
  vjp: {
    input: ({ grad, inputs, attrs: { exponent } }) => {
      if (exponent === 0) return zeros(grad.shape, { dtype: grad.dtype, device: grad.device });
      return mul(grad, mul(pow(inputs[0]!, exponent - 1), exponent));
    },
  },
  gradFnName: 'PowBackward0',
  samples: () => [
    { name: 'square', inputs: [{ shape: [3, 4], low: -3, high: 3 }], attrs: { exponent: 2 } },
    {
      name: 'cube transposed',
      inputs: [{ shape: [4, 3], low: -2, high: 2, layout: 'transposed' }],
      attrs: { exponent: 3 },
    },
    { name: 'fractional', inputs: [{ shape: [5], low: 0.2, high: 3 }], attrs: { exponent: 0.5 } },
    { name: 'negative', inputs: [{ shape: [], low: 0.5, high: 2 }], attrs: { exponent: -1.5 } },
    { name: 'zero exponent', inputs: [{ shape: [3], low: -2, high: 2 }], attrs: { exponent: 0 } },
    { name: 'empty', inputs: [{ shape: [0, 2] }], attrs: { exponent: 2 } },
    {
      name: 'edge values',
      inputs: [{ shape: [6], values: [0, -0, -1, Infinity, -Infinity, NaN] }],
      attrs: { exponent: 2 },
      noGrad: true,
    },
    {
      name: 'int32',
      inputs: [{ shape: [4], dtype: 'int32', values: [-3, 0, 2, 5] }],
      attrs: { exponent: 3 },
    },
  ],
  doc: 'Elementwise power with a scalar exponent.',
});

/** Attributes of `rpow`: the scalar base. */
export interface RpowAttrs {
  /** The scalar base. */
  base: number;
}

/** The registered 'rpow' op (number to a tensor power); call it through {@link pow}. */
export const rpowOp = op<RpowAttrs>({
  name: 'rpow',
  inputs: ['exponent'],
  attrs: { base: { type: 'float', doc: 'the scalar base' } },
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  saveInputs: [0],
  saveOutputs: true,
  vjp: {
    exponent: ({ grad, inputs, outputs, attrs: { base } }) => {
      const g = mul(grad, mul(outputs[0]!, Math.log(base)));
      // 0 ** e has zero slope for e >= 0 (PyTorch masks the NaN of 0 * log 0).
      return base === 0 ? where(ge(inputs[0]!, 0), 0, g) : g;
    },
  },
  gradFnName: 'PowBackward2',
  samples: () => [
    { name: 'base 2', inputs: [{ shape: [3, 4], low: -3, high: 3 }], attrs: { base: 2 } },
    { name: 'transposed', inputs: [{ shape: [4, 3], layout: 'transposed' }], attrs: { base: 0.5 } },
    { name: '0-d', inputs: [{ shape: [] }], attrs: { base: 3 } },
    { name: 'empty', inputs: [{ shape: [0] }], attrs: { base: 2 } },
    {
      name: 'int32',
      inputs: [{ shape: [4], dtype: 'int32', values: [0, 1, 2, 5] }],
      attrs: { base: 2 },
    },
  ],
  doc: 'A scalar base raised to a tensor of exponents.',
});

/** The registered 'pow' op (tensor to a tensor power); call it through {@link pow}. */
export const powOp = op({
  name: 'pow',
  inputs: ['input', 'exponent'],
  infer: numericInfer('pow'),
  saveOutputs: true,
  vjp: {
    input: ({ grad, inputs }) => {
      const [a, e] = inputs as [Tensor, Tensor];
      const g = mul(grad, mul(e, pow(a, sub(e, 1))));
      return sumTo(where(eq(e, 0), 0, g), a.shape);
    },
    exponent: ({ grad, inputs, outputs }) => {
      const [a, e] = inputs as [Tensor, Tensor];
      const g = mul(grad, mul(outputs[0]!, log(a)));
      return sumTo(where(logicalAnd(eq(a, 0), ge(e, 0)), 0, g), e.shape);
    },
  },
  gradFnName: 'PowBackward1',
  samples: binarySamples(0.3, 2.5, {
    edge: [
      [1, 1, -1, 0, 0, 2, NaN, -2],
      [NaN, Infinity, -Infinity, 0, -1, 0.5, 0, 3],
    ],
    int: [
      [2, -3, 0, 1, 4, -1],
      [3, 3, 2, -2, 0, -3],
    ],
    otherLow: -2,
    otherHigh: 2,
  }),
  doc: 'Elementwise power with a tensor exponent.',
});

// ---- functional forms ---------------------------------------------------------------------------

/** Options of `add`/`sub`: `alpha` scales the second operand. */
export interface AlphaOptions {
  /** Multiplier of `other` (PyTorch's `alpha=`): `add(x, y, { alpha: 2 })` is `x + 2 * y`; default 1. */
  alpha?: number;
}

function scaled(
  name: string,
  a: TensorOrScalar,
  b: TensorOrScalar,
  alpha: number | undefined,
): TensorOrScalar {
  if (alpha === undefined || alpha === 1) return b;
  // Scaling first would silently promote an integral result to float.
  if (!Number.isInteger(alpha) && dtypeCategory(resultType(a, b)) < 2) {
    throw new TypeError(
      `${name}: For integral input tensors, argument alpha must not be a floating point number.`,
    );
  }
  return b instanceof Tensor ? mul(b, alpha) : (b as number) * alpha;
}

function isBool(x: TensorOrScalar): boolean {
  return x instanceof Tensor ? x.dtype === 'bool' : typeof x === 'boolean';
}

/**
 * `input + alpha * other`, broadcasting; scalars are accepted on either side. Two bool tensors
 * give their logical or, as in PyTorch.
 * @example torch.add(x, y); x.add(1); x.add(y, { alpha: 2 })
 */
export function add(input: TensorOrScalar, other: TensorOrScalar, opts: AlphaOptions = {}): Tensor {
  checkOperands('add', input, other);
  return binary(addOp, input, scaled('add', input, other, opts.alpha));
}

/**
 * `input - alpha * other`, broadcasting. Bool operands are rejected, as in PyTorch.
 * @example torch.sub(x, 1)
 */
export function sub(input: TensorOrScalar, other: TensorOrScalar, opts: AlphaOptions = {}): Tensor {
  checkOperands('sub', input, other);
  if (isBool(input) && isBool(other)) {
    throw new TypeError(
      'sub: Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logicalXor()` operator instead.',
    );
  }
  if (isBool(input) || isBool(other)) {
    throw new TypeError(
      'sub: Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.',
    );
  }
  return binary(subOp, input, scaled('sub', input, other, opts.alpha));
}

/**
 * Elementwise product, broadcasting.
 * @example torch.mul(x, y)
 */
export function mul(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  checkOperands('mul', input, other);
  if (input instanceof Tensor && !(other instanceof Tensor))
    return withScalar(mulScalarOp, input, other);
  if (other instanceof Tensor && !(input instanceof Tensor))
    return withScalar(mulScalarOp, other, input);
  return binary(mulOp, input, other);
}

/** Runs a tensor-by-scalar op in the pair's result dtype (float when `floatResult`). */
function withScalar(o: RegisteredOp, t: Tensor, s: Scalar, floatResult = false): Tensor {
  let dtype = resultType(t, s);
  if (floatResult && dtypeCategory(dtype) < 2) dtype = 'float32';
  return run(o, [cast(t, dtype)], { other: Number(s) });
}

/** Options of `div`: PyTorch's `rounding_mode`. */
export interface DivOptions {
  /** `'trunc'` rounds toward zero, `'floor'` rounds down; absent: true division. */
  roundingMode?: 'trunc' | 'floor' | null;
}

/**
 * Division, broadcasting. True division makes integers float32; with `roundingMode` the result
 * keeps the promoted dtype (integer division by zero throws).
 * @example torch.div(x, 2); torch.div(a, b, { roundingMode: 'floor' })
 */
export function div(input: TensorOrScalar, other: TensorOrScalar, opts: DivOptions = {}): Tensor {
  checkOperands('div', input, other);
  const mode = opts.roundingMode ?? null;
  if (mode === null) {
    if (input instanceof Tensor && !(other instanceof Tensor)) {
      return withScalar(divScalarOp, input, other, true);
    }
    return binary(divOp, input, other, true);
  }
  if (mode === 'trunc') return binary(divTruncOp, input, other);
  if (mode === 'floor') return binary(divFloorOp, input, other);
  throw new RangeError(
    `div expected roundingMode to be one of null, 'trunc', or 'floor' but found '${mode}'`,
  );
}

/**
 * Floor division, `div(input, other, { roundingMode: 'floor' })`.
 * @example torch.floorDivide(torch.tensor([-7]), 2) // tensor([-4.])
 */
export function floorDivide(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  checkOperands('floorDivide', input, other);
  return binary(divFloorOp, input, other);
}

/**
 * Python-style modulus (sign of the divisor), broadcasting.
 * @example torch.remainder(torch.tensor([-3, 3]), 2) // tensor([1., 1.])
 */
export function remainder(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  checkOperands('remainder', input, other);
  return binary(remainderOp, input, other);
}

/**
 * C-style modulus (sign of the dividend), broadcasting.
 * @example torch.fmod(torch.tensor([-3, 3]), 2) // tensor([-1., 1.])
 */
export function fmod(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  checkOperands('fmod', input, other);
  return binary(fmodOp, input, other);
}

/**
 * Elementwise maximum, broadcasting; NaN wins. Ties split the gradient in half, as in PyTorch.
 * @example torch.maximum(x, torch.zeros(1))
 */
export function maximum(input: Tensor, other: TensorOrScalar): Tensor {
  checkOperands('maximum', input, other);
  return binary(maximumOp, input, other);
}

/**
 * Elementwise minimum, broadcasting; NaN wins.
 * @example torch.minimum(x, y)
 */
export function minimum(input: Tensor, other: TensorOrScalar): Tensor {
  checkOperands('minimum', input, other);
  return binary(minimumOp, input, other);
}

/**
 * Elementwise negation (not for bool tensors).
 * @example torch.neg(x)
 */
export function neg(input: Tensor): Tensor {
  checkTensor(input, 'neg', 'input');
  return run(negOp, [input]);
}

/**
 * `input ** exponent`. A scalar exponent keeps an integer tensor integer (`x.pow(2)`), a
 * fractional one makes float32; integer tensors reject negative integer exponents. A scalar
 * base with a tensor exponent is `torch.pow(2, t)`.
 * @example x.pow(2); torch.pow(x, y); torch.pow(2, torch.arange(4)) // tensor([1, 2, 4, 8])
 */
export function pow(input: TensorOrScalar, exponent: TensorOrScalar): Tensor {
  checkOperands('pow', input, exponent, 'exponent');
  if (input instanceof Tensor && !(exponent instanceof Tensor)) {
    const dtype: DType = resultType(input, exponent);
    const e = Number(exponent);
    if (dtypeCategory(dtype) < 2 && e < 0) {
      throw new RangeError('pow: Integers to negative integer powers are not allowed.');
    }
    return run(powScalarOp, [cast(input, dtype)], { exponent: e });
  }
  if (!(input instanceof Tensor) && exponent instanceof Tensor) {
    const dtype: DType = resultType(input, exponent);
    return run(rpowOp, [cast(exponent, dtype)], { base: Number(input) });
  }
  return binary(powOp, input, exponent);
}

declare module '../tensor.js' {
  interface Tensor {
    /** `this + alpha * other`. @example x.add(y) */
    add(other: TensorOrScalar, opts?: AlphaOptions): Tensor;
    /** `this - alpha * other`. @example x.sub(y) */
    sub(other: TensorOrScalar, opts?: AlphaOptions): Tensor;
    /** Elementwise product. @example x.mul(y) */
    mul(other: TensorOrScalar): Tensor;
    /** Division (true, or rounded with `roundingMode`). @example x.div(2) */
    div(other: TensorOrScalar, opts?: DivOptions): Tensor;
    /** Floor division. @example x.floorDivide(2) */
    floorDivide(other: TensorOrScalar): Tensor;
    /** Python-style modulus. @example x.remainder(2) */
    remainder(other: TensorOrScalar): Tensor;
    /** C-style modulus. @example x.fmod(2) */
    fmod(other: TensorOrScalar): Tensor;
    /** Elementwise maximum. @example x.maximum(y) */
    maximum(other: TensorOrScalar): Tensor;
    /** Elementwise minimum. @example x.minimum(y) */
    minimum(other: TensorOrScalar): Tensor;
    /** Elementwise negation. @example x.neg() */
    neg(): Tensor;
    /** Power. @example x.pow(2) */
    pow(exponent: TensorOrScalar): Tensor;
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
Tensor.prototype.div = function (this: Tensor, other: TensorOrScalar, opts?: DivOptions) {
  return div(this, other, opts);
};
Tensor.prototype.floorDivide = function (this: Tensor, other: TensorOrScalar) {
  return floorDivide(this, other);
};
Tensor.prototype.remainder = function (this: Tensor, other: TensorOrScalar) {
  return remainder(this, other);
};
Tensor.prototype.fmod = function (this: Tensor, other: TensorOrScalar) {
  return fmod(this, other);
};
Tensor.prototype.maximum = function (this: Tensor, other: TensorOrScalar) {
  return maximum(this, other);
};
Tensor.prototype.minimum = function (this: Tensor, other: TensorOrScalar) {
  return minimum(this, other);
};
Tensor.prototype.neg = function (this: Tensor) {
  return neg(this);
};
Tensor.prototype.pow = function (this: Tensor, exponent: TensorOrScalar) {
  return pow(this, exponent);
};

export type { Scalar };
