import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { dec, decState, type Encoded, fx, maxDiff } from './module-helpers.js';

const nn = torch.nn;

describe('layer modules', () => {
  it('print PyTorch’s reprs', () => {
    const reprs = fx.reprs as Record<string, string>;
    const layers: Record<string, torch.nn.Module> = {
      conv1d: new nn.Conv1d(2, 4, 3, {
        stride: 2,
        padding: 1,
        dilation: 2,
        groups: 2,
        bias: false,
      }),
      conv2d: new nn.Conv2d(3, 8, [3, 5], { padding: 'same' }),
      conv_t: new nn.ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }),
      bn_no_affine: new nn.BatchNorm1d(4, { affine: false, trackRunningStats: false }),
      ln: new nn.LayerNorm(8),
      ln2: new nn.LayerNorm([4, 8], { eps: 1e-6, elementwiseAffine: false }),
      gn: new nn.GroupNorm(2, 4),
      dropout: new nn.Dropout(),
      emb: new nn.Embedding(10, 3, { paddingIdx: 0 }),
      flatten: new nn.Flatten(),
      unflatten: new nn.Unflatten(1, [2, 3]),
      relu: new nn.ReLU(),
      relu_inplace: new nn.ReLU({ inplace: true }),
      gelu: new nn.GELU({ approximate: 'tanh' }),
      leaky: new nn.LeakyReLU({ negativeSlope: 0.2 }),
      elu: new nn.ELU(),
      softplus: new nn.Softplus(),
      hardtanh: new nn.Hardtanh(),
      softmax: new nn.Softmax(-1),
      logsoftmax: new nn.LogSoftmax(1),
      ce: new nn.CrossEntropyLoss(),
      mha: new nn.MultiheadAttention(8, 2),
      identity: new nn.Identity(),
      maxpool: new nn.MaxPool2d(2),
      maxpool2: new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
      avgpool: new nn.AvgPool2d(2),
      adaptive: new nn.AdaptiveAvgPool2d([1, 1]),
      silu: new nn.SiLU(),
      sigmoid: new nn.Sigmoid(),
      tanh: new nn.Tanh(),
    };
    for (const [k, m] of Object.entries(layers)) expect(String(m), k).toBe(reprs[k]);
  });

  it('layers compute through torch.nn.functional with their settings', () => {
    const x = torch.randn(2, 3, 6, 6);
    expect(new nn.MaxPool2d(2).call(x).shape).toEqual([2, 3, 3, 3]);
    const [y, idx] = new nn.MaxPool2d(2, { returnIndices: true }).call(x) as [
      torch.Tensor,
      torch.Tensor,
    ];
    expect(maxDiff(y, new nn.MaxPool2d(2).call(x))).toBe(0);
    expect(idx.dtype).toBe('int32');
    expect(maxDiff(new nn.AdaptiveAvgPool2d(1).call(x), x.mean([2, 3], true))).toBeLessThan(1e-6);
    expect(new nn.AvgPool2d(3, { stride: 1, padding: 1 }).call(x).shape).toEqual([2, 3, 6, 6]);
    const conv = new nn.Conv2d(3, 4, 3, { padding: 1, bias: false });
    expect(
      maxDiff(conv.call(x), torch.nn.functional.conv2d(x, conv.weight, null, { padding: 1 })),
    ).toBe(0);
    const ln = new nn.LayerNorm(6);
    const n = ln.call(x);
    expect(Math.abs(n.mean().item() as number)).toBeLessThan(1e-5);
    const emb = new nn.Embedding(5, 2, { paddingIdx: 1 });
    expect(emb.weight.select(0, 1).tolist()).toEqual([0, 0]);
    const ids = torch.tensor([[1, 4]], { dtype: 'int32' });
    expect(emb.call(ids).shape).toEqual([1, 2, 2]);
    expect(new nn.Flatten().call(x).shape).toEqual([2, 108]);
    expect(new nn.Unflatten(1, [9, 12]).call(new nn.Flatten().call(x)).shape).toEqual([2, 9, 12]);
    const logits = torch.randn(4, 5);
    const labels = torch.tensor([0, 3, 1, 4], { dtype: 'int32' });
    const ce = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(logits, labels);
    const ref = torch.nn.functional.crossEntropy(logits, labels, { labelSmoothing: 0.1 });
    expect(maxDiff(ce, ref)).toBe(0);
    const w = torch.tensor([1, 2, 3, 4, 5]);
    const weighted = new nn.CrossEntropyLoss({ weight: w });
    expect(Object.keys(weighted.stateDict())).toEqual(['weight']);
    expect(Object.keys(new nn.CrossEntropyLoss().stateDict())).toEqual([]);
    const relu = new nn.ReLU({ inplace: true });
    const t = torch.tensor([-1, 2]);
    expect(relu.call(t)).toBe(t);
    expect(t.tolist()).toEqual([0, 2]);
  });

  it('in-place activations on a non-leaf backpropagate like their out-of-place forms', () => {
    const layers: [string, (inplace: boolean) => torch.nn.Module][] = [
      ['ReLU', (inplace) => new nn.ReLU({ inplace })],
      ['SiLU', (inplace) => new nn.SiLU({ inplace })],
      ['LeakyReLU', (inplace) => new nn.LeakyReLU({ negativeSlope: 0.1, inplace })],
      ['ELU', (inplace) => new nn.ELU({ inplace })],
      ['Hardtanh', (inplace) => new nn.Hardtanh({ inplace })],
    ];
    const gradOf = (layer: torch.nn.Module) => {
      const a = torch.tensor([-1.5, -0.5, 0.5, 1.5], { requiresGrad: true });
      const x = a.mul(1);
      const y = layer.call(x) as torch.Tensor;
      y.mul(torch.tensor([1, 2, 3, 4]))
        .sum()
        .backward();
      return { y: y.tolist() as number[], x: x.tolist() as number[], grad: a.grad!.tolist() };
    };
    for (const [name, make] of layers) {
      const want = gradOf(make(false));
      const got = gradOf(make(true));
      expect(got.y, name).toEqual(want.y);
      expect(got.x, name).toEqual(want.y);
      expect(got.grad, name).toEqual(want.grad);
    }
  });

  it('Linear/Conv default initialisation equals PyTorch’s for the same seed', () => {
    const init = fx.init as Record<string, Record<string, Encoded>>;
    const check = (m: torch.nn.Module, want: Record<string, Encoded>) => {
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(Object.keys(want));
      for (const [k, v] of Object.entries(want)) expect(maxDiff(sd[k]!, dec(v)), k).toBe(0);
    };
    torch.manualSeed(0);
    check(new nn.Linear(4, 3), init.linear_4_3!);
    torch.manualSeed(1);
    check(new nn.Linear(300, 17), init.linear_300_17!);
    torch.manualSeed(2);
    check(new nn.Conv2d(3, 4, 3), init.conv2d_3_4_3!);
    torch.manualSeed(3);
    check(new nn.ConvTranspose2d(4, 2, 3), init.conv_transpose2d_4_2_3!);
  });

  it('MultiheadAttention: keys, and outputs/weights equal PyTorch’s given its weights', () => {
    const f = fx.mha as Record<string, Encoded | string[] | Record<string, number[]>>;
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    expect(Object.keys(mha.stateDict())).toEqual(f.keys);
    mha.loadStateDict(decState(f.state as unknown as Record<string, Encoded>));
    const q = dec(f.query as Encoded);
    const kpm = dec(f.key_padding_mask as Encoded);
    const [out, w] = mha.call(q, q, q, { keyPaddingMask: kpm });
    expect(maxDiff(out, dec(f.output as Encoded))).toBeLessThan(1e-5);
    expect(maxDiff(w!, dec(f.weights as Encoded))).toBeLessThan(1e-6);
    const [outNw, none] = mha.call(q, q, q, { needWeights: false });
    expect(none).toBeNull();
    expect(maxDiff(outNw, dec(f.output_no_weights as Encoded))).toBeLessThan(1e-5);
    const mask = dec(f.causal_mask as Encoded);
    const [outM, wM] = mha.call(q, q, q, { attnMask: mask, averageAttnWeights: false });
    expect(wM!.shape).toEqual([2, 2, 5, 5]);
    expect(maxDiff(outM, dec(f.output_causal as Encoded))).toBeLessThan(1e-5);
    expect(maxDiff(wM!, dec(f.weights_causal as Encoded))).toBeLessThan(1e-6);
    const kv = dec(f.kv as Encoded);
    const [outX, wX] = mha.call(q, kv, kv);
    expect(maxDiff(outX, dec(f.output_cross as Encoded))).toBeLessThan(1e-5);
    expect(maxDiff(wX!, dec(f.weights_cross as Encoded))).toBeLessThan(1e-6);
    // A bool causal mask gives the same result as the float one.
    const boolMask = mask.isinf();
    expect(maxDiff(mha.call(q, q, q, { attnMask: boolMask })[0], outM)).toBeLessThan(1e-6);
  });

  it('MultiheadAttention with kdim/vdim and bias_k/v has PyTorch’s keys and shapes', () => {
    const f = fx.mha as { kdim_keys: string[]; kdim_shapes: Record<string, number[]> };
    const mha = new nn.MultiheadAttention(6, 3, { bias: false, addBiasKv: true, kdim: 4, vdim: 5 });
    const sd = mha.stateDict();
    expect(Object.keys(sd)).toEqual(f.kdim_keys);
    for (const [k, s] of Object.entries(f.kdim_shapes)) expect([...sd[k]!.shape], k).toEqual(s);
    const [out, w] = mha.call(torch.randn(3, 2, 6), torch.randn(4, 2, 4), torch.randn(4, 2, 5));
    expect(out.shape).toEqual([3, 2, 6]);
    expect(w!.shape).toEqual([2, 3, 5]);
  });

  it('TransformerEncoderLayer: keys, repr and eval outputs equal PyTorch’s (post-norm relu, pre-norm gelu)', () => {
    const all = fx.transformer_encoder_layer as Record<string, Record<string, unknown>>;
    for (const [name, opts] of [
      ['post_relu', {}],
      ['pre_gelu', { normFirst: true, activation: 'gelu' as const }],
    ] as const) {
      const f = all[name]!;
      const layer = new nn.TransformerEncoderLayer(8, 2, {
        dimFeedforward: 16,
        batchFirst: true,
        ...opts,
      });
      expect(Object.keys(layer.stateDict()), name).toEqual(f.keys);
      expect(String(layer), name).toBe(f.repr);
      layer.loadStateDict(decState(f.state as Record<string, Encoded>));
      layer.eval();
      const src = dec(f.input as Encoded);
      expect(maxDiff(layer.call(src), dec(f.output as Encoded)), name).toBeLessThan(1e-5);
      const kpm = dec(f.key_padding_mask as Encoded);
      const masked = layer.call(src, { srcKeyPaddingMask: kpm });
      expect(maxDiff(masked, dec(f.output_masked as Encoded)), name).toBeLessThan(1e-5);
    }
  });

  it('TransformerEncoderLayer trains: gradients reach every parameter', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    layer
      .call(torch.randn(4, 2, 8))
      .pow(2)
      .sum()
      .backward();
    for (const [n, p] of layer.namedParameters()) expect(p.grad, n).not.toBeNull();
  });
});

describe('activation modules take PyTorch positional arguments', () => {
  it('LeakyReLU(0.2), ELU(0.5), Hardtanh(-2, 2), Softplus(2, 10), GELU("tanh"), ReLU(true)', () => {
    const x = torch.tensor([-3, -0.5, 0.5, 3]);
    const same = (a: torch.nn.Module, b: torch.nn.Module) =>
      expect(Array.from((a.call(x) as torch.Tensor).dataSync())).toEqual(
        Array.from((b.call(x) as torch.Tensor).dataSync()),
      );
    same(new nn.LeakyReLU(0.2), new nn.LeakyReLU({ negativeSlope: 0.2 }));
    same(new nn.ELU(0.5), new nn.ELU({ alpha: 0.5 }));
    same(new nn.Hardtanh(-2, 2), new nn.Hardtanh({ minVal: -2, maxVal: 2 }));
    same(new nn.Softplus(2, 10), new nn.Softplus({ beta: 2, threshold: 10 }));
    same(new nn.GELU('tanh'), new nn.GELU({ approximate: 'tanh' }));
    expect(String(new nn.LeakyReLU(0.2, true))).toBe('LeakyReLU(negative_slope=0.2, inplace=True)');
    expect(String(new nn.ReLU(true))).toBe('ReLU(inplace=True)');
    expect(String(new nn.Hardtanh(-2, 2))).toBe('Hardtanh(min_val=-2.0, max_val=2.0)');
  });
});

describe('in-place activation modules', () => {
  it('record PyTorch’s in-place backward nodes and bump the version once', () => {
    // Node names from /usr/bin/python3 (PyTorch 1.13): nn.X(..., inplace=True)(x * 1).grad_fn.
    const cases: [torch.nn.Module, string][] = [
      [new nn.ReLU(true), 'ReluBackward0'],
      [new nn.SiLU(true), 'SiluBackward0'],
      [new nn.LeakyReLU(0.1, true), 'LeakyReluBackward1'],
      [new nn.ELU({ alpha: 0.5, inplace: true }), 'EluBackward1'],
      [new nn.Hardtanh(-1, 1, true), 'HardtanhBackward0'],
    ];
    for (const [m, node] of cases) {
      const x = torch.tensor([-1.5, 0.5, 2], { requiresGrad: true }).mul(1);
      const v = x.version;
      const y = m.call(x) as torch.Tensor;
      expect(y, node).toBe(x);
      expect(y.gradFn?.name, node).toBe(node);
      expect(x.version, node).toBe(v + 1);
      expect(() => m.call(torch.ones(2, { requiresGrad: true })), node).toThrow(
        /a leaf Variable that requires grad is being used in an in-place operation/,
      );
    }
  });
});
