import type { Tensor } from '@autodag/core';
import { noGrad } from '@autodag/core';
import * as F from '../functional/index.js';
import { normal_ } from '../init.js';
import type { FactoryOptions } from './factory.js';
import { checkCount, newParameter } from './factory.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { pyFloat } from './repr.js';

/** Options of `Embedding`. */
export interface EmbeddingLayerOptions extends FactoryOptions {
  /** Row that stays zero-initialised and receives no gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Looked-up rows with a larger norm are rescaled in place to this norm. */
  maxNorm?: number | null;
  /** The p of the p-norm for `maxNorm` (default 2). */
  normType?: number;
  /** Use this tensor as the weight instead of drawing N(0, 1) values. */
  weight?: Tensor;
  /** Freeze the weight (used by `fromPretrained`). */
  freeze?: boolean;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, indexed by int32 tensors
 * (PyTorch's `nn.Embedding`). Weights start as N(0, 1), with the padding row zeroed.
 * @example new nn.Embedding(10, 3).call(torch.tensor([[1, 2], [4, 5]], { dtype: 'int32' })).shape // [2, 2, 3]
 */
export class Embedding extends Module {
  /** Rows in the table. */
  numEmbeddings: number;
  /** Size of each vector. */
  embeddingDim: number;
  /** The padding row (normalised to be non-negative), or null. */
  paddingIdx: number | null;
  /** Max-norm renormalisation, or null. */
  maxNorm: number | null;
  /** p of the max-norm. */
  normType: number;
  /** The table, shape (numEmbeddings, embeddingDim). */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingLayerOptions = {}) {
    super();
    checkCount(this.getName(), 'num_embeddings', numEmbeddings);
    checkCount(this.getName(), 'embedding_dim', embeddingDim);
    let paddingIdx = opts.paddingIdx ?? null;
    if (paddingIdx !== null) {
      if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
        throw new RangeError('Padding_idx must be within num_embeddings');
      }
      if (paddingIdx < 0) paddingIdx += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx;
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    if (opts.weight) {
      const w = opts.weight;
      if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim) {
        throw new RangeError('Shape of weight does not match num_embeddings and embedding_dim');
      }
      this.weight = new Parameter(w, !opts.freeze);
    } else {
      this.weight = newParameter([numEmbeddings, embeddingDim], opts);
      this.resetParameters();
    }
  }

  /**
   * A frozen (by default) embedding holding `embeddings` (PyTorch's `Embedding.from_pretrained`).
   * @example nn.Embedding.fromPretrained(torch.randn(10, 3))
   */
  static fromPretrained(
    embeddings: Tensor,
    opts: Omit<EmbeddingLayerOptions, 'weight'> = {},
  ): Embedding {
    if (embeddings.ndim !== 2)
      throw new RangeError('Embeddings parameter is expected to be 2-dimensional');
    const [rows, cols] = embeddings.shape as [number, number];
    return new Embedding(rows, cols, { ...opts, weight: embeddings, freeze: opts.freeze ?? true });
  }

  /** Draws N(0, 1) weights and zeroes the padding row. @example emb.resetParameters() */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const idx = this.paddingIdx;
      noGrad(() => this.weight.select(0, idx).fill_(0));
    }
  }

  /** The rows of `input`'s indices. @example emb.call(ids) */
  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    return s;
  }
}
