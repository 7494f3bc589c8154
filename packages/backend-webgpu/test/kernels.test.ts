import 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareKernels } from './compare-kernels.js';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

describe('WebGPU kernels agree with the CPU backend', () => {
  it('on every sample of every op with a webgpu kernel, in every layout', async () => {
    const { ops, compared, failures } = await compareKernels('webgpu');
    expect(failures).toEqual([]);
    expect(ops).toBeGreaterThan(100);
    expect(compared).toBeGreaterThan(1000);
  }, 120_000);
});
