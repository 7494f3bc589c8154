import type { Tensor } from '@autodag/core';
import { broadcastShapes, callOp, checkTensor, defineOp, where } from '@autodag/core';
import type { Reduction } from './loss-common.js';
import { checkFloat, checkReduction, reduceLoss } from './loss-common.js';

/** `reduction` of `klDiv`: the loss reductions plus `'batchmean'` (sum / batch size). */
export type KlDivReduction = Reduction | 'batchmean';

interface KlDivAttrs {
  reduction: KlDivReduction;
  logTarget: boolean;
}

const KL_REDUCTIONS = ['mean', 'batchmean', 'sum', 'none'] as const;

/**
 * t·log t with 0·log 0 = 0 (PyTorch's xlogy: negative t gives NaN); the log's argument is made
 * safe at t = 0 so the gradient there is 0, not NaN.
 */
function xlogx(t: Tensor): Tensor {
  const nonzero = t.ne(0);
  return where(nonzero, t.mul(where(nonzero, t, 1).log()), 0);
}

/**
 * Kullback-Leibler divergence of log-probabilities `input` from `target` (composite).
 * @example callOp(klDivOp, [logq, p], { reduction: 'batchmean', logTarget: false })
 */
export const klDivOp = defineOp<KlDivAttrs>({
  name: 'nn.klDiv',
  inputs: ['input', 'target'],
  attrs: {
    reduction: { type: 'string', default: 'mean', doc: "'mean', 'batchmean', 'sum' or 'none'" },
    logTarget: { type: 'bool', default: false, doc: 'target holds log-probabilities' },
  },
  composite: ([x, t], a) => {
    const name = 'klDiv';
    const r = checkReduction<KlDivReduction>(name, a.reduction, KL_REDUCTIONS);
    checkFloat(name, 'input', x!);
    checkFloat(name, 'target', t!);
    broadcastShapes(x!.shape, t!.shape, name);
    const loss = a.logTarget ? t!.exp().mul(t!.sub(x!)) : xlogx(t!).sub(t!.mul(x!));
    if (r !== 'batchmean') return reduceLoss(loss, r);
    const total = loss.sum();
    return x!.shape.length === 0 ? total : total.div(x!.shape[0]!);
  },
  samples: () => [
    {
      name: 'mean',
      inputs: [
        { shape: [3, 4], low: -3, high: 0 },
        { shape: [3, 4], low: 0.05, high: 1 },
      ],
    },
    {
      name: 'batchmean',
      inputs: [
        { shape: [3, 4], low: -3, high: 0 },
        { shape: [3, 4], low: 0.05, high: 1 },
      ],
      attrs: { reduction: 'batchmean' },
    },
    {
      name: 'sum logTarget',
      inputs: [
        { shape: [2, 5], low: -3, high: 0 },
        { shape: [2, 5], low: -3, high: 0 },
      ],
      attrs: { reduction: 'sum', logTarget: true },
    },
    {
      name: 'none transposed float64',
      inputs: [
        { shape: [3, 2], dtype: 'float64', low: -2, high: 0, layout: 'transposed' },
        { shape: [3, 2], dtype: 'float64', low: 0.05, high: 1 },
      ],
      attrs: { reduction: 'none' },
    },
    {
      name: 'zero targets',
      // PyTorch's target gradient at t = 0 is NaN (xlogy's); ours is the finite limit, so the
      // target is left out of the gradient comparison.
      inputs: [
        { shape: [4], values: [-1, -2, -0.5, -3] },
        { shape: [4], values: [0, 0.5, 0, 0.5], requiresGrad: false },
      ],
      attrs: { reduction: 'sum' },
      noGrad: true,
    },
  ],
  doc: 'Kullback-Leibler divergence: target * (log(target) - input), reduced.',
});

/**
 * Options of `klDiv`.
 * @example F.klDiv(logq, p, { reduction: 'batchmean' })
 */
export interface KlDivOptions {
  /** `'mean'` (default; over all elements, as PyTorch), `'batchmean'` (the true KL divergence per sample), `'sum'` or `'none'`. */
  reduction?: KlDivReduction;
  /** The target holds log-probabilities (default false). */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence, like `torch.nn.functional.kl_div`: `input` holds
 * log-probabilities, `target` probabilities (or log-probabilities with `logTarget`); pointwise
 * target·(log target − input), with 0·log 0 = 0. `'batchmean'` divides the sum by the batch size.
 * @example F.klDiv(F.logSoftmax(x, 1), p, { reduction: 'batchmean' })
 */
export function klDiv(input: Tensor, target: Tensor, opts: KlDivOptions = {}): Tensor {
  checkTensor(input, 'klDiv', 'input');
  checkTensor(target, 'klDiv', 'target');
  return callOp(klDivOp, [input, target], {
    reduction: opts.reduction ?? 'mean',
    logTarget: opts.logTarget ?? false,
  }) as Tensor;
}
