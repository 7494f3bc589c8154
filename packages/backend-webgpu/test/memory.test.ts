import * as torch from 'autodag';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);
afterEach(() => torch.setMemoryDebug(false));

describe('torch.memory on WebGPU', () => {
  it('counts live storages and their bytes, and pools what dispose returns', async () => {
    const before = torch.memory('webgpu');
    const x = torch.ones(1000, { device: 'webgpu' });
    const y = x.mul(2);
    const during = torch.memory('webgpu');
    expect(during.liveStorages).toBe(before.liveStorages! + 2);
    expect(during.bytesInUse! - before.bytesInUse!).toBeGreaterThanOrEqual(2 * 4000);
    expect(Array.from(await y.data()).every((v) => v === 2)).toBe(true);
    x.dispose();
    y.dispose();
    const after = torch.memory('webgpu');
    expect(after.liveStorages).toBe(before.liveStorages);
    expect(after.bytesPooled).toBeGreaterThan(before.bytesPooled);
    // The same size class comes back from the pool rather than from the driver.
    const z = torch.zeros(1000, { device: 'webgpu' });
    expect(torch.memory('webgpu').bytesPooled).toBeLessThan(after.bytesPooled);
    expect(Array.from(await z.data()).every((v) => v === 0)).toBe(true);
    z.dispose();
  });

  it('in debug mode lists where each live storage was allocated', () => {
    torch.setMemoryDebug(true);
    const kept = torch.ones(3, { device: 'webgpu' }).add(1);
    const { allocations } = torch.memory('webgpu');
    expect(allocations.length).toBeGreaterThanOrEqual(1);
    expect(allocations.at(-1)!.stack).toMatch(/memory\.test\.ts/);
    expect(allocations.at(-1)).toMatchObject({ dtype: 'float32', size: 3 });
    kept.dispose();
    expect(torch.memory('webgpu').allocations.length).toBe(allocations.length - 1);
  });

  it('reports the CPU pool, whose live arrays the garbage collector owns', () => {
    const stats = torch.memory('cpu');
    expect(stats.device).toBe('cpu');
    expect(stats.liveStorages).toBeUndefined();
    expect(typeof stats.bytesPooled).toBe('number');
  });
});
