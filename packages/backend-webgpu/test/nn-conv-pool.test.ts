import { compareArrays, DEFAULT_TOLERANCES, GRAD_TOLERANCES } from '@autodag/testing';
import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

const F = torch.nn.functional;

beforeAll(openTestDevice, 60_000);

type Input = { values: readonly number[]; shape: readonly number[] };
type Tol = { rtol: number; atol: number };

async function same(actual: Tensor, expected: Tensor, what: string, tol?: Tol): Promise<void> {
  expect(actual.device, what).toBe('webgpu');
  expect(actual.dtype, what).toBe(expected.dtype);
  const problem = compareArrays(
    { shape: actual.shape, values: Array.from(await actual.data()) },
    { shape: expected.shape, values: Array.from(await expected.data()) },
    tol ?? DEFAULT_TOLERANCES[expected.dtype],
  );
  expect(problem, what).toBeNull();
}

const make = (i: Input, device: string) =>
  torch.tensor(Array.from(i.values), { device }).reshape(i.shape as number[]);

/** Runs `f` on the same inputs on the CPU and the GPU and compares every output. */
async function agree(
  inputs: readonly Input[],
  f: (...xs: Tensor[]) => Tensor | readonly Tensor[],
  what: string,
  tol?: Tol,
): Promise<void> {
  const run = (device: string): readonly Tensor[] => {
    const r = f(...inputs.map((i) => make(i, device)));
    return r instanceof torch.Tensor ? [r] : (r as readonly Tensor[]);
  };
  const cpu = run('cpu');
  const gpu = run('webgpu');
  expect(gpu.length).toBe(cpu.length);
  for (let k = 0; k < cpu.length; k++) await same(gpu[k]!, cpu[k]!, `${what} output ${k}`, tol);
}

/** Gradients of `loss(...inputs)` on both devices, compared. */
async function gradsAgree(
  inputs: readonly Input[],
  loss: (...xs: Tensor[]) => Tensor,
  what: string,
): Promise<void> {
  const run = (device: string) => {
    const xs = inputs.map((i) => make(i, device).requiresGrad_());
    loss(...xs).backward();
    return xs.map((x) => x.grad!);
  };
  const cpu = run('cpu');
  const gpu = run('webgpu');
  for (let k = 0; k < cpu.length; k++) {
    await same(gpu[k]!, cpu[k]!, `${what} grad ${k}`, GRAD_TOLERANCES.float32);
  }
}

function wave(n: number, scale = 1, phase = 0.3): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + phase) * scale);
}

const input = (shape: number[], phase = 0.3): Input => ({
  values: wave(
    shape.reduce((a, b) => a * b, 1),
    1,
    phase,
  ),
  shape,
});

/** Sums of many products: the GPU adds them in another order than the CPU. */
const SUMS: Tol = { rtol: 1e-4, atol: 1e-5 };

describe('convolution kernels on WebGPU', () => {
  it('are registered for every convolution and pooling op', () => {
    const ops = [
      'nn.conv1d',
      'nn.conv1dNoBias',
      'nn.conv2d',
      'nn.conv2dNoBias',
      'nn.convTranspose1d',
      'nn.convTranspose1dNoBias',
      'nn.convTranspose2d',
      'nn.convTranspose2dNoBias',
      'nn.convWeightBackward',
      'nn.convBiasBackward',
      'nn.maxPool1d',
      'nn.maxPool2d',
      'nn.maxPoolBackward',
      'nn.avgPool1d',
      'nn.avgPool2d',
      'nn.avgPoolBackward',
      'nn.adaptiveAvgPool1d',
      'nn.adaptiveAvgPool2d',
      'nn.adaptiveAvgPoolBackward',
    ];
    for (const op of ops) expect(torch.listKernels(op), op).toContain('webgpu');
  });

  it('conv2d: stride, padding, dilation, groups, depthwise, 1x1 and odd sizes', async () => {
    const x = input([2, 4, 9, 7]);
    const b6 = input([6], 1.1);
    const b4 = input([4], 0.4);
    await agree([x, input([6, 4, 3, 3], 2), b6], (t, w, b) => F.conv2d(t, w, b), 'plain');
    await agree(
      [x, input([6, 4, 3, 2], 2), b6],
      (t, w, b) => F.conv2d(t, w, b, { stride: [2, 3], padding: [1, 2] }),
      'stride and padding',
    );
    await agree(
      [x, input([6, 4, 2, 3], 2)],
      (t, w) => F.conv2d(t, w, null, { dilation: [3, 2], padding: 1 }),
      'dilation',
    );
    await agree(
      [x, input([6, 2, 3, 3], 2), b6],
      (t, w, b) => F.conv2d(t, w, b, { groups: 2, stride: 2, padding: 1 }),
      'groups',
    );
    await agree(
      [x, input([4, 1, 3, 3], 2), b4],
      (t, w, b) => F.conv2d(t, w, b, { groups: 4, padding: 1 }),
      'depthwise',
    );
    await agree(
      [x, input([8, 1, 3, 3], 2)],
      (t, w) => F.conv2d(t, w, null, { groups: 4, stride: [1, 2] }),
      'depthwise multiplier 2',
    );
    await agree([x, input([6, 4, 1, 1], 2), b6], (t, w, b) => F.conv2d(t, w, b), '1x1');
    await agree(
      [x, input([6, 4, 1, 1], 2)],
      (t, w) => F.conv2d(t, w, null, { stride: 2, padding: 1 }),
      '1x1 strided padded',
    );
    await agree(
      [x, input([6, 4, 3, 3], 2), b6],
      (t, w, b) => F.conv2d(t.permute(0, 1, 3, 2), w.transpose(2, 3), b, { padding: 1 }),
      'transposed views',
    );
    await agree(
      [input([2, 4, 9, 14]), input([6, 4, 3, 3], 2)],
      (t, w) => F.conv2d(t.slice(3, 0, 14, 2), w, null, { padding: 1 }),
      'sliced view',
    );
  });

  it('conv2d over several tiles in M, N and K', async () => {
    await agree(
      [input([3, 20, 13, 11]), input([70, 20, 3, 3], 2), input([70], 0.5)],
      (t, w, b) => F.conv2d(t, w, b, { padding: 1 }),
      'large',
      SUMS,
    );
  });

  it('conv1d and transposed convolutions', async () => {
    const x1 = input([3, 4, 11]);
    await agree(
      [x1, input([6, 2, 3], 2), input([6], 1)],
      (t, w, b) => F.conv1d(t, w, b, { stride: 2, padding: 2, dilation: 2, groups: 2 }),
      'conv1d',
    );
    await agree(
      [x1, input([4, 3, 3], 2), input([6], 1)],
      (t, w, b) =>
        F.convTranspose1d(t, w, b, { stride: 3, padding: 1, outputPadding: 2, groups: 2 }),
      'convTranspose1d',
    );
    const x2 = input([2, 4, 5, 6]);
    await agree(
      [x2, input([4, 3, 3, 2], 2), input([3], 1)],
      (t, w, b) =>
        F.convTranspose2d(t, w, b, { stride: [2, 3], padding: [1, 0], outputPadding: 1 }),
      'convTranspose2d',
    );
    await agree(
      [x2, input([4, 2, 2, 3], 2)],
      (t, w) => F.convTranspose2d(t, w, null, { dilation: [2, 1], groups: 2, stride: 2 }),
      'convTranspose2d dilated groups',
    );
    await agree(
      [x2, input([4, 1, 3, 3], 2)],
      (t, w) => F.convTranspose2d(t, w, null, { groups: 4, padding: 1 }),
      'convTranspose2d depthwise',
    );
  });

  it('gradients of conv2d and conv1d in input, weight and bias', async () => {
    await gradsAgree(
      [input([2, 4, 7, 6]), input([6, 2, 3, 3], 2), input([6], 1)],
      (x, w, b) =>
        F.conv2d(x, w, b, { stride: 2, padding: 1, dilation: [1, 2], groups: 2 })
          .square()
          .sum(),
      'conv2d',
    );
    await gradsAgree(
      [input([2, 4, 7, 6]), input([4, 1, 3, 3], 2)],
      (x, w) => F.conv2d(x, w, null, { padding: 1, groups: 4 }).square().sum(),
      'depthwise',
    );
    await gradsAgree(
      [input([2, 3, 10]), input([5, 3, 4], 2), input([5], 1)],
      (x, w, b) => F.conv1d(x, w, b, { stride: 3, padding: 2 }).square().sum(),
      'conv1d',
    );
    await gradsAgree(
      [input([2, 4, 4, 3]), input([4, 3, 3, 3], 2), input([3], 1)],
      (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1 }).square().sum(),
      'convTranspose2d',
    );
  });

  it('convWeightBackward with an empty batch gives zeros, and convBiasBackward sums planes', async () => {
    const cpu = torch.callOp(
      'nn.convWeightBackward',
      [torch.zeros(0, 2, 4, 4), torch.zeros(0, 3, 2, 2)],
      {
        kernelSize: [3, 3],
        stride: [1, 1],
        padding: [0, 0],
        dilation: [1, 1],
      },
    ) as Tensor;
    const gpu = torch.callOp(
      'nn.convWeightBackward',
      [
        torch.zeros(0, 2, 4, 4, { device: 'webgpu' }),
        torch.zeros(0, 3, 2, 2, { device: 'webgpu' }),
      ],
      { kernelSize: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
    ) as Tensor;
    await same(gpu, cpu, 'empty batch');
    await agree(
      [input([3, 5, 17, 19])],
      (g) => torch.callOp('nn.convBiasBackward', [g.transpose(2, 3)]) as Tensor,
      'bias sums',
      SUMS,
    );
  });
});

describe('pooling kernels on WebGPU', () => {
  it('max pooling: ties, NaN, -inf, padding, dilation, ceil mode and 1-d', async () => {
    const NaN_ = Number.NaN;
    const INF = Number.POSITIVE_INFINITY;
    const edge = {
      values: [1, 1, -INF, -INF, 2, NaN_, 3, NaN_, 0.5, 2, 2, 0.5, -INF, -INF, -INF, -INF],
      shape: [1, 1, 4, 4],
    };
    await agree([edge], (t) => F.maxPool2dWithIndices(t, 2), 'edge values');
    await agree([edge], (t) => F.maxPool2dWithIndices(t, 3, { stride: 1, padding: 1 }), 'padded');
    const x = input([2, 3, 9, 8]);
    await agree(
      [x],
      (t) =>
        F.maxPool2dWithIndices(t, [3, 2], {
          stride: [2, 3],
          padding: [1, 1],
          dilation: [2, 1],
          ceilMode: true,
        }),
      'dilated ceil mode',
    );
    await agree([x], (t) => F.maxPool2dWithIndices(t.transpose(2, 3), 3, { stride: 2 }), 'view');
    await agree(
      [input([2, 3, 13])],
      (t) => F.maxPool1dWithIndices(t, 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }),
      '1-d',
    );
  });

  it('maxPoolBackward over planes longer than a workgroup, with colliding indices', async () => {
    const big = input([2, 2, 30, 27], 0.9);
    const u = input([2, 2, 30, 27], 1.7);
    await gradsAgree(
      [big, u],
      (t, w) => F.maxPool2d(t, 3, { stride: 1, padding: 1 }).mul(w).sum(),
      'overlapping windows',
    );
    const gy = input([2, 3, 20, 15], 0.1);
    const idx = Array.from({ length: 2 * 3 * 20 * 15 }, (_, i) => (i * 7919) % 331);
    const run = (device: string) =>
      torch.callOp(
        'nn.maxPoolBackward',
        [
          make(gy, device).transpose(2, 3),
          torch.tensor(idx, { dtype: 'int32', device }).reshape(2, 3, 15, 20),
        ],
        { inputSize: [19, 19] },
      ) as Tensor;
    await same(run('webgpu'), run('cpu'), 'colliding indices', SUMS);
  });

  it('average and adaptive pooling, forward and backward', async () => {
    const x = input([2, 3, 9, 8]);
    await agree([x], (t) => F.avgPool2d(t, 3, { stride: 2, padding: 1 }), 'avg padded');
    await agree(
      [x],
      (t) =>
        F.avgPool2d(t, [3, 2], { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
      'avg ceil without pad',
    );
    await agree([x], (t) => F.avgPool2d(t, 2, { divisorOverride: 3 }), 'avg divisor');
    await agree(
      [input([2, 3, 11])],
      (t) => F.avgPool1d(t, 4, { stride: 3, padding: 2 }),
      'avg 1-d',
    );
    await agree([x], (t) => F.adaptiveAvgPool2d(t, [4, 3]), 'adaptive shrink');
    await agree([x], (t) => F.adaptiveAvgPool2d(t.transpose(2, 3), [11, 5]), 'adaptive grow');
    await agree([input([2, 3, 11])], (t) => F.adaptiveAvgPool1d(t, 4), 'adaptive 1-d');
    const w = input([2, 3, 12, 12], 1.3);
    const weighted = (y: Tensor, u: Tensor) =>
      y.mul(u.narrow(2, 0, y.shape[2]!).narrow(3, 0, y.shape[3]!)).sum();
    await gradsAgree(
      [x, w],
      (t, u) =>
        weighted(
          F.avgPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
          u,
        ),
      'avg grad',
    );
    await gradsAgree(
      [x, w],
      (t, u) => weighted(F.avgPool2d(t, [2, 3], { stride: 1, padding: 1, divisorOverride: 5 }), u),
      'avg divisor grad',
    );
    await gradsAgree(
      [x, w],
      (t, u) => weighted(F.adaptiveAvgPool2d(t, [4, 3]), u),
      'adaptive grad',
    );
    await gradsAgree(
      [x, w],
      (t, u) => weighted(F.adaptiveAvgPool2d(t, [5, 7]), u),
      'adaptive grow grad',
    );
    await gradsAgree(
      [x, w],
      (t, u) => weighted(F.maxPool2d(t, 3, { stride: 1, padding: 1 }), u),
      'overlapping max grad',
    );
  });
});

describe('a small CNN on WebGPU', () => {
  it('takes the CPU run gradient step: conv, relu, max pooling, grouped conv, linear', async () => {
    const shapes = {
      w1: [6, 3, 3, 3],
      b1: [6],
      w2: [8, 3, 3, 3],
      b2: [8],
      w3: [5, 32],
      b3: [5],
    } as const;
    const x = input([4, 3, 9, 9]);
    const run = (device: string) => {
      const params = Object.entries(shapes).map(([, s], k) =>
        make(input([...s], 0.7 * k + 0.2), device)
          .mul(0.5)
          .requiresGrad_(),
      );
      const [w1, b1, w2, b2, w3, b3] = params as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
      const targets = torch.tensor([0, 3, 1, 4], { dtype: 'int32', device });
      const forward = () => {
        let h = F.relu(F.conv2d(make(x, device), w1, b1, { padding: 1 }));
        h = F.maxPool2d(h, 2); // 4x4
        h = F.relu(F.conv2d(h, w2, b2, { stride: 2, padding: 1, groups: 2 })); // 8 x 2x2
        return F.crossEntropy(F.linear(h.reshape(4, 32), w3, b3), targets);
      };
      const loss = forward();
      loss.backward();
      const grads = params.map((p) => p.grad!);
      torch.noGrad(() => {
        for (const p of params) p.sub_(p.grad!.mul(0.1));
      });
      return { loss, grads, after: torch.noGrad(forward) };
    };
    const cpu = run('cpu');
    const gpu = run('webgpu');
    await same(gpu.loss, cpu.loss, 'loss', SUMS);
    for (let k = 0; k < cpu.grads.length; k++) {
      await same(gpu.grads[k]!, cpu.grads[k]!, `grad ${k}`, GRAD_TOLERANCES.float32);
    }
    await same(gpu.after, cpu.after, 'loss after the step', SUMS);
  });
});
