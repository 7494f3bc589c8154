import { type AnyOptimizer, checkOptimizer, LRScheduler, perGroup } from './scheduler.js';

/** Options of {@link OneCycleLR}. Give `totalSteps`, or `epochs` and `stepsPerEpoch`. */
export interface OneCycleLROptions {
  /** Peak learning rate: one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Number of steps in the cycle. */
  totalSteps?: number;
  /** Epochs in the cycle (with `stepsPerEpoch`, when `totalSteps` is not given). */
  epochs?: number;
  /** Steps per epoch (with `epochs`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the learning rate (default 0.3). */
  pctStart?: number;
  /** Annealing curve: `'cos'` (default) or `'linear'`. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum inversely to the learning rate (SGD's `momentum`, Adam's `betas[0]`; default true). */
  cycleMomentum?: boolean;
  /** Lowest momentum, reached at the peak learning rate (default 0.85). */
  baseMomentum?: number | readonly number[];
  /** Highest momentum, at the start and end of the cycle (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** The initial learning rate is `maxLr / divFactor` (default 25). */
  divFactor?: number;
  /** The final learning rate is `initialLr / finalDivFactor` (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial rate, then annihilation) instead of two (default false). */
  threePhase?: boolean;
  /** Index of the last step when resuming (default -1: start fresh). */
  lastEpoch?: number;
}

/** A phase of the cycle: where it ends and which group entries it anneals between. */
interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (PyTorch's `OneCycleLR`): the learning rate rises from `maxLr / divFactor` to
 * `maxLr` over `pctStart` of the steps, then anneals to `initialLr / finalDivFactor`, while the
 * momentum moves the opposite way between `maxMomentum` and `baseMomentum`. Step it after every
 * batch; stepping past `totalSteps` throws.
 * @example
 * const sched = new torch.optim.OneCycleLR(opt, { maxLr: 0.01, epochs: 10, stepsPerEpoch: 100 });
 * // per batch: opt.step(); sched.step();
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. @example sched.totalSteps // 1000 */
  totalSteps: number;
  /** Annealing curve. @example sched.annealStrategy // 'cos' */
  annealStrategy: 'cos' | 'linear';
  /** Whether momentum is cycled. @example sched.cycleMomentum // true */
  cycleMomentum: boolean;
  /** Whether the momentum is Adam's `betas[0]` rather than SGD's `momentum`. @example sched.useBeta1 */
  useBeta1: boolean;
  /** @internal the phases of the cycle. */
  schedulePhases: Phase[];

  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    const o = options;
    checkOptimizer(optimizer);
    if (o.totalSteps === undefined && (o.epochs === undefined || o.stepsPerEpoch === undefined)) {
      throw new RangeError('You must define either totalSteps OR (epochs AND stepsPerEpoch)');
    }
    let totalSteps: number;
    if (o.totalSteps !== undefined) {
      if (!Number.isInteger(o.totalSteps) || o.totalSteps <= 0) {
        throw new RangeError(`Expected positive integer totalSteps, but got ${o.totalSteps}`);
      }
      totalSteps = o.totalSteps;
    } else {
      if (!Number.isInteger(o.epochs) || o.epochs! <= 0) {
        throw new RangeError(`Expected positive integer epochs, but got ${o.epochs}`);
      }
      if (!Number.isInteger(o.stepsPerEpoch) || o.stepsPerEpoch! <= 0) {
        throw new RangeError(`Expected positive integer stepsPerEpoch, but got ${o.stepsPerEpoch}`);
      }
      totalSteps = o.epochs! * o.stepsPerEpoch!;
    }
    const pctStart = o.pctStart ?? 0.3;
    if (!(pctStart >= 0 && pctStart <= 1)) {
      throw new RangeError(`Expected float between 0 and 1 pctStart, but got ${pctStart}`);
    }
    const anneal = o.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear') {
      throw new RangeError(
        `annealStrategy must be one of 'cos' or 'linear', instead got ${anneal}`,
      );
    }
    const lastEpoch = o.lastEpoch ?? -1;
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    const maxLrs = perGroup(optimizer, 'OneCycleLR', 'maxLr', o.maxLr);
    if (lastEpoch === -1) {
      optimizer.paramGroups.forEach((group, i) => {
        group.initialLr = maxLrs[i]! / divFactor;
        group.maxLr = maxLrs[i]!;
        group.minLr = (group.initialLr as number) / finalDivFactor;
      });
    }
    const cycleMomentum = o.cycleMomentum ?? true;
    let useBeta1 = false;
    if (cycleMomentum) {
      const defaults = optimizer.defaults as Record<string, unknown>;
      if (!('momentum' in defaults) && !('betas' in defaults)) {
        throw new Error('optimizer must support momentum with `cycleMomentum` option enabled');
      }
      useBeta1 = 'betas' in defaults;
      const maxMomentums = perGroup(optimizer, 'OneCycleLR', 'maxMomentum', o.maxMomentum ?? 0.95);
      const baseMomentums = perGroup(
        optimizer,
        'OneCycleLR',
        'baseMomentum',
        o.baseMomentum ?? 0.85,
      );
      if (lastEpoch === -1) {
        optimizer.paramGroups.forEach((group, i) => {
          setMomentum(group, useBeta1, maxMomentums[i]!);
          group.maxMomentum = maxMomentums[i]!;
          group.baseMomentum = baseMomentums[i]!;
        });
      }
    }
    super(optimizer, lastEpoch);
    this.totalSteps = totalSteps;
    this.annealStrategy = anneal;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    const up = pctStart * totalSteps - 1;
    this.schedulePhases = o.threePhase
      ? [
          phase(up, 'initialLr', 'maxLr', 'maxMomentum', 'baseMomentum'),
          phase(2 * pctStart * totalSteps - 2, 'maxLr', 'initialLr', 'baseMomentum', 'maxMomentum'),
          phase(totalSteps - 1, 'initialLr', 'minLr', 'maxMomentum', 'maxMomentum'),
        ]
      : [
          phase(up, 'initialLr', 'maxLr', 'maxMomentum', 'baseMomentum'),
          phase(totalSteps - 1, 'maxLr', 'minLr', 'baseMomentum', 'maxMomentum'),
        ];
    this.initialStep();
  }

  /** @example sched.getLr() // and sets each group's momentum when cycling it */
  getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new RangeError(
        `Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`,
      );
    }
    const anneal = this.annealStrategy === 'cos' ? annealCos : annealLinear;
    const phases = this.schedulePhases;
    return this.optimizer.paramGroups.map((group) => {
      let startStep = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < phases.length; i++) {
        const p = phases[i]!;
        if (stepNum <= p.endStep || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (p.endStep - startStep);
          lr = anneal(group[p.startLr] as number, group[p.endLr] as number, pct);
          if (this.cycleMomentum) {
            momentum = anneal(
              group[p.startMomentum] as number,
              group[p.endMomentum] as number,
              pct,
            );
          }
          break;
        }
        startStep = p.endStep;
      }
      if (this.cycleMomentum) setMomentum(group, this.useBeta1, momentum);
      return lr;
    });
  }
}

function phase(
  endStep: number,
  startLr: string,
  endLr: string,
  startMomentum: string,
  endMomentum: string,
): Phase {
  return { endStep, startLr, endLr, startMomentum, endMomentum };
}

function setMomentum(group: Record<string, unknown>, useBeta1: boolean, value: number): void {
  if (useBeta1) {
    const betas = group.betas as [number, number];
    group.betas = [value, betas[1]];
  } else {
    group.momentum = value;
  }
}

function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}
