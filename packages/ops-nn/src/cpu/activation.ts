import type { ElementwiseSpec } from '@autodag/backend-cpu';
import { denseData, elementwiseKernel } from '@autodag/backend-cpu';
import type { Kernel, Tensor } from '@autodag/core';
import { erf } from '../functional/erf.js';
import { GELU_TANH_C, GELU_TANH_K, type GeluAttrs } from '../kernel-contract.js';

/**
 * CPU kernels of the activation functions. The simple ones are generated elementwise loops
 * (backend-cpu's `elementwiseKernel`, specialised per dtype, strided and fast on contiguous
 * inputs); GELU and its derivative call `erf`, which the generated loops cannot see, so they are
 * plain loops over the dense input.
 */

type FloatArray = Float32Array | Float64Array;

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

function geluExact(x: number): number {
  return 0.5 * x * (1 + erf(x * SQRT_HALF));
}

function geluTanh(x: number): number {
  const u = GELU_TANH_K * (x + GELU_TANH_C * x * x * x);
  return 0.5 * x * (1 + Math.tanh(u));
}

function geluGradExact(x: number): number {
  return 0.5 * (1 + erf(x * SQRT_HALF)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

function geluGradTanh(x: number): number {
  const x2 = x * x;
  const t = Math.tanh(GELU_TANH_K * (x + GELU_TANH_C * x2 * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_TANH_K * (1 + 3 * GELU_TANH_C * x2);
}

function mapDense(f: (x: number) => number, x: Tensor, out: Tensor): void {
  const src = denseData(x) as FloatArray;
  const o = out.storage.data as FloatArray;
  for (let i = 0; i < o.length; i++) o[i] = f(src[i]!);
}

/** GELU forward: x·Φ(x), or the tanh approximation. */
export const geluKernel: Kernel<GeluAttrs> = ([x], [out], { approximate }) =>
  mapDense(approximate === 'tanh' ? geluTanh : geluExact, x!, out!);

/** GELU derivative: Φ(x) + x·φ(x), or the tanh approximation's derivative. */
export const geluGradKernel: Kernel<GeluAttrs> = ([x], [out], { approximate }) =>
  mapDense(approximate === 'tanh' ? geluGradTanh : geluGradExact, x!, out!);

/** Elementwise specs (expression over `x` and the attribute scalars `p0`, `p1`) by op name. */
export const ACTIVATION_SPECS: Record<string, ElementwiseSpec> = {
  'nn.silu': { expr: 'x / (1 + Math.exp(-x))', fallback: (x) => x / (1 + Math.exp(-x)) },
  'nn.leakyRelu': {
    expr: 'x > 0 ? x : x * p0',
    fallback: (x, s) => (x > 0 ? x : x * s!),
    params: (a: { negativeSlope: number }) => [a.negativeSlope],
  } as ElementwiseSpec,
  'nn.elu': {
    expr: 'x > 0 ? x : p0 * Math.expm1(x)',
    fallback: (x, a) => (x > 0 ? x : a! * Math.expm1(x)),
    params: (a: { alpha: number }) => [a.alpha],
  } as ElementwiseSpec,
  // Above beta·x > threshold softplus is x (PyTorch's switch to the linear branch).
  'nn.softplus': {
    expr: 'x * p0 > p1 ? x : Math.log1p(Math.exp(x * p0)) / p0',
    fallback: (x, b, t) => (x * b! > t! ? x : Math.log1p(Math.exp(x * b!)) / b!),
    params: (a: { beta: number; threshold: number }) => [a.beta, a.threshold],
  } as ElementwiseSpec,
  // NaN passes through, as PyTorch's clamp-based hardtanh.
  'nn.hardtanh': {
    expr: 'x < p0 ? p0 : x > p1 ? p1 : x',
    fallback: (x, lo, hi) => (x < lo! ? lo! : Math.min(x, hi!)),
    params: (a: { minVal: number; maxVal: number }) => [a.minVal, a.maxVal],
  } as ElementwiseSpec,
};

/** The elementwise kernel of an activation in `ACTIVATION_SPECS`. */
export function activationKernel(name: string): Kernel {
  return elementwiseKernel(1, ACTIVATION_SPECS[name]!);
}
