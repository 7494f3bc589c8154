import { checkTensor } from '../arg-check.js';
import type { DType } from '../dtype.js';
import { isFloatingPoint } from '../dtype.js';
import type { OpSample, RegisteredOp, TensorMeta, VjpFn } from '../registry.js';
import { Tensor } from '../tensor.js';
import { addOp, divOp, maximumOp, mul, neg, negOp, pow } from './binary.js';
import { cast } from './cast.js';
import { le, leOp, logicalNot, whereOp } from './compare.js';
import { op, run, zeroGradOf } from './define.js';
import { scalarLike } from './scalar-like.js';

/**
 * Elementwise unary ops. Each declares its VJP with other ops, so higher derivatives work.
 * Transcendental functions promote integer and bool inputs to float32, as PyTorch does;
 * abs, sign, relu, floor, ceil and round keep integer dtypes.
 */

/**
 * Promotes integer/bool inputs to float32 (PyTorch's behaviour for transcendental functions).
 * @example torch.asFloat(torch.tensor([1, 2], { dtype: 'int32' })).dtype // 'float32'
 */
export function asFloat(x: Tensor): Tensor {
  checkTensor(x, 'asFloat', 'input');
  return isFloatingPoint(x.dtype) ? x : cast(x, 'float32');
}

/**
 * Conformance cases shared by the unary ops; `low`/`high` bound the generated values.
 * @example samples: unarySamples(0.1, 4, [0.5, 1, 2]) // positive inputs, e.g. for log and sqrt
 */
export function unarySamples(
  low: number,
  high: number,
  edge: readonly number[],
  opts: { int?: boolean; noGradEdge?: boolean } = {},
): () => OpSample[] {
  return () => {
    const s: OpSample[] = [
      { name: 'matrix', inputs: [{ shape: [3, 4], low, high }] },
      { name: 'transposed', inputs: [{ shape: [4, 3], low, high, layout: 'transposed' }] },
      { name: '0-d', inputs: [{ shape: [], low, high }] },
      { name: 'empty', inputs: [{ shape: [0, 3], low, high }] },
      {
        name: 'edge values',
        inputs: [{ shape: [edge.length], values: edge }],
        noGrad: opts.noGradEdge ?? true,
      },
      { name: 'float64', inputs: [{ shape: [2, 3], dtype: 'float64', low, high }] },
    ];
    if (opts.int) {
      s.push({
        name: 'int32',
        inputs: [{ shape: [5], dtype: 'int32', values: [-3, -1, 0, 2, 7] }],
      });
    }
    return s;
  };
}

const EDGE = [0, -0, 1, -1, 0.5, -2.5, 1e30, -1e30, Infinity, -Infinity, NaN];

type DTypeRule = 'float' | 'keepInt' | 'keepIntNoBool';

function inferFor(name: string, rule: DTypeRule) {
  return ([x]: readonly Tensor[]): TensorMeta => {
    const dt: DType = x!.dtype;
    if (rule === 'float' && !isFloatingPoint(dt)) {
      throw new TypeError(
        `${name}: expected a floating point tensor, got ${dt} (cast with .float() first)`,
      );
    }
    if (rule === 'keepIntNoBool' && dt === 'bool') {
      throw new TypeError(`${name}: "${name}" not implemented for 'Bool'`);
    }
    return { shape: x!.shape, dtype: dt };
  };
}

interface UnaryDef {
  name: string;
  rule: DTypeRule;
  vjp: VjpFn;
  save: 'input' | 'output' | 'none';
  doc: string;
  samples: () => readonly OpSample[];
  gradFnName?: string;
  /** The op in terms of others, for backends without a kernel for it. */
  decomposition?: (x: Tensor) => Tensor;
}

function unary(d: UnaryDef): RegisteredOp {
  const decompose = d.decomposition;
  return op({
    name: d.name,
    inputs: ['input'],
    infer: inferFor(d.name, d.rule),
    decomposition: decompose && (([x]) => decompose(x!)),
    saveInputs: d.save === 'input' ? [0] : [],
    saveOutputs: d.save === 'output',
    vjp: { input: d.vjp },
    doc: d.doc,
    samples: d.samples,
    gradFnName: d.gradFnName,
  });
}

const anyRange = unarySamples(-3, 3, EDGE, { int: true });
const positive = unarySamples(0.1, 4, EDGE);
const moderate = unarySamples(-3, 3, EDGE);

/** The registered 'abs' op; call it through {@link abs}. */
export const absOp = unary({
  name: 'abs',
  rule: 'keepIntNoBool',
  save: 'input',
  vjp: ({ grad, inputs }) => mul(grad, sign(inputs[0]!)),
  doc: 'Absolute value.',
  samples: anyRange,
});

/** The registered 'exp' op; call it through {@link exp}. */
export const expOp = unary({
  name: 'exp',
  rule: 'float',
  save: 'output',
  vjp: ({ grad, outputs }) => mul(grad, outputs[0]!),
  doc: 'e^x.',
  samples: moderate,
});

/** The registered 'log' op; call it through {@link log}. */
export const logOp = unary({
  name: 'log',
  rule: 'float',
  save: 'input',
  vjp: ({ grad, inputs }) => grad.div(inputs[0]!),
  doc: 'Natural logarithm.',
  samples: positive,
});

/** The registered 'log1p' op; call it through {@link log1p}. */
export const log1pOp = unary({
  name: 'log1p',
  rule: 'float',
  save: 'input',
  vjp: ({ grad, inputs }) => grad.div(inputs[0]!.add(1)),
  doc: 'log(1 + x), accurate for small x.',
  samples: unarySamples(-0.9, 3, EDGE),
  gradFnName: 'Log1PBackward0',
});

/** The registered 'expm1' op; call it through {@link expm1}. */
export const expm1Op = unary({
  name: 'expm1',
  rule: 'float',
  save: 'output',
  vjp: ({ grad, outputs }) => mul(grad, outputs[0]!.add(1)),
  doc: 'e^x - 1, accurate for small x.',
  samples: moderate,
});

/** The registered 'sqrt' op; call it through {@link sqrt}. */
export const sqrtOp = unary({
  name: 'sqrt',
  rule: 'float',
  save: 'output',
  vjp: ({ grad, outputs }) => grad.div(mul(outputs[0]!, 2)),
  doc: 'Square root.',
  samples: positive,
});

/** The registered 'rsqrt' op; call it through {@link rsqrt}. */
export const rsqrtOp = unary({
  name: 'rsqrt',
  rule: 'float',
  save: 'output',
  vjp: ({ grad, outputs }) => mul(grad, pow(outputs[0]!, 3)).mul(-0.5),
  doc: '1 / sqrt(x).',
  samples: positive,
  decomposition: (x) => run(reciprocalOp, [run(sqrtOp, [x])]),
});

/** The registered 'sin' op; call it through {@link sin}. */
export const sinOp = unary({
  name: 'sin',
  rule: 'float',
  save: 'input',
  vjp: ({ grad, inputs }) => mul(grad, cos(inputs[0]!)),
  doc: 'Sine.',
  samples: moderate,
});

/** The registered 'cos' op; call it through {@link cos}. */
export const cosOp = unary({
  name: 'cos',
  rule: 'float',
  save: 'input',
  vjp: ({ grad, inputs }) => mul(grad, neg(sin(inputs[0]!))),
  doc: 'Cosine.',
  samples: moderate,
});

/** The registered 'tanh' op; call it through {@link tanh}. */
export const tanhOp = unary({
  name: 'tanh',
  rule: 'float',
  save: 'output',
  vjp: ({ grad, outputs }) => mul(grad, neg(mul(outputs[0]!, outputs[0]!)).add(1)),
  doc: 'Hyperbolic tangent.',
  samples: moderate,
});

/** The registered 'sigmoid' op; call it through {@link sigmoid}. */
export const sigmoidOp = unary({
  name: 'sigmoid',
  rule: 'float',
  save: 'output',
  vjp: ({ grad, outputs }) => mul(grad, mul(outputs[0]!, neg(outputs[0]!).add(1))),
  doc: 'Logistic function 1 / (1 + e^-x).',
  samples: moderate,
  decomposition: (x) =>
    run(reciprocalOp, [run(addOp, [run(expOp, [run(negOp, [x])]), scalarLike(1, x)])]),
});

/** The registered 'reciprocal' op; call it through {@link reciprocal}. */
export const reciprocalOp = unary({
  name: 'reciprocal',
  rule: 'float',
  save: 'output',
  vjp: ({ grad, outputs }) => mul(grad, neg(mul(outputs[0]!, outputs[0]!))),
  doc: '1 / x.',
  samples: positive,
  decomposition: (x) => run(divOp, [scalarLike(1, x), x]),
});

/**
 * relu's backward, PyTorch's `threshold_backward(grad, y, 0)`: `grad` where !(y <= 0) (NaN
 * included), 0 elsewhere. One fused pass instead of a comparison, a negation and a product.
 */
export const reluBackwardOp: RegisteredOp = op({
  name: 'reluBackward',
  inputs: ['grad', 'output'],
  infer: ([g, y]): TensorMeta => {
    if (g!.dtype !== y!.dtype || g!.shape.join() !== y!.shape.join()) {
      throw new TypeError(
        `reluBackward: grad and output must have the same shape and dtype, got [${g!.shape}] ${g!.dtype} and [${y!.shape}] ${y!.dtype}`,
      );
    }
    return { shape: g!.shape, dtype: g!.dtype };
  },
  saveInputs: [1],
  vjp: {
    // Linear in grad with a fixed mask; the mask is piecewise constant in y.
    grad: ({ grad, inputs }): Tensor => run(reluBackwardOp, [grad, inputs[1]!]),
    output: zeroGradOf(1),
  },
  samples: () => [
    { name: 'default', inputs: [{ shape: [3, 4] }, { shape: [3, 4], low: -2, high: 2 }] },
    {
      name: 'edges',
      inputs: [
        { shape: [6], values: [1, -2, Number.NaN, 3, Number.POSITIVE_INFINITY, -0] },
        { shape: [6], values: [0, -1, 2, Number.NaN, 1, -3] },
      ],
      noGrad: true,
    },
  ],
  doc: 'Gradient of relu given its output: grad where the output is not <= 0, else 0.',
  decomposition: ([g, y]) =>
    run(whereOp, [run(leOp, [y!, scalarLike(0, y!)]), scalarLike(0, g!), g!]),
});

/** The registered 'relu' op; call it through {@link relu}. */
export const reluOp = unary({
  name: 'relu',
  rule: 'keepIntNoBool',
  save: 'output',
  // PyTorch's threshold_backward: the gradient passes wherever !(y <= 0), NaN included.
  vjp: ({ grad, outputs }) =>
    isFloatingPoint(grad.dtype)
      ? run(reluBackwardOp, [grad, outputs[0]!])
      : mul(grad, logicalNot(le(outputs[0]!, 0))),
  doc: 'max(x, 0).',
  samples: anyRange,
  decomposition: (x) => run(maximumOp, [x, scalarLike(0, x)]),
});

/** The registered 'sign' op; call it through {@link sign}. */
export const signOp = unary({
  name: 'sign',
  rule: 'keepInt',
  save: 'none',
  vjp: zeroGradOf(0),
  doc: 'Sign: -1, 0 or 1 (0 for NaN).',
  samples: anyRange,
});

/** The registered 'floor' op; call it through {@link floor}. */
export const floorOp = unary({
  name: 'floor',
  rule: 'keepIntNoBool',
  save: 'none',
  vjp: zeroGradOf(0),
  doc: 'Largest integer not above x.',
  samples: anyRange,
});

/** The registered 'ceil' op; call it through {@link ceil}. */
export const ceilOp = unary({
  name: 'ceil',
  rule: 'keepIntNoBool',
  save: 'none',
  vjp: zeroGradOf(0),
  doc: 'Smallest integer not below x.',
  samples: anyRange,
  decomposition: (x) => run(negOp, [run(floorOp, [run(negOp, [x])])]),
});

/** The registered 'round' op; call it through {@link round}. */
export const roundOp = unary({
  name: 'round',
  rule: 'keepIntNoBool',
  save: 'none',
  vjp: zeroGradOf(0),
  doc: 'Nearest integer, halves to even.',
  samples: unarySamples(-3, 3, [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 1e20, NaN], { int: true }),
});

/**
 * Absolute value; integer tensors stay integer.
 * @example torch.abs(torch.tensor([-1, 2])) // tensor([1., 2.])
 */
export function abs(x: Tensor): Tensor {
  checkTensor(x, 'abs', 'input');
  return run(absOp, [x]);
}

/** e^x elementwise. @example torch.exp(x) */
export function exp(x: Tensor): Tensor {
  checkTensor(x, 'exp', 'input');
  return run(expOp, [asFloat(x)]);
}

/** Natural logarithm. @example torch.log(u) */
export function log(x: Tensor): Tensor {
  checkTensor(x, 'log', 'input');
  return run(logOp, [asFloat(x)]);
}

/** log(1 + x), accurate near 0. @example torch.log1p(torch.tensor([1e-10])) */
export function log1p(x: Tensor): Tensor {
  checkTensor(x, 'log1p', 'input');
  return run(log1pOp, [asFloat(x)]);
}

/** e^x - 1, accurate near 0. @example torch.expm1(torch.tensor([1e-10])) */
export function expm1(x: Tensor): Tensor {
  checkTensor(x, 'expm1', 'input');
  return run(expm1Op, [asFloat(x)]);
}

/** Square root (NaN for negatives). @example torch.sqrt(torch.tensor([4])) // tensor([2.]) */
export function sqrt(x: Tensor): Tensor {
  checkTensor(x, 'sqrt', 'input');
  return run(sqrtOp, [asFloat(x)]);
}

/** 1 / sqrt(x). @example torch.rsqrt(torch.tensor([4])) // tensor([0.5000]) */
export function rsqrt(x: Tensor): Tensor {
  checkTensor(x, 'rsqrt', 'input');
  return run(rsqrtOp, [asFloat(x)]);
}

/** Sine. @example torch.sin(x) */
export function sin(x: Tensor): Tensor {
  checkTensor(x, 'sin', 'input');
  return run(sinOp, [asFloat(x)]);
}

/** Cosine. @example torch.cos(x) */
export function cos(x: Tensor): Tensor {
  checkTensor(x, 'cos', 'input');
  return run(cosOp, [asFloat(x)]);
}

/** Hyperbolic tangent. @example torch.tanh(w1.matmul(x).add(b1)) */
export function tanh(x: Tensor): Tensor {
  checkTensor(x, 'tanh', 'input');
  return run(tanhOp, [asFloat(x)]);
}

/** Logistic sigmoid 1 / (1 + e^-x). @example torch.sigmoid(torch.tensor([0])) // tensor([0.5000]) */
export function sigmoid(x: Tensor): Tensor {
  checkTensor(x, 'sigmoid', 'input');
  return run(sigmoidOp, [asFloat(x)]);
}

/** 1 / x (integers give float32). @example torch.reciprocal(torch.tensor([2])) // tensor([0.5000]) */
export function reciprocal(x: Tensor): Tensor {
  checkTensor(x, 'reciprocal', 'input');
  return run(reciprocalOp, [asFloat(x)]);
}

/** max(x, 0); integer tensors stay integer. @example torch.relu(torch.tensor([-1, 2])) */
export function relu(x: Tensor): Tensor {
  checkTensor(x, 'relu', 'input');
  if (x.dtype === 'bool') throw new TypeError('relu: Boolean inputs not supported for relu');
  return run(reluOp, [x]);
}

/** -1, 0 or 1 by sign (0 for NaN); keeps the dtype. @example torch.sign(torch.tensor([-2, 0, 3])) */
export function sign(x: Tensor): Tensor {
  checkTensor(x, 'sign', 'input');
  return run(signOp, [x]);
}

/** Rounds down; integer tensors are returned as copies. @example torch.floor(torch.tensor([-1.5])) // tensor([-2.]) */
export function floor(x: Tensor): Tensor {
  checkTensor(x, 'floor', 'input');
  return run(floorOp, [x]);
}

/** Rounds up. @example torch.ceil(torch.tensor([-1.5])) // tensor([-1.]) */
export function ceil(x: Tensor): Tensor {
  checkTensor(x, 'ceil', 'input');
  return run(ceilOp, [x]);
}

/**
 * Rounds to the nearest integer, halves to even, as PyTorch does.
 * @example torch.round(torch.tensor([0.5, 1.5, 2.5])) // tensor([0., 2., 2.])
 */
export function round(x: Tensor): Tensor {
  checkTensor(x, 'round', 'input');
  return run(roundOp, [x]);
}

/**
 * x * x, via `pow(x, 2)` as in PyTorch (so its node is `PowBackward0`); bool becomes int32.
 * @example torch.square(torch.tensor([3])) // tensor([9.])
 */
export function square(x: Tensor): Tensor {
  checkTensor(x, 'square', 'input');
  return pow(x.dtype === 'bool' ? cast(x, 'int32') : x, 2);
}

declare module '../tensor.js' {
  interface Tensor {
    /** Absolute value. @example x.abs() */
    abs(): Tensor;
    /** e^x. @example x.exp() */
    exp(): Tensor;
    /** Natural log. @example x.log() */
    log(): Tensor;
    /** log(1 + x). @example x.log1p() */
    log1p(): Tensor;
    /** e^x - 1. @example x.expm1() */
    expm1(): Tensor;
    /** Square root. @example x.sqrt() */
    sqrt(): Tensor;
    /** 1 / sqrt(x). @example x.rsqrt() */
    rsqrt(): Tensor;
    /** Sine. @example x.sin() */
    sin(): Tensor;
    /** Cosine. @example x.cos() */
    cos(): Tensor;
    /** Hyperbolic tangent. @example x.tanh() */
    tanh(): Tensor;
    /** Logistic sigmoid. @example x.sigmoid() */
    sigmoid(): Tensor;
    /** 1 / x. @example x.reciprocal() */
    reciprocal(): Tensor;
    /** max(x, 0). @example x.relu() */
    relu(): Tensor;
    /** Sign (-1, 0, 1). @example x.sign() */
    sign(): Tensor;
    /** Round down. @example x.floor() */
    floor(): Tensor;
    /** Round up. @example x.ceil() */
    ceil(): Tensor;
    /** Round half to even. @example x.round() */
    round(): Tensor;
    /** x * x. @example x.square() */
    square(): Tensor;
  }
}

const methods: Record<string, (x: Tensor) => Tensor> = {
  abs,
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  rsqrt,
  sin,
  cos,
  tanh,
  sigmoid,
  reciprocal,
  relu,
  sign,
  floor,
  ceil,
  round,
  square,
};
for (const [name, f] of Object.entries(methods)) {
  (Tensor.prototype as unknown as Record<string, unknown>)[name] = function (this: Tensor) {
    return f(this);
  };
}
