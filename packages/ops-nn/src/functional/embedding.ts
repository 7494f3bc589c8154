import type { RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import {
  callOp,
  checkTensor,
  defineOp,
  formatShape,
  indexSelect,
  noGrad,
  scatterAdd,
  tensor,
  where,
  zeros,
} from '@autodag/core';

/**
 * Embedding lookup (`torch.nn.functional.embedding`): rows of `weight` picked by int32 indices.
 * One recorded node (`EmbeddingBackward0`) whose forward decomposes into core's indexSelect; the
 * weight gradient is a scatter-add of the output gradient's rows (skipping `paddingIdx`), written
 * with ops, so it is differentiable again.
 */

/** Attributes of `nn.embedding`. */
export interface EmbeddingAttrs {
  /** Row that receives no gradient (already normalised to [0, numEmbeddings)); absent for none. */
  paddingIdx?: number;
}

/**
 * The registered `nn.embedding` op: (indices, weight) → weight rows, shaped (*indices, D).
 * @example callOp(embeddingOp, [torch.tensor([0, 2], { dtype: 'int32' }), w])
 */
export const embeddingOp: RegisteredOp<EmbeddingAttrs> = defineOp<EmbeddingAttrs>(
  {
    name: 'nn.embedding',
    inputs: ['input', 'weight'],
    attrs: {
      paddingIdx: { type: 'int', optional: true, doc: 'row excluded from the gradient' },
    },
    infer: ([ix, w]): TensorMeta => {
      if (ix!.dtype !== 'int32') {
        throw new TypeError(
          `embedding: Expected tensor for argument #1 'indices' to have one of the following scalar types: Int; but got ${ix!.dtype} instead`,
        );
      }
      if (w!.shape.length !== 2) {
        throw new RangeError(`embedding: 'weight' must be 2-D, got shape ${formatShape(w!.shape)}`);
      }
      return { shape: [...ix!.shape, w!.shape[1]!], dtype: w!.dtype };
    },
    decomposition: ([ix, w]) =>
      indexSelect(w!, 0, ix!.reshape([-1])).reshape([...ix!.shape, w!.shape[1]!]),
    saveInputs: [0],
    vjp: {
      weight: ({ grad, inputs, inputMetas, attrs }) => {
        const [num, dim] = inputMetas[1]!.shape as [number, number];
        const idx = inputs[0]!.reshape([-1]);
        let g = grad.reshape([-1, dim]);
        if (attrs.paddingIdx !== undefined) {
          g = where(idx.ne(attrs.paddingIdx).unsqueeze(1), g, 0);
        }
        const target = zeros([num, dim], { dtype: grad.dtype, device: grad.device });
        return scatterAdd(target, 0, idx.unsqueeze(1).expand([idx.shape[0]!, dim]), g);
      },
    },
    gradFnName: 'EmbeddingBackward0',
    samples: () => [
      {
        name: 'vector of indices',
        inputs: [{ shape: [5], dtype: 'int32', values: [0, 3, 1, 3, 4] }, { shape: [6, 3] }],
      },
      {
        name: 'batch with padding',
        inputs: [
          { shape: [2, 3], dtype: 'int32', values: [0, 2, 0, 1, 2, 2] },
          { shape: [4, 2], dtype: 'float64' },
        ],
        attrs: { paddingIdx: 2 },
        // The padding row's gradient is zero by definition, not the finite difference; the
        // fixture check still compares the gradient with PyTorch's.
        noGrad: true,
      },
      {
        name: 'transposed weight',
        inputs: [
          { shape: [4], dtype: 'int32', values: [1, 1, 0, 2] },
          { shape: [3, 5], layout: 'transposed' },
        ],
      },
      {
        name: '0-d index',
        inputs: [{ shape: [], dtype: 'int32', values: [2] }, { shape: [3, 4] }],
      },
    ],
    doc: 'Looks up rows of an embedding matrix.',
  },
  { override: true },
);

/**
 * Options of `embedding` (PyTorch's keywords).
 * @example F.embedding(ids, w, { paddingIdx: 0, maxNorm: 1 })
 */
export interface EmbeddingOptions {
  /** Row (negative counts from the end) whose gradient stays zero. */
  paddingIdx?: number | null;
  /** Rows looked up with a larger norm are rescaled in place to this norm first. */
  maxNorm?: number | null;
  /** The p of the p-norm for `maxNorm` (default 2). */
  normType?: number;
}

/** PyTorch's embedding_renorm_: rows referenced by `indices` whose p-norm exceeds maxNorm shrink to it. */
function renorm(weight: Tensor, indices: Tensor, maxNorm: number, p: number): void {
  noGrad(() => {
    const rows = [...new Set(Array.from(indices.dataSync()))].sort((a, b) => a - b);
    if (!rows.length) return;
    const ix = tensor(rows, { dtype: 'int32', device: weight.device });
    const sel = indexSelect(weight, 0, ix);
    const norms = sel
      .abs()
      .pow(p)
      .sum(1, true)
      .pow(1 / p);
    const scale = where(norms.gt(maxNorm), norms.add(1e-7).reciprocal().mul(maxNorm), 1);
    weight.indexPut_([ix], sel.mul(scale));
  });
}

/**
 * Looks up rows of `weight` (num_embeddings, embedding_dim) for int32 `input` indices, like
 * `torch.nn.functional.embedding`; the result is shaped (*input, embedding_dim).
 * @example F.embedding(torch.tensor([[0, 2]], { dtype: 'int32' }), torch.randn(3, 4)).shape // [1, 2, 4]
 */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  checkTensor(input, 'embedding', 'input');
  checkTensor(weight, 'embedding', 'weight');
  if (weight.shape.length !== 2) {
    throw new RangeError(`embedding: 'weight' must be 2-D, got shape ${formatShape(weight.shape)}`);
  }
  const num = weight.shape[0]!;
  let paddingIdx = opts.paddingIdx ?? undefined;
  if (paddingIdx !== undefined) {
    if (paddingIdx >= num || paddingIdx < -num) {
      throw new RangeError(
        `embedding: Padding_idx must be within num_embeddings (got ${paddingIdx} for ${num} embeddings)`,
      );
    }
    if (paddingIdx < 0) paddingIdx += num;
  }
  if (opts.maxNorm !== undefined && opts.maxNorm !== null) {
    renorm(weight, input, opts.maxNorm, opts.normType ?? 2);
  }
  return callOp(
    embeddingOp,
    [input, weight],
    paddingIdx === undefined ? {} : { paddingIdx },
  ) as Tensor;
}
