import { readFileSync } from 'node:fs';
import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { expectClose, make, tolerance } from './helpers.js';

interface Case {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  dtype: 'float32' | 'float64';
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  shapes: number[][];
  init: number[][];
  grads: (number[] | null)[][];
  after: number[][][];
  finalState: Record<string, number[] | number | null>[];
}

const cases: Case[] = JSON.parse(
  readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8'),
);

type AnyOptimizer = torch.optim.Optimizer<torch.optim.Hyperparameters>;

function build(c: Case, params: Tensor[], fused: boolean | null): AnyOptimizer {
  const Ctor = torch.optim[c.optimizer] as unknown as new (
    p: unknown,
    o: Record<string, unknown>,
  ) => AnyOptimizer;
  const options = { ...c.options, fused };
  if (c.groups === null) return new Ctor(params, options);
  return new Ctor(
    c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options })),
    options,
  );
}

function setGrads(c: Case, params: Tensor[], step: number): void {
  params.forEach((p, j) => {
    const g = c.grads[step]![j];
    p.grad = g ? make(g, c.shapes[j]!, c.dtype) : null;
  });
}

describe.each([
  ['fused loop', null],
  ['tensor ops', false],
] as const)('optimizers against PyTorch 1.13 (%s)', (_label, fused) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const params = c.init.map((v, j) => make(v, c.shapes[j]!, c.dtype, true));
    const opt = build(c, params, fused);
    const [rtol, atol] = tolerance(c.dtype);
    for (let step = 0; step < c.after.length; step++) {
      setGrads(c, params, step);
      opt.step();
      params.forEach((p, j) => {
        expectClose(p.dataSync(), c.after[step]![j]!, `step ${step + 1} param ${j}`, rtol, atol);
      });
    }
    params.forEach((p, j) => {
      const state = opt.state.get(p)!;
      for (const [key, expected] of Object.entries(c.finalState[j]!)) {
        const actual = state[key];
        if (Array.isArray(expected)) {
          expect(actual, key).toBeInstanceOf(torch.Tensor);
          expectClose((actual as Tensor).dataSync(), expected, `state ${key} of ${j}`, rtol, atol);
        } else {
          expect(actual, key).toBe(expected);
        }
      }
      expect(Object.keys(state).sort()).toEqual(Object.keys(c.finalState[j]!).sort());
    });
  });
});

describe('stateDict round trip', () => {
  it.each(cases.map((c) => [c.name, c] as const))(
    '%s continues identically after loading',
    (_name, c) => {
      const half = 5;
      const params = c.init.map((v, j) => make(v, c.shapes[j]!, c.dtype, true));
      const opt = build(c, params, null);
      for (let step = 0; step < half; step++) {
        setGrads(c, params, step);
        opt.step();
      }
      const saved = opt.stateDict();
      // A fresh optimizer over copies of the parameters, restored from the saved state.
      const copies = params.map((p) => p.detach().clone().requiresGrad_());
      const resumed = build({ ...c, options: { ...c.options, lr: 0.123 } }, copies, null);
      resumed.loadStateDict(saved);
      // Training on must not change what was saved (tensors are copied on save and on load).
      const savedCopy = JSON.stringify(saved, (_k, v) =>
        v instanceof torch.Tensor ? v.tolist() : v,
      );
      for (let step = half; step < c.after.length; step++) {
        setGrads(c, params, step);
        opt.step();
        setGrads(c, copies, step);
        resumed.step();
      }
      copies.forEach((p, j) => {
        expect(Array.from(p.dataSync())).toEqual(Array.from(params[j]!.dataSync()));
      });
      expect(resumed.paramGroups.map((g) => g.lr)).toEqual(opt.paramGroups.map((g) => g.lr));
      expect(JSON.stringify(saved, (_k, v) => (v instanceof torch.Tensor ? v.tolist() : v))).toBe(
        savedCopy,
      );
    },
  );
});

describe('Rosenbrock with a closure, float64', () => {
  const runs: {
    optimizer: Case['optimizer'];
    options: Record<string, unknown>;
    init: number[];
    losses: number[];
    path: number[][];
  }[] = JSON.parse(readFileSync(new URL('./fixtures/rosenbrock.json', import.meta.url), 'utf8'));
  it.each(runs.map((r) => [r.optimizer, r] as const))('%s', (_name, r) => {
    const xy = torch.tensor(r.init, { dtype: 'float64', requiresGrad: true });
    const Ctor = torch.optim[r.optimizer] as unknown as new (
      p: unknown,
      o: Record<string, unknown>,
    ) => AnyOptimizer;
    const opt = new Ctor([xy], r.options);
    const rosenbrock = () => {
      const x = xy.get(0);
      const y = xy.get(1);
      return torch
        .sub(1, x)
        .pow(2)
        .add(y.sub(x.pow(2)).pow(2).mul(100));
    };
    r.path.forEach((expected, i) => {
      const loss = opt.step(() => {
        opt.zeroGrad();
        const l = rosenbrock();
        l.backward();
        return l;
      });
      expect(loss!.item()).toBeCloseTo(r.losses[i]!, 10);
      expectClose(xy.dataSync(), expected, `step ${i + 1}`, 1e-12, 1e-14);
    });
  });
});
