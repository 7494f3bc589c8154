import type { Tensor } from '@autodag/core';
import { relu } from '../functional/activation.js';
import * as F from '../functional/index.js';
import { Module } from './module.js';
import { pyFloat, pyRepr } from './repr.js';

/** Options of the activations that can work in place. */
export interface InplaceOptions {
  /** Overwrite the input with the result (default false). */
  inplace?: boolean;
}

/** Base of the element-wise activations holding an `inplace` flag. */
abstract class InplaceActivation extends Module {
  /** Whether the input is overwritten. */
  inplace: boolean;

  /** `opts` may also be PyTorch's positional `inplace` flag: `new nn.ReLU(true)`. */
  constructor(opts: InplaceOptions | boolean = {}) {
    super();
    this.inplace = typeof opts === 'boolean' ? opts : (opts.inplace ?? false);
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/**
 * max(0, x) element-wise (PyTorch's `nn.ReLU`).
 * @example new nn.ReLU().call(torch.tensor([-1, 2])) // tensor([0., 2.])
 */
export class ReLU extends InplaceActivation {
  /** Applies ReLU. @example relu.call(x) */
  override forward(input: Tensor): Tensor {
    return relu(input, { inplace: this.inplace });
  }
}

/**
 * 1/(1 + e⁻ˣ) element-wise (PyTorch's `nn.Sigmoid`).
 * @example new nn.Sigmoid().call(torch.zeros(2)) // tensor([0.5000, 0.5000])
 */
export class Sigmoid extends Module {
  /** Applies the logistic sigmoid. @example sig.call(x) */
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/**
 * tanh element-wise (PyTorch's `nn.Tanh`).
 * @example new nn.Tanh().call(x)
 */
export class Tanh extends Module {
  /** Applies tanh. @example tanh.call(x) */
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** Options of `GELU`. */
export interface GELUOptions {
  /** `'none'` (exact, default) or `'tanh'` (the tanh approximation). */
  approximate?: 'none' | 'tanh';
}

/**
 * Gaussian error linear unit (PyTorch's `nn.GELU`); `new nn.GELU('tanh')` also works.
 * @example new nn.GELU({ approximate: 'tanh' }).call(x)
 */
export class GELU extends Module {
  /** `'none'` or `'tanh'`. */
  approximate: 'none' | 'tanh';

  constructor(opts: GELUOptions | 'none' | 'tanh' = {}) {
    super();
    this.approximate = typeof opts === 'string' ? opts : (opts.approximate ?? 'none');
  }

  /** Applies GELU. @example gelu.call(x) */
  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate=${pyRepr(this.approximate)}`;
  }
}

/**
 * x·sigmoid(x) element-wise (PyTorch's `nn.SiLU`, a.k.a. swish).
 * @example new nn.SiLU().call(x)
 */
export class SiLU extends InplaceActivation {
  /** Applies SiLU. @example silu.call(x) */
  override forward(input: Tensor): Tensor {
    return F.silu(input, { inplace: this.inplace });
  }
}

/** Options of `LeakyReLU`. */
export interface LeakyReLUOptions extends InplaceOptions {
  /** Slope for negative inputs (default 0.01). */
  negativeSlope?: number;
}

/**
 * max(0, x) + negativeSlope·min(0, x) (PyTorch's `nn.LeakyReLU`); PyTorch's positional form
 * `new nn.LeakyReLU(0.2, true)` also works.
 * @example new nn.LeakyReLU({ negativeSlope: 0.2 }).call(x)
 */
export class LeakyReLU extends InplaceActivation {
  /** Slope for negative inputs. */
  negativeSlope: number;

  constructor(opts: LeakyReLUOptions | number = {}, inplace = false) {
    const o = typeof opts === 'number' ? { negativeSlope: opts, inplace } : opts;
    super(o);
    this.negativeSlope = o.negativeSlope ?? 0.01;
  }

  /** Applies leaky ReLU. @example lrelu.call(x) */
  override forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** Options of `ELU`. */
export interface ELUOptions extends InplaceOptions {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/**
 * x for x > 0, alpha·(eˣ − 1) otherwise (PyTorch's `nn.ELU`); `new nn.ELU(0.5)` also works.
 * @example new nn.ELU({ alpha: 0.5 }).call(x)
 */
export class ELU extends InplaceActivation {
  /** Scale of the negative part. */
  alpha: number;

  constructor(opts: ELUOptions | number = {}, inplace = false) {
    const o = typeof opts === 'number' ? { alpha: opts, inplace } : opts;
    super(o);
    this.alpha = o.alpha ?? 1;
  }

  /** Applies ELU. @example elu.call(x) */
  override forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** Options of `Softplus`. */
export interface SoftplusLayerOptions {
  /** β in log(1 + e^(βx))/β (default 1). */
  beta?: number;
  /** Above βx > threshold the result is x (default 20). */
  threshold?: number;
}

/**
 * log(1 + e^(βx))/β (PyTorch's `nn.Softplus`); `new nn.Softplus(2, 10)` also works.
 * @example new nn.Softplus({ beta: 2 }).call(x)
 */
export class Softplus extends Module {
  /** β. */
  beta: number;
  /** Linear-regime threshold. */
  threshold: number;

  constructor(opts: SoftplusLayerOptions | number = {}, threshold = 20) {
    super();
    const o = typeof opts === 'number' ? { beta: opts, threshold } : opts;
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }

  /** Applies softplus. @example sp.call(x) */
  override forward(input: Tensor): Tensor {
    return F.softplus(input, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Options of `Hardtanh`. */
export interface HardtanhOptions extends InplaceOptions {
  /** Lower bound (default -1). */
  minVal?: number;
  /** Upper bound (default 1). */
  maxVal?: number;
}

/**
 * x clamped to [minVal, maxVal] (PyTorch's `nn.Hardtanh`); `new nn.Hardtanh(-2, 2)` also works.
 * @example new nn.Hardtanh({ minVal: -2, maxVal: 2 }).call(x)
 */
export class Hardtanh extends InplaceActivation {
  /** Lower bound. */
  minVal: number;
  /** Upper bound. */
  maxVal: number;

  constructor(opts: HardtanhOptions | number = {}, maxVal = 1, inplace = false) {
    const o = typeof opts === 'number' ? { minVal: opts, maxVal, inplace } : opts;
    super(o);
    this.minVal = o.minVal ?? -1;
    this.maxVal = o.maxVal ?? 1;
    if (!(this.maxVal > this.minVal))
      throw new RangeError('Hardtanh: max_val must be greater than min_val');
  }

  /** Applies hardtanh. @example ht.call(x) */
  override forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ', inplace=True' : ''}`;
  }
}

/** Shared by `Softmax`/`LogSoftmax`. */
abstract class SoftmaxBase extends Module {
  /** The dim normalised over. */
  dim: number | null;

  constructor(dim: number | null = null) {
    super();
    this.dim = dim;
  }

  /** PyTorch's legacy choice when no dim is given: 0 for 0-, 1- and 3-D inputs, else 1. */
  protected resolveDim(input: Tensor): number {
    if (this.dim !== null) return this.dim;
    const nd = input.ndim;
    return nd === 0 || nd === 1 || nd === 3 ? 0 : 1;
  }

  override extraRepr(): string {
    return `dim=${pyRepr(this.dim)}`;
  }
}

/**
 * Softmax over `dim` (PyTorch's `nn.Softmax`).
 * @example new nn.Softmax(-1).call(torch.tensor([1, 2, 3]))
 */
export class Softmax extends SoftmaxBase {
  /** Applies softmax. @example sm.call(x) */
  override forward(input: Tensor): Tensor {
    return F.softmax(input, this.resolveDim(input));
  }
}

/**
 * log(softmax) over `dim`, computed stably (PyTorch's `nn.LogSoftmax`).
 * @example new nn.LogSoftmax(1).call(logits)
 */
export class LogSoftmax extends SoftmaxBase {
  /** Applies log-softmax. @example lsm.call(x) */
  override forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.resolveDim(input));
  }
}
