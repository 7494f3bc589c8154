import type { Tensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import type { FactoryOptions } from './factory.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { LayerNorm } from './normalization.js';

/** The feed-forward activation: a name, a module, or a function of a tensor. */
export type TransformerActivation = 'relu' | 'gelu' | Module | ((x: Tensor) => Tensor);

/** Options of `TransformerEncoderLayer` (PyTorch's keywords). */
export interface TransformerEncoderLayerOptions extends FactoryOptions {
  /** Hidden size of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default `'relu'`). */
  activation?: TransformerActivation;
  /** LayerNorm epsilon (default 1e-5). */
  layerNormEps?: number;
  /** Inputs are (batch, seq, feature) (default false: (seq, batch, feature)). */
  batchFirst?: boolean;
  /** Normalise before each block (pre-norm) rather than after (default false). */
  normFirst?: boolean;
}

/** Options of `TransformerEncoderLayer.forward`. */
export interface TransformerEncoderLayerForwardOptions {
  /** Attention mask (L, L) or (N·nhead, L, L): bool true excluded, float added. */
  srcMask?: Tensor | null;
  /** (N, L) mask of padding positions to ignore as keys. */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * One transformer encoder block: self-attention and a feed-forward network, each with a residual
 * connection and layer norm (PyTorch's `nn.TransformerEncoderLayer`; submodules `self_attn`,
 * `linear1`, `dropout`, `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`).
 * @example
 * const layer = new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64, batchFirst: true });
 * layer.call(torch.randn(2, 10, 32)).shape // [2, 10, 32]
 */
export class TransformerEncoderLayer extends Module {
  /** Self-attention block. */
  self_attn: MultiheadAttention;
  /** First feed-forward projection (dModel → dimFeedforward). */
  linear1: Linear;
  /** Dropout inside the feed-forward block. */
  dropout: Dropout;
  /** Second feed-forward projection (dimFeedforward → dModel). */
  linear2: Linear;
  /** Whether layer norm comes before each block. */
  normFirst: boolean;
  /** Norm around the attention block. */
  norm1: LayerNorm;
  /** Norm around the feed-forward block. */
  norm2: LayerNorm;
  /** Dropout after attention. */
  dropout1: Dropout;
  /** Dropout after the feed-forward block. */
  dropout2: Dropout;
  /** The feed-forward activation as given when it is a module (then registered), else absent. */
  declare activation?: Module;
  /** The feed-forward activation as a function. */
  declare private readonly activationFn: (x: Tensor) => Tensor;

  constructor(dModel: number, nhead: number, opts: TransformerEncoderLayerOptions = {}) {
    super();
    const factory = { device: opts.device, dtype: opts.dtype };
    const dropout = opts.dropout ?? 0.1;
    const dff = opts.dimFeedforward ?? 2048;
    const eps = opts.layerNormEps ?? 1e-5;
    this.self_attn = new MultiheadAttention(dModel, nhead, {
      ...factory,
      dropout,
      batchFirst: opts.batchFirst ?? false,
    });
    this.linear1 = new Linear(dModel, dff, factory);
    this.dropout = new Dropout(dropout);
    this.linear2 = new Linear(dff, dModel, factory);
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { ...factory, eps });
    this.norm2 = new LayerNorm(dModel, { ...factory, eps });
    this.dropout1 = new Dropout(dropout);
    this.dropout2 = new Dropout(dropout);
    const act = opts.activation ?? 'relu';
    let fn: (x: Tensor) => Tensor;
    if (act === 'relu') fn = (x) => F.relu(x);
    else if (act === 'gelu') fn = (x) => F.gelu(x);
    else if (act instanceof Module) {
      this.activation = act;
      fn = (x) => act.call(x);
    } else if (typeof act === 'function') fn = act;
    else throw new RangeError(`activation should be relu/gelu, not ${String(act)}`);
    Object.defineProperty(this, 'activationFn', { value: fn, enumerable: false });
  }

  /**
   * Runs the block on `src` ((L, N, E), (N, L, E) when batch-first, or unbatched (L, E)).
   * @example layer.call(x, { srcKeyPaddingMask: pad })
   */
  override forward(src: Tensor, opts: TransformerEncoderLayerForwardOptions = {}): Tensor {
    let x = src;
    if (this.normFirst) {
      x = x.add(this.saBlock(this.norm1.call(x), opts));
      x = x.add(this.ffBlock(this.norm2.call(x)));
    } else {
      x = this.norm1.call(x.add(this.saBlock(x, opts)));
      x = this.norm2.call(x.add(this.ffBlock(x)));
    }
    return x;
  }

  private saBlock(x: Tensor, opts: TransformerEncoderLayerForwardOptions): Tensor {
    const [out] = this.self_attn.call(x, x, x, {
      attnMask: opts.srcMask ?? null,
      keyPaddingMask: opts.srcKeyPaddingMask ?? null,
      needWeights: false,
    });
    return this.dropout1.call(out);
  }

  private ffBlock(x: Tensor): Tensor {
    const h = this.linear2.call(this.dropout.call(this.activationFn(this.linear1.call(x))));
    return this.dropout2.call(h);
  }
}
