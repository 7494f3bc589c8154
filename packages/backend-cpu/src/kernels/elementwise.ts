import type { Kernel, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { denseData } from '../strided.js';
import type { ElementwiseSpec } from './compile.js';
import { elementwiseKernel, HELPERS } from './compile.js';

/**
 * Elementwise kernels: each entry is the scalar expression (over `x`, `y`, `z`, the attribute
 * scalars `p0`, `p1` and the helpers `h.*`) and an equivalent function used where code generation
 * is unavailable. Integer results are truncated by the int32 typed array; bool outputs store 0/1.
 */
type Spec = ElementwiseSpec;
const h = HELPERS;

const pred = (expr: string, fallback: Spec['fallback']): Spec => ({
  expr,
  fallback,
  predicate: true,
});

/** Unary specs by op name (`neg`, `exp`, `relu`, ..., and scalar-attribute ops such as `powScalar`, `clamp`). */
export const UNARY: Record<string, Spec> = {
  neg: { expr: '-x', fallback: (x) => -x },
  abs: { expr: 'Math.abs(x)', fallback: Math.abs },
  exp: { expr: 'Math.exp(x)', fallback: Math.exp },
  log: { expr: 'Math.log(x)', fallback: Math.log },
  log1p: { expr: 'Math.log1p(x)', fallback: Math.log1p },
  expm1: { expr: 'Math.expm1(x)', fallback: Math.expm1 },
  sqrt: { expr: 'Math.sqrt(x)', fallback: Math.sqrt },
  rsqrt: { expr: '1 / Math.sqrt(x)', fallback: (x) => 1 / Math.sqrt(x) },
  sin: { expr: 'Math.sin(x)', fallback: Math.sin },
  cos: { expr: 'Math.cos(x)', fallback: Math.cos },
  tanh: { expr: 'Math.tanh(x)', fallback: Math.tanh },
  sigmoid: { expr: '1 / (1 + Math.exp(-x))', fallback: (x) => 1 / (1 + Math.exp(-x)) },
  // Keeps NaN and -0, as PyTorch's relu (max(x, 0) in C++) does. Branch-free (a data-dependent
  // branch mispredicts on half the elements of a random-signed input: 3x slower): m = 1 keeps x
  // (adding -0 leaves every x unchanged), m = 0 gives x·0 + 0 = +0; -∞·0 would be NaN, hence the
  // (well-predicted) test.
  relu: {
    expr: 'x === -Infinity ? 0 : x * +!(x < 0) + (+!(x < 0) - 1) * -0',
    // On float32 bit patterns: negative finite values and -∞ are the int32s in
    // [-2³¹ + 1, -2²³] (cleared to +0); -0 (-2³¹) and negative NaNs (above -2²³) are kept.
    // x - 1 wraps -0 to 2³¹ - 1, so one comparison tells them apart.
    float32Bits: 'x & -(+(((x - 1) | 0) >= -8388608))',
    // biome-ignore lint/complexity/useMathMinMax: Math.max would turn -0 into 0
    fallback: (x) => (x < 0 ? 0 : x),
  },
  // NaN gives 0, as in PyTorch.
  sign: { expr: 'x > 0 ? 1 : x < 0 ? -1 : 0', fallback: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) },
  floor: { expr: 'Math.floor(x)', fallback: Math.floor },
  ceil: { expr: 'Math.ceil(x)', fallback: Math.ceil },
  round: { expr: 'h.roundHalfEven(x)', fallback: h.roundHalfEven },
  reciprocal: { expr: '1 / x', fallback: (x) => 1 / x },
  // Predicates convert booleans with + rather than `? 1 : 0`: no branch to mispredict.
  logicalNot: pred('+(x === 0)', (x) => (x === 0 ? 1 : 0)),
  isnan: pred('+(x !== x)', (x) => (Number.isNaN(x) ? 1 : 0)),
  isinf: pred('x === Infinity || x === -Infinity ? 1 : 0', (x) =>
    x === Infinity || x === -Infinity ? 1 : 0,
  ),
  isfinite: pred('+(x - x === 0)', (x) => (x - x === 0 ? 1 : 0)),
  // PyTorch computes these exponents as products, sqrt, rsqrt or reciprocals (signed zeros differ).
  powScalar: {
    expr: 'p0 === 2 ? x * x : p0 === 0.5 ? Math.sqrt(x) : p0 === 3 ? x * x * x : p0 === -1 ? 1 / x : p0 === -0.5 ? 1 / Math.sqrt(x) : p0 === -2 ? 1 / (x * x) : h.pow(x, p0)',
    fallback: (x, p) => h.powScalar(x, p!),
    intExpr: 'h.intPow(x, p0)',
    intFallback: (x, p) => h.intPow(x, p!),
    params: (a: { exponent: number }) => [a.exponent],
  },
  rpow: {
    expr: 'h.pow(p0, x)',
    fallback: (x, p) => h.pow(p!, x),
    params: (a: { base: number }) => [a.base],
  },
  mulScalar: {
    expr: 'x * p0',
    fallback: (x, p) => x * p!,
    intExpr: 'Math.imul(x, p0)',
    intFallback: (x, p) => Math.imul(x, p!),
    params: (a: { other: number }) => [a.other],
  },
  divScalar: {
    expr: 'x / p0',
    fallback: (x, p) => x / p!,
    params: (a: { other: number }) => [a.other],
  },
  // min(max(x, lo), hi), as PyTorch: NaN propagates and lo > hi gives hi.
  clamp: {
    expr: 'Math.min(Math.max(x, p0), p1)',
    fallback: (x, lo, hi) => Math.min(Math.max(x, lo!), hi!),
    params: (a: { min?: number; max?: number }) => [a.min ?? -Infinity, a.max ?? Infinity],
  },
};

/** Binary specs by op name: arithmetic (with int32 variants that throw on division by zero), comparisons and logical ops. */
export const BINARY: Record<string, Spec> = {
  add: { expr: 'x + y', fallback: (x, y) => x + y },
  sub: { expr: 'x - y', fallback: (x, y) => x - y },
  // int32 products wrap exactly (a float64 product rounds above 2⁵³ and loses the low bits).
  mul: {
    expr: 'x * y',
    fallback: (x, y) => x * y,
    intExpr: 'Math.imul(x, y)',
    intFallback: Math.imul,
  },
  div: { expr: 'x / y', fallback: (x, y) => x / y },
  divTrunc: {
    expr: 'Math.trunc(x / y)',
    fallback: (x, y) => Math.trunc(x / y!),
    intExpr: 'h.intTruncDiv(x, y)',
    intFallback: (x, y) => h.intTruncDiv(x!, y!),
  },
  divFloor: {
    expr: 'h.floorDiv(x, y)',
    fallback: (x, y) => h.floorDiv(x!, y!),
    intExpr: 'h.intFloorDiv(x, y)',
    intFallback: (x, y) => h.intFloorDiv(x!, y!),
  },
  remainder: {
    expr: 'h.remainder(x, y)',
    fallback: (x, y) => h.remainder(x!, y!),
    intExpr: 'h.intRemainder(x, y)',
    intFallback: (x, y) => h.intRemainder(x!, y!),
  },
  fmod: {
    expr: 'x % y',
    fallback: (x, y) => x! % y!,
    intExpr: 'h.intFmod(x, y)',
    intFallback: (x, y) => h.intFmod(x!, y!),
  },
  pow: {
    expr: 'h.pow(x, y)',
    fallback: (x, y) => h.pow(x!, y!),
    intExpr: 'h.intPow(x, y)',
    intFallback: (x, y) => h.intPow(x!, y!),
  },
  // NaN in either operand propagates.
  maximum: {
    expr: 'x > y || x !== x ? x : y',
    fallback: (x, y) => (x! > y! || Number.isNaN(x) ? x! : y!),
  },
  minimum: {
    expr: 'x < y || x !== x ? x : y',
    fallback: (x, y) => (x! < y! || Number.isNaN(x) ? x! : y!),
  },
  eq: pred('+(x === y)', (x, y) => (x === y ? 1 : 0)),
  ne: pred('+(x !== y)', (x, y) => (x !== y ? 1 : 0)),
  lt: pred('+(x < y)', (x, y) => (x! < y! ? 1 : 0)),
  le: pred('+(x <= y)', (x, y) => (x! <= y! ? 1 : 0)),
  gt: pred('+(x > y)', (x, y) => (x! > y! ? 1 : 0)),
  ge: pred('+(x >= y)', (x, y) => (x! >= y! ? 1 : 0)),
  logicalAnd: pred('+(x !== 0) & +(y !== 0)', (x, y) => (x !== 0 && y !== 0 ? 1 : 0)),
  logicalOr: pred('+(x !== 0) | +(y !== 0)', (x, y) => (x !== 0 || y !== 0 ? 1 : 0)),
  logicalXor: pred('+(x !== 0) ^ +(y !== 0)', (x, y) => ((x !== 0) !== (y !== 0) ? 1 : 0)),
  // relu's gradient given relu's output y (x is the incoming gradient), branch-free like relu:
  // m = 1 passes x (plus -0, a no-op), m = 0 gives x·0 + 0 = +0; non-finite x takes the test.
  reluBackward: {
    expr: 'x - x === 0 ? x * +!(y <= 0) + (+!(y <= 0) - 1) * -0 : y <= 0 ? 0 : x',
    // On float32 bit patterns: y passes the gradient's bits when positive (NaN and +∞ included)
    // or a negative NaN; +0, -0 and negative numbers give +0. In one comparison: y's magnitude
    // bits minus 1 must reach 0 for a positive sign, 0x7f800000 (beyond -∞) for a negative one.
    float32Bits: 'x & -(+(((y & 0x7fffffff) - 1) >= ((y >> 31) & 0x7f800000)))',
    fallback: (x, y) => (y! <= 0 ? 0 : x!),
  },
};

/** The in-place overwrite ops: the result is `src` (already cast) broadcast over `self`. */
const OVERWRITE = ['copy', 'fill', 'fillTensor', 'zero', 'uniformFill', 'normalFill'];
const TAKE_SOURCE: Spec = { expr: 'y', fallback: (_x, y) => y!, predicate: true };

/** Three-operand specs by op name: `where(cond, x, y)` and `clampTensor(x, min, max)`. */
export const TERNARY: Record<string, Spec> = {
  where: pred('x !== 0 ? y : z', (c, x, y) => (c !== 0 ? x! : y!)),
  clampTensor: {
    expr: 'Math.min(Math.max(x, y), z)',
    fallback: (x, lo, hi) => Math.min(Math.max(x!, lo!), hi!),
  },
};

/** Copies elements converting dtype; float → int truncates toward zero, anything → bool is `!= 0`. */
const castKernel: Kernel<{ dtype: string }> = (inputs, outputs, { dtype }) => {
  const x = denseData(inputs[0]!);
  const o = outputs[0]!.storage.data as TypedArray;
  if (dtype === 'bool') {
    for (let i = 0; i < o.length; i++) o[i] = x[i] !== 0 ? 1 : 0;
  } else if (dtype === 'int32') {
    for (let i = 0; i < o.length; i++) o[i] = Math.trunc(x[i]!);
  } else {
    o.set(x);
  }
};

/**
 * Registers the elementwise kernels (`UNARY`, `BINARY`, `TERNARY`, the in-place overwrites
 * `copy`/`fill`/`zero`/..., and `cast`) on `backend`.
 * @example registerElementwiseKernels('cpu-poison')
 */
export function registerElementwiseKernels(backend: string): void {
  for (const [name, spec] of Object.entries(UNARY))
    registerKernel(name, backend, elementwiseKernel(1, spec));
  for (const [name, spec] of Object.entries(BINARY))
    registerKernel(name, backend, elementwiseKernel(2, spec));
  for (const [name, spec] of Object.entries(TERNARY))
    registerKernel(name, backend, elementwiseKernel(3, spec));
  for (const name of OVERWRITE) registerKernel(name, backend, elementwiseKernel(2, TAKE_SOURCE));
  registerKernel('cast', backend, castKernel);
}
