import { compareArrays, DEFAULT_TOLERANCES } from '@autodag/testing';
import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

const F = torch.nn.functional;

beforeAll(openTestDevice, 60_000);

type Input = { values: readonly number[]; shape: readonly number[]; dtype?: 'float32' | 'int32' };

async function same(actual: Tensor, expected: Tensor, what: string): Promise<void> {
  expect(actual.device, what).toBe('webgpu');
  expect(actual.dtype, what).toBe(expected.dtype);
  const problem = compareArrays(
    { shape: actual.shape, values: Array.from(await actual.data()) },
    { shape: expected.shape, values: Array.from(await expected.data()) },
    DEFAULT_TOLERANCES[expected.dtype],
  );
  expect(problem, what).toBeNull();
}

/** Runs `f` on the same inputs on the CPU and the GPU and compares every output. */
async function agree(
  inputs: readonly Input[],
  f: (...xs: Tensor[]) => Tensor | readonly Tensor[],
  what = '',
): Promise<void> {
  const run = (device: string): readonly Tensor[] => {
    const xs = inputs.map((i) =>
      torch
        .tensor(Array.from(i.values), { dtype: i.dtype ?? 'float32', device })
        .reshape(i.shape as number[]),
    );
    const r = f(...xs);
    return r instanceof torch.Tensor ? [r] : (r as readonly Tensor[]);
  };
  const cpu = run('cpu');
  const gpu = run('webgpu');
  for (let k = 0; k < cpu.length; k++) await same(gpu[k]!, cpu[k]!, `${what} output ${k}`);
}

/** Gradients of `loss(...inputs)` on both devices, compared. */
async function gradsAgree(
  inputs: readonly Input[],
  loss: (...xs: Tensor[]) => Tensor,
  what = '',
): Promise<void> {
  const run = (device: string) => {
    const xs = inputs.map((i) =>
      torch
        .tensor(Array.from(i.values), { device })
        .reshape(i.shape as number[])
        .requiresGrad_(),
    );
    loss(...xs).backward();
    return xs.map((x) => x.grad!);
  };
  const cpu = run('cpu');
  const gpu = run('webgpu');
  for (let k = 0; k < cpu.length; k++) await same(gpu[k]!, cpu[k]!, `${what} grad ${k}`);
}

function wave(n: number, scale = 3, phase = 0.3): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + phase) * scale);
}

const NaN_ = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

describe('ops-nn kernels on WebGPU', () => {
  it('are registered by device name, and find their device from the tensors', () => {
    for (const op of ['nn.softmax', 'nn.gelu', 'nn.layerNorm', 'nn.nllLoss', 'nn.mseLoss']) {
      expect(torch.listKernels(op)).toContain('webgpu');
    }
    const softmax = torch.getOp('nn.softmax').kernels.get('webgpu')!;
    expect(() => softmax([torch.ones(2, 3)], [torch.empty(2, 3)], { dim: 1 })).toThrow(
      /a float32 tensor of shape \[2, 3\] is on device 'cpu', which is not a WebGPU device/,
    );
  });

  it('activations: tails, NaN and infinities', async () => {
    const v = [-40, -12, -6, -3.5, -1e-3, 0, 1e-3, 0.7, 3.5, 9, 30, NaN_, INF, -INF, -0.5, 2];
    const x = [{ values: v, shape: [4, 4] }];
    await agree(x, (t) => F.gelu(t), 'gelu');
    await agree(x, (t) => F.gelu(t, { approximate: 'tanh' }), 'gelu tanh');
    await agree(x, (t) => torch.callOp('nn.geluGrad', [t], { approximate: 'none' }) as Tensor);
    await agree(x, (t) => torch.callOp('nn.geluGrad', [t], { approximate: 'tanh' }) as Tensor);
    await agree(x, (t) => F.silu(t), 'silu');
    await agree(x, (t) => F.leakyRelu(t, 0.2), 'leakyRelu');
    await agree(x, (t) => F.elu(t, 0.5), 'elu');
    await agree(x, (t) => F.softplus(t), 'softplus');
    await agree(x, (t) => F.softplus(t, { beta: 2, threshold: 100 }), 'softplus wide');
    await agree(x, (t) => F.hardtanh(t, -2, 3), 'hardtanh');
    await agree(x, (t) => F.relu6(t.t()), 'relu6 transposed');
  });

  it('in-place activations overwrite the GPU tensor', async () => {
    const v = wave(12);
    await agree([{ values: v, shape: [3, 4] }], (t) => F.elu(t.clone(), 1, { inplace: true }));
    await agree([{ values: v, shape: [3, 4] }], (t) => {
      const c = t.clone();
      F.leakyRelu(c, 0.1, { inplace: true });
      return c;
    });
  });

  it('softmax and logSoftmax over long, strided rows with infinities and NaN', async () => {
    const long = wave(3 * 500, 20);
    await agree([{ values: long, shape: [3, 500] }], (t) => F.softmax(t, 1), 'softmax long');
    await agree([{ values: long, shape: [3, 500] }], (t) => F.logSoftmax(t.t(), 0));
    await agree([{ values: long, shape: [5, 6, 50] }], (t) => F.softmax(t, 1), 'middle dim');
    const edge = [1, 2, -INF, 3, -INF, -INF, -INF, -INF, 1, NaN_, 2, 3, INF, 0, 1, 2];
    await agree([{ values: edge, shape: [4, 4] }], (t) => F.softmax(t, 1), 'softmax edge');
    await agree([{ values: edge, shape: [4, 4] }], (t) => F.logSoftmax(t, 1), 'logSoftmax edge');
  });

  it('softmax and logSoftmax gradients', async () => {
    const x = [{ values: wave(600), shape: [4, 150] }];
    const w = torch.tensor(wave(600, 1, 1.1)).reshape(4, 150);
    const weighted = (t: Tensor) => t.mul(w.to(t.device));
    await gradsAgree(x, (t) => weighted(F.softmax(t, 1)).sum(), 'softmax');
    await gradsAgree(x, (t) => weighted(F.logSoftmax(t, 0)).sum(), 'logSoftmax');
  });

  it('layerNorm, groupNorm and batchNorm with a large mean, forward and backward', async () => {
    const x = { values: wave(4 * 6 * 40, 2).map((v) => v + 1000), shape: [4, 6, 40] };
    const w6 = { values: wave(6, 1, 2).map((v) => v + 1.5), shape: [6] };
    const b6 = { values: wave(6, 1, 0.7), shape: [6] };
    const w40 = { values: wave(40, 1, 2).map((v) => v + 1.5), shape: [40] };
    const b40 = { values: wave(40, 1, 0.7), shape: [40] };
    await agree([x, w40, b40], (t, w, b) => F.layerNorm(t, 40, w, b), 'layerNorm');
    await agree([x], (t) => F.layerNorm(t, [6, 40]), 'layerNorm 2 dims');
    await agree([x, w6, b6], (t, w, b) => F.groupNorm(t, 3, w, b), 'groupNorm');
    await agree([x, w6, b6], (t, w, b) => F.groupNorm(t.transpose(0, 2).transpose(0, 2), 2, w, b));
    await agree(
      [x, w6, b6],
      (t, w, b) => torch.callOp('nn.batchNorm', [t, w, b], { eps: 1e-5 }) as Tensor[],
      'batchNorm',
    );
    await agree(
      [x, w6, b6, w6, b6],
      (t, rm, rv, w, b) => F.batchNorm(t, rm, rv.abs(), w, b),
      'batchNorm eval',
    );
    // The VJPs recompute the statistics with core ops (mean of x in f32 on the GPU), so the
    // gradients are compared at a moderate mean.
    const xg = { values: x.values.map((v) => v - 999), shape: x.shape };
    const g = torch.tensor(wave(4 * 6 * 40, 1, 0.1)).reshape(4, 6, 40);
    const dot = (t: Tensor) => t.mul(g.to(t.device)).sum();
    await gradsAgree([xg, w40, b40], (t, w, b) => dot(F.layerNorm(t, 40, w, b)), 'layerNorm');
    await gradsAgree([xg, w6, b6], (t, w, b) => dot(F.groupNorm(t, 2, w, b)), 'groupNorm');
    await gradsAgree(
      [xg, w6, b6],
      (t, w, b) => dot(F.batchNorm(t, null, null, w, b, { training: true })),
      'batchNorm',
    );
  });

  it('nllLoss and crossEntropy on class indices: ignored and spatial targets, gradients', async () => {
    const logits = { values: wave(300 * 5), shape: [300, 5] };
    const targets = Array.from({ length: 300 }, (_, i) => (i % 7 === 3 ? -100 : (i * 3) % 5));
    const t = { values: targets, shape: [300], dtype: 'int32' } as const;
    const w = { values: [0.5, 1, 1.5, 2, 0.25], shape: [5] };
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      await agree(
        [logits, t, w],
        (x, tg, wt) => F.nllLoss(x, tg, { weight: wt, reduction }),
        `nll ${reduction}`,
      );
      await agree(
        [logits, t],
        (x, tg) => F.crossEntropy(x.t().t(), tg, { reduction }),
        `crossEntropy ${reduction}`,
      );
    }
    const spatial = { values: wave(2 * 5 * 3 * 4), shape: [2, 5, 3, 4] };
    const st = { values: wave(24).map((v) => Math.floor(Math.abs(v) * 1.6)), shape: [2, 3, 4] };
    await agree([spatial, { ...st, dtype: 'int32' }], (x, tg) => F.nllLoss(x, tg), 'spatial');
    await agree([spatial, { ...st, dtype: 'int32' }], (x, tg) =>
      F.nllLoss(x, tg, { reduction: 'none', ignoreIndex: 2 }),
    );
    const run = (device: string, reduction: 'mean' | 'sum' | 'none') => {
      const x = torch.tensor(logits.values as number[], { device }).reshape(300, 5);
      x.requiresGrad_();
      const loss = F.crossEntropy(x, torch.tensor(targets, { dtype: 'int32', device }), {
        weight: torch.tensor(w.values as number[], { device }),
        reduction,
      });
      (reduction === 'none' ? loss.mul(torch.arange(300, { device })).sum() : loss).backward();
      return x.grad!;
    };
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      await same(run('webgpu', reduction), run('cpu', reduction), `crossEntropy grad ${reduction}`);
    }
  });

  it('nllLoss gives NaN for an out-of-range target on the GPU (the CPU throws)', async () => {
    const x = torch.zeros([2, 3], { device: 'webgpu' });
    const t = torch.tensor([1, 5], { dtype: 'int32', device: 'webgpu' });
    expect(Array.from(await F.nllLoss(x, t, { reduction: 'none' }).data())).toEqual([-0, NaN_]);
    expect(Number.isNaN(await F.nllLoss(x, t).itemAsync())).toBe(true);
  });

  it('pointwise losses over long inputs, every reduction, and their gradients', async () => {
    const x = { values: wave(700), shape: [7, 100] };
    const y = { values: wave(700, 2, 1.3), shape: [7, 100] };
    const y1 = { values: wave(100, 2, 1.3), shape: [100] };
    const p = { values: wave(700, 0.45, 0.2).map((v) => v + 0.5), shape: [7, 100] };
    const q = { values: wave(700, 0.5, 0.9).map((v) => v + 0.5), shape: [7, 100] };
    const pw = { values: wave(100, 1, 0.4).map((v) => v + 1.5), shape: [100] };
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      await agree([x, y], (a, b) => F.mseLoss(a, b, { reduction }), `mse ${reduction}`);
      await agree([x, y1], (a, b) => F.mseLoss(a, b, { reduction }), `mse broadcast`);
      await agree([x, y], (a, b) => F.smoothL1Loss(a, b, { reduction, beta: 0.5 }));
      await agree([x, y], (a, b) => F.smoothL1Loss(a, b, { reduction, beta: 0 }));
      await agree([x, y], (a, b) => F.huberLoss(a, b, { reduction, delta: 0.7 }));
      await agree([x, y], (a, b) => F.l1Loss(a.t(), b.t(), { reduction }), `l1 ${reduction}`);
      await agree([p, q, pw], (a, b, w) => F.binaryCrossEntropy(a, b, { weight: w, reduction }));
      await agree([x, q, pw], (a, b, w) =>
        F.binaryCrossEntropyWithLogits(a, b, { posWeight: w, reduction }),
      );
      await agree([x, p], (a, b) => F.klDiv(a.neg().abs().neg(), b, { reduction }));
    }
    await agree(
      [
        { values: [0, 1, 0, 1, 0.5], shape: [5] },
        { values: [0, 1, 1, 0, 0.5], shape: [5] },
      ],
      (a, b) => F.binaryCrossEntropy(a, b, { reduction: 'none' }),
      'saturated BCE',
    );
    await agree(
      [
        { values: [-200, -30, 30, 200], shape: [4] },
        { values: [1, 0, 1, 0], shape: [4] },
      ],
      (a, b) => F.binaryCrossEntropyWithLogits(a, b),
      'large logits',
    );
    await gradsAgree([x, y], (a, b) => F.mseLoss(a, b), 'mse');
    await gradsAgree([x, y], (a, b) => F.huberLoss(a, b, { delta: 0.5 }), 'huber');
    await gradsAgree([x, q], (a, b) => F.binaryCrossEntropyWithLogits(a, b), 'bce logits');
  });
});
