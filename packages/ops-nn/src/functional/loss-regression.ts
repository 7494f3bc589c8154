import type { OpSample, RegisteredOp, Tensor, VjpContext } from '@autodag/core';
import { broadcastShapes, callOp, checkTensor, defineOp, sumTo, where } from '@autodag/core';
import type { Reduction, ReductionOptions } from './loss-common.js';
import {
  checkFloat,
  checkReduction,
  REDUCTION_ATTR,
  reduceLoss,
  unreduceLossGrad,
} from './loss-common.js';

/**
 * Regression losses, elementwise in d = input − target (the target broadcasts as in PyTorch).
 * mse, smooth L1 and Huber are one node each (MseLossBackward0, ...) whose VJPs
 * g·ℓ'(d) are written with ops, so every order of gradient exists; l1 is a composite op, as in
 * PyTorch (|d| then the reduction).
 */

/** Checks both operands and that they broadcast; returns the broadcast shape. */
function checkOperands(name: string, input: Tensor, target: Tensor): number[] {
  checkFloat(name, 'input', input);
  checkFloat(name, 'target', target);
  if (input.dtype !== target.dtype) {
    throw new TypeError(
      `${name}: expected input and target of the same dtype, got ${input.dtype} and ${target.dtype}`,
    );
  }
  return broadcastShapes(input.shape, target.shape, name);
}

function regressionSamples(attrs: Record<string, unknown> = {}): OpSample[] {
  return [
    { name: 'mean', inputs: [{ shape: [3, 4], low: -2, high: 2 }, { shape: [3, 4] }], attrs },
    {
      name: 'sum broadcast target',
      inputs: [{ shape: [3, 4], low: -2, high: 2 }, { shape: [4] }],
      attrs: { ...attrs, reduction: 'sum' },
    },
    {
      name: 'none broadcast input',
      inputs: [{ shape: [1, 4], low: -2, high: 2 }, { shape: [3, 4] }],
      attrs: { ...attrs, reduction: 'none' },
    },
    {
      name: 'none transposed',
      inputs: [{ shape: [3, 4], low: -2, high: 2, layout: 'transposed' }, { shape: [3, 4] }],
      attrs: { ...attrs, reduction: 'none' },
    },
    {
      name: 'float64',
      inputs: [
        { shape: [5], dtype: 'float64', low: -3, high: 3 },
        { shape: [5], dtype: 'float64' },
      ],
      attrs,
    },
    {
      name: '0-d',
      inputs: [
        { shape: [], values: [0.3] },
        { shape: [], values: [-1.2] },
      ],
      attrs,
    },
  ];
}

interface ReductionAttrs {
  reduction: Reduction;
}

/** What distinguishes one pointwise regression loss from another. */
interface PointwiseLoss<A extends ReductionAttrs> {
  /** Registry name (`nn.` + `fn`). */
  readonly fn: string;
  /** Extra attributes beyond `reduction`. */
  readonly attrs: Record<string, { type: 'float'; default: number; doc: string }>;
  /** Throws on invalid attributes. */
  readonly check: (a: A) => void;
  /** ℓ(d), elementwise. */
  readonly loss: (d: Tensor, a: A) => Tensor;
  /** ℓ'(d), elementwise, written with ops. */
  readonly derivative: (d: Tensor, a: A) => Tensor;
  readonly gradFnName: string;
  readonly samples: () => OpSample[];
  readonly doc: string;
}

/** A regression loss op: one node, with VJPs ±g·ℓ'(d) summed back to each operand's shape. */
function pointwiseLossOp<A extends ReductionAttrs>(spec: PointwiseLoss<A>): RegisteredOp<A> {
  const grad = (sign: 1 | -1, which: 0 | 1) => (ctx: VjpContext<A>) => {
    const [x, t] = ctx.inputs;
    const d = x!.sub(t!);
    const g = unreduceLossGrad(ctx.grad, d.shape, ctx.attrs.reduction);
    const gd = g.mul(spec.derivative(d, ctx.attrs));
    return sumTo(sign === 1 ? gd : gd.neg(), ctx.inputs[which]!.shape);
  };
  return defineOp<A>({
    name: `nn.${spec.fn}`,
    inputs: ['input', 'target'],
    attrs: { reduction: REDUCTION_ATTR, ...spec.attrs },
    infer: ([x, t], a) => {
      const r = checkReduction(spec.fn, a.reduction);
      spec.check(a);
      const shape = checkOperands(spec.fn, x!, t!);
      return { shape: r === 'none' ? shape : [], dtype: x!.dtype };
    },
    decomposition: ([x, t], a) => reduceLoss(spec.loss(x!.sub(t!), a), a.reduction),
    saveInputs: [0, 1],
    vjp: { input: grad(1, 0), target: grad(-1, 1) },
    gradFnName: spec.gradFnName,
    samples: spec.samples,
    doc: spec.doc,
  });
}

/**
 * Mean squared error, d², as one op (MseLossBackward0).
 * @example callOp(mseLossOp, [x, y], { reduction: 'mean' })
 */
export const mseLossOp = pointwiseLossOp<ReductionAttrs>({
  fn: 'mseLoss',
  attrs: {},
  check: () => {},
  loss: (d) => d.mul(d),
  derivative: (d) => d.mul(2),
  gradFnName: 'MseLossBackward0',
  samples: () => regressionSamples(),
  doc: 'Mean squared error: (input - target)^2, reduced.',
});

/**
 * Mean absolute error (composite, as in PyTorch).
 * @example callOp(l1LossOp, [x, y], { reduction: 'sum' })
 */
export const l1LossOp = defineOp<ReductionAttrs>({
  name: 'nn.l1Loss',
  inputs: ['input', 'target'],
  attrs: { reduction: REDUCTION_ATTR },
  composite: ([x, y], a) => {
    const r = checkReduction('l1Loss', a.reduction);
    checkOperands('l1Loss', x!, y!);
    return reduceLoss(x!.sub(y!).abs(), r);
  },
  samples: () => regressionSamples(),
  doc: 'Mean absolute error: |input - target|, reduced.',
});

/** Quadratic below `t`, linear above: the shared shape of smooth L1 and Huber. */
function quadraticThenLinear(d: Tensor, t: number, quadScale: number, linScale: number): Tensor {
  const a = d.abs();
  const quad = d.mul(d).mul(0.5 * quadScale);
  const lin = a.sub(0.5 * t).mul(linScale);
  return where(a.lt(t), quad, lin);
}

type SmoothL1Attrs = ReductionAttrs & { beta: number };

/**
 * Smooth L1 loss, 0.5·d²/β where |d| < β and |d| − 0.5·β elsewhere (β = 0 is L1), as one op
 * (SmoothL1LossBackward0) with derivative clamp(d/β, −1, 1).
 * @example callOp(smoothL1LossOp, [x, y], { reduction: 'mean', beta: 0.5 })
 */
export const smoothL1LossOp = pointwiseLossOp<SmoothL1Attrs>({
  fn: 'smoothL1Loss',
  attrs: {
    beta: { type: 'float', default: 1, doc: 'where the loss turns from quadratic to linear' },
  },
  check: (a) => {
    if (!(a.beta >= 0)) {
      throw new RangeError(`smoothL1Loss: beta must be non-negative, got ${a.beta}`);
    }
  },
  loss: (d, a) => (a.beta === 0 ? d.abs() : quadraticThenLinear(d, a.beta, 1 / a.beta, 1)),
  derivative: (d, a) => (a.beta === 0 ? d.sign() : d.div(a.beta).clamp(-1, 1)),
  gradFnName: 'SmoothL1LossBackward0',
  samples: () => [
    ...regressionSamples({ beta: 0.5 }),
    {
      name: 'beta 0',
      inputs: [{ shape: [6], low: -2, high: 2 }, { shape: [6] }],
      attrs: { beta: 0 },
    },
    { name: 'default beta', inputs: [{ shape: [2, 5], low: -3, high: 3 }, { shape: [2, 5] }] },
  ],
  doc: 'Smooth L1 loss: quadratic below beta, linear above.',
});

type HuberAttrs = ReductionAttrs & { delta: number };

/**
 * Huber loss, 0.5·d² where |d| < δ and δ·(|d| − 0.5·δ) elsewhere, as one op
 * (HuberLossBackward0) with derivative clamp(d, −δ, δ).
 * @example callOp(huberLossOp, [x, y], { reduction: 'mean', delta: 2 })
 */
export const huberLossOp = pointwiseLossOp<HuberAttrs>({
  fn: 'huberLoss',
  attrs: {
    delta: { type: 'float', default: 1, doc: 'where the loss turns from quadratic to linear' },
  },
  check: (a) => {
    if (!(a.delta > 0)) throw new RangeError(`huberLoss: delta must be positive, got ${a.delta}`);
  },
  loss: (d, a) => quadraticThenLinear(d, a.delta, 1, a.delta),
  derivative: (d, a) => d.clamp(-a.delta, a.delta),
  gradFnName: 'HuberLossBackward0',
  samples: () => [
    ...regressionSamples({ delta: 0.7 }),
    { name: 'default delta', inputs: [{ shape: [2, 5], low: -3, high: 3 }, { shape: [2, 5] }] },
  ],
  doc: 'Huber loss: quadratic below delta, delta-scaled linear above.',
});

function regression(
  o: RegisteredOp,
  name: string,
  input: Tensor,
  target: Tensor,
  attrs: Record<string, unknown>,
): Tensor {
  checkTensor(input, name, 'input');
  checkTensor(target, name, 'target');
  return callOp(o, [input, target], attrs) as Tensor;
}

/**
 * Mean squared error, like `torch.nn.functional.mse_loss` (the target broadcasts against the
 * input).
 * @example F.mseLoss(torch.tensor([1, 2]), torch.tensor([0, 0])) // tensor(2.5000)
 */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  return regression(mseLossOp, 'mseLoss', input, target, { reduction: opts.reduction ?? 'mean' });
}

/**
 * Mean absolute error, like `torch.nn.functional.l1_loss`.
 * @example F.l1Loss(torch.tensor([1, -2]), torch.tensor([0, 0]), { reduction: 'sum' }) // tensor(3.)
 */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  return regression(l1LossOp, 'l1Loss', input, target, { reduction: opts.reduction ?? 'mean' });
}

/**
 * Options of `smoothL1Loss`.
 * @example F.smoothL1Loss(x, y, { beta: 0.5 })
 */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** Threshold between the quadratic and linear parts (default 1; 0 gives L1). */
  beta?: number;
}

/**
 * Smooth L1 loss, like `torch.nn.functional.smooth_l1_loss`: 0.5·d²/β where |d| < β, else
 * |d| − 0.5·β, with d = input − target.
 * @example F.smoothL1Loss(torch.tensor([0.5, 3]), torch.tensor([0, 0])) // tensor(1.3125)
 */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  opts: SmoothL1LossOptions = {},
): Tensor {
  return regression(smoothL1LossOp, 'smoothL1Loss', input, target, {
    reduction: opts.reduction ?? 'mean',
    beta: opts.beta ?? 1,
  });
}

/**
 * Options of `huberLoss`.
 * @example F.huberLoss(x, y, { delta: 2 })
 */
export interface HuberLossOptions extends ReductionOptions {
  /** Threshold between the quadratic and linear parts (default 1, must be positive). */
  delta?: number;
}

/**
 * Huber loss, like `torch.nn.functional.huber_loss`: 0.5·d² where |d| < δ, else δ·(|d| − 0.5·δ).
 * @example F.huberLoss(torch.tensor([0.5, 3]), torch.tensor([0, 0]), { delta: 2 }) // tensor(2.0625)
 */
export function huberLoss(input: Tensor, target: Tensor, opts: HuberLossOptions = {}): Tensor {
  return regression(huberLossOp, 'huberLoss', input, target, {
    reduction: opts.reduction ?? 'mean',
    delta: opts.delta ?? 1,
  });
}
