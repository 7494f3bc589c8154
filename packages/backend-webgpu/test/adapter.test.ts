import { initNodeWebGPU } from '@autodag/backend-webgpu/node';
import { listBackends } from 'autodag';
import { describe, expect, it } from 'vitest';

describe('choosing an adapter', () => {
  it("refuses Dawn's null adapter, which accepts everything and computes nothing", async () => {
    await expect(
      initNodeWebGPU({ dawnOptions: ['backend=null'], name: 'webgpu-null' }),
    ).rejects.toThrow(/null backend|known answer/);
    expect(listBackends()).not.toContain('webgpu-null');
  }, 60_000);
});
