import type { DType, Kernel, Tensor } from '@autodag/core';
import { ENTRY, threadIndex } from '../context.js';
import { dispatchCompute } from './device.js';
import {
  isDenseOver,
  operandIndex,
  Params,
  SPECIAL_VALUES,
  STRIDED_INDEX,
  wgslType,
} from './layout.js';

/**
 * Pointwise kernels with their own WGSL helpers (erf, stable softplus, ...): each op is an
 * expression over the operands `x`, `y`, `z`, `w` (loaded as the compute type `C`, f32 when the
 * output or an operand is float, else i32) and the scalar attributes `p0`, `p1`, ... Operands
 * are read through their strides, broadcast to the output's shape. The shader also has
 * `MATH_HELPERS` and layout.ts's `SPECIAL_VALUES` (`nan_()`, `inf_()`, `isnan_`, `isinf_`).
 * @example
 * const softplus: PointwiseSpec<{ beta: number }> = {
 *   expr: () => 'softplus_(x * p0) / p0',
 *   params: (a) => [a.beta],
 * };
 */
// biome-ignore lint/suspicious/noExplicitAny: each op's spec reads its own attribute type.
export interface PointwiseSpec<A = any> {
  /** WGSL expression of type C (or bool with `predicate`), given the compute type. */
  readonly expr: (c: 'f32' | 'i32', attrs: A) => string;
  /** The result is a bool, stored as 0/1 in the output's type. */
  readonly predicate?: boolean;
  /** Scalar attributes, as p0, p1, ... */
  readonly params?: (attrs: A) => readonly number[];
  /** More WGSL functions the expression calls. */
  readonly helpers?: string;
}

/**
 * f32 math helpers (accurate where a naive formula is not), in every pointwise shader and for
 * row shaders to add: `log1p_`, `expm1_`, `tanh_`, `sigmoid_`, `softplus_` (log(1 + eˣ) without
 * overflow), `erfcPos_` (erfc(z) for z ≥ 0, relative error below 1.2e-7), `ncdf_` and `npdf_`
 * (the standard normal CDF and density). They call `nan_`, `isnan_` and `isinf_` (layout.ts's
 * `SPECIAL_VALUES`, in both kinds of shader).
 * @example rowShader(inputs, outputs, 0, body, MATH_HELPERS)
 */
export const MATH_HELPERS = `
// Near 0, log1p and expm1 are series: WGSL bounds log's error near 1 only absolutely (2^-21),
// which is a large relative error for small results (log(1 + 3e-7) came out 17% off on llvmpipe).
fn log1p_(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    // log(1 + x) = 2·atanh(s) with s = x / (2 + x), |s| <= 1/3: terms to s^15.
    let s = x / (2.0 + x);
    let q = s * s;
    return 2.0 * s * (1.0 + q * (1.0 / 3.0 + q * (0.2 + q * (1.0 / 7.0 + q * (1.0 / 9.0 +
      q * (1.0 / 11.0 + q * (1.0 / 13.0 + q / 15.0)))))));
  }
  let u = 1.0 + x;
  if (u < 0.0) { return nan_(); }
  if (u == 1.0 || isinf_(u)) { return select(x, u, isinf_(u)); }
  return log_(u) * x / (u - 1.0);
}
fn expm1_(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    // Taylor terms to x^10/10!, nested (Horner).
    return x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0 * (1.0 + x / 5.0 * (1.0 +
      x / 6.0 * (1.0 + x / 7.0 * (1.0 + x / 8.0 * (1.0 + x / 9.0 * (1.0 + x / 10.0)))))))));
  }
  let u = exp(x);
  if (u == 1.0 || isinf_(u)) { return select(x, u, isinf_(u)); }
  let um1 = u - 1.0;
  if (um1 == -1.0) { return -1.0; }
  return um1 * x / log_(u);
}
fn tanh_(x: f32) -> f32 { return select(tanh(clamp(x, -15.0, 15.0)), x, isnan_(x)); }
fn sigmoid_(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
// log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
fn softplus_(x: f32) -> f32 {
  if (isnan_(x)) { return x; }
  return max(x, 0.0) + log1p_(exp(-abs(x)));
}
// erfc(z) for z >= 0 with a relative error below 1.2e-7 (Numerical Recipes' erfcc, a Chebyshev
// fit of erfc(z)·exp(z²)), so tails keep their digits.
fn erfcPos_(z: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * z);
  let q = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(q);
}
// Φ(x), the standard normal CDF, from erfc on the side where it is small.
fn ncdf_(x: f32) -> f32 {
  let z = abs(x) * 0.7071067811865476;
  let tail = 0.5 * erfcPos_(z);
  if (isnan_(x)) { return x; }
  return select(1.0 - tail, tail, x < 0.0);
}
fn npdf_(x: f32) -> f32 { return 0.3989422804014327 * exp(-0.5 * x * x); }
`;

const NAMES = ['x', 'y', 'z', 'w'];

function convert(value: string, from: string, c: string): string {
  return from === c ? value : `${c}(${value})`;
}

function store(value: string, predicate: boolean, c: string, out: string): string {
  if (predicate) return `select(${out}(0), ${out}(1), ${value})`;
  if (out === 'u32') return `select(0u, 1u, ${value} != ${c}(0))`;
  return convert(value, c, out);
}

function computeType(inputs: readonly Tensor[], out: DType): 'f32' | 'i32' {
  if (out === 'float32') return 'f32';
  return inputs.some((t) => t.dtype === 'float32') ? 'f32' : 'i32';
}

/**
 * The WGSL of `spec` (the expression `value`) over `operands`, writing `out[i]`.
 */
function shaderFor(
  value: string,
  predicate: boolean,
  operands: readonly { type: string; dense: boolean; base: number }[],
  out: string,
  c: 'f32' | 'i32',
  scalars: readonly number[],
  helpers: string,
): string {
  const decls = operands.map(
    (o, k) => `@group(0) @binding(${k + 1}) var<storage, read> in${k}: array<${o.type}>;`,
  );
  const loads = operands.map(
    (o, k) =>
      `let ${NAMES[k]} = ${convert(`in${k}[${operandIndex(o.dense, o.base)}]`, o.type, c)};`,
  );
  const params = scalars.map((w, k) => `let p${k} = bitcast<${c}>(p[${w}u]);`);
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
${decls.join('\n')}
@group(0) @binding(${operands.length + 1}) var<storage, read_write> out: array<${out}>;
${SPECIAL_VALUES}
${MATH_HELPERS}
${helpers}
${STRIDED_INDEX}
${ENTRY} {
  ${threadIndex('p[0]')}
  ${params.join('\n  ')}
  ${loads.join('\n  ')}
  out[i] = ${store(value, predicate, c, out)};
}`;
}

/**
 * The kernel of `spec` over its first `arity` inputs, writing the first output, on the WebGPU
 * device of the tensors it is called with (so it may be registered before `initWebGPU`).
 * @example registerKernel('my-plugin.gelu', 'webgpu', pointwiseKernel(1, { expr: () => 'x * ncdf_(x)' }))
 */
export function pointwiseKernel<A>(arity: number, spec: PointwiseSpec<A>): Kernel<A> {
  // One WGSL string per variant, reused: the pipeline cache is keyed by the source, and hashing
  // a freshly built source of kilobytes on every call cost more than the rest of the dispatch.
  const sources = new Map<string, string>();
  return (inputs, outputs, attrs) => {
    const output = outputs[0]!;
    const n = output.numel();
    if (n === 0) return;
    const shape = output.shape;
    const operandsIn = inputs.slice(0, arity);
    const c = computeType(operandsIn, output.dtype);
    const params = new Params(n, shape);
    const values = spec.params ? spec.params(attrs) : [];
    const scalars = values.map((v) =>
      c === 'f32' ? params.f32(v) : params.i32(Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v))),
    );
    const operands = operandsIn.map((t) => ({
      type: wgslType(t.dtype),
      dense: isDenseOver(t, shape),
      base: params.operand(t, shape),
    }));
    const value = spec.expr(c, attrs);
    const out = wgslType(output.dtype);
    const key = `${value};${c};${out};${scalars};${operands.map((o) => `${o.type}${o.dense}${o.base}`)}`;
    let code = sources.get(key);
    if (code === undefined) {
      code = shaderFor(
        value,
        spec.predicate ?? false,
        operands,
        out,
        c,
        scalars,
        spec.helpers ?? '',
      );
      sources.set(key, code);
    }
    dispatchCompute(code, params.toArray(), [...operandsIn, output], n);
  };
}
