import type { DType, OpSample, Tensor, TensorMeta } from '@autodag/core';
import {
  callOp,
  cast,
  defineOp,
  isFloatingPoint,
  normalizeDim,
  registerKernel,
  Tensor as TensorClass,
} from '@autodag/core';
import type { SoftmaxKernelAttrs } from '../cpu/softmax.js';
import { logSoftmaxKernel, softmaxKernel } from '../cpu/softmax.js';

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
 * softmax(x)ᵢ = exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x) along `dim` (normalised). Its VJP,
 * y·(g − Σ g·y), is written with ops, so higher-order gradients work.
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
    input: ({ grad, outputs, attrs }) => {
      const y = outputs[0]!;
      return y.mul(grad.sub(grad.mul(y).sum(attrs.dim, true)));
    },
  },
  gradFnName: 'SoftmaxBackward0',
  samples: softmaxSamples,
  doc: 'Softmax along a dim: exp(x - max) / sum(exp(x - max)).',
});

/**
 * logSoftmax(x)ᵢ = xᵢ − max x − log Σⱼ exp(xⱼ − max x) along `dim` (normalised). Its VJP,
 * g − exp(y)·Σg, is written with ops, so higher-order gradients work.
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
    input: ({ grad, outputs, attrs }) => grad.sub(outputs[0]!.exp().mul(grad.sum(attrs.dim, true))),
  },
  gradFnName: 'LogSoftmaxBackward0',
  samples: softmaxSamples,
  doc: 'Log of softmax along a dim: x - max - log(sum(exp(x - max))).',
});

registerKernel(softmaxOp.def.name, 'cpu', softmaxKernel);
registerKernel(logSoftmaxOp.def.name, 'cpu', logSoftmaxKernel);

/**
 * Options of `softmax` and `logSoftmax` (PyTorch's keywords).
 * @example softmax(x, 1, { dtype: 'float64' })
 */
export interface SoftmaxOptions {
  /** Cast the input to this dtype before the op (e.g. to compute an int tensor's softmax). */
  dtype?: DType;
}

function prepare(name: string, input: Tensor, dim: number, opts: SoftmaxOptions): Tensor {
  if (!(input instanceof TensorClass)) {
    throw new TypeError(`${name}: argument 'input' must be a Tensor, got ${typeof input}`);
  }
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
