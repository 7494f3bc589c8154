import type { DType, OpSample, RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import {
  amax,
  callOp,
  cast,
  checkTensor,
  defineOp,
  formatShape,
  isFloatingPoint,
  normalizeDim,
  shapesEqual,
  Tensor as TensorClass,
} from '@autodag/core';
import type { SoftmaxKernelAttrs } from '../kernel-contract.js';

/**
 * Attributes of `nn.softmax` and `nn.logSoftmax`.
 * @example callOp('nn.softmax', [x], { dim: 1 } satisfies SoftmaxAttrs)
 */
export interface SoftmaxAttrs extends SoftmaxKernelAttrs {}

const softmaxAttrSpecs = {
  dim: { type: 'int', doc: 'dim to normalise over (normalised to [0, ndim))' },
} as const;

function softmaxInfer(name: string) {
  return ([x]: readonly Tensor[], { dim }: SoftmaxAttrs): TensorMeta => {
    if (!isFloatingPoint(x!.dtype)) {
      throw new TypeError(
        `${name}: expected a floating point tensor, got ${x!.dtype} (pass { dtype: 'float32' } or cast with .float())`,
      );
    }
    normalizeDim(dim, x!.shape.length, name);
    return { shape: x!.shape, dtype: x!.dtype };
  };
}

function softmaxSamples(): OpSample[] {
  return [
    { name: 'rows', inputs: [{ shape: [4, 5], low: -3, high: 3 }], attrs: { dim: 1 } },
    { name: 'columns', inputs: [{ shape: [4, 5], low: -3, high: 3 }], attrs: { dim: 0 } },
    { name: 'middle dim', inputs: [{ shape: [2, 3, 4], low: -2, high: 2 }], attrs: { dim: 1 } },
    {
      name: 'transposed',
      inputs: [{ shape: [3, 4], low: -2, high: 2, layout: 'transposed' }],
      attrs: { dim: 1 },
    },
    {
      name: 'strided middle dim',
      inputs: [{ shape: [2, 3, 4], layout: 'strided' }],
      attrs: { dim: 1 },
    },
    {
      name: 'large values',
      inputs: [{ shape: [2, 3], values: [1000, 1001, 999, -1000, -1002, -1001] }],
      attrs: { dim: 1 },
    },
    {
      name: 'float64',
      inputs: [{ shape: [3, 6], dtype: 'float64', low: -4, high: 4 }],
      attrs: { dim: 1 },
    },
    { name: 'vector', inputs: [{ shape: [7] }], attrs: { dim: 0 } },
    { name: '0-d', inputs: [{ shape: [], values: [0.7] }], attrs: { dim: 0 } },
  ];
}

/**
 * Runs a row-wise computation along `dim` (normalised), viewing a 0-d tensor as one element so the
 * reductions have a dim to work on; `flat` gives another operand the same view.
 */
function along(
  x: Tensor,
  dim: number,
  fn: (v: Tensor, dim: number, flat: (t: Tensor) => Tensor) => Tensor,
): Tensor {
  if (x.shape.length > 0) return fn(x, normalizeDim(dim, x.shape.length, 'softmax'), (t) => t);
  return fn(x.reshape([1]), 0, (t) => t.reshape([1])).reshape([]);
}

/**
 * softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x) along `dim` (normalised). Its VJP,
 * y·(g − Σ g·y), is the fused `softmaxBackwardOp`, whose own VJPs are written with ops, so
 * higher-order gradients work.
 * @example callOp(softmaxOp, [torch.tensor([1, 2, 3])], { dim: 0 }) // tensor([0.0900, 0.2447, 0.6652])
 */
export const softmaxOp = defineOp<SoftmaxAttrs>({
  name: 'nn.softmax',
  inputs: ['input'],
  attrs: softmaxAttrSpecs,
  infer: softmaxInfer('softmax'),
  saveInputs: [],
  saveOutputs: true,
  vjp: {
    input: ({ grad, outputs, attrs }) =>
      callOp(softmaxBackwardOp, [grad, outputs[0]!], { dim: attrs.dim }) as Tensor,
  },
  gradFnName: 'SoftmaxBackward0',
  samples: softmaxSamples,
  doc: 'Softmax along a dim: exp(x - max) / sum(exp(x - max)).',
  decomposition: ([x], { dim }) =>
    along(x!, dim, (v, d) => {
      const e = v.sub(amax(v, d, true)).exp();
      return e.div(e.sum(d, true));
    }),
});

/**
 * logSoftmax(x)ᵢ = xᵢ − max x − log Σⱼ exp(xⱼ − max x) along `dim` (normalised). Its VJP,
 * g − exp(y)·Σg, is the fused `logSoftmaxBackwardOp`, whose own VJPs are written with ops.
 * @example callOp(logSoftmaxOp, [torch.tensor([1, 2, 3])], { dim: 0 }) // tensor([-2.4076, -1.4076, -0.4076])
 */
export const logSoftmaxOp = defineOp<SoftmaxAttrs>({
  name: 'nn.logSoftmax',
  inputs: ['input'],
  attrs: softmaxAttrSpecs,
  infer: softmaxInfer('logSoftmax'),
  saveInputs: [],
  saveOutputs: true,
  vjp: {
    input: ({ grad, outputs, attrs }) =>
      callOp(logSoftmaxBackwardOp, [grad, outputs[0]!], { dim: attrs.dim }) as Tensor,
  },
  gradFnName: 'LogSoftmaxBackward0',
  samples: softmaxSamples,
  doc: 'Log of softmax along a dim: x - max - log(sum(exp(x - max))).',
  decomposition: ([x], { dim }) =>
    along(x!, dim, (v, d) => {
      const shifted = v.sub(amax(v, d, true));
      return shifted.sub(shifted.exp().sum(d, true).log());
    }),
});

function backwardInfer(name: string) {
  return ([g, y]: readonly Tensor[], attrs: SoftmaxAttrs): TensorMeta => {
    const meta = softmaxInfer(name)([y!], attrs);
    if (g!.dtype !== y!.dtype || !shapesEqual(g!.shape, y!.shape)) {
      throw new RangeError(
        `${name}: expected grad and output of the same shape and dtype, got ${formatShape(g!.shape)} ${g!.dtype} and ${formatShape(y!.shape)} ${y!.dtype}`,
      );
    }
    return meta;
  };
}

/** Samples of the backward ops: (grad, output) pairs shaped like the forward samples. */
function backwardSamples(): OpSample[] {
  return softmaxSamples()
    .filter((s) => s.name !== 'large values')
    .map((s) => {
      const y = s.inputs[0]!;
      return { ...s, inputs: [{ shape: y.shape, dtype: y.dtype, low: -1, high: 1 }, y] };
    });
}

/**
 * The input gradient of softmax, y·(g − Σ g·y) along `dim`, from the output gradient g and the
 * output y, as one fused op. Linear in g with a symmetric Jacobian, so its VJP for g is itself;
 * its VJP for y is v·(g − Σ g·y) − g·Σ v·y.
 * @example callOp(softmaxBackwardOp, [g, y], { dim: 1 })
 */
export const softmaxBackwardOp: RegisteredOp<SoftmaxAttrs> = defineOp<SoftmaxAttrs>({
  name: 'nn.softmaxBackward',
  inputs: ['grad', 'output'],
  attrs: softmaxAttrSpecs,
  infer: backwardInfer('softmax_backward'),
  saveInputsFor: { grad: [1], output: [0, 1] },
  vjp: {
    grad: ({ grad, inputs, attrs }) =>
      callOp(softmaxBackwardOp, [grad, inputs[1]!], { dim: attrs.dim }) as Tensor,
    output: ({ grad: v, inputs: [g, y], attrs: { dim } }) =>
      v.mul(g!.sub(g!.mul(y!).sum(dim, true))).sub(g!.mul(v.mul(y!).sum(dim, true))),
  },
  gradFnName: 'SoftmaxBackwardDataBackward0',
  samples: backwardSamples,
  decomposition: ([g, y], { dim }) =>
    along(y!, dim, (v, d, flat) => {
      const gv = flat(g!);
      return v.mul(gv.sub(gv.mul(v).sum(d, true)));
    }),
  doc: 'Input gradient of softmax from the output gradient and the output.',
});

/**
 * The input gradient of log-softmax, g − exp(y)·Σ g along `dim`, from the output gradient g and
 * the output y, as one fused op. VJPs (written with ops): h − Σ h·exp(y) for g, and
 * −v·exp(y)·Σ g for y.
 * @example callOp(logSoftmaxBackwardOp, [g, y], { dim: 1 })
 */
export const logSoftmaxBackwardOp: RegisteredOp<SoftmaxAttrs> = defineOp<SoftmaxAttrs>({
  name: 'nn.logSoftmaxBackward',
  inputs: ['grad', 'output'],
  attrs: softmaxAttrSpecs,
  infer: backwardInfer('log_softmax_backward'),
  saveInputsFor: { grad: [1], output: [0, 1] },
  vjp: {
    grad: ({ grad: h, inputs: [, y], attrs: { dim } }) => h.sub(h.mul(y!.exp()).sum(dim, true)),
    output: ({ grad: v, inputs: [g, y], attrs: { dim } }) =>
      v.mul(y!.exp()).mul(g!.sum(dim, true)).neg(),
  },
  gradFnName: 'LogSoftmaxBackwardDataBackward0',
  samples: backwardSamples,
  decomposition: ([g, y], { dim }) =>
    along(y!, dim, (v, d, flat) => {
      const gv = flat(g!);
      return gv.sub(v.exp().mul(gv.sum(d, true)));
    }),
  doc: 'Input gradient of log-softmax from the output gradient and the output.',
});

/**
 * Options of `softmax` and `logSoftmax` (PyTorch's keywords).
 * @example softmax(x, 1, { dtype: 'float64' })
 */
export interface SoftmaxOptions {
  /** Cast the input to this dtype before the op (e.g. to compute an int tensor's softmax). */
  dtype?: DType;
}

function prepare(name: string, input: Tensor, dim: number, opts: SoftmaxOptions): Tensor {
  checkTensor(input, name, 'input');
  if (typeof dim !== 'number') {
    throw new TypeError(
      `${name}: argument 'dim' must be an integer, got ${JSON.stringify(dim)} (implicit dims are not supported)`,
    );
  }
  return opts.dtype ? cast(input, opts.dtype) : input;
}

/**
 * Softmax along `dim` (negative dims count from the end), like `torch.nn.functional.softmax`:
 * each slice along `dim` becomes positive and sums to 1. Floating inputs only, unless `dtype`
 * casts first. Numerically stable (the max is subtracted before exp).
 * @example softmax(torch.tensor([[1, 2, 3], [0, 0, 0]]), -1) // tensor([[0.0900, 0.2447, 0.6652], [0.3333, 0.3333, 0.3333]])
 */
export function softmax(input: Tensor, dim: number, opts: SoftmaxOptions = {}): Tensor {
  const x = prepare('softmax', input, dim, opts);
  return callOp(softmaxOp, [x], { dim: normalizeDim(dim, x.shape.length, 'softmax') }) as Tensor;
}

/**
 * Log of softmax along `dim`, like `torch.nn.functional.log_softmax`, computed directly
 * (x − max − log Σ exp(x − max)), so it stays finite where softmax underflows to 0.
 * @example logSoftmax(torch.tensor([1, 2, 3]), 0) // tensor([-2.4076, -1.4076, -0.4076])
 */
export function logSoftmax(input: Tensor, dim: number, opts: SoftmaxOptions = {}): Tensor {
  const x = prepare('logSoftmax', input, dim, opts);
  return callOp(logSoftmaxOp, [x], {
    dim: normalizeDim(dim, x.shape.length, 'logSoftmax'),
  }) as Tensor;
}

declare module '@autodag/core' {
  interface Tensor {
    /** Softmax along `dim`, as `F.softmax(x, dim)`. @example x.softmax(-1) */
    softmax(dim: number, opts?: SoftmaxOptions): Tensor;
    /** Log-softmax along `dim`, as `F.logSoftmax(x, dim)`. @example x.logSoftmax(1) */
    logSoftmax(dim: number, opts?: SoftmaxOptions): Tensor;
  }
}

TensorClass.prototype.softmax = function (this: Tensor, dim: number, opts?: SoftmaxOptions) {
  return softmax(this, dim, opts);
};
TensorClass.prototype.logSoftmax = function (this: Tensor, dim: number, opts?: SoftmaxOptions) {
  return logSoftmax(this, dim, opts);
};
