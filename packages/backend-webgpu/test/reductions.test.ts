import { compareArrays, DEFAULT_TOLERANCES } from '@autodag/testing';
import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

/** Runs `f` on the same values on the CPU and on the GPU and compares every output. */
async function agree(
  values: readonly number[],
  shape: readonly number[],
  f: (x: Tensor) => Tensor | readonly Tensor[],
  opts: { dtype?: 'float32' | 'int32'; transpose?: boolean } = {},
): Promise<void> {
  const run = (device: string): readonly Tensor[] => {
    let x = torch.tensor(Array.from(values), { dtype: opts.dtype ?? 'float32', device });
    x = x.reshape(shape as number[]);
    if (opts.transpose) x = x.t();
    const r = f(x);
    return r instanceof torch.Tensor ? [r] : (r as readonly Tensor[]);
  };
  const cpu = run('cpu');
  const gpu = run('webgpu');
  expect(gpu.length).toBe(cpu.length);
  for (let k = 0; k < cpu.length; k++) {
    const expected = cpu[k]!;
    const actual = gpu[k]!;
    expect(actual.device).toBe('webgpu');
    expect(actual.dtype).toBe(expected.dtype);
    const problem = compareArrays(
      { shape: actual.shape, values: Array.from(await actual.data()) },
      { shape: expected.shape, values: Array.from(await expected.data()) },
      DEFAULT_TOLERANCES[expected.dtype],
    );
    expect(problem).toBeNull();
  }
}

/** Deterministic values in [-scale, scale). */
function wave(n: number, scale = 3): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 0.3) * scale);
}

const NaN_ = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

describe('max/min/argmax/argmin on WebGPU', () => {
  it('follow the CPU on NaN (the first NaN wins) and ties (the first index wins)', async () => {
    const v = [1, 3, 3, 2, NaN_, 0, NaN_, 5, -INF, -INF, -INF, -INF, 2, 2, 2, 2, 7, INF, INF, 1];
    for (const dim of [0, 1]) {
      await agree(v, [5, 4], (x) => [...x.max(dim)]);
      await agree(v, [5, 4], (x) => [...x.min(dim)]);
      await agree(v, [5, 4], (x) => torch.argmax(x, dim));
      await agree(v, [5, 4], (x) => torch.argmin(x, dim, true));
    }
    await agree(v, [5, 4], (x) => torch.argmax(x));
    await agree(v, [4, 5], (x) => torch.argmin(x), { transpose: true });
  });

  it('reduce rows longer than a workgroup, strided, and int32 inputs exactly', async () => {
    const n = 1000;
    const v = wave(2 * n);
    v[1700] = 10;
    v[1900] = 10; // a tie past the first pass of the threads
    await agree(v, [2, n], (x) => [...x.max(1)]);
    await agree(v, [n, 2], (x) => [...x.min(0)], { transpose: false });
    await agree(v, [2, n], (x) => torch.argmax(x, 0), { transpose: true });
    const big = [2 ** 30 + 1, 2 ** 30, 2 ** 30 + 1, -(2 ** 31), 2 ** 31 - 1, 7];
    await agree(big, [2, 3], (x) => [...x.max(1)], { dtype: 'int32' });
    await agree(big, [2, 3], (x) => [...x.min(1)], { dtype: 'int32' });
    await agree(big, [6], (x) => torch.argmax(x), { dtype: 'int32' });
  });
});

describe('var/std/logsumexp/norm on WebGPU', () => {
  it('var and std with corrections, over long rows and constant rows', async () => {
    const v = wave(3000, 100).map((x) => x + 1000);
    for (const correction of [0, 1, 2]) {
      await agree(v, [3, 1000], (x) => x.var({ dim: 1, correction }));
      await agree(v, [3, 1000], (x) => x.std({ dim: 0, correction }), { transpose: true });
    }
    await agree(new Array(300).fill(0.1), [300], (x) => x.var());
    await agree(new Array(300).fill(0.1), [300], (x) => x.std(0, false));
  });

  it('logsumexp with infinities, NaN and long rows', async () => {
    const v = [1, 2, 3, -INF, -INF, -INF, INF, 1, 2, NaN_, 0, 1, 1000, 1001, -5];
    await agree(v, [5, 3], (x) => torch.logsumexp(x, 1));
    await agree(wave(2000, 50), [4, 500], (x) => torch.logsumexp(x, [1], true));
  });

  it('norm for every order, with huge, zero and NaN values', async () => {
    const v = [1e30, -3e29, 2, 0, 0, 0, 1, -2, NaN_, 0.5, -0.25, 4, 0, 3, -1e-3, 7];
    for (const p of [2, 1, 3, 0.5, 0, -1, -2.5, INF, -INF]) {
      await agree(v, [4, 4], (x) => x.norm(p, 1));
      await agree(v, [4, 4], (x) => x.norm(p, 0, true));
    }
    await agree(wave(3000), [3, 1000], (x) => x.norm(2, 1));
    await agree(wave(3000), [3, 1000], (x) => x.norm(3, [0, 1]));
  });
});

describe('compareMask on WebGPU', () => {
  it('compares NaN as false, broadcasting, in every result dtype', async () => {
    const v = [1, NaN_, 3, INF, -INF, 0, -0, 2];
    for (const cmp of ['eq', 'gt', 'lt'] as const) {
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        await agree(v, [2, 4], (x) => torch.compareMask(x, x.get(0), cmp, dtype));
        await agree(v, [2, 4], (x) => torch.compareMask(x, 2, cmp, dtype));
      }
    }
  });
});

describe('var/std with a large mean', () => {
  it('keep the digits of a small spread', async () => {
    const v = wave(2000, 0.01).map((x) => x + 1000);
    await agree(v, [4, 500], (x) => x.var(1));
    await agree(v, [4, 500], (x) => x.std({ dim: 0, correction: 0 }));
  });
});
