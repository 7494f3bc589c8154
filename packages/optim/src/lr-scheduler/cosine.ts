import { type AnyOptimizer, LRScheduler } from './scheduler.js';

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Half-period of the cosine, in epochs (PyTorch's `T_max`). */
  tMax: number;
  /** Lowest learning rate (default 0). */
  etaMin?: number;
  /** Index of the last epoch when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/**
 * Anneals each group's learning rate along a cosine from its initial rate down to `etaMin` over
 * `tMax` epochs, then back up (PyTorch's `CosineAnnealingLR`, computed with the same recursive
 * formula so the values match step for step, including after manual changes of `lr`).
 * @example const sched = new torch.optim.CosineAnnealingLR(opt, { tMax: 100 });
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Half-period in epochs. @example sched.tMax // 100 */
  tMax: number;
  /** Lowest learning rate. @example sched.etaMin // 0 */
  etaMin: number;

  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer, options.lastEpoch ?? -1);
    if (!(options.tMax > 0)) {
      throw new RangeError(`CosineAnnealingLR: tMax must be positive, got ${options.tMax}`);
    }
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }

  /** @example sched.getLr() */
  getLr(): number[] {
    const { tMax, etaMin, lastEpoch } = this;
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && lastEpoch > 0) {
      return this.baseLrs.map(
        (base) => etaMin + ((base - etaMin) * (1 + Math.cos((lastEpoch * Math.PI) / tMax))) / 2,
      );
    }
    if (pyMod(lastEpoch - 1 - tMax, 2 * tMax) === 0) {
      return groups.map(
        (g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    return groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * lastEpoch) / tMax)) /
          (1 + Math.cos((Math.PI * (lastEpoch - 1)) / tMax))) *
          (g.lr - etaMin) +
        etaMin,
    );
  }

  /** @example sched.closedFormLr() // etaMin + (base - etaMin)(1 + cos(π·epoch/tMax))/2 */
  override closedFormLr(): number[] {
    return this.baseLrs.map(
      (base) =>
        this.etaMin +
        ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2,
    );
  }
}

/** Python's `%` (the result has the divisor's sign). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
