import type { Tensor } from '@autodag/core';
import * as F from '../functional/index.js';
import { Module } from './module.js';

/** `'mean'` (default), `'sum'` or `'none'`. */
export type LossReduction = 'mean' | 'sum' | 'none';

/** Options shared by the loss modules. */
export interface LossOptions {
  /** How per-element losses are combined (default `'mean'`). */
  reduction?: LossReduction;
}

/** Base of the losses (PyTorch's `_Loss`): holds `reduction`. */
abstract class Loss extends Module {
  /** How per-element losses are combined. */
  reduction: LossReduction;

  constructor(opts: LossOptions = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
  }

  /** Computes the loss of `input` against `target`. */
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/** Base of the losses with a class/element weight buffer (PyTorch's `_WeightedLoss`). */
abstract class WeightedLoss extends Loss {
  /** Rescaling weight (a buffer), or null. */
  declare weight: Tensor | null;

  constructor(opts: LossOptions & { weight?: Tensor | null } = {}) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
  }

  /** The weight as an options field, left out when absent. */
  protected weightOpt(): { weight?: Tensor } {
    return this.weight ? { weight: this.weight } : {};
  }
}

/**
 * Mean squared error (PyTorch's `nn.MSELoss`).
 * @example new nn.MSELoss().call(pred, target)
 */
export class MSELoss extends Loss {
  /** ‖input − target‖² reduced. @example mse.call(x, y) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * Mean absolute error (PyTorch's `nn.L1Loss`).
 * @example new nn.L1Loss({ reduction: 'sum' }).call(pred, target)
 */
export class L1Loss extends Loss {
  /** |input − target| reduced. @example l1.call(x, y) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Options of `SmoothL1Loss`. */
export interface SmoothL1LossOptions extends LossOptions {
  /** Threshold between the quadratic and linear parts (default 1). */
  beta?: number;
}

/**
 * Smooth L1 loss (PyTorch's `nn.SmoothL1Loss`).
 * @example new nn.SmoothL1Loss({ beta: 0.5 }).call(pred, target)
 */
export class SmoothL1Loss extends Loss {
  /** Quadratic/linear threshold. */
  beta: number;

  constructor(opts: SmoothL1LossOptions = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }

  /** The smooth L1 loss. @example sl1.call(x, y) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Options of `HuberLoss`. */
export interface HuberLossOptions extends LossOptions {
  /** Threshold between the quadratic and linear parts (default 1). */
  delta?: number;
}

/**
 * Huber loss (PyTorch's `nn.HuberLoss`).
 * @example new nn.HuberLoss({ delta: 2 }).call(pred, target)
 */
export class HuberLoss extends Loss {
  /** Quadratic/linear threshold. */
  delta: number;

  constructor(opts: HuberLossOptions = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }

  /** The Huber loss. @example huber.call(x, y) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Options of `NLLLoss`. */
export interface NLLLossOptions extends LossOptions {
  /** Weight per class (shape (C)). */
  weight?: Tensor | null;
  /** Targets equal to this are ignored (default -100). */
  ignoreIndex?: number;
}

/**
 * Negative log-likelihood of log-probabilities and int32 class targets (PyTorch's `nn.NLLLoss`).
 * @example new nn.NLLLoss().call(logp, torch.tensor([1, 0], { dtype: 'int32' }))
 */
export class NLLLoss extends WeightedLoss {
  /** Ignored target value. */
  ignoreIndex: number;

  constructor(opts: NLLLossOptions = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }

  /** The NLL loss. @example nll.call(logp, target) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, {
      ...this.weightOpt(),
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
    });
  }
}

/** Options of `CrossEntropyLoss`. */
export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** Label smoothing ε in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/**
 * Cross entropy of logits against int32 class indices or class probabilities (PyTorch's
 * `nn.CrossEntropyLoss`).
 * @example new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(logits, labels)
 */
export class CrossEntropyLoss extends WeightedLoss {
  /** Ignored target value. */
  ignoreIndex: number;
  /** Label smoothing ε. */
  labelSmoothing: number;

  constructor(opts: CrossEntropyLossOptions = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }

  /** The cross-entropy loss. @example ce.call(logits, labels) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      ...this.weightOpt(),
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Options of `BCELoss`. */
export interface BCELossOptions extends LossOptions {
  /** Rescales each element's loss. */
  weight?: Tensor | null;
}

/**
 * Binary cross entropy of probabilities (PyTorch's `nn.BCELoss`).
 * @example new nn.BCELoss().call(torch.sigmoid(logits), targets)
 */
export class BCELoss extends WeightedLoss {
  /** The BCE loss. @example bce.call(p, y) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { ...this.weightOpt(), reduction: this.reduction });
  }
}

/** Options of `BCEWithLogitsLoss`. */
export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of the positive term per class. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross entropy of logits, numerically stable (PyTorch's `nn.BCEWithLogitsLoss`).
 * @example new nn.BCEWithLogitsLoss({ posWeight: torch.tensor([3]) }).call(logits, targets)
 */
export class BCEWithLogitsLoss extends Loss {
  /** Rescaling weight (a buffer), or null. */
  declare weight: Tensor | null;
  /** Positive-term weight (a buffer), or null. */
  declare pos_weight: Tensor | null;

  constructor(opts: BCEWithLogitsLossOptions = {}) {
    super(opts);
    this.registerBuffer('weight', opts.weight ?? null);
    this.registerBuffer('pos_weight', opts.posWeight ?? null);
  }

  /** The BCE-with-logits loss. @example bcel.call(logits, y) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, {
      ...(this.weight ? { weight: this.weight } : {}),
      ...(this.pos_weight ? { posWeight: this.pos_weight } : {}),
      reduction: this.reduction,
    });
  }
}

/** Options of `KLDivLoss`. */
export interface KLDivLossOptions {
  /** `'mean'` (default), `'batchmean'`, `'sum'` or `'none'`. */
  reduction?: LossReduction | 'batchmean';
  /** The target holds log-probabilities (default false). */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence of log-probabilities `input` from `target` (PyTorch's `nn.KLDivLoss`).
 * @example new nn.KLDivLoss({ reduction: 'batchmean' }).call(logp, q)
 */
export class KLDivLoss extends Module {
  /** How the pointwise terms are combined. */
  reduction: LossReduction | 'batchmean';
  /** Whether the target holds log-probabilities. */
  logTarget: boolean;

  constructor(opts: KLDivLossOptions = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.logTarget = opts.logTarget ?? false;
  }

  /** The KL divergence. @example kl.call(logp, q) */
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
