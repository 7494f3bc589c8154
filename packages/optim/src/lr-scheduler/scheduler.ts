import { typeName } from '../check.js';
import { type Hyperparameters, Optimizer } from '../optimizer.js';

/** Any optimizer a scheduler can drive: its groups have an `lr`. */
export type AnyOptimizer = Optimizer<Hyperparameters>;

/** A scheduler's state as `stateDict()` returns it: its fields, without the optimizer. */
export type SchedulerStateDict = Record<string, unknown>;

/**
 * Base class of epoch-indexed learning-rate schedulers (PyTorch's `torch.optim.lr_scheduler
 * .LRScheduler`). `step()` advances `lastEpoch` and writes `getLr()`'s values into each group's
 * `lr`; constructing a scheduler performs the first step (setting each group's `initialLr`).
 * Subclasses implement `getLr()` (and optionally `closedFormLr()`, used by `step(epoch)`), and
 * call `this.initialStep()` at the end of their constructor.
 * @example
 * class Halving extends torch.optim.LRScheduler {
 *   constructor(opt: Optimizer) { super(opt); this.initialStep(); }
 *   getLr() { return this.baseLrs.map((lr) => lr / 2 ** this.lastEpoch); }
 * }
 */
export abstract class LRScheduler {
  /**
   * The optimizer whose learning rates this scheduler sets.
   * @example sched.optimizer.paramGroups[0]!.lr
   */
  readonly optimizer: AnyOptimizer;
  /**
   * Each group's `initialLr` when the scheduler was created.
   * @example new StepLR(opt, { stepSize: 10 }).baseLrs // [0.1] for an SGD with lr 0.1
   */
  baseLrs: number[];
  /**
   * Index of the last epoch (step) taken: 0 after construction, then +1 per `step()`.
   * @example sched.step(); sched.lastEpoch // 1
   */
  lastEpoch: number;
  /** @internal times `step()` ran (PyTorch's `_step_count`). */
  stepCount = 0;
  /** @internal the learning rates set by the last step. */
  lastLr: number[] = [];

  /**
   * Attaches to `optimizer`. With `lastEpoch = -1` (a fresh start) each group's `initialLr` is
   * set from its `lr`; when resuming, every group must already have `initialLr`.
   * @example super(optimizer, lastEpoch) // in a subclass, then this.initialStep()
   */
  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    if (lastEpoch === -1) {
      for (const group of optimizer.paramGroups) {
        if (group.initialLr === undefined) group.initialLr = group.lr;
      }
    } else {
      optimizer.paramGroups.forEach((group, i) => {
        if (group.initialLr === undefined) {
          throw new Error(
            `param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer`,
          );
        }
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Performs the first step; subclasses call it at the end of their constructor. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /**
   * The learning rate of every group for the current `lastEpoch` (called by `step`).
   * @example sched.getLr() // [0.01]
   */
  abstract getLr(): number[];

  /**
   * The learning rates as a function of `lastEpoch` alone, used by `step(epoch)` where the
   * schedule has one (PyTorch's `_get_closed_form_lr`).
   * @example closedFormLr() { return this.baseLrs.map((lr) => lr * 0.5 ** this.lastEpoch); }
   */
  closedFormLr?(): number[];

  /**
   * Advances one epoch (or jumps to `epoch`, deprecated in PyTorch) and sets each group's `lr`.
   * Call it after `optimizer.step()`.
   * @example for (const batch of data) { ...; opt.step(); } sched.step();
   */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr ? this.closedFormLr() : this.getLr();
    }
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = values[i]!;
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The learning rates set by the last step, one per group.
   * @example sched.step(); sched.getLastLr() // [0.05]
   */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /**
   * The scheduler's fields (epoch counter, base rates, its settings) as plain data; functions
   * such as LambdaLR's lambdas are left out.
   * @example const saved = sched.stateDict(); later.loadStateDict(saved);
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
  }
}

/**
 * Own fields of a scheduler as plain data (copied), without the optimizer and functions.
 * @example packFields(sched) // { lastEpoch: 3, baseLrs: [0.1], ... }
 */
export function packFields(obj: object): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'optimizer' || typeof value === 'function') continue;
    if (Array.isArray(value) && value.some((v) => typeof v === 'function')) continue;
    out[key] = copyData(value);
  }
  return out;
}

/**
 * Assigns saved fields back onto a scheduler (copied, so the dict can be reused).
 * @example unpackFields(sched, saved)
 */
export function unpackFields(obj: object, stateDict: SchedulerStateDict): void {
  if (stateDict === null || typeof stateDict !== 'object') {
    throw new TypeError('loadStateDict: expected an object as returned by stateDict()');
  }
  for (const [key, value] of Object.entries(stateDict)) {
    if (key === 'optimizer') continue;
    (obj as Record<string, unknown>)[key] = copyData(value);
  }
}

function copyData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyData);
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyData(v)]));
  }
  return value;
}

/**
 * One value per parameter group: `value` repeated, or a list checked to have one per group
 * (errors name `owner`, the scheduler, and the option `name`).
 * @example perGroup(opt, 'OneCycleLR', 'maxLr', 0.1) // [0.1, 0.1] for two groups
 */
export function perGroup(
  optimizer: AnyOptimizer,
  owner: string,
  name: string,
  value: number | readonly number[],
): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(value)) {
    if (value.length !== n) {
      throw new RangeError(
        `${owner}: expected ${n} values for ${name} (one per parameter group), got ${value.length}`,
      );
    }
    return value.slice();
  }
  return new Array<number>(n).fill(value as number);
}

/**
 * Throws PyTorch's `TypeError: <type> is not an Optimizer` for anything else.
 * @example checkOptimizer(opt)
 */
export function checkOptimizer(optimizer: unknown): asserts optimizer is AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
  }
}
