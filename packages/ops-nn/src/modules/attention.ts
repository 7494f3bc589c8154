import type { Tensor } from '@autodag/core';
import { cat, checkOptionalTensor, checkTensor, zeros } from '@autodag/core';
import * as F from '../functional/index.js';
import { constant_, xavierNormal_, xavierUniform_ } from '../init.js';
import { applyDropout } from './dropout.js';
import type { FactoryOptions } from './factory.js';
import { checkCount, newParameter } from './factory.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';

/**
 * The output projection of `MultiheadAttention`: a `Linear` under the name PyTorch prints.
 * @example new nn.MultiheadAttention(8, 2).out_proj.getName() // 'NonDynamicallyQuantizableLinear'
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Options of `MultiheadAttention` (PyTorch's keywords). */
export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout probability on the attention weights in training (default 0). */
  dropout?: number;
  /** Learn input/output projection biases (default true). */
  bias?: boolean;
  /** Learn a bias row appended to the keys and values (default false). */
  addBiasKv?: boolean;
  /** Append a zero row to the keys and values (default false). */
  addZeroAttn?: boolean;
  /** Feature size of the keys (default embedDim). */
  kdim?: number;
  /** Feature size of the values (default embedDim). */
  vdim?: number;
  /** Inputs and outputs are (batch, seq, feature) rather than (seq, batch, feature) (default false). */
  batchFirst?: boolean;
}

/** Options of `MultiheadAttention.forward`. */
export interface MultiheadAttentionForwardOptions {
  /** (N, S) mask of keys to ignore: true (bool) or -inf (float) entries are excluded. */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights (default true). */
  needWeights?: boolean;
  /** (L, S) or (N·numHeads, L, S) mask: bool true entries are excluded, float entries are added. */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true). */
  averageAttnWeights?: boolean;
}

/** A bool mask as an additive float mask (-inf where true); float masks pass through. */
function additive(mask: Tensor, dtype: Tensor['dtype']): Tensor {
  if (mask.dtype !== 'bool') return mask.to(dtype);
  return zeros(mask.shape.slice(), { dtype, device: mask.device }).maskedFill(mask, -Infinity);
}

/** Appends one zero column to the last dim (PyTorch's `pad(mask, (0, 1))`). */
function padLast(mask: Tensor): Tensor {
  const shape = [...mask.shape.slice(0, -1), 1];
  return cat([mask, zeros(shape, { dtype: mask.dtype, device: mask.device })], -1);
}

/**
 * Multi-head scaled dot-product attention with learned projections (PyTorch's
 * `nn.MultiheadAttention`). `call(query, key, value, opts)` returns `[output, weights]`, the
 * weights averaged over heads by default (null when `needWeights` is false). Parameters use
 * PyTorch's names (`in_proj_weight`, `in_proj_bias`, `out_proj.weight`, `out_proj.bias`), so
 * state dicts load across.
 * @example
 * const mha = new nn.MultiheadAttention(16, 4, { batchFirst: true });
 * const x = torch.randn(2, 10, 16);
 * const [y, w] = mha.call(x, x, x); // y: [2, 10, 16], w: [2, 10, 10]
 */
export class MultiheadAttention extends Module {
  /** Model (query) feature size. */
  embedDim: number;
  /** Key feature size. */
  kdim: number;
  /** Value feature size. */
  vdim: number;
  /** Number of heads. */
  numHeads: number;
  /** Attention-weight dropout probability. */
  dropout: number;
  /** Whether inputs are batch-first. */
  batchFirst: boolean;
  /** embedDim / numHeads. */
  headDim: number;
  /** Whether a zero key/value row is appended. */
  addZeroAttn: boolean;
  /** Packed q/k/v projection (3·embedDim, embedDim) when kdim = vdim = embedDim, else null. */
  in_proj_weight: Parameter | null;
  /** Query projection when kdim or vdim differ, else null. */
  q_proj_weight: Parameter | null;
  /** Key projection when kdim or vdim differ, else null. */
  k_proj_weight: Parameter | null;
  /** Value projection when kdim or vdim differ, else null. */
  v_proj_weight: Parameter | null;
  /** Packed q/k/v projection bias (3·embedDim), or null. */
  in_proj_bias: Parameter | null;
  /** Output projection. */
  out_proj: NonDynamicallyQuantizableLinear;
  /** Learned key row (1, 1, embedDim), or null. */
  bias_k: Parameter | null;
  /** Learned value row (1, 1, embedDim), or null. */
  bias_v: Parameter | null;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    checkCount(this.getName(), 'embed_dim', embedDim, false);
    checkCount(this.getName(), 'num_heads', numHeads, false);
    this.embedDim = embedDim;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.numHeads = numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    this.addZeroAttn = opts.addZeroAttn ?? false;
    if (this.headDim * numHeads !== embedDim) {
      throw new RangeError('embed_dim must be divisible by num_heads');
    }
    const factory = { device: opts.device, dtype: opts.dtype };
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.in_proj_weight = newParameter([3 * embedDim, embedDim], factory);
      this.q_proj_weight = null;
      this.k_proj_weight = null;
      this.v_proj_weight = null;
    } else {
      this.q_proj_weight = newParameter([embedDim, embedDim], factory);
      this.k_proj_weight = newParameter([embedDim, this.kdim], factory);
      this.v_proj_weight = newParameter([embedDim, this.vdim], factory);
      this.in_proj_weight = null;
    }
    const bias = opts.bias ?? true;
    this.in_proj_bias = bias ? newParameter([3 * embedDim], factory) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { ...factory, bias });
    if (opts.addBiasKv) {
      this.bias_k = newParameter([1, 1, embedDim], factory);
      this.bias_v = newParameter([1, 1, embedDim], factory);
    } else {
      this.bias_k = null;
      this.bias_v = null;
    }
    this.resetParameters();
  }

  /**
   * PyTorch's initialisation: Xavier-uniform projections, zero biases, Xavier-normal bias_k/v.
   * @example mha.resetParameters()
   */
  resetParameters(): void {
    if (this.in_proj_weight) {
      xavierUniform_(this.in_proj_weight);
    } else {
      xavierUniform_(this.q_proj_weight!);
      xavierUniform_(this.k_proj_weight!);
      xavierUniform_(this.v_proj_weight!);
    }
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      constant_(this.out_proj.bias!, 0);
    }
    if (this.bias_k) xavierNormal_(this.bias_k);
    if (this.bias_v) xavierNormal_(this.bias_v);
  }

  /** The q, k and v projection weights and biases. */
  private projections(): [Tensor, Tensor, Tensor, Tensor | null, Tensor | null, Tensor | null] {
    const E = this.embedDim;
    const [wq, wk, wv] = this.in_proj_weight
      ? (this.in_proj_weight.chunk(3) as [Tensor, Tensor, Tensor])
      : [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!];
    const b = this.in_proj_bias;
    return [
      wq,
      wk,
      wv,
      b ? b.narrow(0, 0, E) : null,
      b ? b.narrow(0, E, E) : null,
      b ? b.narrow(0, 2 * E, E) : null,
    ];
  }

  /**
   * Attends from `query` to `key`/`value`: shapes (L, N, E)/(S, N, kdim)/(S, N, vdim), (N, ·, ·)
   * when batch-first, or unbatched (L, E). Returns `[output, weights]`.
   * @example const [out, weights] = mha.call(q, k, v, { keyPaddingMask: pad });
   */
  override forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: MultiheadAttentionForwardOptions = {},
  ): [Tensor, Tensor | null] {
    const name = this.getName();
    checkTensor(query, name, 'query');
    checkTensor(key, name, 'key');
    checkTensor(value, name, 'value');
    checkOptionalTensor(opts.keyPaddingMask, name, 'keyPaddingMask');
    checkOptionalTensor(opts.attnMask, name, 'attnMask');
    const { needWeights = true, averageAttnWeights = true } = opts;
    const batched = query.ndim === 3;
    if (query.ndim !== 2 && query.ndim !== 3) {
      throw new RangeError(
        `query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`,
      );
    }
    let q = query;
    let k = key;
    let v = value;
    let kpm = opts.keyPaddingMask ?? null;
    if (batched && this.batchFirst) {
      q = q.transpose(1, 0);
      k = k.transpose(1, 0);
      v = v.transpose(1, 0);
    }
    if (!batched) {
      q = q.unsqueeze(1);
      k = k.unsqueeze(1);
      v = v.unsqueeze(1);
      if (kpm) kpm = kpm.unsqueeze(0);
    }
    const [tgtLen, bsz, E] = q.shape as [number, number, number];
    if (E !== this.embedDim) {
      throw new RangeError(`was expecting embedding dimension of ${this.embedDim}, but got ${E}`);
    }
    const H = this.numHeads;
    const hd = this.headDim;
    const [wq, wk, wv, bq, bk, bv] = this.projections();
    let qp = F.linear(q, wq, bq);
    let kp = F.linear(k, wk, bk);
    let vp = F.linear(v, wv, bv);

    let mask: Tensor | null = opts.attnMask ? additive(opts.attnMask, qp.dtype) : null;
    if (mask && mask.ndim === 2) {
      if (mask.shape[0] !== tgtLen || mask.shape[1] !== kp.shape[0]) {
        throw new RangeError(
          `The shape of the 2D attn_mask is [${mask.shape.join(', ')}], but should be (${tgtLen}, ${kp.shape[0]}).`,
        );
      }
      mask = mask.unsqueeze(0);
    } else if (mask && mask.ndim !== 3) {
      throw new RangeError(`attn_mask's dimension ${mask.ndim} is not supported`);
    }
    let padMask: Tensor | null = kpm ? additive(kpm, qp.dtype) : null;

    if (this.bias_k && this.bias_v) {
      kp = cat([kp, this.bias_k.repeat(1, bsz, 1)]);
      vp = cat([vp, this.bias_v.repeat(1, bsz, 1)]);
      if (mask) mask = padLast(mask);
      if (padMask) padMask = padLast(padMask);
    }
    qp = qp.reshape(tgtLen, bsz * H, hd).transpose(0, 1);
    kp = kp.reshape(kp.shape[0]!, bsz * H, hd).transpose(0, 1);
    vp = vp.reshape(vp.shape[0]!, bsz * H, hd).transpose(0, 1);
    if (this.addZeroAttn) {
      const z = { dtype: kp.dtype, device: kp.device };
      kp = cat([kp, zeros([bsz * H, 1, hd], z)], 1);
      vp = cat([vp, zeros([bsz * H, 1, hd], z)], 1);
      if (mask) mask = padLast(mask);
      if (padMask) padMask = padLast(padMask);
    }
    const srcLen = kp.shape[1]!;
    if (padMask) {
      if (padMask.shape[0] !== bsz || padMask.shape[1] !== srcLen) {
        throw new RangeError(
          `expecting key_padding_mask shape of (${bsz}, ${srcLen}), but got [${padMask.shape.join(', ')}]`,
        );
      }
      const m = padMask.reshape(bsz, 1, 1, srcLen).expand(bsz, H, 1, srcLen);
      const merged = m.reshape(bsz * H, 1, srcLen);
      mask = mask ? mask.add(merged) : merged;
    }

    const p = this.training ? this.dropout : 0;
    let weights: Tensor | null = null;
    let attended: Tensor;
    if (needWeights) {
      let scores = qp.div(Math.sqrt(hd)).matmul(kp.transpose(-2, -1));
      if (mask) scores = scores.add(mask);
      weights = F.softmax(scores, -1);
      if (p > 0) weights = applyDropout(weights, p, true);
      attended = weights.matmul(vp);
    } else {
      attended = F.scaledDotProductAttention(qp, kp, vp, { attnMask: mask, dropoutP: p });
    }
    let out = attended
      .transpose(0, 1)
      .contiguous()
      .view(tgtLen * bsz, E);
    out = F.linear(out, this.out_proj.weight, this.out_proj.bias).view(tgtLen, bsz, E);
    if (batched && this.batchFirst) out = out.transpose(1, 0);
    if (!batched) out = out.squeeze(1);
    if (!weights) return [out, null];
    let w = weights.view(bsz, H, tgtLen, srcLen);
    if (averageAttnWeights) w = w.mean(1);
    if (!batched) w = w.squeeze(0);
    return [out, w];
  }
}
