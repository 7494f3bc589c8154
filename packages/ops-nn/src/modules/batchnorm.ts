import type { Tensor } from '@autodag/core';
import { checkTensor, noGrad, ones, zeros } from '@autodag/core';
import * as F from '../functional/index.js';
import { ones_, zeros_ } from '../init.js';
import type { FactoryOptions } from './factory.js';
import { checkCount, newParameter } from './factory.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';
import { pyFloat, pyRepr } from './repr.js';

/** Options of the batch-norm layers (PyTorch's keywords). */
export interface BatchNormLayerOptions extends FactoryOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); `null` for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true). */
  trackRunningStats?: boolean;
}

/**
 * Shared by `BatchNorm1d`/`BatchNorm2d` (PyTorch's `_BatchNorm`): parameters `weight`/`bias`
 * (when affine) and buffers `running_mean`, `running_var`, `num_batches_tracked` (int32).
 */
abstract class BatchNormBase extends Module {
  /** Channels (dim 1 of the input). */
  numFeatures: number;
  /** Added to the variance. */
  eps: number;
  /** Running-average weight, or null for a cumulative average. */
  momentum: number | null;
  /** Whether weight/bias are learned. */
  affine: boolean;
  /** Whether running statistics are kept. */
  trackRunningStats: boolean;
  /** Per-channel scale (ones), or null when not affine. */
  weight: Parameter | null;
  /** Per-channel shift (zeros), or null when not affine. */
  bias: Parameter | null;
  /** Running mean (a buffer), or null without running stats. */
  declare running_mean: Tensor | null;
  /** Running variance (a buffer), or null without running stats. */
  declare running_var: Tensor | null;
  /** Training batches seen (an int32 0-d buffer), or null without running stats. */
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super();
    checkCount(this.getName(), 'num_features', numFeatures);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? newParameter([numFeatures], opts) : null;
    this.bias = this.affine ? newParameter([numFeatures], opts) : null;
    const o = { ...(opts.device ? { device: opts.device } : {}), dtype: opts.dtype ?? 'float32' };
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], o));
      this.registerBuffer('running_var', ones([numFeatures], o));
      this.registerBuffer('num_batches_tracked', zeros([], { ...o, dtype: 'int32' }));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
    this.resetParameters();
  }

  /** The running mean (alias of `running_mean`). @example bn.runningMean */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }

  /** The running variance (alias of `running_var`). @example bn.runningVar */
  get runningVar(): Tensor | null {
    return this.running_var;
  }

  /** Batches seen in training (alias of `num_batches_tracked`). @example bn.numBatchesTracked?.item() */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /**
   * Resets the running statistics (mean 0, variance 1, count 0).
   * @example bn.resetRunningStats()
   */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    zeros_(this.running_mean!);
    ones_(this.running_var!);
    noGrad(() => this.num_batches_tracked!.zero_());
  }

  /**
   * Resets running statistics, weight (ones) and bias (zeros).
   * @example bn.resetParameters()
   */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      ones_(this.weight!);
      zeros_(this.bias!);
    }
  }

  /** Throws PyTorch's error for an input of the wrong rank. */
  protected abstract checkInputDim(input: Tensor): void;

  /**
   * Normalises with batch statistics in training (updating the running ones) and with the
   * running statistics in evaluation.
   * @example bn.train(); bn.call(x); bn.eval(); bn.call(x)
   */
  override forward(input: Tensor): Tensor {
    checkTensor(input, this.getName(), 'input');
    this.checkInputDim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked !== null) {
      const count = this.num_batches_tracked;
      noGrad(() => count.add_(1));
      factor = this.momentum === null ? 1 / count.item() : this.momentum;
    }
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    const useRunning = !this.training || this.trackRunningStats;
    return F.batchNorm(
      input,
      useRunning ? this.running_mean : null,
      useRunning ? this.running_var : null,
      this.weight,
      this.bias,
      { training: bnTraining, momentum: factor, eps: this.eps },
    );
  }

  protected override loadFromStateDict(
    stateDict: Record<string, Tensor>,
    prefix: string,
    missingKeys: string[],
    unexpectedKeys: string[],
    errors: string[],
  ): void {
    // As PyTorch does for state dicts without version metadata: a checkpoint lacking the
    // batch counter (saved before it existed) loads with the counter at 0.
    const key = `${prefix}num_batches_tracked`;
    if (this.trackRunningStats && !Object.hasOwn(stateDict, key)) {
      stateDict[key] = zeros([], { dtype: 'int32' });
    }
    super.loadFromStateDict(stateDict, prefix, missingKeys, unexpectedKeys, errors);
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyRepr(this.affine)}, track_running_stats=${pyRepr(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalisation over (N, C) or (N, C, L) inputs (PyTorch's `nn.BatchNorm1d`).
 * @example const bn = new nn.BatchNorm1d(4); bn.call(torch.randn(8, 4))
 */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new RangeError(`expected 2D or 3D input (got ${input.ndim}D input)`);
    }
  }
}

/**
 * Batch normalisation over (N, C, H, W) inputs (PyTorch's `nn.BatchNorm2d`).
 * @example const bn = new nn.BatchNorm2d(16); bn.call(torch.randn(8, 16, 5, 5))
 */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new RangeError(`expected 4D input (got ${input.ndim}D input)`);
  }
}
