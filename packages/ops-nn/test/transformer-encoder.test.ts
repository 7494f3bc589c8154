import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/transformer-encoder.json';
import { dec, decState, type Encoded, maxDiff } from './module-helpers.js';

// PyTorch 1.13 references: scripts/gen_transformer_encoder.py.
const { nn } = torch;
const fx = fixtures as unknown as {
  keys: string[];
  noNormKeys: string[];
  repr: string;
  state: Record<string, Encoded>;
  input: Encoded;
  padMask: Encoded;
  out: Encoded;
  outPadded: Encoded;
  outCausal: Encoded;
};

function newEncoder(): InstanceType<typeof nn.TransformerEncoder> {
  const layer = new nn.TransformerEncoderLayer(8, 2, {
    dimFeedforward: 16,
    dropout: 0,
    batchFirst: true,
  });
  return new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(8) });
}

/** A module holding plain option fields next to its parameters, buffers and a child. */
class Holder extends nn.Module {
  sizes = [2, 3];
  config = { scale: 2, name: 'x', nested: { deep: [1] } };
  fc = new nn.Linear(3, 2);
  scale = new nn.Parameter(torch.ones(2));
  declare steps: Tensor;
  constructor() {
    super();
    this.registerBuffer('steps', torch.zeros(2));
    this.registerBuffer('cache', torch.ones(1), false);
  }
  override forward(x: Tensor): Tensor {
    return this.fc.call(x).mul(this.scale).add(this.steps);
  }
}

describe('Module.deepCopy', () => {
  it('gives a module of the same class with equal but unshared parameters and buffers', () => {
    torch.manualSeed(0);
    const m = new Holder();
    const c = m.deepCopy();
    expect(c).toBeInstanceOf(Holder);
    expect(c).not.toBe(m);
    expect(String(c)).toBe(String(m));
    expect(Object.keys(c.stateDict())).toEqual(Object.keys(m.stateDict()));
    expect(c.namedBuffers().map(([n]) => n)).toEqual(['steps', 'cache']);
    for (const [[n, p], [, q]] of m.namedParameters().map((e, i) => [e, c.namedParameters()[i]!])) {
      expect(q, n).toBeInstanceOf(nn.Parameter);
      expect(q, n).not.toBe(p);
      expect(q!.storage, n).not.toBe(p.storage);
      expect(q!.requiresGrad, n).toBe(true);
      expect(maxDiff(p, q!), n).toBe(0);
    }
    expect(c.fc).not.toBe(m.fc);
    expect(c.steps).not.toBe(m.steps);
    const x = torch.randn(4, 3);
    expect(maxDiff(m.call(x), c.call(x))).toBe(0);
    // The non-persistent buffer stays out of the copy's state dict, like the original's.
    expect(Object.keys(c.stateDict())).not.toContain('cache');
  });

  it('copies are independent: changing one leaves the other', () => {
    torch.manualSeed(1);
    const m = new Holder();
    const before = m.fc.weight.clone();
    const c = m.deepCopy();
    torch.noGrad(() => {
      c.fc.weight.fill_(5);
      c.steps.add_(1);
    });
    expect(maxDiff(m.fc.weight, before)).toBe(0);
    expect([...m.steps.dataSync()]).toEqual([0, 0]);
    c.sizes.push(4);
    c.config.nested.deep.push(2);
    expect(m.sizes).toEqual([2, 3]);
    expect(m.config.nested.deep).toEqual([1]);
    expect(c.config).toEqual({ scale: 2, name: 'x', nested: { deep: [1, 2] } });
    // Training mode and the set of children are the copy's own.
    c.eval();
    expect(m.training).toBe(true);
    expect(m.fc.training).toBe(true);
    c.registerModule('extra', new nn.ReLU());
    expect(m.children().length).toBe(1);
  });

  it('keeps the training mode, does not copy gradients, and keeps shared modules shared', () => {
    const fc = new nn.Linear(2, 2);
    const seq = new nn.Sequential(fc, new nn.ReLU(), fc).eval();
    seq.call(torch.randn(3, 2)).sum().backward();
    expect(fc.weight.grad).not.toBeNull();
    const c = seq.deepCopy();
    expect(c.training).toBe(false);
    expect(c.get(0).training).toBe(false);
    expect(c.get(0)).toBe(c.get(2));
    expect(c.get(0)).not.toBe(fc);
    expect(c.parameters().length).toBe(2);
    for (const p of c.parameters()) expect(p.grad).toBeNull();
  });

  it('copies forward hooks as PyTorch’s deepcopy does (the same functions, called with the copy)', () => {
    const m = new nn.Linear(2, 2);
    const seen: unknown[] = [];
    const handle = m.registerForwardHook((mod) => {
      seen.push(mod);
    });
    m.registerForwardPreHook((_mod, [x]) => [(x as Tensor).mul(0)]);
    const c = m.deepCopy();
    c.call(torch.ones(1, 2));
    expect(seen).toEqual([c]);
    // The pre-hook (zeroing the input) ran too: the output is the bias.
    expect(maxDiff(c.call(torch.ones(1, 2)), c.bias!.reshape([1, 2]))).toBe(0);
    // Removing the original's hook, or adding new ones to it, leaves the copy's.
    handle.remove();
    m.registerForwardHook(() => {
      throw new Error('hook of the original ran on the copy');
    });
    seen.length = 0;
    c.call(torch.ones(1, 2));
    expect(seen).toEqual([c]);
  });

  it('copies batch norm state (buffers updated by the copy leave the original)', () => {
    const bn = new nn.BatchNorm1d(3);
    const c = bn.deepCopy();
    c.call(torch.randn(8, 3).add(4));
    expect([...bn.running_mean!.dataSync()]).toEqual([0, 0, 0]);
    expect(c.running_mean!.dataSync()[0]).toBeGreaterThan(0.1);
    expect(Number(c.num_batches_tracked!.item())).toBe(1);
    expect(Number(bn.num_batches_tracked!.item())).toBe(0);
  });

  it('a copied TransformerEncoderLayer uses its own copy of a module activation', () => {
    class Scaled extends nn.Module {
      k = new nn.Parameter(torch.ones(1));
      override forward(x: Tensor): Tensor {
        return x.mul(this.k).relu();
      }
    }
    const layer = new nn.TransformerEncoderLayer(4, 2, {
      dimFeedforward: 8,
      dropout: 0,
      activation: new Scaled(),
    });
    const c = layer.deepCopy();
    expect(c.activation).not.toBe(layer.activation);
    const x = torch.randn(3, 1, 4);
    const y = layer.call(x);
    expect(maxDiff(c.call(x), y)).toBe(0);
    torch.noGrad(() => (c.activation as Scaled).k.fill_(0));
    expect(maxDiff(layer.call(x), y)).toBe(0);
    expect(maxDiff(c.call(x), y)).toBeGreaterThan(1e-3);
  });
});

describe('nn.TransformerEncoder', () => {
  it('has PyTorch’s state-dict keys and repr', () => {
    const enc = newEncoder();
    expect(Object.keys(enc.stateDict())).toEqual(fx.keys);
    expect(String(enc)).toBe(fx.repr);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect(Object.keys(new nn.TransformerEncoder(layer, 3).stateDict())).toEqual(fx.noNormKeys);
  });

  it('eval outputs equal PyTorch’s with its weights (no mask, padding mask, causal mask)', () => {
    const enc = newEncoder();
    enc.loadStateDict(decState(fx.state));
    enc.eval();
    const x = dec(fx.input);
    expect(maxDiff(enc.call(x), dec(fx.out))).toBeLessThan(1e-5);
    const pad = dec(fx.padMask);
    expect(maxDiff(enc.call(x, { srcKeyPaddingMask: pad }), dec(fx.outPadded))).toBeLessThan(1e-5);
    const causal = torch.triu(torch.full([5, 5], -Infinity), 1);
    expect(maxDiff(enc.call(x, { mask: causal }), dec(fx.outCausal))).toBeLessThan(1e-5);
    // isCausal without a mask builds the causal mask.
    expect(maxDiff(enc.call(x, { isCausal: true }), dec(fx.outCausal))).toBeLessThan(1e-5);
    // The padding and causal results really differ from the plain one.
    expect(maxDiff(dec(fx.out), dec(fx.outPadded))).toBeGreaterThan(1e-3);
    expect(maxDiff(dec(fx.out), dec(fx.outCausal))).toBeGreaterThan(1e-3);
  });

  it('isCausal builds the mask along the sequence dim of sequence-first inputs', () => {
    torch.manualSeed(3);
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    const enc = new nn.TransformerEncoder(layer, 2).eval();
    const x = torch.randn(5, 2, 4);
    const causal = torch.triu(torch.full([5, 5], -Infinity), 1);
    expect(maxDiff(enc.call(x, { isCausal: true }), enc.call(x, { mask: causal }))).toBe(0);
  });

  it('clones the layer: independent copies that start equal to it', () => {
    torch.manualSeed(2);
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
    const enc = new nn.TransformerEncoder(layer, 3);
    expect(enc.layers.length).toBe(3);
    expect(enc.numLayers).toBe(3);
    expect(enc.norm).toBeNull();
    expect(enc.enableNestedTensor).toBe(true);
    const ids = new Set(enc.parameters());
    for (const p of layer.parameters()) expect(ids.has(p)).toBe(false);
    expect(enc.parameters().length).toBe(3 * layer.parameters().length);
    const x = torch.randn(6, 2, 8);
    let ref = x;
    for (let i = 0; i < 3; i++) ref = layer.call(ref);
    expect(maxDiff(enc.call(x), ref)).toBeLessThan(1e-6);
    torch.noGrad(() => (enc.layers.get(0) as typeof layer).linear1.weight.fill_(0));
    expect(maxDiff(layer.linear1.weight, torch.zeros(16, 8))).toBeGreaterThan(0);
    expect(maxDiff((enc.layers.get(1) as typeof layer).linear1.weight, layer.linear1.weight)).toBe(
      0,
    );
  });

  it('trains: gradients reach every parameter of every layer and the norm', () => {
    const enc = newEncoder();
    enc
      .call(torch.randn(2, 4, 8))
      .pow(2)
      .sum()
      .backward();
    for (const [n, p] of enc.namedParameters()) {
      expect(p.grad, n).not.toBeNull();
      expect(p.grad!.abs().sum().item(), n).toBeGreaterThan(0);
    }
  });

  it('rejects a bad layer count or layer', () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 });
    expect(() => new nn.TransformerEncoder(layer, -1)).toThrow(/num_layers/);
    expect(() => new nn.TransformerEncoder(layer, 1.5)).toThrow(/num_layers/);
    expect(
      () => new nn.TransformerEncoder({} as unknown as InstanceType<typeof nn.Module>, 2),
    ).toThrow(/encoder_layer/);
  });
});
