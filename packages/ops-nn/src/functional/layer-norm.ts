import type { RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import {
  callOp,
  checkOptionalTensor,
  checkTensor,
  defineOp,
  formatShape,
  freeTemporaries,
  ones,
  shapesEqual,
  zeros,
} from '@autodag/core';
import type { LayerNormAttrs } from '../kernel-contract.js';
import { requireFloat } from './layer-util.js';

/**
 * Layer normalisation (`torch.nn.functional.layer_norm`): a fused CPU forward; the VJPs
 * recompute the statistics with ops, so every order of gradient follows.
 */

/** Whether the layer-norm dims fit: the input ends with `normalizedShape`. */
function endsWith(x: Tensor, shape: readonly number[]): boolean {
  const nd = x.shape.length;
  if (shape.length > nd) return false;
  return shape.every((s, i) => x.shape[nd - shape.length + i] === s);
}

/** The trailing dims of `x` that `normalizedShape` covers. */
function normDims(x: { shape: readonly number[] }, normalizedShape: readonly number[]): number[] {
  const nd = x.shape.length;
  return normalizedShape.map((_, i) => nd - normalizedShape.length + i);
}

function leadingDims(nd: number, k: number): number[] {
  return Array.from({ length: nd - k }, (_, i) => i);
}

/** x̂ = (x - mean)·rstd over `dims`, and rstd (keepdim), written with ops. */
export function normalized(x: Tensor, dims: number[], eps: number): [Tensor, Tensor] {
  checkTensor(x, 'normalized', 'input');
  const d = x.sub(x.mean(dims, true));
  const rstd = d.mul(d).mean(dims, true).add(eps).rsqrt();
  return [d.mul(rstd), rstd];
}

/**
 * The input gradient of a normalisation over `dims` given gw = grad·weight:
 * rstd·(gw - mean(gw) - x̂·mean(gw·x̂)).
 * @example normInputGrad(grad.mul(w), xhat, rstd, [1])
 */
export function normInputGrad(gw: Tensor, xhat: Tensor, rstd: Tensor, dims: number[]): Tensor {
  checkTensor(gw, 'normInputGrad', 'gradWeighted');
  checkTensor(xhat, 'normInputGrad', 'xhat');
  checkTensor(rstd, 'normInputGrad', 'rstd');
  return rstd.mul(gw.sub(gw.mean(dims, true)).sub(xhat.mul(gw.mul(xhat).mean(dims, true))));
}

/** Sums over `dims`, returning `t` itself when there are none (a plain sum() would reduce all). */
function sumOver(t: Tensor, dims: number[]): Tensor {
  return dims.length ? t.sum(dims) : t;
}

/**
 * The registered `nn.layerNorm` op: (input, weight, bias) with weight and bias shaped
 * `normalizedShape`.
 * @example callOp(layerNormOp, [x, torch.ones(4), torch.zeros(4)], { normalizedShape: [4], eps: 1e-5 })
 */
export const layerNormOp: RegisteredOp<LayerNormAttrs> = defineOp<LayerNormAttrs>(
  {
    name: 'nn.layerNorm',
    inputs: ['input', 'weight', 'bias'],
    attrs: {
      normalizedShape: { type: 'int[]', doc: 'trailing dims to normalise over' },
      eps: { type: 'float', default: 1e-5, doc: 'added to the variance' },
    },
    infer: ([x, w, b], { normalizedShape }): TensorMeta => {
      requireFloat('layer_norm', x!);
      if (!normalizedShape.length || !endsWith(x!, normalizedShape)) {
        throw new RangeError(
          `layer_norm: Given normalized_shape=${formatShape(normalizedShape)}, expected input with shape [*, ${normalizedShape.join(', ')}], but got input of size${formatShape(x!.shape)}`,
        );
      }
      for (const [what, t] of [
        ['weight', w!],
        ['bias', b!],
      ] as const) {
        if (!shapesEqual(t.shape, normalizedShape) || t.dtype !== x!.dtype) {
          throw new RangeError(
            `layer_norm: expected ${what} of shape ${formatShape(normalizedShape)} and dtype ${x!.dtype}, got ${formatShape(t.shape)} ${t.dtype}`,
          );
        }
      }
      return { shape: x!.shape, dtype: x!.dtype };
    },
    decomposition: ([x, w, b], { normalizedShape, eps }) => {
      const dims = normalizedShape.map((_, i) => x!.shape.length - normalizedShape.length + i);
      return normalized(x!, dims, eps)[0].mul(w!).add(b!);
    },
    saveInputs: [0, 1],
    vjp: {
      input: ({ grad, inputs, attrs }) => {
        const [x, w] = inputs as [Tensor, Tensor];
        const dims = normDims(x, attrs.normalizedShape);
        const [xhat, rstd] = normalized(x, dims, attrs.eps);
        return normInputGrad(grad.mul(w), xhat, rstd, dims);
      },
      weight: ({ grad, inputs, attrs }) => {
        const x = inputs[0]!;
        const k = attrs.normalizedShape.length;
        const [xhat] = normalized(x, normDims(x, attrs.normalizedShape), attrs.eps);
        return sumOver(grad.mul(xhat), leadingDims(x.shape.length, k));
      },
      bias: ({ grad, attrs }) =>
        sumOver(grad, leadingDims(grad.shape.length, attrs.normalizedShape.length)),
    },
    gradFnName: 'NativeLayerNormBackward0',
    samples: () => [
      {
        name: 'last dim',
        inputs: [{ shape: [3, 5] }, { shape: [5], low: 0.5, high: 1.5 }, { shape: [5] }],
        attrs: { normalizedShape: [5] },
      },
      {
        name: 'two dims, 3-d',
        inputs: [{ shape: [2, 3, 4], low: -2, high: 3 }, { shape: [3, 4] }, { shape: [3, 4] }],
        attrs: { normalizedShape: [3, 4], eps: 1e-3 },
      },
      {
        name: 'float64 whole tensor',
        inputs: [
          { shape: [4, 3], dtype: 'float64' },
          { shape: [4, 3], dtype: 'float64' },
          { shape: [4, 3], dtype: 'float64' },
        ],
        attrs: { normalizedShape: [4, 3] },
      },
      {
        name: 'transposed',
        inputs: [{ shape: [4, 3], layout: 'transposed' }, { shape: [3] }, { shape: [3] }],
        attrs: { normalizedShape: [3] },
      },
      {
        name: 'strided transformer block',
        inputs: [
          { shape: [2, 3, 8], layout: 'strided' },
          { shape: [8], low: 0.5, high: 1.5 },
          { shape: [8] },
        ],
        attrs: { normalizedShape: [8] },
      },
    ],
    doc: 'Layer normalisation over the trailing normalizedShape dims.',
  },
  { override: true },
);

/**
 * Options of `layerNorm`.
 * @example F.layerNorm(x, [64], w, b, { eps: 1e-6 })
 */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Layer normalisation like `torch.nn.functional.layer_norm`: normalises over the trailing
 * `normalizedShape` dims (biased variance), then scales by `weight` and shifts by `bias`.
 * @example F.layerNorm(torch.randn(8, 16, 64), [64]).shape // [8, 16, 64]
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: LayerNormOptions = {},
): Tensor {
  checkTensor(input, 'layerNorm', 'input');
  checkOptionalTensor(weight, 'layerNorm', 'weight');
  checkOptionalTensor(bias, 'layerNorm', 'bias');
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const o = { dtype: input.dtype, device: input.device };
  // Default affine parameters are temporaries: freed once backward no longer needs them.
  return freeTemporaries(
    () =>
      callOp(layerNormOp, [input, weight ?? ones(shape, o), bias ?? zeros(shape, o)], {
        normalizedShape: shape,
        eps: opts.eps ?? 1e-5,
      }) as Tensor,
  );
}
