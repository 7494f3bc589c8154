import { readFileSync } from 'node:fs';
import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { expectClose } from './helpers.js';

const { lrScheduler } = torch.optim;
type AnyOptimizer = torch.optim.Optimizer<torch.optim.Hyperparameters>;

interface Case {
  scheduler: string;
  optimizer: 'SGD' | 'Adam';
  options: Record<string, unknown>;
  lrs: number[][];
  momenta?: number[][];
  metrics?: number[];
}

const cases: Case[] = JSON.parse(
  readFileSync(new URL('./fixtures/schedulers.json', import.meta.url), 'utf8'),
);

/** Two groups (lr 0.1 and 0.05), as the generator builds them. */
function optimizer(kind: 'SGD' | 'Adam'): { opt: AnyOptimizer; params: Tensor[] } {
  const params = [torch.zeros(2).requiresGrad_(), torch.zeros(3).requiresGrad_()];
  const groups = [{ params: [params[0]!] }, { params: [params[1]!], lr: 0.05 }];
  const opt =
    kind === 'SGD'
      ? new torch.optim.SGD(groups, { lr: 0.1, momentum: 0.9 })
      : new torch.optim.Adam(groups, { lr: 0.1 });
  return { opt, params };
}

type Scheduler = torch.optim.LRScheduler;

function makeScheduler(c: Case, opt: AnyOptimizer): Scheduler {
  const o = c.options as never;
  switch (c.scheduler) {
    case 'StepLR':
      return new lrScheduler.StepLR(opt, o);
    case 'MultiStepLR':
      return new lrScheduler.MultiStepLR(opt, o);
    case 'ExponentialLR':
      return new lrScheduler.ExponentialLR(opt, o);
    case 'CosineAnnealingLR':
      return new lrScheduler.CosineAnnealingLR(opt, o);
    case 'LambdaLR':
      return new lrScheduler.LambdaLR(opt, (e) => 1 / (1 + e));
    case 'OneCycleLR':
      return new lrScheduler.OneCycleLR(opt, o);
    default:
      throw new Error(`unknown scheduler ${c.scheduler}`);
  }
}

function momentumOf(group: Record<string, unknown>): number {
  return 'betas' in group ? (group.betas as number[])[0]! : (group.momentum as number);
}

function trainStep(opt: AnyOptimizer, params: Tensor[]): void {
  for (const p of params) p.grad = torch.onesLike(p);
  opt.step();
}

const epochCases = cases.filter((c) => c.scheduler !== 'ReduceLROnPlateau');
const plateauCases = cases.filter((c) => c.scheduler === 'ReduceLROnPlateau');

describe('epoch schedulers against PyTorch 1.13', () => {
  it.each(epochCases.map((c, i) => [`${c.scheduler} ${c.optimizer} #${i}`, c] as const))(
    '%s',
    (_name, c) => {
      const { opt, params } = optimizer(c.optimizer);
      const sched = makeScheduler(c, opt);
      const lrs = [sched.getLastLr()];
      const momenta = [opt.paramGroups.map(momentumOf)];
      for (let i = 1; i < c.lrs.length; i++) {
        trainStep(opt, params);
        sched.step();
        lrs.push(sched.getLastLr());
        momenta.push(opt.paramGroups.map(momentumOf));
      }
      expectClose(lrs.flat(), c.lrs.flat(), 'learning rates', 1e-12, 1e-15);
      expectClose(momenta.flat(), c.momenta!.flat(), 'momenta', 1e-12, 1e-15);
      expect(opt.paramGroups.map((g) => g.lr)).toEqual(lrs.at(-1));
    },
  );

  it.each(epochCases.map((c, i) => [`${c.scheduler} ${c.optimizer} #${i}`, c] as const))(
    '%s: stateDict round trip mid-schedule continues identically',
    (_name, c) => {
      const a = optimizer(c.optimizer);
      const sched = makeScheduler(c, a.opt);
      for (let i = 1; i < 12; i++) {
        trainStep(a.opt, a.params);
        sched.step();
      }
      const savedOpt = a.opt.stateDict();
      const saved = sched.stateDict();
      expect(saved.optimizer).toBeUndefined();
      expect(saved.lastEpoch).toBe(11);
      const b = optimizer(c.optimizer);
      b.opt.loadStateDict(savedOpt);
      const resumed = makeScheduler(c, b.opt);
      resumed.loadStateDict(saved);
      b.opt.loadStateDict(savedOpt);
      for (let i = 12; i < c.lrs.length; i++) {
        trainStep(a.opt, a.params);
        sched.step();
        trainStep(b.opt, b.params);
        resumed.step();
        expect(resumed.getLastLr()).toEqual(sched.getLastLr());
      }
      expectClose(sched.getLastLr(), c.lrs.at(-1)!, 'final lr', 1e-12, 1e-15);
    },
  );
});

describe('ReduceLROnPlateau against PyTorch 1.13', () => {
  it.each(plateauCases.map((c, i) => [JSON.stringify(c.options), i, c] as const))(
    '%s',
    (_name, _i, c) => {
      const { opt } = optimizer('SGD');
      const sched = new lrScheduler.ReduceLROnPlateau(opt, c.options as never);
      const lrs = c.metrics!.map((m, i) => {
        sched.step(i % 2 === 0 ? m : torch.tensor(m, { dtype: 'float64' }));
        return sched.getLastLr();
      });
      expectClose(lrs.flat(), c.lrs.flat(), 'learning rates', 1e-12, 1e-15);
    },
  );

  it('takes a number or a tensor as the metric, and says so for a plain array', () => {
    const { opt } = optimizer('SGD');
    const sched = new lrScheduler.ReduceLROnPlateau(opt);
    expect(() => sched.step([0.5] as never)).toThrow(
      "ReduceLROnPlateau.step(): argument 'metrics' must be a Tensor or a number, not an array (wrap it with torch.tensor(...))",
    );
    expect(sched.lastEpoch).toBe(0);
  });

  it('round-trips its state and keeps counting where it left off', () => {
    const c = plateauCases[1]!;
    const a = optimizer('SGD');
    const sched = new lrScheduler.ReduceLROnPlateau(a.opt, c.options as never);
    const b = optimizer('SGD');
    const resumed = new lrScheduler.ReduceLROnPlateau(b.opt, c.options as never);
    c.metrics!.forEach((m, i) => {
      if (i === 10) {
        resumed.loadStateDict(sched.stateDict());
        b.opt.loadStateDict(a.opt.stateDict());
      }
      sched.step(m);
      if (i >= 10) resumed.step(m);
    });
    expect(resumed.getLastLr()).toEqual(sched.getLastLr());
    expect(resumed.lastEpoch).toBe(sched.lastEpoch);
    expect(sched.getLastLr()).toEqual(c.lrs.at(-1));
  });

  it('rejects bad settings as PyTorch does', () => {
    const { opt } = optimizer('SGD');
    expect(() => new lrScheduler.ReduceLROnPlateau(opt, { factor: 1 })).toThrow(
      'Factor should be < 1.0.',
    );
    expect(() => new lrScheduler.ReduceLROnPlateau(opt, { mode: 'up' as never })).toThrow(
      'mode up is unknown!',
    );
    expect(() => new lrScheduler.ReduceLROnPlateau(opt, { minLr: [0.1] })).toThrow(
      'ReduceLROnPlateau: expected 2 values for minLr (one per parameter group), got 1',
    );
  });
});

describe('scheduler behaviour', () => {
  it('is exported both as torch.optim.lrScheduler and at the top level', () => {
    expect(torch.optim.StepLR).toBe(lrScheduler.StepLR);
    expect(torch.optim.OneCycleLR).toBe(lrScheduler.OneCycleLR);
  });

  it('sets initialLr on the groups and keeps the first learning rate', () => {
    const { opt } = optimizer('SGD');
    const sched = new torch.optim.StepLR(opt, { stepSize: 2 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    expect(sched.baseLrs).toEqual([0.1, 0.05]);
    expect(sched.lastEpoch).toBe(0);
  });

  it('step(epoch) uses the closed form', () => {
    const { opt } = optimizer('SGD');
    const sched = new torch.optim.StepLR(opt, { stepSize: 3, gamma: 0.5 });
    sched.step(7);
    expect(sched.getLastLr()).toEqual([0.1 * 0.25, 0.05 * 0.25]);
    const cos = new torch.optim.CosineAnnealingLR(optimizer('SGD').opt, { tMax: 10 });
    cos.step(5);
    expect(cos.getLastLr()[0]).toBeCloseTo(0.05, 15);
  });

  it('requires initialLr when resuming with lastEpoch', () => {
    const { opt } = optimizer('SGD');
    expect(() => new torch.optim.ExponentialLR(opt, { gamma: 0.9, lastEpoch: 4 })).toThrow(
      "param 'initialLr' is not specified in paramGroups[0] when resuming an optimizer",
    );
  });

  it('LambdaLR takes one function per group and leaves functions out of stateDict', () => {
    const { opt } = optimizer('SGD');
    expect(() => new torch.optim.LambdaLR(opt, [(e) => e])).toThrow(
      'Expected 2 lrLambdas, but got 1',
    );
    const sched = new torch.optim.LambdaLR(opt, [(e) => 0.5 ** e, (e) => 1 + e]);
    sched.step();
    expect(sched.getLastLr()).toEqual([0.05, 0.1]);
    expect(sched.stateDict().lrLambdas).toBeUndefined();
  });

  it('OneCycleLR validates its arguments and stops after totalSteps', () => {
    const { opt } = optimizer('SGD');
    expect(() => new torch.optim.OneCycleLR(opt, { maxLr: 0.1 })).toThrow(
      'You must define either totalSteps OR (epochs AND stepsPerEpoch)',
    );
    expect(() => new torch.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 0 })).toThrow(
      'Expected positive integer totalSteps, but got 0',
    );
    expect(
      () => new torch.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 5, pctStart: 2 }),
    ).toThrow('Expected float between 0 and 1 pctStart, but got 2');
    expect(() => new torch.optim.OneCycleLR(opt, { maxLr: [0.1], totalSteps: 5 })).toThrow(
      'OneCycleLR: expected 2 values for maxLr (one per parameter group), got 1',
    );
    const sched = new torch.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 3 });
    for (let i = 0; i < 3; i++) sched.step();
    expect(() => sched.step()).toThrow(
      'Tried to step 5 times. The specified number of total steps is 3',
    );
  });

  it('OneCycleLR needs an optimizer with momentum when cycling it', () => {
    const p = torch.zeros(2).requiresGrad_();
    const opt = new torch.optim.Adagrad([p]);
    expect(() => new torch.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 5 })).toThrow(
      'optimizer must support momentum with `cycleMomentum` option enabled',
    );
    expect(
      () => new torch.optim.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 5, cycleMomentum: false }),
    ).not.toThrow();
  });

  it('rejects a non-optimizer', () => {
    expect(() => new torch.optim.StepLR({} as never, { stepSize: 1 })).toThrow(
      'Object is not an Optimizer',
    );
    expect(() => new torch.optim.OneCycleLR(null as never, { maxLr: 1, totalSteps: 2 })).toThrow(
      'null is not an Optimizer',
    );
    expect(() => new torch.optim.ReduceLROnPlateau(new Map() as never)).toThrow(
      'Map is not an Optimizer',
    );
  });
});
