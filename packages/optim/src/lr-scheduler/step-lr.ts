import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Epochs between two decays. */
  stepSize: number;
  /** Factor applied every `stepSize` epochs (default 0.1). */
  gamma?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
 * @example const sched = new torch.optim.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  /** Epochs between two decays. @example sched.stepSize // 30 */
  stepSize: number;
  /** Decay factor. @example sched.gamma // 0.1 */
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    super(optimizer, options.lastEpoch ?? -1);
    if (!Number.isInteger(options.stepSize) || options.stepSize <= 0) {
      throw new RangeError(`StepLR: stepSize must be a positive integer, got ${options.stepSize}`);
    }
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  /** @example sched.getLr() */
  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0)
      return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  /** @example sched.closedFormLr() // baseLr · gamma^⌊lastEpoch / stepSize⌋ */
  override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions {
  /** Epochs at which to decay (a repeated epoch decays once per repetition). */
  milestones: readonly number[];
  /** Factor applied at each milestone (default 0.1). */
  gamma?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` at each milestone epoch (PyTorch's `MultiStepLR`).
 * @example const sched = new torch.optim.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone epoch was given. @example sched.milestones // { 30: 1, 80: 1 } */
  milestones: Record<number, number>;
  /** Decay factor. @example sched.gamma // 0.1 */
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    super(optimizer, options.lastEpoch ?? -1);
    this.milestones = {};
    for (const m of options.milestones) this.milestones[m] = (this.milestones[m] ?? 0) + 1;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  /** @example sched.getLr() */
  getLr(): number[] {
    const count = this.milestones[this.lastEpoch];
    const groups = this.optimizer.paramGroups;
    if (count === undefined) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma ** count);
  }

  /** @example sched.closedFormLr() // baseLr · gamma^(milestones passed) */
  override closedFormLr(): number[] {
    let passed = 0;
    for (const [m, count] of Object.entries(this.milestones)) {
      if (Number(m) <= this.lastEpoch) passed += count;
    }
    return this.baseLrs.map((lr) => lr * this.gamma ** passed);
  }
}

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Factor applied every epoch. */
  gamma: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Multiplies each group's learning rate by `gamma` every epoch (PyTorch's `ExponentialLR`).
 * @example const sched = new torch.optim.ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  /** Decay factor. @example sched.gamma // 0.95 */
  gamma: number;

  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    super(optimizer, options.lastEpoch ?? -1);
    this.gamma = options.gamma;
    this.initialStep();
  }

  /** @example sched.getLr() */
  getLr(): number[] {
    const groups = this.optimizer.paramGroups;
    if (this.lastEpoch === 0) return groups.map((g) => g.lr);
    return groups.map((g) => g.lr * this.gamma);
  }

  /** @example sched.closedFormLr() // baseLr · gamma^lastEpoch */
  override closedFormLr(): number[] {
    return this.baseLrs.map((lr) => lr * this.gamma ** this.lastEpoch);
  }
}

/** A learning-rate factor as a function of the epoch. */
export type LrLambda = (epoch: number) => number;

/** Options of {@link LambdaLR}. */
export interface LambdaLROptions {
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Sets each group's learning rate to its initial rate times `lrLambda(epoch)` (one function, or
 * one per group; PyTorch's `LambdaLR`). The functions are not part of `stateDict()`.
 * @example const sched = new torch.optim.LambdaLR(opt, (epoch) => 0.95 ** epoch);
 */
export class LambdaLR extends LRScheduler {
  /** One factor function per group. @example sched.lrLambdas.length // number of groups */
  lrLambdas: LrLambda[];

  constructor(
    optimizer: AnyOptimizer,
    lrLambda: LrLambda | readonly LrLambda[],
    options: LambdaLROptions = {},
  ) {
    super(optimizer, options.lastEpoch ?? -1);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) {
        throw new RangeError(`Expected ${n} lrLambdas, but got ${lrLambda.length}`);
      }
      this.lrLambdas = lrLambda.slice();
    } else {
      this.lrLambdas = new Array<LrLambda>(n).fill(lrLambda as LrLambda);
    }
    this.initialStep();
  }

  /** @example sched.getLr() // baseLr · lrLambda(lastEpoch) per group */
  getLr(): number[] {
    return this.baseLrs.map((lr, i) => lr * this.lrLambdas[i]!(this.lastEpoch));
  }
}
