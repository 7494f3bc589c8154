import type { WebGPUBackend } from '../backend.js';
import { registerIfDefined } from './optional.js';
import { type PointwiseSpec, pointwiseKernel } from './pointwise.js';

/**
 * The activation ops of @autodag/ops-nn (`nn.gelu`, `nn.geluGrad`, `nn.silu`, `nn.leakyRelu`,
 * `nn.elu`, `nn.softplus`, `nn.hardtanh` and the in-place forms `nn.leakyRelu_`, `nn.elu_`,
 * `nn.hardtanh_`, whose forward is the same), as pointwise WGSL over strided inputs, registered
 * by name when ops-nn is loaded. GELU's normal CDF comes from erfc on the side where it is small,
 * so the negative tail keeps its relative accuracy; NaN passes through every activation.
 */

const GELU_K = 0.7978845608028654;
const GELU_C = 0.044715;

/** GELU's tanh approximation and its derivative. */
const GELU_TANH = `
fn geluTanh_(x: f32) -> f32 {
  return 0.5 * x * (1.0 + tanh_(${GELU_K} * (x + ${GELU_C} * x * x * x)));
}
fn geluTanhGrad_(x: f32) -> f32 {
  let x2 = x * x;
  let t = tanh_(${GELU_K} * (x + ${GELU_C} * x2 * x));
  return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * ${GELU_K} * (1.0 + ${3 * GELU_C} * x2);
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
 * Registers the ops-nn activation kernels on a WebGPU backend (those whose op is registered).
 * @example registerNnActivationKernels(backend)
 */
export function registerNnActivationKernels(backend: WebGPUBackend): void {
  for (const [op, spec] of Object.entries(ACTIVATIONS)) {
    registerIfDefined(backend, op, pointwiseKernel(backend, 1, spec));
  }
  for (const [op, base] of Object.entries(IN_PLACE)) {
    registerIfDefined(backend, op, pointwiseKernel(backend, 1, ACTIVATIONS[base]!));
  }
}
