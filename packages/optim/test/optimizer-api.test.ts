import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const { SGD, Adam, AdamW, RMSprop, Adagrad } = torch.optim;

function params(n = 2) {
  return Array.from({ length: n }, (_, i) => torch.full([2], i + 1).requiresGrad_());
}

describe('parameter groups', () => {
  it("fills each group's options from PyTorch's defaults", () => {
    const [a, b] = params();
    const opt = new Adam([{ params: [a!] }, { params: b!, lr: 0.1, betas: [0.5, 0.6] }]);
    expect(opt.paramGroups[0]).toEqual({
      params: [a],
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      fused: null,
    });
    expect(opt.paramGroups[1]!.lr).toBe(0.1);
    expect(opt.paramGroups[1]!.betas).toEqual([0.5, 0.6]);
    expect(opt.paramGroups[1]!.params).toEqual([b]);
    expect(new AdamW(params()).paramGroups[0]!.weightDecay).toBe(1e-2);
    const rms = new RMSprop(params()).paramGroups[0]!;
    expect([rms.lr, rms.alpha, rms.eps, rms.momentum, rms.centered]).toEqual([
      1e-2,
      0.99,
      1e-8,
      0,
      false,
    ]);
    const ada = new Adagrad(params()).paramGroups[0]!;
    expect([ada.lr, ada.lrDecay, ada.eps, ada.initialAccumulatorValue]).toEqual([
      1e-2, 0, 1e-10, 0,
    ]);
    const sgd = new SGD(params(), { lr: 0.1 }).paramGroups[0]!;
    expect([sgd.momentum, sgd.dampening, sgd.weightDecay, sgd.nesterov]).toEqual([0, 0, 0, false]);
  });

  it('group options do not alias the defaults', () => {
    const opt = new Adam(params());
    opt.paramGroups[0]!.betas[0] = 0.1;
    expect(opt.defaults.betas).toEqual([0.9, 0.999]);
  });

  it('addParamGroup adds a group; parameters may not repeat', () => {
    const [a, b, c] = params(3);
    const opt = new SGD([a!], { lr: 0.1, momentum: 0.9 });
    opt.addParamGroup({ params: [b!], lr: 0.01 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.01]);
    expect(opt.paramGroups[1]!.momentum).toBe(0.9);
    expect(() => opt.addParamGroup({ params: [a!, c!] })).toThrow(
      'some parameters appear in more than one parameter group',
    );
    expect(() => opt.addParamGroup({ params: [c!, c!] })).toThrow(
      'optimizer contains a parameter group with duplicate parameters',
    );
  });

  it('accepts any iterable of tensors, e.g. a generator or a Set', () => {
    const ps = params(3);
    function* gen() {
      yield* ps;
    }
    expect(new SGD(gen(), { lr: 1 }).paramGroups[0]!.params).toEqual(ps);
    expect(new SGD(new Set(ps), { lr: 1 }).paramGroups[0]!.params).toEqual(ps);
  });

  it('rejects bad parameters as PyTorch does', () => {
    const [a] = params(1);
    expect(() => new SGD(a as never, { lr: 1 })).toThrow(
      'params argument given to the optimizer should be an iterable of Tensors or dicts, but got Tensor',
    );
    expect(() => new SGD([], { lr: 1 })).toThrow('optimizer got an empty parameter list');
    expect(() => new SGD([a!, 3 as never], { lr: 1 })).toThrow(
      "SGD(): argument 'params' (element 1) must be a Tensor, not a number (wrap it with torch.tensor(...))",
    );
    expect(() => new SGD([a!.mul(2)], { lr: 1 })).toThrow("can't optimize a non-leaf Tensor");
    expect(() => new SGD([{ params: [a!] }], {} as never)).toThrow(
      "parameter group didn't specify a value of required optimization parameter lr",
    );
    expect(new SGD([{ params: [a!], lr: 0.5 }], {} as never).paramGroups[0]!.lr).toBe(0.5);
  });

  it('rejects invalid hyperparameters with PyTorch messages', () => {
    const p = params();
    expect(() => new SGD(p, { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new SGD(p, { lr: 0.1, momentum: -0.5 })).toThrow('Invalid momentum value: -0.5');
    expect(() => new SGD(p, { lr: 0.1, weightDecay: -1 })).toThrow('Invalid weightDecay value: -1');
    expect(() => new SGD(p, { lr: 0.1, nesterov: true })).toThrow(
      'Nesterov momentum requires a momentum and zero dampening',
    );
    expect(() => new Adam(p, { lr: Number.NaN })).toThrow('Invalid learning rate: NaN');
    expect(() => new Adam(p, { eps: -1 })).toThrow('Invalid epsilon value: -1');
    expect(() => new Adam(p, { betas: [1, 0.9] })).toThrow('Invalid beta parameter at index 0: 1');
    expect(() => new AdamW(p, { betas: [0.9, -0.1] })).toThrow(
      'Invalid beta parameter at index 1: -0.1',
    );
    expect(() => new RMSprop(p, { alpha: -1 })).toThrow('Invalid alpha value: -1');
    expect(() => new Adagrad(p, { lrDecay: -1 })).toThrow('Invalid lrDecay value: -1');
    expect(() => new Adagrad(p, { initialAccumulatorValue: -1 })).toThrow(
      'Invalid initialAccumulatorValue value: -1',
    );
    // Per-group values are checked too.
    expect(() => new Adam([{ params: p, lr: -2 }])).toThrow('Invalid learning rate: -2');
  });

  it('prints like PyTorch', () => {
    const opt = new SGD(params(), { lr: 0.1, momentum: 0.9 });
    expect(opt.toString()).toBe(
      'SGD (\nParameter Group 0\n    dampening: 0\n    fused: null\n    lr: 0.1\n    maximize: false\n    momentum: 0.9\n    nesterov: false\n    weightDecay: 0\n)',
    );
  });
});

describe('step and zeroGrad', () => {
  it('skips parameters without a gradient and runs without recording a graph', () => {
    const [a, b] = params();
    const opt = new SGD([a!, b!], { lr: 0.5 });
    a!.sum().mul(2).backward();
    opt.step();
    expect(Array.from(a!.dataSync())).toEqual([0, 0]);
    expect(Array.from(b!.dataSync())).toEqual([2, 2]);
    expect(a!.isLeaf).toBe(true);
    expect(a!.requiresGrad).toBe(true);
    expect(opt.state.has(b!)).toBe(false);
  });

  it('bumps the version counter of updated parameters', () => {
    const [a] = params(1);
    const opt = new Adam([a!]);
    a!.grad = torch.onesLike(a!);
    const before = a!.version;
    opt.step();
    expect(a!.version).toBeGreaterThan(before);
  });

  it('step(closure) evaluates the closure with grad enabled and returns its loss', () => {
    const w = torch.tensor([3], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.25 });
    const loss = torch.noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = w.mul(w).sum();
        l.backward();
        return l;
      }),
    );
    expect(loss!.item()).toBe(9);
    expect(w.item()).toBe(1.5);
  });

  it('zeroGrad sets gradients to null by default, or zeros them in place', () => {
    const [a, b] = params();
    const opt = new SGD([a!, b!], { lr: 0.1 });
    a!.sum().backward();
    opt.zeroGrad();
    expect(a!.grad).toBeNull();
    a!.sum().backward();
    const g = a!.grad!;
    opt.zeroGrad(false);
    expect(a!.grad).toBe(g);
    expect(Array.from(g.dataSync())).toEqual([0, 0]);
    expect(b!.grad).toBeNull();
  });

  it('state tensors survive an enclosing tidy', () => {
    const [a] = params(1);
    const opt = new Adam([a!]);
    torch.tidy(() => {
      a!.grad = torch.onesLike(a!);
      opt.step();
    });
    const s = opt.state.get(a!)!;
    expect((s.expAvg as torch.Tensor).disposed).toBe(false);
    a!.grad = torch.onesLike(a!);
    expect(() => opt.step()).not.toThrow();
    expect(s.step).toBe(2);
  });

  it('state buffers follow parameters cast after the first step (model.double())', () => {
    const makers = {
      AdamW: (ps: torch.Tensor[]) => new AdamW(ps, { lr: 0.1 }),
      SGD: (ps: torch.Tensor[]) => new SGD(ps, { lr: 0.1, momentum: 0.9 }),
    };
    for (const [name, make] of Object.entries(makers)) {
      // Casting the state by hand (stateDict/loadStateDict casts to each parameter) is the
      // reference for what step() must do on its own.
      const train = (castStateByHand: boolean) => {
        torch.manualSeed(0);
        const model = new torch.nn.Linear(3, 2);
        const opt = make(model.parameters());
        const x = torch.randn(4, 3);
        const step = () => {
          opt.zeroGrad();
          model.call(x.to(model.weight.dtype)).pow(2).sum().backward();
          opt.step();
        };
        step();
        step();
        model.double();
        if (castStateByHand) opt.loadStateDict(opt.stateDict());
        step();
        step();
        return { model, opt };
      };
      const followed = train(false);
      const reference = train(true);
      for (const [i, p] of followed.model.parameters().entries()) {
        for (const [key, value] of Object.entries(followed.opt.state.get(p)!)) {
          if (!(value instanceof torch.Tensor)) continue;
          expect(value.dtype, `${name} ${key}`).toBe('float64');
        }
        const want = Array.from(reference.model.parameters()[i]!.dataSync());
        Array.from(p.dataSync()).forEach((v, j) => {
          expect(v, name).toBeCloseTo(want[j]!, 12);
        });
      }
    }
  });

  it('fused: false and fused: true give the same result on the CPU', () => {
    const run = (fused: boolean) => {
      const w = torch.linspace(-1, 1, 7).requiresGrad_();
      const opt = new AdamW([w], { lr: 0.1, fused, amsgrad: true });
      for (let i = 0; i < 5; i++) {
        opt.zeroGrad();
        w.pow(3).sum().backward();
        opt.step();
      }
      return Array.from(w.dataSync());
    };
    const a = run(true);
    const b = run(false);
    a.forEach((v, i) => {
      expect(v).toBeCloseTo(b[i]!, 6);
    });
  });

  it('fused: true requires dense host tensors; the default falls back to tensor ops', () => {
    const base = torch.tensor([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    const w = base.t().detach().requiresGrad_();
    w.grad = torch.onesLike(w);
    expect(() => new SGD([w], { lr: 0.1, fused: true }).step()).toThrow(
      "SGD: fused=true needs dense float32 or float64 tensors of one dtype in host memory, but got a float32 tensor of shape [3, 2] on 'cpu' (not contiguous)",
    );
    new SGD([w], { lr: 1 }).step();
    expect(w.tolist()).toEqual([
      [-1, 2],
      [0, 3],
      [1, 4],
    ]);
  });

  it('uses a non-contiguous gradient in the fused loop', () => {
    const w = torch.zeros(2, 3).requiresGrad_();
    w.grad = torch
      .tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ])
      .t();
    new SGD([w], { lr: 1, fused: true }).step();
    expect(w.tolist()).toEqual([
      [-1, -3, -5],
      [-2, -4, -6],
    ]);
  });
});

describe('stateDict / loadStateDict', () => {
  it("is shaped like PyTorch's, with tensors copied", () => {
    const [a, b, c] = params(3);
    const opt = new Adam([{ params: [a!, b!] }, { params: [c!], lr: 0.1 }], { amsgrad: true });
    b!.grad = torch.onesLike(b!);
    c!.grad = torch.onesLike(c!);
    opt.step();
    const sd = opt.stateDict();
    expect(Object.keys(sd.state)).toEqual(['1', '2']);
    expect(Object.keys(sd.state[1]!).sort()).toEqual(['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
    expect(sd.state[1]!.step).toBe(1);
    expect(sd.paramGroups.map((g) => g.params)).toEqual([[0, 1], [2]]);
    expect(sd.paramGroups[1]!.lr).toBe(0.1);
    expect(sd.state[1]!.expAvg).not.toBe(opt.state.get(b!)!.expAvg);
    expect((sd.state[1]!.expAvg as torch.Tensor).tolist()).toEqual(
      (opt.state.get(b!)!.expAvg as torch.Tensor).tolist(),
    );
  });

  it('restores group options and casts state to the parameter dtype', () => {
    const w = torch.ones(3).requiresGrad_();
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    w.grad = torch.onesLike(w);
    opt.step();
    const sd = opt.stateDict();
    const w64 = torch.ones(3, { dtype: 'float64' }).requiresGrad_();
    const other = new SGD([w64], { lr: 0.5 });
    other.loadStateDict(sd);
    expect(other.paramGroups[0]!.lr).toBe(0.1);
    expect(other.paramGroups[0]!.momentum).toBe(0.9);
    expect(other.paramGroups[0]!.params[0]).toBe(w64);
    expect((other.state.get(w64)!.momentumBuffer as torch.Tensor).dtype).toBe('float64');
  });

  it('accepts step counts saved as tensors, as PyTorch saves them', () => {
    const w = torch.ones(2).requiresGrad_();
    const opt = new Adam([w], { lr: 0.1 });
    w.grad = torch.onesLike(w);
    opt.step();
    const sd = opt.stateDict();
    sd.state[0]!.step = torch.tensor(1);
    const w2 = w.detach().clone().requiresGrad_();
    const other = new Adam([w2]);
    other.loadStateDict(sd);
    expect(other.state.get(w2)!.step).toBe(1);
    w.grad = torch.onesLike(w);
    w2.grad = torch.onesLike(w2);
    opt.step();
    other.step();
    expect(w2.tolist()).toEqual(w.tolist());
  });

  it('throws clear errors for mismatched layouts', () => {
    const [a, b, c] = params(3);
    const opt = new SGD([a!, b!], { lr: 0.1, momentum: 0.9 });
    a!.grad = torch.onesLike(a!);
    opt.step();
    const sd = opt.stateDict();
    expect(() =>
      new SGD([{ params: [a!] }, { params: [b!] }], { lr: 1 }).loadStateDict(sd),
    ).toThrow(
      'loaded state dict has a different number of parameter groups (1 saved, 2 in the optimizer)',
    );
    expect(() => new SGD([a!, b!, c!], { lr: 1 }).loadStateDict(sd)).toThrow(
      "loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group 0: 2 saved parameters, 3 in the optimizer)",
    );
    const wrongShape = [torch.zeros(5).requiresGrad_(), torch.zeros(2).requiresGrad_()];
    expect(() => new SGD(wrongShape, { lr: 1 }).loadStateDict(sd)).toThrow(
      "loadStateDict: state 'momentumBuffer' of parameter 0 has shape [2], but the parameter has shape [5]",
    );
    expect(() => new SGD([a!], { lr: 1 }).loadStateDict({} as never)).toThrow(
      'loadStateDict: expected an object { state, paramGroups } as returned by stateDict()',
    );
  });
});

describe('plain arrays where parameters are expected', () => {
  const classes = { SGD, Adam, AdamW, RMSprop, Adagrad };

  it('every optimizer names itself and says "not an array"', () => {
    for (const [name, Opt] of Object.entries(classes)) {
      const make = (ps: unknown) => new Opt(ps as never, { lr: 0.1 });
      const message = new RegExp(`^${name}\\(\\): argument 'params'.* not an array \\(wrap it`);
      expect(() => make([[1, 2]])).toThrow(message);
      expect(() => make([1, 2])).toThrow(message);
      expect(() => make([params(1)[0], [1, 2]])).toThrow(
        `${name}(): argument 'params' (element 1) must be a Tensor, not an array`,
      );
      const opt = make(params(1));
      expect(() => opt.addParamGroup({ params: [[3]] as never })).toThrow(message);
      expect(opt.paramGroups).toHaveLength(1);
    }
  });

  it('gradient clipping names itself and says "not an array"', () => {
    for (const clip of [torch.optim.clipGradNorm_, torch.optim.clipGradValue_]) {
      expect(() => clip([[1, 2]] as never, 1)).toThrow(
        new RegExp(`^${clip.name}\\(\\): argument 'parameters' .*not an array`),
      );
    }
  });
});
