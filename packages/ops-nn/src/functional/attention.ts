import type { Generator, RegisteredOp, Tensor } from '@autodag/core';
import {
  arange,
  callOp,
  checkOptionalTensor,
  checkTensor,
  defineOp,
  formatShape,
  maskedFill,
} from '@autodag/core';
import { dropout } from './dropout.js';
import { requireFloat } from './layer-util.js';
import { softmax } from './softmax.js';

/**
 * Scaled dot-product attention with PyTorch 2's semantics, written with core ops and `softmax`
 * (so every order of gradient follows): softmax(Q·Kᵀ·scale + mask)·V.
 */

/**
 * Options of `scaledDotProductAttention` (PyTorch's keywords).
 * @example F.scaledDotProductAttention(q, k, v, { isCausal: true })
 */
export interface AttentionOptions {
  /** bool (true = attend) or float (added to the scores) mask broadcastable to (*, L, S). */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0). */
  dropoutP?: number;
  /** Mask out the upper triangle (query i attends to keys j ≤ i); excludes `attnMask`. */
  isCausal?: boolean;
  /** Factor on Q·Kᵀ (default 1/√E, E the embedding size). */
  scale?: number | null;
  /** Generator of the dropout mask (default `torch.defaultGenerator`). */
  generator?: Generator;
}

function attend(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions): Tensor {
  for (const [what, t] of [
    ['query', q],
    ['key', k],
    ['value', v],
  ] as const) {
    requireFloat('scaled_dot_product_attention', t, what);
    if (t.shape.length < 2) {
      throw new RangeError(
        `scaled_dot_product_attention: expected ${what} to have at least 2 dims (*, L, E), got ${formatShape(t.shape)}`,
      );
    }
  }
  const e = q.shape[q.shape.length - 1]!;
  if (
    k.shape[k.shape.length - 1] !== e ||
    k.shape[k.shape.length - 2] !== v.shape[v.shape.length - 2]
  ) {
    throw new RangeError(
      `scaled_dot_product_attention: query ${formatShape(q.shape)}, key ${formatShape(k.shape)} and value ${formatShape(v.shape)} do not fit (query and key need the same embedding size, key and value the same length)`,
    );
  }
  const mask = opts.attnMask ?? null;
  if (mask && opts.isCausal) {
    throw new Error(
      'scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True',
    );
  }
  const scale = opts.scale ?? 1 / Math.sqrt(e);
  let scores = q.matmul(k.transpose(-2, -1)).mul(scale);
  const L = q.shape[q.shape.length - 2]!;
  const S = k.shape[k.shape.length - 2]!;
  if (opts.isCausal) {
    const rows = arange(L, undefined, 1, { dtype: 'int32', device: q.device }).unsqueeze(1);
    const cols = arange(S, undefined, 1, { dtype: 'int32', device: q.device }).unsqueeze(0);
    scores = maskedFill(scores, cols.gt(rows), -Infinity);
  }
  if (mask) {
    scores =
      mask.dtype === 'bool' ? maskedFill(scores, mask.logicalNot(), -Infinity) : scores.add(mask);
  }
  let weights = softmax(scores, -1);
  const p = opts.dropoutP ?? 0;
  if (p > 0) weights = dropout(weights, { p, training: true, generator: opts.generator });
  return weights.matmul(v);
}

const attnAttrs = {
  isCausal: { type: 'bool', default: false, doc: 'lower-triangular (causal) mask' },
  scale: { type: 'float', optional: true, doc: 'factor on Q·Kᵀ (default 1/sqrt(E))' },
} as const;

/**
 * The registered composite `nn.scaledDotProductAttention` (query, key, value), without dropout.
 * @example callOp(attentionOp, [q, k, v], { isCausal: true })
 */
export const attentionOp: RegisteredOp<{ isCausal: boolean; scale?: number }> = defineOp<{
  isCausal: boolean;
  scale?: number;
}>(
  {
    name: 'nn.scaledDotProductAttention',
    inputs: ['query', 'key', 'value'],
    attrs: attnAttrs,
    composite: ([q, k, v], a) => attend(q!, k!, v!, { isCausal: a.isCausal, scale: a.scale }),
    samples: () => [
      {
        name: 'single head',
        inputs: [{ shape: [3, 4] }, { shape: [5, 4] }, { shape: [5, 2] }],
      },
      {
        name: 'batched heads, causal',
        inputs: [{ shape: [2, 2, 4, 3] }, { shape: [2, 2, 4, 3] }, { shape: [2, 2, 4, 3] }],
        attrs: { isCausal: true },
      },
      {
        name: 'float64 with scale',
        inputs: [
          { shape: [2, 3, 4], dtype: 'float64' },
          { shape: [2, 3, 4], dtype: 'float64', layout: 'transposed' },
          { shape: [2, 3, 2], dtype: 'float64' },
        ],
        attrs: { scale: 0.7 },
      },
    ],
    doc: 'softmax(Q K^T * scale) V, optionally causal.',
  },
  { override: true },
);

/**
 * The registered composite `nn.scaledDotProductAttentionMasked` (query, key, value, attnMask).
 * @example callOp(maskedAttentionOp, [q, k, v, mask])
 */
export const maskedAttentionOp: RegisteredOp<{ scale?: number }> = defineOp<{ scale?: number }>(
  {
    name: 'nn.scaledDotProductAttentionMasked',
    inputs: ['query', 'key', 'value', 'attnMask'],
    attrs: { scale: attnAttrs.scale },
    composite: ([q, k, v, m], a) => attend(q!, k!, v!, { attnMask: m, scale: a.scale }),
    samples: () => [
      {
        name: 'bool mask',
        inputs: [
          { shape: [2, 3, 4] },
          { shape: [2, 4, 4] },
          { shape: [2, 4, 3] },
          { shape: [3, 4], dtype: 'bool', values: [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1] },
        ],
      },
      {
        name: 'float mask',
        inputs: [
          { shape: [3, 4], dtype: 'float64' },
          { shape: [5, 4], dtype: 'float64' },
          { shape: [5, 2], dtype: 'float64' },
          { shape: [3, 5], dtype: 'float64', low: -2, high: 2 },
        ],
        attrs: { scale: 0.5 },
      },
    ],
    doc: 'softmax(Q K^T * scale + mask) V with a bool (keep) or float (additive) mask.',
  },
  { override: true },
);

/**
 * Attention like PyTorch 2's `torch.nn.functional.scaled_dot_product_attention`:
 * softmax(Q·Kᵀ·scale + mask)·V for query (*, L, E), key (*, S, E), value (*, S, Ev). A bool mask
 * keeps positions where it is true; a float mask is added to the scores; `isCausal` keeps
 * j ≤ i. With `dropoutP` > 0 the attention weights go through dropout.
 * @example F.scaledDotProductAttention(q, k, v, { isCausal: true }).shape // [*, L, Ev]
 */
export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  opts: AttentionOptions = {},
): Tensor {
  checkTensor(query, 'scaledDotProductAttention', 'query');
  checkTensor(key, 'scaledDotProductAttention', 'key');
  checkTensor(value, 'scaledDotProductAttention', 'value');
  checkOptionalTensor(opts.attnMask, 'scaledDotProductAttention', 'attnMask');
  if ((opts.dropoutP ?? 0) > 0) return attend(query, key, value, opts);
  const scale = opts.scale ?? undefined;
  const attrs = scale === undefined ? {} : { scale };
  if (opts.attnMask) {
    if (opts.isCausal) attend(query, key, value, opts); // throws PyTorch's error
    return callOp(maskedAttentionOp, [query, key, value, opts.attnMask], attrs) as Tensor;
  }
  return callOp(attentionOp, [query, key, value], {
    ...attrs,
    isCausal: opts.isCausal ?? false,
  }) as Tensor;
}
