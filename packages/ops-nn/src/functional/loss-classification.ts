import type { DType, OpSample, RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import {
  callOp,
  checkTensor,
  defineOp,
  formatShape,
  freeTemporaries,
  isFloatingPoint,
  ones,
  shapesEqual,
  where,
} from '@autodag/core';
import type { NllBackwardKernelAttrs, NllKernelAttrs } from '../kernel-contract.js';
import type { Reduction, ReductionOptions } from './loss-common.js';
import { checkFloat, checkReduction, REDUCTION_ATTR } from './loss-common.js';
import { logSoftmax } from './softmax.js';

/**
 * Checks the arguments of NLL: input (N, C, d1, ...) or (C), int32 target (N, d1, ...) or 0-d,
 * weight of shape (C) and the input's dtype. Returns the output meta for `reduction`.
 */
function nllInfer(
  name: string,
  xs: readonly number[],
  dtype: DType,
  target: Tensor,
  weight: Tensor,
  reduction: string,
): TensorMeta {
  checkReduction(name, reduction);
  if (!isFloatingPoint(dtype)) {
    throw new TypeError(`${name}: expected input to be a floating point tensor, got ${dtype}`);
  }
  if (target.dtype !== 'int32') {
    throw new TypeError(
      `${name}: expected target of dtype int32 (class indices), got ${target.dtype}`,
    );
  }
  if (xs.length === 0) {
    throw new RangeError(
      `${name}: input of shape [] has no class dimension (expected (C) or (N, C, ...))`,
    );
  }
  const expected = xs.length === 1 ? [] : [xs[0]!, ...xs.slice(2)];
  const ts = target.shape;
  if (ts.length !== expected.length || ts.some((s, i) => s !== expected[i])) {
    const batch =
      xs.length >= 2 && ts.length >= 1 && ts[0] !== xs[0]
        ? `expected input batch_size (${xs[0]}) to match target batch_size (${ts[0]}): `
        : '';
    throw new RangeError(
      `${name}: ${batch}expected target of shape ${formatShape(expected)} for input of shape ${formatShape(xs)}, got target of shape ${formatShape(ts)}`,
    );
  }
  const classes = xs.length === 1 ? xs[0]! : xs[1]!;
  if (weight.shape.length !== 1 || weight.shape[0] !== classes) {
    throw new RangeError(
      `${name}: weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${formatShape(weight.shape)}`,
    );
  }
  if (weight.dtype !== dtype) {
    throw new TypeError(
      `${name}: expected weight to have the input's dtype ${dtype}, got ${weight.dtype}`,
    );
  }
  return { shape: reduction === 'none' ? ts : [], dtype };
}

const nllAttrSpecs = {
  reduction: REDUCTION_ATTR,
  ignoreIndex: { type: 'int', default: -100, doc: 'target value that is ignored' },
  caller: { type: 'string', optional: true, doc: 'function named in errors' },
} as const;

function nllSamples(): OpSample[] {
  const w5 = { shape: [5], low: 0.2, high: 2, requiresGrad: false } as const;
  const ones5 = { shape: [5], values: [1, 1, 1, 1, 1], requiresGrad: false } as const;
  const t4 = { shape: [4], dtype: 'int32', values: [0, 4, 2, 4] } as const;
  return [
    { name: 'mean', inputs: [{ shape: [4, 5] }, t4, ones5] },
    { name: 'weighted mean', inputs: [{ shape: [4, 5] }, t4, w5] },
    { name: 'sum', inputs: [{ shape: [4, 5] }, t4, w5], attrs: { reduction: 'sum' } },
    { name: 'none', inputs: [{ shape: [4, 5] }, t4, w5], attrs: { reduction: 'none' } },
    {
      name: 'ignoreIndex',
      inputs: [{ shape: [4, 5] }, { shape: [4], dtype: 'int32', values: [1, -100, 3, 1] }, w5],
    },
    {
      name: 'ignoreIndex in range, none',
      inputs: [{ shape: [4, 5] }, { shape: [4], dtype: 'int32', values: [1, 2, 3, 2] }, w5],
      attrs: { ignoreIndex: 2, reduction: 'none' },
    },
    {
      name: 'spatial (N, C, d1, d2)',
      inputs: [{ shape: [2, 5, 3, 2] }, { shape: [2, 3, 2], dtype: 'int32', low: 0, high: 5 }, w5],
    },
    {
      name: 'spatial none',
      inputs: [{ shape: [2, 5, 3] }, { shape: [2, 3], dtype: 'int32', low: 0, high: 5 }, ones5],
      attrs: { reduction: 'none' },
    },
    { name: 'unbatched', inputs: [{ shape: [5] }, { shape: [], dtype: 'int32', values: [3] }, w5] },
    {
      name: 'transposed float64',
      inputs: [
        { shape: [4, 5], dtype: 'float64', layout: 'transposed' },
        t4,
        { shape: [5], dtype: 'float64', low: 0.2, high: 2, requiresGrad: false },
      ],
    },
  ];
}

/**
 * Negative log-likelihood of class-index targets (`torch.nn.functional.nll_loss` with an explicit
 * weight): −weight[t]·input[n, t, ...] per target. Its input gradient is `nllLossBackwardOp`.
 * @example callOp(nllLossOp, [logp, target, torch.ones(C)], { reduction: 'mean' })
 */
export const nllLossOp: RegisteredOp<NllKernelAttrs> = defineOp<NllKernelAttrs>({
  name: 'nn.nllLoss',
  inputs: ['input', 'target', 'weight'],
  attrs: nllAttrSpecs,
  infer: ([x, t, w], a) => nllInfer(a.caller ?? 'nllLoss', x!.shape, x!.dtype, t!, w!, a.reduction),
  saveInputs: [1, 2],
  vjp: {
    input: ({ grad, inputs, inputMetas, attrs }) =>
      callOp(nllLossBackwardOp, [grad, inputs[1]!, inputs[2]!], {
        ...attrs,
        inputShape: [...inputMetas[0]!.shape],
      }) as Tensor,
  },
  gradFnName: 'NllLossBackward0',
  samples: nllSamples,
  doc: 'Negative log-likelihood of class-index targets, weighted per class.',
});

/**
 * The input gradient of `nllLossOp`: zero except −weight[t]·grad at each target's class (over
 * the total weight for `'mean'`). It is linear in `grad`, and its own VJP is `nllLossOp` again,
 * so gradients of any order exist.
 * @example callOp(nllLossBackwardOp, [g, target, w], { reduction: 'mean', inputShape: [4, 5] })
 */
export const nllLossBackwardOp: RegisteredOp<NllBackwardKernelAttrs> =
  defineOp<NllBackwardKernelAttrs>({
    name: 'nn.nllLossBackward',
    inputs: ['grad', 'target', 'weight'],
    attrs: {
      ...nllAttrSpecs,
      inputShape: { type: 'int[]', doc: "shape of the forward's input" },
    },
    infer: ([g, t, w], a) => {
      const name = `${a.caller ?? 'nllLoss'}_backward`;
      const meta = nllInfer(name, a.inputShape, g!.dtype, t!, w!, a.reduction);
      if (!shapesEqual(meta.shape, g!.shape)) {
        throw new RangeError(
          `${name}: expected grad of shape ${formatShape(meta.shape)}, got ${formatShape(g!.shape)}`,
        );
      }
      return { shape: a.inputShape, dtype: g!.dtype };
    },
    saveInputs: [1, 2],
    vjp: {
      grad: ({ grad, inputs, attrs }) => {
        const { inputShape: _, ...nll } = attrs;
        return callOp(nllLossOp, [grad, inputs[1]!, inputs[2]!], nll) as Tensor;
      },
    },
    gradFnName: 'NllLossBackwardBackward0',
    samples: () =>
      nllSamples().map((s) => {
        const x = s.inputs[0]!;
        const reduction = (s.attrs?.reduction as string | undefined) ?? 'mean';
        const gShape = reduction === 'none' ? s.inputs[1]!.shape : [];
        return {
          ...s,
          inputs: [{ shape: gShape, dtype: x.dtype }, s.inputs[1]!, s.inputs[2]!],
          attrs: { ...s.attrs, inputShape: [...x.shape] },
        };
      }),
    doc: 'Input gradient of nllLoss (a scatter of -weight * grad at the targets).',
  });

/**
 * Options of `nllLoss`.
 * @example F.nllLoss(logp, target, { weight, ignoreIndex: 0, reduction: 'sum' })
 */
export interface NllLossOptions extends ReductionOptions {
  /** A weight per class (shape (C)); the weighted mean divides by the sum of the used weights. */
  weight?: Tensor;
  /** Targets equal to this contribute neither loss nor weight (default -100). */
  ignoreIndex?: number;
}

function classWeight(name: string, input: Tensor, weight: Tensor | undefined): Tensor {
  if (weight !== undefined && weight !== null) {
    checkTensor(weight, name, 'weight');
    return weight;
  }
  const classes = input.shape.length === 1 ? input.shape[0]! : (input.shape[1] ?? 1);
  return ones([classes], { dtype: input.dtype, device: input.device });
}

/**
 * Negative log-likelihood loss of log-probabilities `input` (N, C), (N, C, d1, ...) or (C) and
 * int32 class-index `target` (N), (N, d1, ...) or 0-d, like `torch.nn.functional.nll_loss`.
 * Targets outside [0, C) other than `ignoreIndex` throw.
 * @example F.nllLoss(F.logSoftmax(logits, 1), torch.tensor([1, 0], { dtype: 'int32' }))
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  return nllCall('nllLoss', input, target, opts);
}

function nllCall(name: string, input: Tensor, target: Tensor, opts: NllLossOptions): Tensor {
  checkTensor(input, name, 'input');
  checkTensor(target, name, 'target');
  // A default class weight is a temporary: freed once backward no longer needs it.
  return freeTemporaries(
    () =>
      callOp(nllLossOp, [input, target, classWeight(name, input, opts.weight)], {
        reduction: checkReduction(name, opts.reduction ?? 'mean'),
        ignoreIndex: opts.ignoreIndex ?? -100,
        caller: name,
      }) as Tensor,
  );
}

/** Attributes of `nn.crossEntropy`. */
export interface CrossEntropyAttrs {
  /** `'mean'`, `'sum'` or `'none'`. */
  reduction: Reduction;
  /** Class-index targets equal to this are ignored. */
  ignoreIndex: number;
  /** ε in [0, 1]: the target mixes (1 − ε)·target with the uniform distribution ε/C. */
  labelSmoothing: number;
}

/** Σ_c weight[c]·x[..., c, ...] over the class dim: a matrix-vector product for (N, C) and (C). */
function weightedClassSum(x: Tensor, weight: Tensor, classDim: number): Tensor {
  if (x.shape.length === 1) return x.dot(weight);
  if (x.shape.length === 2) return x.mv(weight);
  const wShape = x.shape.map((s, d) => (d === classDim ? s : 1));
  return x.mul(weight.reshape(wShape)).sum(classDim);
}

/** Cross entropy of class-index targets: NLL of logSoftmax, plus PyTorch's label smoothing. */
function crossEntropyIndices(
  logp: Tensor,
  target: Tensor,
  weight: Tensor,
  a: CrossEntropyAttrs,
  classDim: number,
): Tensor {
  const nll = nllCall('crossEntropy', logp, target, { ...a, weight });
  const eps = a.labelSmoothing;
  if (eps === 0) return nll;
  const classes = logp.shape[classDim]!;
  const ignored = target.eq(a.ignoreIndex);
  const smooth = where(ignored, 0, weightedClassSum(logp, weight, classDim).neg());
  let reduced: Tensor;
  if (a.reduction === 'none') reduced = smooth;
  else if (a.reduction === 'sum') reduced = smooth.sum();
  else {
    // Divide by the total weight of the non-ignored targets, as the NLL part does.
    const safe = where(ignored, 0, target);
    const used = where(ignored, 0, weight.indexSelect(0, safe.reshape([-1])).reshape(target.shape));
    reduced = smooth.sum().div(used.sum());
  }
  return nll.mul(1 - eps).add(reduced.mul(eps / classes));
}

/** Cross entropy of class-probability targets (same shape as the input). */
function crossEntropyProbs(
  logp: Tensor,
  target: Tensor,
  weight: Tensor,
  a: CrossEntropyAttrs,
  classDim: number,
): Tensor {
  const classes = logp.shape[classDim]!;
  let t = target;
  if (a.labelSmoothing > 0) t = t.mul(1 - a.labelSmoothing).add(a.labelSmoothing / classes);
  const loss = weightedClassSum(logp.mul(t), weight, classDim).neg();
  if (a.reduction === 'none') return loss;
  if (a.reduction === 'sum') return loss.sum();
  return loss.sum().div(logp.numel() / classes);
}

/**
 * Cross entropy of logits (composite: logSoftmax then NLL, so its gradFn is
 * NllLossBackward0 over LogSoftmaxBackward0, as in PyTorch).
 * @example callOp(crossEntropyOp, [logits, target, torch.ones(C)], { reduction: 'mean' })
 */
export const crossEntropyOp = defineOp<CrossEntropyAttrs>({
  name: 'nn.crossEntropy',
  inputs: ['input', 'target', 'weight'],
  attrs: {
    reduction: REDUCTION_ATTR,
    ignoreIndex: { type: 'int', default: -100, doc: 'class-index target value that is ignored' },
    labelSmoothing: { type: 'float', default: 0, doc: 'amount of label smoothing in [0, 1]' },
  },
  composite: ([input, target, weight], a) => {
    const name = 'crossEntropy';
    checkReduction(name, a.reduction);
    checkFloat(name, 'input', input!);
    if (!(a.labelSmoothing >= 0 && a.labelSmoothing <= 1)) {
      throw new RangeError(
        `${name}: labelSmoothing must be between 0.0 and 1.0. Got: ${a.labelSmoothing}`,
      );
    }
    if (input!.shape.length === 0) {
      throw new RangeError(
        `${name}: input of shape [] has no class dimension (expected (C) or (N, C, ...))`,
      );
    }
    const classDim = input!.shape.length === 1 ? 0 : 1;
    if (target!.dtype === 'int32') {
      return crossEntropyIndices(logSoftmax(input!, classDim), target!, weight!, a, classDim);
    }
    if (target!.dtype !== input!.dtype || !shapesEqual(target!.shape, input!.shape)) {
      throw new RangeError(
        `${name}: expected int32 class indices or class probabilities of the input's shape and dtype (input ${formatShape(input!.shape)} ${input!.dtype}, target ${formatShape(target!.shape)} ${target!.dtype})`,
      );
    }
    const classes = input!.shape[classDim]!;
    if (weight!.shape.length !== 1 || weight!.shape[0] !== classes) {
      throw new RangeError(
        `${name}: weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: ${formatShape(weight!.shape)}`,
      );
    }
    return crossEntropyProbs(logSoftmax(input!, classDim), target!, weight!, a, classDim);
  },
  samples: () => {
    const w = { shape: [5], low: 0.2, high: 2, requiresGrad: false } as const;
    const ones5 = { shape: [5], values: [1, 1, 1, 1, 1], requiresGrad: false } as const;
    const t = { shape: [4], dtype: 'int32', values: [0, 4, 2, -100] } as const;
    const probs = { shape: [4, 5], low: 0, high: 1, requiresGrad: false } as const;
    return [
      { name: 'indices', inputs: [{ shape: [4, 5], low: -3, high: 3 }, t, ones5] },
      {
        name: 'indices weighted sum',
        inputs: [{ shape: [4, 5] }, t, w],
        attrs: { reduction: 'sum' },
      },
      {
        name: 'indices smoothing weighted',
        inputs: [{ shape: [4, 5] }, t, w],
        attrs: { labelSmoothing: 0.2 },
      },
      {
        name: 'indices smoothing none',
        inputs: [{ shape: [4, 5] }, t, ones5],
        attrs: { labelSmoothing: 0.1, reduction: 'none' },
      },
      {
        name: 'spatial',
        inputs: [{ shape: [2, 5, 3] }, { shape: [2, 3], dtype: 'int32', low: 0, high: 5 }, w],
      },
      {
        name: 'unbatched',
        inputs: [{ shape: [5] }, { shape: [], dtype: 'int32', values: [2] }, ones5],
      },
      {
        name: 'probabilities',
        inputs: [{ shape: [4, 5] }, { shape: [4, 5], low: 0, high: 1 }, ones5],
      },
      {
        name: 'probabilities weighted smoothing sum',
        inputs: [{ shape: [4, 5] }, probs, w],
        attrs: { labelSmoothing: 0.3, reduction: 'sum' },
      },
      {
        name: 'probabilities spatial none float64',
        inputs: [
          { shape: [2, 5, 2], dtype: 'float64' },
          { shape: [2, 5, 2], dtype: 'float64', low: 0, high: 1, requiresGrad: false },
          { shape: [5], dtype: 'float64', values: [1, 1, 1, 1, 1], requiresGrad: false },
        ],
        attrs: { reduction: 'none' },
      },
    ];
  },
  doc: 'Cross entropy of logits against class indices or class probabilities.',
});

/**
 * Options of `crossEntropy`.
 * @example F.crossEntropy(logits, target, { labelSmoothing: 0.1, reduction: 'sum' })
 */
export interface CrossEntropyOptions extends NllLossOptions {
  /** ε in [0, 1]: targets become (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy between logits `input` ((N, C), (N, C, d1, ...) or unbatched (C)) and either
 * int32 class indices ((N), (N, d1, ...) or 0-d) or class probabilities (a float tensor of the
 * input's shape), like `torch.nn.functional.cross_entropy`: logSoftmax over the class dim, then
 * the negative log-likelihood.
 * @example
 * const logits = torch.randn(3, 5, { requiresGrad: true });
 * const loss = F.crossEntropy(logits, torch.tensor([1, 0, 4], { dtype: 'int32' }));
 * loss.backward(); // loss.gradFn.name === 'NllLossBackward0'
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  opts: CrossEntropyOptions = {},
): Tensor {
  checkTensor(input, 'crossEntropy', 'input');
  checkTensor(target, 'crossEntropy', 'target');
  return freeTemporaries(
    () =>
      callOp(crossEntropyOp, [input, target, classWeight('crossEntropy', input, opts.weight)], {
        reduction: checkReduction('crossEntropy', opts.reduction ?? 'mean'),
        ignoreIndex: opts.ignoreIndex ?? -100,
        labelSmoothing: opts.labelSmoothing ?? 0,
      }) as Tensor,
  );
}
