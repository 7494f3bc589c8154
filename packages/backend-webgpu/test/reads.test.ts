import type { WebGPUBackend } from '@autodag/backend-webgpu';
import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

describe('reading WebGPU tensors', () => {
  it('returns the values a tensor had when the read was called, on every device', async () => {
    for (const device of ['cpu', 'webgpu']) {
      const w = torch.tensor([1, 2, 3], { device });
      const before = w.data();
      const itemBefore = w.sum().itemAsync();
      w.add_(1);
      expect(Array.from(await before)).toEqual([1, 2, 3]);
      expect(await itemBefore).toBe(6);
      expect(Array.from(await w.data())).toEqual([2, 3, 4]);
    }
  });

  it('reuses mappable buffers: a loop that awaits its loss every step creates none', async () => {
    const backend = torch.getBackend('webgpu') as WebGPUBackend;
    const device = backend.ctx.device;
    const create = device.createBuffer;
    let mappable = 0;
    device.createBuffer = (descriptor: GPUBufferDescriptor) => {
      if (descriptor.usage & GPUBufferUsage.MAP_READ) mappable++;
      return create.call(device, descriptor);
    };
    try {
      const w = torch.tensor([0.5, -1, 2], { device: 'webgpu' });
      const losses: number[] = [];
      for (let step = 0; step < 20; step++) {
        losses.push(await w.mul(step).pow(2).sum().itemAsync());
        // Reads of other sizes, and two in flight at once, each with its own buffer.
        const [a, b] = await Promise.all([w.data(), w.mul(2).data()]);
        expect([Array.from(a), Array.from(b)]).toEqual([
          [0.5, -1, 2],
          [1, -2, 4],
        ]);
      }
      expect(losses).toEqual(Array.from({ length: 20 }, (_, s) => 5.25 * s * s));
      // At most one per read in flight at once, kept from the first step on.
      expect(mappable).toBeLessThanOrEqual(2);
      const first = mappable;
      for (let step = 0; step < 5; step++) await w.sum().itemAsync();
      expect(mappable).toBe(first);
    } finally {
      device.createBuffer = create;
    }
  });

  it('reads views, int32 and bool tensors', async () => {
    const x = torch.arange(12, { device: 'webgpu' }).reshape(3, 4);
    expect(x.dtype).toBe('int32');
    expect(await x.t().array()).toEqual([
      [0, 4, 8],
      [1, 5, 9],
      [2, 6, 10],
      [3, 7, 11],
    ]);
    expect(await x.gt(5).get(1).array()).toEqual([false, false, true, true]);
  });

  it('names the async method when a sync read is asked for', () => {
    const x = torch.ones(2, { device: 'webgpu' });
    expect(() => x.dataSync()).toThrow(/dataSync\(\).*'webgpu'.*await tensor\.data\(\)/);
    expect(() => x.sum().item()).toThrow(/item\(\).*await tensor\.itemAsync\(\)/);
    expect(() => x.tolist()).toThrow(/tolist\(\).*await tensor\.array\(\)/);
    expect(String(x)).toMatch(/cannot be read synchronously.*device='webgpu'/s);
  });

  it('moves tensors between devices', async () => {
    const c = torch.tensor([
      [1, 2],
      [3, 4],
    ]);
    const g = c.to('webgpu');
    expect(g.device).toBe('webgpu');
    const back = await g.mul(2).toAsync('cpu');
    expect(back.device).toBe('cpu');
    expect(back.tolist()).toEqual([
      [2, 4],
      [6, 8],
    ]);
    expect(() => g.add(c)).toThrow(/webgpu.*cpu|cpu.*webgpu/);
  });

  it('refuses float64 with an error naming the op, the dtype and what to use', () => {
    const x = torch.ones(2, { device: 'webgpu' });
    expect(() => x.to({ dtype: 'float64' })).toThrow(
      /dtype float64 is not supported on device 'webgpu'.*\.float\(\)/,
    );
    expect(() => torch.zeros(2, { dtype: 'float64', device: 'webgpu' })).toThrow(/float64/);
  });
});
