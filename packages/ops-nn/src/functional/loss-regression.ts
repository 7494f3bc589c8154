import type { OpSample, RegisteredOp, Tensor } from '@autodag/core';
import { broadcastShapes, callOp, defineOp, where } from '@autodag/core';
import type { Reduction, ReductionOptions } from './loss-common.js';
import {
  checkFloat,
  checkReduction,
  checkTensor,
  REDUCTION_ATTR,
  reduceLoss,
} from './loss-common.js';

/**
 * Regression losses (elementwise in input − target, broadcasting as PyTorch does), as composite
 * ops: they are recorded as the core ops they call, so every order of gradient exists.
 */

/** Checks both operands and that they broadcast; returns the difference input − target. */
function difference(name: string, input: Tensor, target: Tensor): Tensor {
  checkFloat(name, 'input', input);
  checkFloat(name, 'target', target);
  broadcastShapes(input.shape, target.shape, name);
  return input.sub(target);
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

/**
 * Mean squared error (composite).
 * @example callOp(mseLossOp, [x, y], { reduction: 'mean' })
 */
export const mseLossOp = defineOp<ReductionAttrs>({
  name: 'nn.mseLoss',
  inputs: ['input', 'target'],
  attrs: { reduction: REDUCTION_ATTR },
  composite: ([x, y], a) => {
    const r = checkReduction('mseLoss', a.reduction);
    const d = difference('mseLoss', x!, y!);
    return reduceLoss(d.mul(d), r);
  },
  samples: () => regressionSamples(),
  doc: 'Mean squared error: (input - target)^2, reduced.',
});

/**
 * Mean absolute error (composite).
 * @example callOp(l1LossOp, [x, y], { reduction: 'sum' })
 */
export const l1LossOp = defineOp<ReductionAttrs>({
  name: 'nn.l1Loss',
  inputs: ['input', 'target'],
  attrs: { reduction: REDUCTION_ATTR },
  composite: ([x, y], a) => {
    const r = checkReduction('l1Loss', a.reduction);
    return reduceLoss(difference('l1Loss', x!, y!).abs(), r);
  },
  samples: () => regressionSamples(),
  doc: 'Mean absolute error: |input - target|, reduced.',
});

/** Quadratic below `t`, linear above: the shared shape of smooth L1 and Huber. */
function quadraticThenLinear(d: Tensor, t: number, quadScale: number, linScale: number): Tensor {
  const a = d.abs();
  // The quadratic branch is evaluated everywhere; where() routes each gradient to its branch.
  const quad = d.mul(d).mul(0.5 * quadScale);
  const lin = a.sub(0.5 * t).mul(linScale);
  return where(a.lt(t), quad, lin);
}

/**
 * Smooth L1 loss (composite): 0.5·d²/β where |d| < β, |d| − 0.5·β elsewhere; β = 0 is L1.
 * @example callOp(smoothL1LossOp, [x, y], { reduction: 'mean', beta: 0.5 })
 */
export const smoothL1LossOp = defineOp<ReductionAttrs & { beta: number }>({
  name: 'nn.smoothL1Loss',
  inputs: ['input', 'target'],
  attrs: {
    reduction: REDUCTION_ATTR,
    beta: { type: 'float', default: 1, doc: 'where the loss turns from quadratic to linear' },
  },
  composite: ([x, y], a) => {
    const r = checkReduction('smoothL1Loss', a.reduction);
    if (!(a.beta >= 0)) {
      throw new RangeError(`smoothL1Loss: beta must be non-negative, got ${a.beta}`);
    }
    const d = difference('smoothL1Loss', x!, y!);
    if (a.beta === 0) return reduceLoss(d.abs(), r);
    return reduceLoss(quadraticThenLinear(d, a.beta, 1 / a.beta, 1), r);
  },
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

/**
 * Huber loss (composite): 0.5·d² where |d| < δ, δ·(|d| − 0.5·δ) elsewhere.
 * @example callOp(huberLossOp, [x, y], { reduction: 'mean', delta: 2 })
 */
export const huberLossOp = defineOp<ReductionAttrs & { delta: number }>({
  name: 'nn.huberLoss',
  inputs: ['input', 'target'],
  attrs: {
    reduction: REDUCTION_ATTR,
    delta: { type: 'float', default: 1, doc: 'where the loss turns from quadratic to linear' },
  },
  composite: ([x, y], a) => {
    const r = checkReduction('huberLoss', a.reduction);
    if (!(a.delta > 0)) {
      throw new RangeError(`huberLoss: delta must be positive, got ${a.delta}`);
    }
    const d = difference('huberLoss', x!, y!);
    return reduceLoss(quadraticThenLinear(d, a.delta, 1, a.delta), r);
  },
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
  checkTensor(name, 'input', input);
  checkTensor(name, 'target', target);
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
