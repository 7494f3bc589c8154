import type { OpSample, RegisteredOp, Tensor, VjpFn } from '@autodag/core';
import {
  callOp,
  checkTensor,
  clamp,
  relu as coreRelu,
  defineOp,
  exp,
  expm1,
  gt,
  inplace,
  log1p,
  logicalAnd,
  lt,
  sigmoid,
  tanh,
  where,
} from '@autodag/core';
import { GELU_TANH_C, GELU_TANH_K, type GeluAttrs } from '../kernel-contract.js';
import { activationSamples, floatUnaryInfer, requireFloat } from './layer-util.js';

/**
 * Activation functions (`torch.nn.functional.gelu`, `silu`, `leaky_relu`, `elu`, `softplus`,
 * `hardtanh`, `relu6`). Each is a registered `nn.*` op with a CPU kernel; the VJPs are written
 * with ops, so gradients of any order follow. With `{ inplace: true }` the input is overwritten
 * through core's `inplace` (version bump, leaf check, rebased history); the in-place forms whose
 * PyTorch backward reads the result (leaky ReLU, ELU, hardtanh) are ops of their own
 * (`nn.leakyRelu_`, ...) that save their output instead of a copy of the input.
 */

const INV_SQRT_2PI = 0.3989422804014327;

function unaryOp<A>(
  name: string,
  attrs: Record<string, { type: 'float' | 'string'; default: unknown; doc: string }>,
  vjp: VjpFn<A>,
  samples: () => OpSample[],
  doc: string,
  gradFnName?: string,
  /** The forward in core ops, for backends without a kernel for it. */
  decomposition?: (x: Tensor, attrs: A) => Tensor,
): RegisteredOp<A> {
  return defineOp<A>(
    {
      name,
      inputs: ['input'],
      attrs,
      infer: floatUnaryInfer(name.slice(3)),
      saveInputs: [0],
      vjp: { input: vjp },
      samples,
      doc,
      gradFnName,
      decomposition: decomposition && (([x], a) => decomposition(x!, a)),
    },
    { override: true },
  );
}

const geluAttrs = {
  approximate: { type: 'string', default: 'none', doc: "'none' (exact, erf) or 'tanh'" },
} as const;

const geluSamples = activationSamples({ approximate: 'none' }, -4, 4, [
  {
    name: 'tanh approximation',
    inputs: [{ shape: [3, 4], low: -4, high: 4 }],
    attrs: { approximate: 'tanh' },
  },
  {
    name: 'tanh float64',
    inputs: [{ shape: [2, 5], dtype: 'float64', low: -5, high: 5 }],
    attrs: { approximate: 'tanh' },
  },
  {
    name: 'tails',
    inputs: [{ shape: [8], dtype: 'float64', values: [-12, -6, -3.5, -1e-3, 0, 1e-3, 3.5, 9] }],
  },
]);

/**
 * d GELU / dx: Φ(x) + x·φ(x) (or the tanh approximation's derivative). Its own VJP, written
 * with ops, gives GELU's higher derivatives.
 * @example callOp(geluGradOp, [torch.tensor([0])], { approximate: 'none' }) // tensor([0.5000])
 */
export const geluGradOp: RegisteredOp<GeluAttrs> = unaryOp<GeluAttrs>(
  'nn.geluGrad',
  geluAttrs,
  ({ grad, inputs, attrs }) => {
    const x = inputs[0]!;
    const x2 = x.mul(x);
    if (attrs.approximate === 'tanh') {
      // With u = k(x + c x³), t = tanh u: d²/dx² = (1 - t²)(u' - x t u'² + x u''/2).
      const t = tanh(x.add(x2.mul(x).mul(GELU_TANH_C)).mul(GELU_TANH_K));
      const du = x2.mul(3 * GELU_TANH_C * GELU_TANH_K).add(GELU_TANH_K);
      const inner = du.sub(x.mul(t).mul(du.mul(du))).add(x2.mul(3 * GELU_TANH_C * GELU_TANH_K));
      return grad.mul(t.mul(t).neg().add(1).mul(inner));
    }
    // d/dx (Φ + xφ) = φ·(2 - x²)
    const phi = exp(x2.mul(-0.5)).mul(INV_SQRT_2PI);
    return grad.mul(phi.mul(x2.neg().add(2)));
  },
  geluSamples,
  'Derivative of GELU.',
);

/**
 * GELU(x) = x·Φ(x) (Φ the standard normal CDF), or 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).
 * @example callOp(geluOp, [torch.tensor([1])], { approximate: 'none' }) // tensor([0.8413])
 */
export const geluOp: RegisteredOp<GeluAttrs> = unaryOp<GeluAttrs>(
  'nn.gelu',
  geluAttrs,
  ({ grad, inputs, attrs }) => grad.mul(callOp(geluGradOp, [inputs[0]!], { ...attrs }) as Tensor),
  geluSamples,
  'Gaussian error linear unit.',
);

/**
 * SiLU (swish): x·σ(x).
 * @example callOp(siluOp, [torch.tensor([1])]) // tensor([0.7311])
 */
export const siluOp: RegisteredOp<Record<string, never>> = unaryOp(
  'nn.silu',
  {},
  ({ grad, inputs }) => {
    const x = inputs[0]!;
    const s = sigmoid(x);
    // σ(x)·(1 + x·(1 - σ(x)))
    return grad.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
  },
  activationSamples({}, -5, 5),
  'Sigmoid linear unit x * sigmoid(x).',
  undefined,
  (x) => x.mul(sigmoid(x)),
);

/**
 * Leaky ReLU: x where x > 0, else negativeSlope·x.
 * @example callOp(leakyReluOp, [torch.tensor([-2, 3])], { negativeSlope: 0.1 }) // tensor([-0.2000, 3.0000])
 */
export const leakyReluOp: RegisteredOp<{ negativeSlope: number }> = unaryOp<{
  negativeSlope: number;
}>(
  'nn.leakyRelu',
  { negativeSlope: { type: 'float', default: 0.01, doc: 'slope for x <= 0' } },
  ({ grad, inputs, attrs }) => where(gt(inputs[0]!, 0), grad, grad.mul(attrs.negativeSlope)),
  activationSamples({ negativeSlope: 0.01 }, -3, 3, [
    {
      name: 'slope 0.2',
      inputs: [{ shape: [4, 3], dtype: 'float64', low: -3, high: 3 }],
      attrs: { negativeSlope: 0.2 },
    },
  ]),
  'Leaky rectified linear unit.',
  undefined,
  (x, a) => where(gt(x, 0), x, x.mul(a.negativeSlope)),
);

/**
 * ELU: x where x > 0, else α·(eˣ - 1).
 * @example callOp(eluOp, [torch.tensor([-1, 2])], { alpha: 1 }) // tensor([-0.6321, 2.0000])
 */
export const eluOp: RegisteredOp<{ alpha: number }> = unaryOp<{ alpha: number }>(
  'nn.elu',
  { alpha: { type: 'float', default: 1, doc: 'scale of the negative branch' } },
  ({ grad, inputs, attrs }) => {
    const x = inputs[0]!;
    return where(gt(x, 0), grad, grad.mul(exp(x).mul(attrs.alpha)));
  },
  activationSamples({ alpha: 1 }, -3, 3, [
    {
      name: 'alpha 0.5',
      inputs: [{ shape: [3, 3], dtype: 'float64', low: -3, high: 3 }],
      attrs: { alpha: 0.5 },
    },
  ]),
  'Exponential linear unit.',
  undefined,
  (x, a) => where(gt(x, 0), x, expm1(x).mul(a.alpha)),
);

/**
 * softplus(x) = log(1 + e^{βx})/β, and x where βx > threshold.
 * @example callOp(softplusOp, [torch.tensor([0])], { beta: 1, threshold: 20 }) // tensor([0.6931])
 */
export const softplusOp: RegisteredOp<{ beta: number; threshold: number }> = unaryOp<{
  beta: number;
  threshold: number;
}>(
  'nn.softplus',
  {
    beta: { type: 'float', default: 1, doc: 'β in log(1 + exp(βx))/β' },
    threshold: { type: 'float', default: 20, doc: 'linear above βx > threshold' },
  },
  ({ grad, inputs, attrs }) => {
    const bx = inputs[0]!.mul(attrs.beta);
    return where(gt(bx, attrs.threshold), grad, grad.mul(sigmoid(bx)));
  },
  activationSamples({ beta: 1, threshold: 20 }, -4, 4, [
    {
      name: 'beta and threshold',
      inputs: [{ shape: [8], values: [-2, -0.7, -0.1, 0.2, 0.55, 0.9, 1.4, 3] }],
      attrs: { beta: 2, threshold: 1 },
    },
    {
      name: 'large inputs',
      inputs: [{ shape: [5], dtype: 'float64', values: [-40, -15, 15, 19.5, 25] }],
      attrs: { beta: 1, threshold: 20 },
    },
  ]),
  'Smooth relu: log(1 + exp(beta x)) / beta.',
  undefined,
  (x, a) => {
    const bx = x.mul(a.beta);
    return where(gt(bx, a.threshold), x, log1p(exp(bx)).div(a.beta));
  },
);

/**
 * hardtanh(x) = clamp(x, minVal, maxVal); the gradient passes strictly inside the range.
 * @example callOp(hardtanhOp, [torch.tensor([-3, 0.5, 2])], { minVal: -1, maxVal: 1 }) // tensor([-1.0000, 0.5000, 1.0000])
 */
export const hardtanhOp: RegisteredOp<{ minVal: number; maxVal: number }> = unaryOp<{
  minVal: number;
  maxVal: number;
}>(
  'nn.hardtanh',
  {
    minVal: { type: 'float', default: -1, doc: 'lower bound' },
    maxVal: { type: 'float', default: 1, doc: 'upper bound' },
  },
  ({ grad, inputs, attrs }) => {
    const x = inputs[0]!;
    return where(logicalAnd(gt(x, attrs.minVal), lt(x, attrs.maxVal)), grad, 0);
  },
  activationSamples({ minVal: -1, maxVal: 1 }, -2, 2, [
    {
      name: 'relu6 range',
      inputs: [{ shape: [3, 4], dtype: 'float64', low: -3, high: 9 }],
      attrs: { minVal: 0, maxVal: 6 },
    },
  ]),
  'Clamp to [minVal, maxVal].',
  undefined,
  (x, a) => clamp(x, a.minVal, a.maxVal),
);

/**
 * An in-place form of an activation: the same forward (and kernel) as `base`, but its VJP reads
 * the output, as PyTorch's in-place backward does (the input is gone once overwritten).
 */
function resultOp<A>(
  base: RegisteredOp<A>,
  vjp: VjpFn<A>,
  gradFnName: string,
  samples: () => OpSample[],
): RegisteredOp<A> {
  const name = `${base.def.name}_`;
  return defineOp<A>(
    {
      name,
      inputs: ['input'],
      attrs: base.def.attrs,
      infer: floatUnaryInfer(name.slice(3)),
      saveInputs: [],
      saveOutputs: true,
      vjp: { input: vjp },
      samples,
      doc: `${base.def.doc} In-place form: its backward reads the result.`,
      gradFnName,
      decomposition: base.def.decomposition,
    },
    { override: true },
  );
}

/** PyTorch's error for an in-place backward whose negative branch cannot be told from the result. */
function negativeSlopeError(op: string): Error {
  return new Error(
    `In-place ${op} backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead.`,
  );
}

/**
 * Leaky ReLU's in-place form (`LeakyReluBackward1`): the gradient is 1 where the result is > 0.
 * @example callOp(leakyReluInplaceOp, [x], { negativeSlope: 0.1 })
 */
export const leakyReluInplaceOp: RegisteredOp<{ negativeSlope: number }> = resultOp(
  leakyReluOp,
  ({ grad, outputs, attrs }) => {
    if (attrs.negativeSlope < 0) throw negativeSlopeError('leakyReLu');
    return where(gt(outputs[0]!, 0), grad, grad.mul(attrs.negativeSlope));
  },
  'LeakyReluBackward1',
  activationSamples({ negativeSlope: 0.01 }, -3, 3, [
    {
      name: 'slope 0.2',
      inputs: [{ shape: [4, 3], dtype: 'float64', low: -3, high: 3 }],
      attrs: { negativeSlope: 0.2 },
    },
  ]),
);

/**
 * ELU's in-place form (`EluBackward1`): below 0 the gradient is α·eˣ = result + α.
 * @example callOp(eluInplaceOp, [x], { alpha: 1 })
 */
export const eluInplaceOp: RegisteredOp<{ alpha: number }> = resultOp(
  eluOp,
  ({ grad, outputs, attrs }) => {
    if (attrs.alpha < 0) throw negativeSlopeError('elu');
    const y = outputs[0]!;
    return where(gt(y, 0), grad, grad.mul(y.add(attrs.alpha)));
  },
  'EluBackward1',
  activationSamples({ alpha: 1 }, -3, 3, [
    {
      name: 'alpha 0.5',
      inputs: [{ shape: [3, 3], dtype: 'float64', low: -3, high: 3 }],
      attrs: { alpha: 0.5 },
    },
  ]),
);

/**
 * hardtanh's in-place form: the gradient passes where the result is strictly inside the range
 * (PyTorch 1.13 names this node `HardtanhBackward0` too).
 * @example callOp(hardtanhInplaceOp, [x], { minVal: -1, maxVal: 1 })
 */
export const hardtanhInplaceOp: RegisteredOp<{ minVal: number; maxVal: number }> = resultOp(
  hardtanhOp,
  ({ grad, outputs, attrs }) => {
    const y = outputs[0]!;
    return where(logicalAnd(gt(y, attrs.minVal), lt(y, attrs.maxVal)), grad, 0);
  },
  'HardtanhBackward0',
  activationSamples({ minVal: -1, maxVal: 1 }, -2, 2),
);

/**
 * Options of `gelu`.
 * @example F.gelu(x, { approximate: 'tanh' })
 */
export interface GeluOptions {
  /** `'none'` (default): x·Φ(x) with an exact erf; `'tanh'`: the tanh approximation. */
  approximate?: 'none' | 'tanh';
}

/**
 * Gaussian error linear unit, like `torch.nn.functional.gelu`.
 * @example F.gelu(torch.tensor([-1, 0, 1])) // tensor([-0.1587,  0.0000,  0.8413])
 */
export function gelu(input: Tensor, opts: GeluOptions = {}): Tensor {
  checkTensor(input, 'gelu', 'input');
  const approximate = opts.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new RangeError(
      `gelu: approximate argument must be either none or tanh, got '${approximate}'`,
    );
  }
  requireFloat('gelu', input);
  return callOp(geluOp, [input], { approximate }) as Tensor;
}

/**
 * The `inplace` option of the activations that can overwrite their input (PyTorch's
 * `inplace=True`).
 * @example F.leakyRelu(x, 0.2, { inplace: true }) // x now holds the result
 */
export interface InplaceOptions {
  /**
   * Overwrite `input` with the result and return it (default false). As with any in-place op,
   * `input` may not be a leaf that requires grad, and a tensor saved for another op's backward
   * must not be overwritten.
   */
  inplace?: boolean;
}

/**
 * ReLU max(x, 0), like `torch.nn.functional.relu`; `{ inplace: true }` is `input.relu_()`.
 * @example F.relu(torch.tensor([-1, 2])) // tensor([0, 2])
 */
export function relu(input: Tensor, opts: InplaceOptions = {}): Tensor {
  checkTensor(input, 'relu', 'input');
  return opts.inplace ? input.relu_() : coreRelu(input);
}

/**
 * SiLU (swish) x·σ(x), like `torch.nn.functional.silu`.
 * @example F.silu(torch.tensor([1])) // tensor([0.7311])
 */
export function silu(input: Tensor, opts: InplaceOptions = {}): Tensor {
  checkTensor(input, 'silu', 'input');
  if (!opts.inplace) return callOp(siluOp, [input]) as Tensor;
  // SiluBackward0 reads the input: `inplace` hands it a copy of the original values.
  return inplace(input, 'silu_', (self) => callOp(siluOp, [self]) as Tensor);
}

/**
 * Leaky ReLU, like `torch.nn.functional.leaky_relu`. In place, the backward reads the result,
 * so it needs `negativeSlope >= 0` (PyTorch's rule).
 * @example F.leakyRelu(torch.tensor([-2, 3]), 0.1) // tensor([-0.2000,  3.0000])
 */
export function leakyRelu(input: Tensor, negativeSlope = 0.01, opts: InplaceOptions = {}): Tensor {
  checkTensor(input, 'leakyRelu', 'input');
  if (!opts.inplace) return callOp(leakyReluOp, [input], { negativeSlope }) as Tensor;
  return inplace(
    input,
    'leakyRelu_',
    (self) => callOp(leakyReluInplaceOp, [self], { negativeSlope }) as Tensor,
    { savesSelf: false },
  );
}

/**
 * ELU, like `torch.nn.functional.elu`. In place, the backward reads the result, so it needs
 * `alpha >= 0` (PyTorch's rule).
 * @example F.elu(torch.tensor([-1, 2])) // tensor([-0.6321,  2.0000])
 */
export function elu(input: Tensor, alpha = 1, opts: InplaceOptions = {}): Tensor {
  checkTensor(input, 'elu', 'input');
  if (!opts.inplace) return callOp(eluOp, [input], { alpha }) as Tensor;
  return inplace(input, 'elu_', (self) => callOp(eluInplaceOp, [self], { alpha }) as Tensor, {
    savesSelf: false,
  });
}

/**
 * Options of `softplus` (PyTorch's keywords).
 * @example F.softplus(x, { beta: 2, threshold: 10 })
 */
export interface SoftplusOptions {
  /** β in log(1 + exp(βx))/β (default 1). */
  beta?: number;
  /** Above βx > threshold the result is x (default 20). */
  threshold?: number;
}

/**
 * softplus, like `torch.nn.functional.softplus`.
 * @example F.softplus(torch.tensor([0])) // tensor([0.6931])
 */
export function softplus(input: Tensor, opts: SoftplusOptions = {}): Tensor {
  checkTensor(input, 'softplus', 'input');
  return callOp(softplusOp, [input], {
    beta: opts.beta ?? 1,
    threshold: opts.threshold ?? 20,
  }) as Tensor;
}

/**
 * hardtanh, like `torch.nn.functional.hardtanh`.
 * @example F.hardtanh(torch.tensor([-3, 0.5, 2])) // tensor([-1.0000,  0.5000,  1.0000])
 */
export function hardtanh(
  input: Tensor,
  minVal = -1,
  maxVal = 1,
  opts: InplaceOptions = {},
): Tensor {
  checkTensor(input, 'hardtanh', 'input');
  if (minVal > maxVal) {
    throw new RangeError(
      `hardtanh: min_val cannot be greater than max_val (got ${minVal} and ${maxVal})`,
    );
  }
  if (!opts.inplace) return callOp(hardtanhOp, [input], { minVal, maxVal }) as Tensor;
  return inplace(
    input,
    'hardtanh_',
    (self) => callOp(hardtanhInplaceOp, [self], { minVal, maxVal }) as Tensor,
    { savesSelf: false },
  );
}

/**
 * ReLU6: min(max(x, 0), 6), like `torch.nn.functional.relu6` (a hardtanh, as in PyTorch).
 * @example F.relu6(torch.tensor([-1, 3, 8])) // tensor([0., 3., 6.])
 */
export function relu6(input: Tensor, opts: InplaceOptions = {}): Tensor {
  checkTensor(input, 'relu6', 'input');
  return hardtanh(input, 0, 6, opts);
}
