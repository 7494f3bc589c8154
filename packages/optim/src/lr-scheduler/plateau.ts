import { checkTensorOrScalar, Tensor } from '@autodag/core';
import {
  type AnyOptimizer,
  checkOptimizer,
  packFields,
  perGroup,
  type SchedulerStateDict,
  unpackFields,
} from './scheduler.js';

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): the metric should decrease; `'max'`: it should increase. */
  mode?: 'min' | 'max';
  /** Factor applied to the learning rate on a plateau (default 0.1, must be < 1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** `'rel'` (default): relative to the best value; `'abs'`: absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound on the learning rate: one for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces the learning rate by `factor` when a metric has stopped improving for `patience`
 * epochs (PyTorch's `ReduceLROnPlateau`). Step it with the metric, e.g. the validation loss.
 * @example
 * const sched = new torch.optim.ReduceLROnPlateau(opt, { patience: 5 });
 * // each epoch: sched.step(validationLoss);
 */
export class ReduceLROnPlateau {
  /** The optimizer whose learning rates this scheduler sets. @example sched.optimizer */
  readonly optimizer: AnyOptimizer;
  /** Reduction factor. @example sched.factor // 0.1 */
  factor: number;
  /** Lower bound per group. @example sched.minLrs // [0] */
  minLrs: number[];
  /** Bad epochs tolerated. @example sched.patience // 10 */
  patience: number;
  /** Cooldown epochs after a reduction. @example sched.cooldown // 0 */
  cooldown: number;
  /** Cooldown epochs left. @example sched.cooldownCounter // 0 */
  cooldownCounter = 0;
  /** Whether lower or higher metrics are better. @example sched.mode // 'min' */
  mode: 'min' | 'max';
  /** Improvement threshold. @example sched.threshold // 1e-4 */
  threshold: number;
  /** How `threshold` is applied. @example sched.thresholdMode // 'rel' */
  thresholdMode: 'rel' | 'abs';
  /** Best metric seen. @example sched.best // Infinity before the first step in 'min' mode */
  best: number;
  /** Epochs since the last improvement. @example sched.numBadEpochs // 0 */
  numBadEpochs = 0;
  /** Smallest reduction applied. @example sched.eps // 1e-8 */
  eps: number;
  /** Epochs stepped. @example sched.lastEpoch // 0 after construction */
  lastEpoch = 0;
  /** @internal the learning rates after the last step. */
  lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const factor = options.factor ?? 0.1;
    if (factor >= 1.0) throw new RangeError('Factor should be < 1.0.');
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    this.factor = factor;
    this.minLrs = perGroup(optimizer, 'ReduceLROnPlateau', 'minLr', options.minLr ?? 0);
    this.patience = options.patience ?? 10;
    this.cooldown = options.cooldown ?? 0;
    this.mode = options.mode ?? 'min';
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.eps = options.eps ?? 1e-8;
    this.checkModes();
    this.best = this.modeWorse();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Records the metric of one epoch and reduces the learning rates after `patience` epochs
   * without improvement.
   * @example sched.step(valLoss) // a number or a one-element tensor
   */
  step(metric: number | Tensor, epoch?: number): void {
    checkTensorOrScalar(metric, 'ReduceLROnPlateau.step', 'metrics');
    const current = metric instanceof Tensor ? metric.item() : Number(metric);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      // Bad epochs during cooldown do not count.
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The learning rates after the last step, one per group.
   * @example sched.getLastLr() // [0.01]
   */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /**
   * True while in the cooldown after a reduction.
   * @example sched.inCooldown // false
   */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /**
   * Whether `a` improves on `best` by more than the threshold.
   * @example sched.isBetter(0.5, 1) // true in 'min' mode
   */
  isBetter(a: number, best: number): boolean {
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /**
   * The scheduler's fields as plain data (without the optimizer).
   * @example const saved = sched.stateDict();
   */
  stateDict(): SchedulerStateDict {
    return packFields(this);
  }

  /**
   * Restores fields saved by `stateDict()`.
   * @example sched.loadStateDict(saved)
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    unpackFields(this, stateDict);
    this.checkModes();
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      const oldLr = group.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
      if (oldLr - newLr > this.eps) group.lr = newLr;
    });
  }

  private modeWorse(): number {
    return this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  private checkModes(): void {
    if (this.mode !== 'min' && this.mode !== 'max') {
      throw new RangeError(`mode ${this.mode} is unknown!`);
    }
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') {
      throw new RangeError(`threshold mode ${this.thresholdMode} is unknown!`);
    }
  }
}
