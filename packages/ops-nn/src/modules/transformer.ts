import type { Tensor } from '@autodag/core';
import { arange, checkOptionalTensor, checkTensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './container.js';
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
      // Called through `this.activation` in ffBlock, so that a deep copy uses its own copy.
      this.activation = act;
      fn = (x) => x;
    } else if (typeof act === 'function') fn = act;
    else throw new RangeError(`activation should be relu/gelu, not ${String(act)}`);
    Object.defineProperty(this, 'activationFn', { value: fn, enumerable: false });
  }

  /**
   * Runs the block on `src` ((L, N, E), (N, L, E) when batch-first, or unbatched (L, E)).
   * @example layer.call(x, { srcKeyPaddingMask: pad })
   */
  override forward(src: Tensor, opts: TransformerEncoderLayerForwardOptions = {}): Tensor {
    checkTensor(src, this.getName(), 'src');
    checkOptionalTensor(opts.srcMask, this.getName(), 'srcMask');
    checkOptionalTensor(opts.srcKeyPaddingMask, this.getName(), 'srcKeyPaddingMask');
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
    const pre = this.linear1.call(x);
    // A user-given activation module is typed only as Module: trusted to map a Tensor to one.
    const act = this.activation ? (this.activation.call(pre) as Tensor) : this.activationFn(pre);
    const h = this.linear2.call(this.dropout.call(act));
    return this.dropout2.call(h);
  }
}

/** Options of `TransformerEncoder` (PyTorch's keywords). */
export interface TransformerEncoderOptions {
  /** A module applied to the output of the last layer (e.g. a `LayerNorm`), or null (default). */
  norm?: Module | null;
  /**
   * PyTorch's switch for its nested-tensor fast path (default true). Kept for compatibility and
   * shown as `enableNestedTensor`; every input runs the same dense path here.
   */
  enableNestedTensor?: boolean;
}

/** Options of `TransformerEncoder.forward`. */
export interface TransformerEncoderForwardOptions {
  /** Attention mask (L, L) or (N·nhead, L, L) for every layer: bool true excluded, float added. */
  mask?: Tensor | null;
  /** (N, L) mask of padding positions to ignore as keys. */
  srcKeyPaddingMask?: Tensor | null;
  /**
   * The mask is causal (position i attends to positions ≤ i). Without `mask`, a causal mask is
   * built from the sequence length; with one, it is a hint and `mask` is used as given.
   */
  isCausal?: boolean;
}

/**
 * A stack of `numLayers` copies of an encoder layer, optionally followed by a norm (PyTorch's
 * `nn.TransformerEncoder`). Each layer is a deep copy of `encoderLayer` (independent weights),
 * held in the ModuleList `layers`; state-dict keys are `layers.0.self_attn.in_proj_weight`, ...,
 * then `norm.weight`, `norm.bias`.
 * @example
 * const layer = new nn.TransformerEncoderLayer(32, 4, { batchFirst: true });
 * const enc = new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(32) });
 * enc.call(torch.randn(2, 10, 32)).shape // [2, 10, 32]
 */
export class TransformerEncoder extends Module {
  /** The stacked layers (copies of the given layer). */
  layers: ModuleList;
  /** Number of layers. */
  numLayers: number;
  /** Applied after the last layer, or null. */
  norm: Module | null;
  /** PyTorch's nested-tensor fast-path switch (no effect on results). */
  enableNestedTensor: boolean;

  constructor(encoderLayer: Module, numLayers: number, opts: TransformerEncoderOptions = {}) {
    super();
    if (!(encoderLayer instanceof Module)) {
      throw new TypeError('TransformerEncoder: encoder_layer must be a Module');
    }
    if (!Number.isInteger(numLayers) || numLayers < 0) {
      throw new RangeError(
        `TransformerEncoder: num_layers must be a non-negative integer, got ${numLayers}`,
      );
    }
    const copies: Module[] = [];
    for (let i = 0; i < numLayers; i++) copies.push(encoderLayer.deepCopy());
    this.layers = new ModuleList(copies);
    this.numLayers = numLayers;
    this.norm = opts.norm ?? null;
    this.enableNestedTensor = opts.enableNestedTensor ?? true;
  }

  /**
   * Passes `src` through each layer in turn, then through `norm` if set.
   * @example enc.call(x, { srcKeyPaddingMask: pad }); enc.call(x, { isCausal: true })
   */
  override forward(src: Tensor, opts: TransformerEncoderForwardOptions = {}): Tensor {
    checkTensor(src, this.getName(), 'src');
    checkOptionalTensor(opts.mask, this.getName(), 'mask');
    checkOptionalTensor(opts.srcKeyPaddingMask, this.getName(), 'srcKeyPaddingMask');
    let mask = opts.mask ?? null;
    if (opts.isCausal && mask === null) mask = this.causalMask(src);
    const layerOpts = { srcMask: mask, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null };
    let x = src;
    // Layers and norm are held as Modules (any encoder layer may be stacked): each maps a Tensor to one.
    for (const layer of this.layers) x = layer.call(x, layerOpts) as Tensor;
    return this.norm === null ? x : (this.norm.call(x) as Tensor);
  }

  /** A bool (L, L) mask excluding future positions, L read from the first layer's layout. */
  private causalMask(src: Tensor): Tensor {
    const first = this.layers.length > 0 ? this.layers.get(0) : null;
    const batchFirst =
      first instanceof TransformerEncoderLayer ? first.self_attn.batchFirst : false;
    const seqDim = src.shape.length === 3 && batchFirst ? 1 : 0;
    const len = src.shape[seqDim] ?? 0;
    const pos = arange(len, { device: src.device });
    return pos.reshape([1, len]).gt(pos.reshape([len, 1]));
  }
}
