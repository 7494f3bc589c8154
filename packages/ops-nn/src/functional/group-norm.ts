import type { RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import {
  callOp,
  checkOptionalTensor,
  checkTensor,
  defineOp,
  formatShape,
  freeTemporaries,
  ones,
  zeros,
} from '@autodag/core';
import type { GroupNormAttrs } from '../kernel-contract.js';
import { normalized, normInputGrad } from './layer-norm.js';
import { perChannel, requireFloat, statDims } from './layer-util.js';

/**
 * Group normalisation (`torch.nn.functional.group_norm`): a fused CPU forward; the VJPs
 * recompute the statistics with ops on the (N, G, C/G·*) view, so every order of gradient follows.
 */

/** x̂ of (N, C, *) with statistics per (sample, group), shaped like x, and rstd on the grouped view. */
function groupNormalized(x: Tensor, groups: number, eps: number): [Tensor, Tensor] {
  const xg = x.reshape([x.shape[0]!, groups, -1]);
  const [xhat, rstd] = normalized(xg, [2], eps);
  return [xhat, rstd];
}

/**
 * The registered `nn.groupNorm` op: (input, weight, bias) with per-channel weight and bias.
 * @example callOp(groupNormOp, [x, torch.ones(4), torch.zeros(4)], { numGroups: 2, eps: 1e-5 })
 */
export const groupNormOp: RegisteredOp<GroupNormAttrs> = defineOp<GroupNormAttrs>(
  {
    name: 'nn.groupNorm',
    inputs: ['input', 'weight', 'bias'],
    attrs: {
      numGroups: { type: 'int', doc: 'number of channel groups' },
      eps: { type: 'float', default: 1e-5, doc: 'added to the variance' },
    },
    infer: ([x, w, b], { numGroups }): TensorMeta => {
      requireFloat('group_norm', x!);
      if (x!.shape.length < 2) {
        throw new RangeError(
          `group_norm: expected an input of at least 2 dims (N, C, ...), got shape ${formatShape(x!.shape)}`,
        );
      }
      const c = x!.shape[1]!;
      if (numGroups <= 0 || c % numGroups !== 0) {
        throw new RangeError(
          `group_norm: Expected number of channels in input to be divisible by num_groups, but got input of shape ${formatShape(x!.shape)} and num_groups=${numGroups}`,
        );
      }
      for (const [what, t] of [
        ['weight', w!],
        ['bias', b!],
      ] as const) {
        if (t.shape.length !== 1 || t.shape[0] !== c || t.dtype !== x!.dtype) {
          throw new RangeError(
            `group_norm: expected ${what} of shape [${c}] and dtype ${x!.dtype}, got ${formatShape(t.shape)} ${t.dtype}`,
          );
        }
      }
      return { shape: x!.shape, dtype: x!.dtype };
    },
    // Each (sample, group) normalised as one row, then the per-channel affine.
    decomposition: ([x, w, b], { numGroups, eps }) => {
      const rows = x!.reshape([x!.shape[0]!, numGroups, -1]);
      const xhat = normalized(rows, [2], eps)[0].reshape(x!.shape);
      const nd = x!.shape.length;
      return xhat.mul(perChannel(w!, nd)).add(perChannel(b!, nd));
    },
    saveInputs: [0, 1],
    vjp: {
      input: ({ grad, inputs, attrs }) => {
        const [x, w] = inputs as [Tensor, Tensor];
        const nd = x.shape.length;
        const [xhat, rstd] = groupNormalized(x, attrs.numGroups, attrs.eps);
        const gw = grad.mul(perChannel(w, nd));
        const gg = gw.reshape([x.shape[0]!, attrs.numGroups, -1]);
        return normInputGrad(gg, xhat, rstd, [2]).reshape(x.shape);
      },
      weight: ({ grad, inputs, attrs }) => {
        const x = inputs[0]!;
        const [xhat] = groupNormalized(x, attrs.numGroups, attrs.eps);
        return grad.mul(xhat.reshape(x.shape)).sum(statDims(x.shape.length));
      },
      bias: ({ grad }) => grad.sum(statDims(grad.shape.length)),
    },
    gradFnName: 'NativeGroupNormBackward0',
    samples: () => [
      {
        name: '(N, C, L)',
        inputs: [{ shape: [2, 4, 3] }, { shape: [4], low: 0.5, high: 1.5 }, { shape: [4] }],
        attrs: { numGroups: 2 },
      },
      {
        name: '(N, C, H, W) float64',
        inputs: [
          { shape: [2, 6, 2, 2], dtype: 'float64', low: -2, high: 3 },
          { shape: [6], dtype: 'float64' },
          { shape: [6], dtype: 'float64' },
        ],
        attrs: { numGroups: 3, eps: 1e-3 },
      },
      {
        name: 'one group (N, C)',
        inputs: [{ shape: [3, 4] }, { shape: [4] }, { shape: [4] }],
        attrs: { numGroups: 1 },
      },
      {
        name: 'groups of one channel, strided',
        inputs: [{ shape: [2, 3, 4], layout: 'strided' }, { shape: [3] }, { shape: [3] }],
        attrs: { numGroups: 3 },
      },
    ],
    doc: 'Group normalisation over groups of channels.',
  },
  { override: true },
);

/**
 * Options of `groupNorm`.
 * @example F.groupNorm(x, 4, w, b, { eps: 1e-6 })
 */
export interface GroupNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Group normalisation like `torch.nn.functional.group_norm`: the C channels of (N, C, *) are
 * split into `numGroups` groups, each normalised per sample (biased variance), then scaled and
 * shifted per channel.
 * @example F.groupNorm(torch.randn(2, 6, 4, 4), 3).shape // [2, 6, 4, 4]
 */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  opts: GroupNormOptions = {},
): Tensor {
  checkTensor(input, 'groupNorm', 'input');
  checkOptionalTensor(weight, 'groupNorm', 'weight');
  checkOptionalTensor(bias, 'groupNorm', 'bias');
  const c = input.shape[1] ?? 0;
  const o = { dtype: input.dtype, device: input.device };
  // Default affine parameters are temporaries: freed once backward no longer needs them.
  return freeTemporaries(
    () =>
      callOp(groupNormOp, [input, weight ?? ones([c], o), bias ?? zeros([c], o)], {
        numGroups,
        eps: opts.eps ?? 1e-5,
      }) as Tensor,
  );
}
