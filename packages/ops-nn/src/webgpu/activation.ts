import { type PointwiseSpec, pointwiseKernel } from '@autodag/backend-webgpu';
import { registerKernel } from '@autodag/core';
import { GELU_TANH_C as GELU_C, GELU_TANH_K as GELU_K } from '../kernel-contract.js';

/**
 * The activation ops (`nn.gelu`, `nn.geluGrad`, `nn.silu`, `nn.leakyRelu`, `nn.elu`,
 * `nn.softplus`, `nn.hardtanh` and the in-place forms `nn.leakyRelu_`, `nn.elu_`,
 * `nn.hardtanh_`, whose forward is the same) on WebGPU, as pointwise WGSL over strided inputs.
 * GELU's normal CDF comes from erfc on the side where it is small, so the negative tail keeps its
 * relative accuracy; NaN passes through every activation.
 */

/**
 * GELU's tanh approximation and its derivative, through s = σ(2u) = (1 + tanh u)/2 and
 * 1 - s = σ(-2u): 1 + tanh u and 1 - tanh²u = 4·s·(1 - s) cancel in f32 where tanh u is near
 * -1, and the sigmoids do not.
 */
const GELU_TANH = `
fn geluU_(x: f32) -> f32 { return ${GELU_K} * (x + ${GELU_C} * x * x * x); }
fn geluTanh_(x: f32) -> f32 {
  let s = 1.0 / (1.0 + exp(-2.0 * geluU_(x)));
  return select(x * s, x, isnan_(x));
}
fn geluTanhGrad_(x: f32) -> f32 {
  let u = geluU_(x);
  let s = 1.0 / (1.0 + exp(-2.0 * u));
  let sn = 1.0 / (1.0 + exp(2.0 * u));
  let g = s + 2.0 * x * s * sn * ${GELU_K} * (1.0 + ${3 * GELU_C} * x * x);
  return select(g, x, isnan_(x));
}`;

type GeluAttrs = { approximate: string };

const ACTIVATIONS: Record<string, PointwiseSpec> = {
  'nn.gelu': {
    expr: (_, a: GeluAttrs) => (a.approximate === 'tanh' ? 'geluTanh_(x)' : 'x * ncdf_(x)'),
    helpers: GELU_TANH,
  },
  'nn.geluGrad': {
    expr: (_, a: GeluAttrs) =>
      a.approximate === 'tanh' ? 'geluTanhGrad_(x)' : 'ncdf_(x) + x * npdf_(x)',
    helpers: GELU_TANH,
  },
  'nn.silu': { expr: () => 'x / (1.0 + exp(-x))' },
  'nn.leakyRelu': {
    expr: () => 'select(x * p0, x, x > 0.0)',
    params: (a: { negativeSlope: number }) => [a.negativeSlope],
  },
  'nn.elu': {
    expr: () => 'select(p0 * expm1_(x), x, x > 0.0)',
    params: (a: { alpha: number }) => [a.alpha],
  },
  // Linear above beta·x > threshold (PyTorch's switch), softplus(βx)/β below.
  'nn.softplus': {
    expr: () => 'select(softplus_(x * p0) / p0, x, x * p0 > p1 || isnan_(x))',
    params: (a: { beta: number; threshold: number }) => [a.beta, a.threshold],
  },
  'nn.hardtanh': {
    expr: () => 'select(select(select(x, p1, x > p1), p0, x < p0), x, isnan_(x))',
    params: (a: { minVal: number; maxVal: number }) => [a.minVal, a.maxVal],
  },
};

/** The in-place forms: the same forward as their base op. */
const IN_PLACE: Record<string, string> = {
  'nn.leakyRelu_': 'nn.leakyRelu',
  'nn.elu_': 'nn.elu',
  'nn.hardtanh_': 'nn.hardtanh',
};

/**
 * Registers the activation kernels for the WebGPU device named `device`.
 * @example registerActivationKernels('webgpu')
 */
export function registerActivationKernels(device: string): void {
  for (const [op, spec] of Object.entries(ACTIVATIONS)) {
    registerKernel(op, device, pointwiseKernel(1, spec));
  }
  for (const [op, base] of Object.entries(IN_PLACE)) {
    registerKernel(op, device, pointwiseKernel(1, ACTIVATIONS[base]!));
  }
}
