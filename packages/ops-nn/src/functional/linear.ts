import type { RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import {
  callOp,
  checkOptionalTensor,
  checkTensor,
  defineOp,
  formatShape,
  matmul,
  sumTo,
  t,
} from '@autodag/core';
import { requireFloat } from './layer-util.js';

/**
 * `linear(input, weight, bias)` = input·weightᵀ + bias over any leading dims. It is one recorded
 * node (`AddmmBackward0`, as PyTorch names it) whose forward decomposes into core's matmul, so it
 * runs on every backend with a matmul; its VJPs are matmuls and sums. A 1-D weight (in_features)
 * is PyTorch's other form: input·weight, which drops the last dim, recorded as core's matmul.
 */

function checkLinear(input: Tensor, weight: Tensor, bias: Tensor | null): void {
  requireFloat('linear', input);
  if (input.shape.length === 0) {
    throw new RangeError('linear: input must have at least 1 dimension, got a 0-d tensor');
  }
  if (weight.shape.length !== 2) {
    throw new RangeError(
      `linear: weight must be 1-D (in_features) or 2-D (out_features, in_features), got shape ${formatShape(weight.shape)}`,
    );
  }
  const inF = input.shape[input.shape.length - 1]!;
  if (weight.shape[1] !== inF) {
    const rows = input.numel() / Math.max(inF, 1);
    throw new RangeError(
      `linear: mat1 and mat2 shapes cannot be multiplied (${rows}x${inF} and ${weight.shape[1]}x${weight.shape[0]}) (input ${formatShape(input.shape)}, weight ${formatShape(weight.shape)})`,
    );
  }
  if (input.dtype !== weight.dtype || (bias && bias.dtype !== input.dtype)) {
    throw new TypeError(
      `linear: expected input, weight and bias to have the same dtype, got ${input.dtype}, ${weight.dtype}${bias ? ` and ${bias.dtype}` : ''}`,
    );
  }
  if (
    bias &&
    (bias.shape.length > 1 || (bias.shape.length === 1 && bias.shape[0] !== weight.shape[0]))
  ) {
    throw new RangeError(
      `linear: bias of shape ${formatShape(bias.shape)} does not match out_features ${weight.shape[0]}`,
    );
  }
}

/** input·weightᵀ with the leading dims folded into one, so 3-D inputs use one mm. */
function project(input: Tensor, weight: Tensor): Tensor {
  const lead = input.shape.slice(0, -1);
  if (lead.length <= 1) return matmul(input, t(weight));
  const x2 = input.reshape([-1, input.shape[input.shape.length - 1]!]);
  return matmul(x2, t(weight)).reshape([...lead, weight.shape[0]!]);
}

/**
 * The registered `nn.linear` op (with a bias): input·weightᵀ + bias.
 * @example callOp(linearOp, [x, w, b])
 */
export const linearOp: RegisteredOp<Record<string, never>> = defineOp(
  {
    name: 'nn.linear',
    inputs: ['input', 'weight', 'bias'],
    infer: ([x, w, b]): TensorMeta => {
      checkLinear(x!, w!, b!);
      return { shape: [...x!.shape.slice(0, -1), w!.shape[0]!], dtype: x!.dtype };
    },
    decomposition: ([x, w, b]) => project(x!, w!).add(b!),
    saveInputsFor: { input: [1], weight: [0], bias: [] },
    vjp: {
      input: ({ grad, inputs }) => matmul(grad, inputs[1]!),
      weight: ({ grad, inputs }) => {
        const x = inputs[0]!;
        const inF = x.shape[x.shape.length - 1]!;
        const g2 = grad.reshape([-1, grad.shape[grad.shape.length - 1] ?? 1]);
        return matmul(t(g2), x.reshape([-1, inF]));
      },
      bias: ({ grad, inputMetas }) => sumTo(grad, inputMetas[2]!.shape),
    },
    gradFnName: 'AddmmBackward0',
    samples: () => [
      { name: 'matrix', inputs: [{ shape: [3, 4] }, { shape: [5, 4] }, { shape: [5] }] },
      { name: 'vector input', inputs: [{ shape: [4] }, { shape: [2, 4] }, { shape: [2] }] },
      {
        name: 'batched 3-d',
        inputs: [{ shape: [2, 3, 4] }, { shape: [5, 4] }, { shape: [5] }],
      },
      {
        name: 'transposed weight',
        inputs: [{ shape: [3, 4] }, { shape: [5, 4], layout: 'transposed' }, { shape: [5] }],
      },
      {
        name: 'strided float64',
        inputs: [
          { shape: [2, 2, 3], dtype: 'float64', layout: 'strided' },
          { shape: [4, 3], dtype: 'float64' },
          { shape: [4], dtype: 'float64' },
        ],
      },
      { name: 'scalar bias', inputs: [{ shape: [3, 4] }, { shape: [2, 4] }, { shape: [] }] },
    ],
    doc: 'Affine map input @ weight.T + bias over the last dim.',
  },
  { override: true },
);

/**
 * input·weight for a 1-D weight (in_features): the last dim is contracted away, as PyTorch's
 * matmul does (DotBackward0, MvBackward0, ...), then a 0-d bias is added. PyTorch 1.13 takes a
 * bias here only for a 1-D input; any input works here, with the same result x·w + b.
 */
function linearVector(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  requireFloat('linear', input);
  if (input.shape.length === 0) {
    throw new RangeError('linear: input must have at least 1 dimension, got a 0-d tensor');
  }
  const inF = input.shape[input.shape.length - 1]!;
  if (weight.shape[0] !== inF) {
    throw new RangeError(
      `linear: size mismatch, got input ${formatShape(input.shape)} and weight ${formatShape(weight.shape)} (in_features ${inF})`,
    );
  }
  if (input.dtype !== weight.dtype || (bias && bias.dtype !== input.dtype)) {
    throw new TypeError(
      `linear: expected input, weight and bias to have the same dtype, got ${input.dtype}, ${weight.dtype}${bias ? ` and ${bias.dtype}` : ''}`,
    );
  }
  if (bias && bias.shape.length !== 0) {
    throw new RangeError(
      `linear: with a 1-D weight the bias must be 0-d, got shape ${formatShape(bias.shape)}`,
    );
  }
  const y = matmul(input, weight);
  return bias ? y.add(bias) : y;
}

/**
 * Applies y = x·Wᵀ + b like `torch.nn.functional.linear`: `input` is (*, in), `weight`
 * (out, in), `bias` (out) or omitted; the result is (*, out). A 1-D `weight` (in) gives
 * x·w of shape (*), with a 0-d `bias`.
 * @example F.linear(torch.randn(8, 3), torch.randn(2, 3), torch.zeros(2)).shape // [8, 2]
 * @example F.linear(torch.randn(8, 3), torch.randn(3)).shape // [8]
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor(input, 'linear', 'input');
  checkTensor(weight, 'linear', 'weight');
  checkOptionalTensor(bias, 'linear', 'bias');
  if (weight.shape.length === 1) return linearVector(input, weight, bias ?? null);
  if (bias) return callOp(linearOp, [input, weight, bias]) as Tensor;
  checkLinear(input, weight, null);
  return project(input, weight);
}
