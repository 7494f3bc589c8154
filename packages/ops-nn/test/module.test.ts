import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { dec, decState, type Encoded, fx, maxDiff } from './module-helpers.js';

const nn = torch.nn;

class Block extends nn.Module {
  conv = new nn.Conv2d(2, 3, 3, { padding: 1, bias: false });
  bn = new nn.BatchNorm2d(3);
  scale: torch.nn.Parameter;
  constructor() {
    super();
    this.registerBuffer('step', torch.zeros(2));
    this.registerBuffer('cache', torch.zeros(1), false);
    this.scale = new nn.Parameter(torch.ones(3));
  }
}

class Net extends nn.Module {
  block = new Block();
  pool = new nn.Identity();
  flat = new nn.Flatten();
  heads = new nn.ModuleList([new nn.Linear(48, 4), new nn.Linear(48, 2)]);
  extra = new nn.ModuleDict({ b: new nn.Linear(4, 4), a: new nn.Tanh() });
  shared = this.heads.get(0);
}

describe('Module registration and traversal', () => {
  const nested = fx.nested as Record<string, unknown>;

  it('a custom nested module has PyTorch’s state-dict keys, order and shapes', () => {
    const net = new Net();
    const sd = net.stateDict();
    expect(Object.keys(sd)).toEqual(nested.keys);
    const shapes = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, [...v.shape]]));
    expect(shapes).toEqual(nested.shapes);
  });

  it('named parameters/buffers/modules/children match PyTorch (shared modules once)', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(nested.named_parameters);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(nested.named_buffers);
    expect(net.namedModules().map(([n]) => n)).toEqual(nested.named_modules);
    expect(net.namedChildren().map(([n]) => n)).toEqual(nested.named_children);
    expect(net.parameters()).toHaveLength((nested.named_parameters as string[]).length);
    expect(net.namedParameters({ prefix: 'model' })[0]![0]).toBe('model.block.scale');
    expect(net.namedParameters({ recurse: false })).toEqual([]);
  });

  it('prints the PyTorch repr', () => {
    expect(String(new Net())).toBe(nested.repr);
  });

  it('registers by assignment in assignment order; null bias and reassignment work', () => {
    class M extends nn.Module {
      b: torch.nn.Parameter | null;
      a: torch.nn.Parameter;
      constructor() {
        super();
        this.b = null;
        this.a = new nn.Parameter(torch.zeros(2));
        this.b = new nn.Parameter(torch.zeros(1));
      }
    }
    const m = new M();
    expect(Object.keys(m.stateDict())).toEqual(['b', 'a']);
    m.b = null;
    expect(Object.keys(m.stateDict())).toEqual(['a']);
    const later = new M();
    (later as unknown as { fc: unknown }).fc = new nn.Linear(1, 1);
    expect(Object.keys(later.stateDict())).toEqual(['b', 'a', 'fc.weight', 'fc.bias']);
  });

  it('rejects bad names and non-parameters as PyTorch does', () => {
    const m = new nn.Module();
    expect(() => m.registerParameter('a.b', null)).toThrow('parameter name can\'t contain "."');
    expect(() => m.registerBuffer('', null)).toThrow('buffer name can\'t be empty string ""');
    expect(() => m.registerModule('forward', new nn.ReLU())).toThrow(
      "attribute 'forward' already exists",
    );
    expect(() => m.registerParameter('w', torch.zeros(1) as torch.nn.Parameter)).toThrow(
      /cannot assign 'Tensor' object to parameter 'w'/,
    );
    expect(() => new nn.Module().call()).toThrow(
      'Module [Module] is missing the required "forward" function',
    );
  });

  it('Parameter shares storage, is a leaf requiring grad, and prints like PyTorch', () => {
    const t = torch.tensor([1, 2]);
    const p = new nn.Parameter(t);
    expect(p).toBeInstanceOf(torch.Tensor);
    expect(p.requiresGrad && p.isLeaf).toBe(true);
    expect(p.storage).toBe(t.storage);
    expect(String(p)).toBe('Parameter containing:\ntensor([1., 2.], requiresGrad=True)');
    expect(new nn.Parameter(torch.zeros(1), false).requiresGrad).toBe(false);
  });
});

describe('Module state', () => {
  it('train()/eval() reach every descendant; dropout and batch norm follow them', () => {
    const seq = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3), new nn.Dropout(0.5));
    expect(seq.modules().every((m) => m.training)).toBe(true);
    seq.eval();
    expect(seq.modules().some((m) => m.training)).toBe(false);
    const x = torch.randn(4, 3);
    // Evaluation: dropout is the identity and BN uses the running stats (mean 0, var 1).
    const y = seq.call(x);
    const expected = (seq.get(0) as torch.nn.Linear).call(x).div(Math.sqrt(1 + 1e-5));
    expect(maxDiff(y, expected)).toBeLessThan(1e-6);
    seq.train();
    const drop = new nn.Dropout(0.5);
    const z = drop.call(torch.ones(1000));
    const zeros = Array.from(z.dataSync()).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(400);
    expect(zeros).toBeLessThan(600);
    expect(drop.eval().call(torch.ones(10)).sum().item()).toBe(10);
  });

  it('zeroGrad sets grads to null, or zeros them in place', () => {
    const fc = new nn.Linear(3, 2);
    fc.call(torch.randn(4, 3)).sum().backward();
    const g = fc.weight.grad!;
    fc.zeroGrad(false);
    expect(fc.weight.grad).toBe(g);
    expect(g.abs().sum().item()).toBe(0);
    fc.zeroGrad();
    expect(fc.weight.grad).toBeNull();
    expect(fc.bias!.grad).toBeNull();
  });

  it('to(dtype) converts floating parameters (same objects, grads too) but not int buffers', () => {
    const seq = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
    const w = (seq.get(0) as torch.nn.Linear).weight;
    seq.call(torch.randn(4, 3)).sum().backward();
    const before = w.to('float64').tolist();
    seq.to('float64');
    expect((seq.get(0) as torch.nn.Linear).weight).toBe(w);
    expect(w.dtype).toBe('float64');
    expect(w.grad!.dtype).toBe('float64');
    expect(w.tolist()).toEqual(before);
    expect(seq.buffers().map((b) => b.dtype)).toEqual(['float64', 'float64', 'int32']);
    expect(seq.call(torch.randn(4, 3, { dtype: 'float64' })).dtype).toBe('float64');
    seq.to({ device: 'cpu', dtype: 'float32' });
    expect(w.dtype).toBe('float32');
    expect(() => seq.to('int32')).toThrow(
      'nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=int32',
    );
  });

  it('apply visits children first; requiresGrad_ freezes', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.ReLU()));
    const names: string[] = [];
    seq.apply((m) => names.push(m.getName()));
    expect(names).toEqual(['Linear', 'ReLU', 'Sequential', 'Sequential']);
    seq.requiresGrad_(false);
    expect(seq.parameters().some((p) => p.requiresGrad)).toBe(false);
  });

  it('forward hooks can rewrite inputs and outputs and be removed', () => {
    const fc = new nn.Linear(2, 2);
    const seen: Tensor[] = [];
    const pre = fc.registerForwardPreHook((_m, [x]) => [(x as Tensor).mul(0)]);
    const post = fc.registerForwardHook((_m, _args, out) => {
      seen.push(out as Tensor);
    });
    const y = fc.call(torch.ones(1, 2));
    expect(maxDiff(y, fc.bias!.unsqueeze(0))).toBe(0);
    expect(seen).toHaveLength(1);
    pre.remove();
    post.remove();
    fc.call(torch.ones(1, 2));
    expect(seen).toHaveLength(1);
  });
});

describe('stateDict / loadStateDict', () => {
  const seqFx = fx.sequential_bn as Record<string, unknown>;
  const build = () =>
    new nn.Sequential(
      new nn.Linear(4, 6),
      new nn.BatchNorm1d(6),
      new nn.ReLU(),
      new nn.Dropout(0.25),
      new nn.Linear(6, 3),
    );

  it('Sequential with batch norm: keys, names and repr equal PyTorch’s', () => {
    const seq = build();
    expect(Object.keys(seq.stateDict())).toEqual(seqFx.keys);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(seqFx.named_parameters);
    expect(seq.namedBuffers().map(([n]) => n)).toEqual(seqFx.named_buffers);
    expect(seq.namedModules().map(([n]) => n)).toEqual(seqFx.named_modules);
    expect(String(seq)).toBe(seqFx.repr);
    expect(seq.stateDict()['1.num_batches_tracked']!.dtype).toBe('int32');
  });

  it('forward with PyTorch’s weights matches PyTorch in train and eval mode, running stats too', () => {
    const seq = build();
    const res = seq.loadStateDict(decState(seqFx.state as Record<string, Encoded>));
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const x = dec(seqFx.input as Encoded);
    (seq.get(3) as torch.nn.Dropout).p = 0;
    expect(maxDiff(seq.call(x), dec(seqFx.train_output as Encoded))).toBeLessThan(1e-5);
    const after = decState(seqFx.state_after_train as Record<string, Encoded>);
    const sd = seq.stateDict();
    for (const k of Object.keys(after)) expect(maxDiff(sd[k]!, after[k]!), k).toBeLessThan(1e-6);
    seq.eval();
    expect(maxDiff(seq.call(x), dec(seqFx.eval_output as Encoded))).toBeLessThan(1e-5);
  });

  it('loads values in place under noGrad, converting float64/int32 sources', () => {
    const seq = build();
    const w = (seq.get(0) as torch.nn.Linear).weight;
    const src = decState(seqFx.state as Record<string, Encoded>);
    const converted = Object.fromEntries(
      Object.entries(src).map(([k, v]) => [k, v.dtype === 'float32' ? v.to('float64') : v]),
    );
    converted['1.num_batches_tracked'] = torch.tensor(7, { dtype: 'int32' });
    converted['1.running_var'] = torch.tensor([1, 2, 3, 4, 5, 6], { dtype: 'int32' });
    seq.loadStateDict(converted);
    expect((seq.get(0) as torch.nn.Linear).weight).toBe(w);
    expect(w.dtype).toBe('float32');
    expect(w.requiresGrad && w.isLeaf).toBe(true);
    expect(maxDiff(w, src['0.weight']!)).toBeLessThan(1e-7);
    expect(seq.stateDict()['1.num_batches_tracked']!.item()).toBe(7);
    expect(seq.stateDict()['1.running_var']!.tolist()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('strict mode throws PyTorch’s message listing missing, unexpected keys and shape mismatches', () => {
    const errs = fx.load_errors as Record<string, unknown>;
    const m = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3));
    const bad = m.stateDict();
    delete bad['0.bias'];
    bad['2.weight'] = torch.zeros(1);
    bad['0.weight'] = torch.zeros(3, 5);
    expect(() => m.loadStateDict(bad)).toThrow(errs.strict as string);
    expect(() => m.loadStateDict(bad, { strict: false })).toThrow(errs.non_strict_shape as string);
    const ok = m.stateDict();
    delete ok['0.bias'];
    ok['extra.x'] = torch.zeros(1);
    const res = errs.non_strict_result as { missing: string[]; unexpected: string[] };
    expect(m.loadStateDict(ok, { strict: false })).toEqual({
      missingKeys: res.missing,
      unexpectedKeys: res.unexpected,
    });
    const noVar = m.stateDict();
    delete noVar['1.running_var'];
    expect(() => m.loadStateDict(noVar)).toThrow(errs.missing_only as string);
    // The exact message, not just a substring.
    try {
      m.loadStateDict(bad);
    } catch (e) {
      expect((e as Error).message).toBe(errs.strict);
    }
  });

  it('stateDict values are detached aliases; round trip through another model', () => {
    const a = build();
    const b = build();
    const sd = a.stateDict();
    expect(sd['0.weight']!.requiresGrad).toBe(false);
    expect(sd['0.weight']!.storage).toBe((a.get(0) as torch.nn.Linear).weight.storage);
    b.loadStateDict(sd);
    const x = torch.randn(3, 4);
    a.eval();
    b.eval();
    expect(maxDiff(a.call(x), b.call(x))).toBe(0);
    expect(Object.keys(a.stateDict({ keepVars: true }))).toEqual(Object.keys(sd));
    expect(a.stateDict({ keepVars: true })['0.weight']).toBe((a.get(0) as torch.nn.Linear).weight);
  });

  it('Sequential.slice keeps the children’s names, as PyTorch’s seq[a:b]', () => {
    const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU(), new nn.Linear(2, 3));
    const tail = seq.slice(1);
    expect(Object.keys(tail.stateDict())).toEqual(['2.weight', '2.bias']);
    expect(tail.namedChildren().map(([n]) => n)).toEqual(['1', '2']);
    expect(tail.get(1)).toBe(seq.get(2));
    expect(
      tail
        .slice(1)
        .namedChildren()
        .map(([n]) => n),
    ).toEqual(['2']);
  });

  it('batch norm with momentum null keeps a cumulative average (PyTorch values)', () => {
    const f = fx.bn_cumulative as {
      inputs: Encoded[];
      state: Record<string, Encoded>;
      repr: string;
    };
    const bn = new nn.BatchNorm2d(3, { momentum: null });
    for (const x of f.inputs) bn.call(dec(x));
    const sd = bn.stateDict();
    const want = decState(f.state);
    for (const k of Object.keys(want)) expect(maxDiff(sd[k]!, want[k]!), k).toBeLessThan(1e-6);
    expect(String(bn)).toBe(f.repr);
  });
});
