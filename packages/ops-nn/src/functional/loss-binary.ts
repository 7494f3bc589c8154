import type { OpSample, Tensor } from '@autodag/core';
import {
  broadcastShapes,
  callOp,
  checkTensor,
  defineOp,
  formatShape,
  scalarTensor,
  shapesEqual,
} from '@autodag/core';
import type { Reduction, ReductionOptions } from './loss-common.js';
import {
  checkFloat,
  checkReduction,
  REDUCTION_ATTR,
  reduceLoss,
  sameShape,
  unreduceLossGrad,
} from './loss-common.js';

/**
 * Binary cross entropy on probabilities and on logits, each one op with PyTorch's VJPs, written
 * with ops so every order of gradient exists. Both take a weight argument; the functions pass a 0-d one when none is given.
 */

interface ReductionAttrs {
  reduction: Reduction;
}

function checkWeight(name: string, arg: string, w: Tensor, input: Tensor): void {
  checkFloat(name, arg, w);
  const shape = broadcastShapes(input.shape, w.shape, `${name} (${arg})`);
  if (!shapesEqual(shape, input.shape)) {
    throw new RangeError(
      `${name}: ${arg} of shape ${formatShape(w.shape)} does not broadcast to the input's shape ${formatShape(input.shape)}`,
    );
  }
}

const noWeight = { shape: [], values: [1], requiresGrad: false } as const;

function binarySamples(logits: boolean): OpSample[] {
  const x = logits ? { shape: [3, 4], low: -4, high: 4 } : { shape: [3, 4], low: 0.05, high: 0.95 };
  const t = { shape: [3, 4], low: 0, high: 1 };
  const extra = logits ? [noWeight] : [];
  return [
    { name: 'mean', inputs: [x, t, noWeight, ...extra] },
    {
      name: 'weighted sum',
      inputs: [x, t, { shape: [4], low: 0.1, high: 2, requiresGrad: false }, ...extra],
      attrs: { reduction: 'sum' },
    },
    {
      name: 'none transposed',
      inputs: [{ ...x, layout: 'transposed' }, t, noWeight, ...extra],
      attrs: { reduction: 'none' },
    },
    {
      name: 'float64',
      inputs: [
        { ...x, shape: [6], dtype: 'float64' },
        { shape: [6], dtype: 'float64', low: 0, high: 1 },
        { shape: [], dtype: 'float64', values: [1], requiresGrad: false },
        ...(logits
          ? [{ shape: [], dtype: 'float64', values: [1], requiresGrad: false } as const]
          : []),
      ],
    },
  ];
}

/**
 * Binary cross entropy of probabilities, logs clamped at −100 as in PyTorch. One node
 * (BinaryCrossEntropyBackward0) with PyTorch's gradients: w·(x − t)/max(x(1 − x), 1e-12) for the
 * input (finite where x saturates at 0 or 1) and −w·logit(x) for the target.
 * @example callOp(binaryCrossEntropyOp, [p, y, torch.tensor(1)], { reduction: 'mean' })
 */
export const binaryCrossEntropyOp = defineOp<ReductionAttrs>({
  name: 'nn.binaryCrossEntropy',
  inputs: ['input', 'target', 'weight'],
  attrs: { reduction: REDUCTION_ATTR },
  infer: ([x, t, w], a) => {
    const name = 'binaryCrossEntropy';
    const r = checkReduction(name, a.reduction);
    checkFloat(name, 'input', x!);
    checkFloat(name, 'target', t!);
    sameShape(name, x!, t!);
    checkWeight(name, 'weight', w!, x!);
    return { shape: r === 'none' ? x!.shape : [], dtype: x!.dtype };
  },
  decomposition: ([x, t, w], a) => {
    const inRange = x!.ge(0).logicalAnd(x!.le(1)).all().isNonzero();
    if (!inRange) {
      throw new RangeError('binaryCrossEntropy: all elements of input should be between 0 and 1');
    }
    // −(t·log x + (1 − t)·log(1 − x)), each log clamped at −100 so that 0·log 0 stays finite.
    const logX = x!.log().clampMin(-100);
    const log1mX = x!.neg().add(1).log().clampMin(-100);
    const loss = t!.mul(logX.sub(log1mX)).add(log1mX).neg();
    return reduceLoss(loss.mul(w!), a.reduction);
  },
  saveInputs: [0, 1, 2],
  vjp: {
    input: ({ grad, inputs: [x, t, w], attrs }) => {
      const g = unreduceLossGrad(grad, x!.shape, attrs.reduction).mul(w!);
      return g.mul(x!.sub(t!)).div(x!.mul(x!.neg().add(1)).clampMin(1e-12));
    },
    target: ({ grad, inputs: [x, , w], attrs }) => {
      const g = unreduceLossGrad(grad, x!.shape, attrs.reduction).mul(w!);
      return g.mul(x!.neg().add(1).log().sub(x!.log()));
    },
  },
  gradFnName: 'BinaryCrossEntropyBackward0',
  samples: () => [
    ...binarySamples(false),
    {
      name: 'saturated probabilities',
      inputs: [
        { shape: [4], values: [0, 1, 0, 1] },
        { shape: [4], values: [0, 1, 1, 0], requiresGrad: false },
        noWeight,
      ],
      noGrad: true,
    },
  ],
  doc: 'Binary cross entropy of probabilities against targets in [0, 1].',
});

/** softplus(−x) = log(1 + e^{−|x|}) + max(−x, 0), which never overflows. */
function softplusNeg(x: Tensor): Tensor {
  return x.abs().neg().exp().log1p().add(x.neg().relu());
}

/**
 * Binary cross entropy of logits as one op (BinaryCrossEntropyWithLogitsBackward0, VJPs written
 * with ops), in the stable form
 * (1 − t)·x + (1 + (p − 1)·t)·(log(1 + e^{−|x|}) + max(−x, 0)).
 * @example callOp(binaryCrossEntropyWithLogitsOp, [x, y, torch.tensor(1), torch.tensor(1)], { reduction: 'mean' })
 */
export const binaryCrossEntropyWithLogitsOp = defineOp<ReductionAttrs>({
  name: 'nn.binaryCrossEntropyWithLogits',
  inputs: ['input', 'target', 'weight', 'posWeight'],
  attrs: { reduction: REDUCTION_ATTR },
  infer: ([x, t, w, pw], a) => {
    const name = 'binaryCrossEntropyWithLogits';
    const r = checkReduction(name, a.reduction);
    checkFloat(name, 'input', x!);
    checkFloat(name, 'target', t!);
    sameShape(name, x!, t!);
    checkWeight(name, 'weight', w!, x!);
    checkWeight(name, 'posWeight', pw!, x!);
    return { shape: r === 'none' ? x!.shape : [], dtype: x!.dtype };
  },
  decomposition: ([x, t, w, pw], a) => {
    const logWeight = pw!.sub(1).mul(t!).add(1);
    const loss = t!
      .neg()
      .add(1)
      .mul(x!)
      .add(logWeight.mul(softplusNeg(x!)));
    return reduceLoss(loss.mul(w!), a.reduction);
  },
  saveInputs: [0, 1, 2, 3],
  vjp: {
    // d/dx = (1 − t) − (1 + (p − 1)·t)·σ(−x)
    input: ({ grad, inputs: [x, t, w, pw], attrs }) => {
      const g = unreduceLossGrad(grad, x!.shape, attrs.reduction).mul(w!);
      const logWeight = pw!.sub(1).mul(t!).add(1);
      return g.mul(t!.neg().add(1).sub(logWeight.mul(x!.neg().sigmoid())));
    },
    // d/dt = −x + (p − 1)·softplus(−x)
    target: ({ grad, inputs: [x, , w, pw], attrs }) => {
      const g = unreduceLossGrad(grad, x!.shape, attrs.reduction).mul(w!);
      return g.mul(pw!.sub(1).mul(softplusNeg(x!)).sub(x!));
    },
  },
  gradFnName: 'BinaryCrossEntropyWithLogitsBackward0',
  samples: () => [
    ...binarySamples(true),
    {
      name: 'posWeight per class',
      inputs: [
        { shape: [3, 4], low: -3, high: 3 },
        { shape: [3, 4], low: 0, high: 1 },
        noWeight,
        { shape: [4], low: 0.5, high: 3, requiresGrad: false },
      ],
    },
    {
      name: 'large logits',
      inputs: [
        { shape: [4], values: [-200, -30, 30, 200] },
        { shape: [4], values: [1, 0, 1, 0] },
        noWeight,
        noWeight,
      ],
    },
  ],
  doc: 'Binary cross entropy of logits, computed stably, with optional pos_weight.',
});

/**
 * Options of `binaryCrossEntropy`.
 * @example F.binaryCrossEntropy(p, y, { weight: w, reduction: 'sum' })
 */
export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /** Rescales each element's loss (broadcasts against the input). */
  weight?: Tensor;
}

function weightOrOne(name: string, arg: string, w: Tensor | undefined, input: Tensor): Tensor {
  if (w !== undefined && w !== null) {
    checkTensor(w, name, arg);
    return w;
  }
  return scalarTensor(1, input.dtype, input.device);
}

/**
 * Binary cross entropy between probabilities `input` and targets of the same shape, like
 * `torch.nn.functional.binary_cross_entropy`: −w·(t·log x + (1 − t)·log(1 − x)), each log
 * clamped at −100. Inputs outside [0, 1] throw.
 * @example F.binaryCrossEntropy(torch.tensor([0.8, 0.2]), torch.tensor([1, 0])) // tensor(0.2231)
 */
export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  opts: BinaryCrossEntropyOptions = {},
): Tensor {
  const name = 'binaryCrossEntropy';
  checkTensor(input, name, 'input');
  checkTensor(target, name, 'target');
  return callOp(
    binaryCrossEntropyOp,
    [input, target, weightOrOne(name, 'weight', opts.weight, input)],
    {
      reduction: opts.reduction ?? 'mean',
    },
  ) as Tensor;
}

/**
 * Options of `binaryCrossEntropyWithLogits`.
 * @example F.binaryCrossEntropyWithLogits(x, y, { posWeight: torch.tensor([3]) })
 */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** Weight of the positive term per class (broadcasts along the last dim), e.g. negatives/positives. */
  posWeight?: Tensor;
}

/**
 * Binary cross entropy of logits, like `torch.nn.functional.binary_cross_entropy_with_logits`:
 * sigmoid and BCE fused in a numerically stable form (finite for any logit), with an optional
 * per-class `posWeight` on the positive term.
 * @example F.binaryCrossEntropyWithLogits(torch.tensor([2, -1]), torch.tensor([1, 0])) // tensor(0.2201)
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: BinaryCrossEntropyWithLogitsOptions = {},
): Tensor {
  const name = 'binaryCrossEntropyWithLogits';
  checkTensor(input, name, 'input');
  checkTensor(target, name, 'target');
  const w = weightOrOne(name, 'weight', opts.weight, input);
  const pw = weightOrOne(name, 'posWeight', opts.posWeight, input);
  return callOp(binaryCrossEntropyWithLogitsOp, [input, target, w, pw], {
    reduction: opts.reduction ?? 'mean',
  }) as Tensor;
}
