import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import type { Call } from '../../core/test/arg-walk.js';
import { aliases, lookup, probeAll } from '../../core/test/arg-walk.js';

/**
 * nn.functional and the layers answer a plain array (or null) in a tensor position with one
 * TypeError naming the function and the argument (see packages/core/test/arg-walk.ts).
 */

const { nn } = torch;
const F = nn.functional;
const f = () => torch.randn(2, 4);
const int = (...shape: number[]) => torch.zeros(shape, { dtype: 'int32' });
const img = () => torch.randn(1, 2, 4, 4);
const seq = () => torch.randn(1, 2, 4);
const probs = () => torch.rand(2, 4);
const mask = () => torch.ones(2, 2).gt(0);

/** A working call of every nn.functional function that takes a tensor. */
const FUNCTIONAL: Record<string, () => unknown[]> = {
  sigmoid: () => [f()],
  tanh: () => [f()],
  gelu: () => [f()],
  relu: () => [f()],
  silu: () => [f()],
  leakyRelu: () => [f()],
  elu: () => [f()],
  softplus: () => [f()],
  hardtanh: () => [f()],
  relu6: () => [f()],
  softmax: () => [f(), 1],
  logSoftmax: () => [f(), 1],
  scaledDotProductAttention: () => [seq(), seq(), seq(), { attnMask: mask() }],
  batchNorm: () => [
    f(),
    torch.zeros(4),
    torch.ones(4),
    torch.ones(4),
    torch.zeros(4),
    { training: true },
  ],
  bilinear: () => [f(), f(), torch.randn(3, 4, 4), torch.zeros(3)],
  conv2d: () => [img(), torch.randn(3, 2, 3, 3), torch.zeros(3)],
  conv1d: () => [seq(), torch.randn(3, 2, 3), torch.zeros(3)],
  convTranspose2d: () => [img(), torch.randn(2, 3, 3, 3), torch.zeros(3)],
  convTranspose1d: () => [seq(), torch.randn(2, 3, 3), torch.zeros(3)],
  dropoutMask: () => [f(), 0.5],
  dropout: () => [f()],
  embedding: () => [int(2), torch.randn(3, 4)],
  groupNorm: () => [img(), 2, torch.ones(2), torch.zeros(2)],
  layerNorm: () => [f(), 4, torch.ones(4), torch.zeros(4)],
  normalized: () => [f(), [1], 1e-5],
  normInputGrad: () => [f(), f(), torch.ones(2, 1), [1]],
  linear: () => [f(), torch.randn(3, 4), torch.zeros(3)],
  binaryCrossEntropy: () => [probs(), probs(), { weight: torch.ones(4) }],
  binaryCrossEntropyWithLogits: () => [
    f(),
    probs(),
    { weight: torch.ones(4), posWeight: torch.ones(4) },
  ],
  nllLoss: () => [f(), int(2), { weight: torch.ones(4) }],
  crossEntropy: () => [f(), int(2), { weight: torch.ones(4) }],
  klDiv: () => [f(), probs()],
  mseLoss: () => [f(), f()],
  l1Loss: () => [f(), f()],
  smoothL1Loss: () => [f(), f()],
  huberLoss: () => [f(), f()],
  maxPool2d: () => [img(), 2],
  maxPool2dWithIndices: () => [img(), 2],
  maxPool1d: () => [seq(), 2],
  maxPool1dWithIndices: () => [seq(), 2],
  avgPool2d: () => [img(), 2],
  avgPool1d: () => [seq(), 2],
  adaptiveAvgPool2d: () => [img(), 1],
  adaptiveAvgPool1d: () => [seq(), 1],
};

/** nn.functional entries that take no tensor: scalar helpers. */
const FUNCTIONAL_WITHOUT_TENSOR_ARGS = new Set(['erf', 'poolOutSize']);

/** The layers, each with its constructor arguments, a working input and the name its errors use. */
const LAYERS: Record<string, { make: () => torch.nn.Module; args: () => unknown[]; fn: string }> = {
  Linear: { make: () => new nn.Linear(4, 3), args: () => [f()], fn: 'linear' },
  Bilinear: { make: () => new nn.Bilinear(4, 4, 3), args: () => [f(), f()], fn: 'bilinear' },
  Conv1d: { make: () => new nn.Conv1d(2, 3, 3), args: () => [seq()], fn: 'conv1d' },
  Conv2d: { make: () => new nn.Conv2d(2, 3, 3), args: () => [img()], fn: 'conv2d' },
  ConvTranspose2d: {
    make: () => new nn.ConvTranspose2d(2, 3, 3),
    args: () => [img()],
    fn: 'convTranspose2d',
  },
  BatchNorm1d: { make: () => new nn.BatchNorm1d(4), args: () => [f()], fn: 'BatchNorm1d' },
  BatchNorm2d: { make: () => new nn.BatchNorm2d(2), args: () => [img()], fn: 'BatchNorm2d' },
  LayerNorm: { make: () => new nn.LayerNorm(4), args: () => [f()], fn: 'layerNorm' },
  GroupNorm: { make: () => new nn.GroupNorm(2, 2), args: () => [img()], fn: 'groupNorm' },
  Embedding: { make: () => new nn.Embedding(3, 4), args: () => [int(2)], fn: 'embedding' },
  MultiheadAttention: {
    make: () => new nn.MultiheadAttention(4, 2),
    args: () => [
      seq(),
      seq(),
      seq(),
      { keyPaddingMask: torch.zeros(2, 1).gt(0), attnMask: torch.zeros(1, 1) },
    ],
    fn: 'MultiheadAttention',
  },
  TransformerEncoderLayer: {
    make: () => new nn.TransformerEncoderLayer(4, 2, { dropout: 0 }),
    args: () => [seq(), { srcMask: torch.zeros(1, 1), srcKeyPaddingMask: torch.zeros(2, 1).gt(0) }],
    fn: 'TransformerEncoderLayer',
  },
  TransformerEncoder: {
    make: () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2), 1),
    args: () => [seq(), { mask: torch.zeros(1, 1), srcKeyPaddingMask: torch.zeros(2, 1).gt(0) }],
    fn: 'TransformerEncoder',
  },
  Sequential: {
    make: () => new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU()),
    args: () => [f()],
    fn: 'linear',
  },
  Dropout: { make: () => new nn.Dropout(), args: () => [f()], fn: 'dropout' },
  Flatten: { make: () => new nn.Flatten(), args: () => [img()], fn: 'flatten' },
  Unflatten: { make: () => new nn.Unflatten(1, [2, 2]), args: () => [f()], fn: 'unflatten' },
  ReLU: { make: () => new nn.ReLU(), args: () => [f()], fn: 'relu' },
  Sigmoid: { make: () => new nn.Sigmoid(), args: () => [f()], fn: 'sigmoid' },
  Tanh: { make: () => new nn.Tanh(), args: () => [f()], fn: 'tanh' },
  GELU: { make: () => new nn.GELU(), args: () => [f()], fn: 'gelu' },
  SiLU: { make: () => new nn.SiLU(), args: () => [f()], fn: 'silu' },
  LeakyReLU: { make: () => new nn.LeakyReLU(), args: () => [f()], fn: 'leakyRelu' },
  ELU: { make: () => new nn.ELU(), args: () => [f()], fn: 'elu' },
  Softplus: { make: () => new nn.Softplus(), args: () => [f()], fn: 'softplus' },
  Hardtanh: { make: () => new nn.Hardtanh(), args: () => [f()], fn: 'hardtanh' },
  Softmax: { make: () => new nn.Softmax(1), args: () => [f()], fn: 'softmax' },
  LogSoftmax: { make: () => new nn.LogSoftmax(1), args: () => [f()], fn: 'logSoftmax' },
  MaxPool2d: { make: () => new nn.MaxPool2d(2), args: () => [img()], fn: 'maxPool2d' },
  AvgPool2d: { make: () => new nn.AvgPool2d(2), args: () => [img()], fn: 'avgPool2d' },
  AdaptiveAvgPool2d: {
    make: () => new nn.AdaptiveAvgPool2d(1),
    args: () => [img()],
    fn: 'adaptiveAvgPool2d',
  },
  MSELoss: { make: () => new nn.MSELoss(), args: () => [f(), f()], fn: 'mseLoss' },
  L1Loss: { make: () => new nn.L1Loss(), args: () => [f(), f()], fn: 'l1Loss' },
  SmoothL1Loss: { make: () => new nn.SmoothL1Loss(), args: () => [f(), f()], fn: 'smoothL1Loss' },
  HuberLoss: { make: () => new nn.HuberLoss(), args: () => [f(), f()], fn: 'huberLoss' },
  NLLLoss: { make: () => new nn.NLLLoss(), args: () => [f(), int(2)], fn: 'nllLoss' },
  CrossEntropyLoss: {
    make: () => new nn.CrossEntropyLoss(),
    args: () => [f(), int(2)],
    fn: 'crossEntropy',
  },
  BCELoss: {
    make: () => new nn.BCELoss(),
    args: () => [probs(), probs()],
    fn: 'binaryCrossEntropy',
  },
  BCEWithLogitsLoss: {
    make: () => new nn.BCEWithLogitsLoss(),
    args: () => [f(), probs()],
    fn: 'binaryCrossEntropyWithLogits',
  },
  KLDivLoss: { make: () => new nn.KLDivLoss(), args: () => [f(), probs()], fn: 'klDiv' },
  NonDynamicallyQuantizableLinear: {
    make: () => new nn.NonDynamicallyQuantizableLinear(4, 3),
    args: () => [f()],
    fn: 'linear',
  },
};

/**
 * Classes left out: Module (abstract: no forward), ModuleList and ModuleDict (containers without
 * forward), Parameter (a tensor), and Identity, which returns any input unchanged, as PyTorch's.
 */
const NOT_LAYERS = new Set(['Module', 'ModuleList', 'ModuleDict', 'Parameter', 'Identity']);

describe('a plain array where nn expects a tensor', () => {
  it('every nn.functional function names itself and says "not an array"', async () => {
    const fns = Object.fromEntries(
      Object.entries(F).filter(
        ([k, v]) => typeof v === 'function' && !FUNCTIONAL_WITHOUT_TENSOR_ARGS.has(k),
      ),
    ) as Record<string, (...a: unknown[]) => unknown>;
    const calls: Call[] = [];
    const missing: string[] = [];
    for (const [fn, names] of aliases(fns)) {
      const args = lookup(FUNCTIONAL, names);
      if (!args) missing.push(names[0]!);
      else calls.push({ names, invoke: (a) => (fn as Function)(...a), args });
    }
    expect(missing, 'give these functions a call in FUNCTIONAL').toEqual([]);
    expect(await probeAll(calls, {})).toEqual([]);
  });

  it('every layer names its op and says "not an array"', async () => {
    const classes = Object.entries(nn).filter(
      ([k, v]) => typeof v === 'function' && /^[A-Z]/.test(k) && !NOT_LAYERS.has(k),
    );
    const missing = classes.map(([k]) => k).filter((k) => !Object.hasOwn(LAYERS, k));
    expect(missing, 'give these layers an entry in LAYERS').toEqual([]);
    const calls: Call[] = Object.entries(LAYERS).map(([name, l]) => ({
      names: [name, l.fn],
      invoke: (a) => l.make().call(...(a as [])),
      args: l.args,
    }));
    expect(await probeAll(calls, {})).toEqual([]);
  });

  it('every nn.init function names itself and says "not an array"', async () => {
    const calls: Call[] = Object.entries(nn.init)
      .filter(([k, v]) => typeof v === 'function' && k !== 'calculateGain')
      .map(([k, fn]) => ({
        names: [k],
        invoke: (a) => (fn as Function)(...a),
        args: () => [torch.empty(3, 4)],
      }));
    expect(calls.length).toBeGreaterThan(10);
    expect(await probeAll(calls, {})).toEqual([]);
  });

  it('Parameter and registerBuffer say what they got', () => {
    expect(() => new nn.Parameter([1, 2] as never)).toThrow(
      "Parameter(): argument 'data' must be a Tensor or null, not an array",
    );
    expect(() => new nn.Module().registerBuffer('b', [1, 2] as never)).toThrow(
      "registerBuffer(): cannot assign an array to buffer 'b' (Tensor or null required)",
    );
  });

  it('answers nn.Linear and mseLoss as it answers matmul', () => {
    expect(() => new nn.Linear(2, 1).call([[1, 2]] as never)).toThrow(
      "linear(): argument 'input' must be a Tensor, not an array (wrap it with torch.tensor(...))",
    );
    expect(() => F.mseLoss(torch.ones(2), [1, 2] as never)).toThrow(
      "mseLoss(): argument 'target' must be a Tensor, not an array (wrap it with torch.tensor(...))",
    );
  });
});
