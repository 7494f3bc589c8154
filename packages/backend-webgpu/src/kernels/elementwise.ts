import type { Kernel } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { type PointwiseSpec, pointwiseKernel } from './pointwise.js';

/**
 * Core's elementwise ops in WGSL: each op is an expression over the operands `x`, `y`, `z` (loaded
 * as the compute type `C`: f32 when the output or an operand is float, else i32) and the
 * scalars `p0`, `p1`, run by pointwise.ts's kernel builder with the helpers below. Integer
 * division by zero does not throw on the GPU: it gives what WGSL gives, as CUDA does.
 */
type Spec = PointwiseSpec;

const float =
  (f: string, int = f): Spec['expr'] =>
  (c) =>
    c === 'f32' ? f : int;
const pred = (f: string, int = f): Spec => ({ expr: float(f, int), predicate: true });
/** `f` of x, with NaN passed through: drivers differ there (SwiftShader's exp(NaN) is +inf). */
const nanSafe = (f: string): Spec['expr'] => float(`select(${f}, x, isnan_(x))`, f);

/**
 * Helpers the expressions call besides pointwise.ts's (NaN and infinity, log1p_, expm1_, tanh_),
 * defined for f32 where a naive formula is not accurate.
 */
const HELPERS = `
// Zero for negative numbers and -inf (sign bit set, not -0, not NaN): bits, since NaN compares
// are not reliable under drivers' fast math.
fn relu_(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  return select(x, 0.0, b > 0x80000000u && b <= 0xff800000u);
}
// x - k·2π in three exact steps (k·C1 and k·C2 are exact for |k| < 2^12): sin and cos keep
// their accuracy for |x| up to 2π·4096 ≈ 25,700; beyond, WGSL leaves it to the driver.
fn reduce2pi_(x: f32) -> f32 {
  let k = round(x * 0.15915494309189535);
  return ((x - k * 6.28125) - k * 0.0019354820251464844) - k * -1.7484555314695172e-07;
}
// sqrt with its special values made explicit (WGSL leaves sqrt of a negative undefined).
fn sqrt_(x: f32) -> f32 { if (x < 0.0) { return nan_(); } return sqrt(x); }
// C's pow: WGSL defines pow only for a positive base and finite operands, so the sign of a
// negative base, zeros, infinities and NaN are handled here as IEEE 754 and the CPU do.
fn pow_(x: f32, y: f32) -> f32 {
  if (x == 1.0 || y == 0.0) { return 1.0; }
  if (isnan_(x) || isnan_(y)) { return x + y; }
  // The exponents the CPU computes as products, sqrt or reciprocals (signed zeros included).
  if (y == 2.0) { return x * x; }
  if (y == 0.5) { return sqrt_(x); }
  if (y == -1.0) { return 1.0 / x; }
  let ax = abs(x);
  if (isinf_(y)) {
    if (ax == 1.0) { return 1.0; }
    return select(0.0, inf_(), (ax > 1.0) == (y > 0.0));
  }
  let yInt = floor(y) == y;
  let yOdd = yInt && floor(y * 0.5) * 2.0 != y;
  let negative = bitcast<u32>(x) >= 0x80000000u;
  if (negative && !yInt) { return nan_(); }
  var m: f32;
  if (ax == 0.0 || isinf_(x)) {
    m = select(0.0, inf_(), (ax == 0.0) == (y < 0.0));
  } else {
    m = pow(ax, y);
  }
  return select(m, -m, negative && yOdd);
}
fn ipow_(x0: i32, y0: i32) -> i32 {
  if (y0 < 0) { if (x0 == 1) { return 1; } if (x0 == -1) { return select(-1, 1, y0 % 2 == 0); } return 0; }
  var r = 1; var x = x0; var y = y0;
  loop { if (y <= 0) { break; } if (y % 2 == 1) { r = r * x; } x = x * x; y = y / 2; }
  return r;
}
// C's fmod, exact: subtracts the largest |b|·2^k not above the remainder (each step exact).
fn fmod_(a: f32, b: f32) -> f32 {
  if (isnan_(a) || isnan_(b) || isinf_(a) || b == 0.0) { return nan_(); }
  if (isinf_(b)) { return a; }
  var r = abs(a);
  let m = abs(b);
  for (var it = 0; it < 300 && r >= m; it++) {
    var t = ldexp(m, max(0, frexp(r).exp - frexp(m).exp));
    if (t > r) { t = t * 0.5; }
    r = r - t;
  }
  return select(r, -r, a < 0.0 || bitcast<u32>(a) == 0x80000000u);
}
fn rem_(a: f32, b: f32) -> f32 { let m = fmod_(a, b); return select(m, m + b, m != 0.0 && ((b < 0.0) != (m < 0.0))); }
fn irem_(a: i32, b: i32) -> i32 { let m = a % b; return select(m, m + b, m != 0 && ((b < 0) != (m < 0))); }
// Python's floor division, as the CPU backend computes it (from the exact remainder).
fn floordiv_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return a / b; }
  let m = fmod_(a, b);
  var d = (a - m) / b;
  if (m != 0.0 && ((b < 0.0) != (m < 0.0))) { d = d - 1.0; }
  if (d == 0.0) { return 0.0 * (a / b); }
  var f = floor(d);
  if (d - f > 0.5) { f = f + 1.0; }
  return f;
}
fn ifloordiv_(a: i32, b: i32) -> i32 { let q = a / b; return select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0))); }
fn max_(x: f32, y: f32) -> f32 { if (isnan_(x) || x > y) { return x; } return y; }
fn min_(x: f32, y: f32) -> f32 { if (isnan_(x) || x < y) { return x; } return y; }
`;

const scalar = (name: string) => (a: Record<string, number>) => [a[name]!];

export const UNARY: Record<string, Spec> = {
  neg: { expr: float('-x') },
  abs: { expr: float('abs(x)') },
  exp: { expr: nanSafe('exp(x)') },
  log: { expr: nanSafe('log_(x)') },
  log1p: { expr: nanSafe('log1p_(x)') },
  expm1: { expr: nanSafe('expm1_(x)') },
  sqrt: { expr: nanSafe('sqrt_(x)') },
  rsqrt: { expr: nanSafe('1.0 / sqrt_(x)') },
  sin: { expr: nanSafe('sin(reduce2pi_(x))') },
  cos: { expr: nanSafe('cos(reduce2pi_(x))') },
  tanh: { expr: float('tanh_(x)') },
  sigmoid: { expr: nanSafe('1.0 / (1.0 + exp(-x))') },
  relu: { expr: float('relu_(x)', 'max(x, 0)') },
  sign: { expr: float('select(sign(x), 0.0, isnan_(x))', 'sign(x)') },
  floor: { expr: float('floor(x)', 'x') },
  ceil: { expr: float('ceil(x)', 'x') },
  round: { expr: float('round(x)', 'x') },
  reciprocal: { expr: float('1.0 / x') },
  logicalNot: pred('x == 0.0', 'x == 0'),
  isnan: pred('isnan_(x)', 'false'),
  isinf: pred('isinf_(x)', 'false'),
  isfinite: pred('!isnan_(x) && !isinf_(x)', 'true'),
  powScalar: { expr: float('pow_(x, p0)', 'ipow_(x, p0)'), params: scalar('exponent') },
  rpow: { expr: float('pow_(p0, x)', 'ipow_(p0, x)'), params: scalar('base') },
  mulScalar: { expr: float('x * p0'), params: scalar('other') },
  divScalar: { expr: float('x / p0'), params: scalar('other') },
  clamp: {
    expr: float('min_(max_(x, p0), p1)', 'min(max(x, p0), p1)'),
    params: (a: { min?: number; max?: number }) => [a.min ?? -Infinity, a.max ?? Infinity],
  },
};

export const BINARY: Record<string, Spec> = {
  add: { expr: float('x + y') },
  sub: { expr: float('x - y') },
  mul: { expr: float('x * y') },
  div: { expr: float('x / y') },
  divTrunc: { expr: float('trunc(x / y)', 'x / y') },
  divFloor: { expr: float('floordiv_(x, y)', 'ifloordiv_(x, y)') },
  remainder: { expr: float('rem_(x, y)', 'irem_(x, y)') },
  fmod: { expr: float('fmod_(x, y)', 'x % y') },
  pow: { expr: float('pow_(x, y)', 'ipow_(x, y)') },
  maximum: { expr: float('max_(x, y)', 'max(x, y)') },
  minimum: { expr: float('min_(x, y)', 'min(x, y)') },
  eq: pred('x == y'),
  ne: pred('x != y'),
  lt: pred('x < y'),
  le: pred('x <= y'),
  gt: pred('x > y'),
  ge: pred('x >= y'),
  logicalAnd: pred('x != 0.0 && y != 0.0', 'x != 0 && y != 0'),
  logicalOr: pred('x != 0.0 || y != 0.0', 'x != 0 || y != 0'),
  logicalXor: pred('(x != 0.0) != (y != 0.0)', '(x != 0) != (y != 0)'),
  reluBackward: { expr: float('select(x, 0.0, y <= 0.0)', 'select(x, 0, y <= 0)') },
};

export const TERNARY: Record<string, Spec> = {
  where: { expr: float('select(z, y, x != 0.0)', 'select(z, y, x != 0)') },
  clampTensor: { expr: float('min_(max_(x, y), z)', 'min(max(x, y), z)') },
};

/** The in-place overwrite ops: the result is the source `y` broadcast over `x`. */
const OVERWRITE = ['copy', 'fill', 'fillTensor', 'zero', 'uniformFill', 'normalFill'];
const TAKE_SOURCE: Spec = { expr: () => 'y' };

/** The kernel of `spec` over `arity` operands (the first `arity` inputs). */
export function elementwiseKernel(arity: number, spec: Spec): Kernel {
  return pointwiseKernel(arity, { ...spec, helpers: HELPERS });
}

/**
 * `x` stored as the output's dtype: `cast` (float → int truncates; → bool is != 0) and
 * `contiguous` (a dense copy of any layout).
 */
const IDENTITY: Spec = { expr: () => 'x' };

/**
 * Registers the elementwise kernels on a WebGPU backend.
 * @example registerElementwiseKernels(backend)
 */
export function registerElementwiseKernels(backend: WebGPUBackend): void {
  const name = backend.name;
  for (const [op, spec] of Object.entries(UNARY))
    registerKernel(op, name, elementwiseKernel(1, spec));
  for (const [op, spec] of Object.entries(BINARY))
    registerKernel(op, name, elementwiseKernel(2, spec));
  for (const [op, spec] of Object.entries(TERNARY))
    registerKernel(op, name, elementwiseKernel(3, spec));
  for (const op of OVERWRITE) registerKernel(op, name, elementwiseKernel(2, TAKE_SOURCE));
  for (const op of ['cast', 'contiguous']) {
    registerKernel(op, name, elementwiseKernel(1, IDENTITY));
  }
}
