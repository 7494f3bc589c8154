import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

// The umbrella's GPU subpaths. `autodag` alone loads no WGSL; `autodag/webgpu` adds torch.nn's
// kernels for 'webgpu' as it loads; `autodag/webgpu-node` opens a device through Dawn (Mesa's
// software driver here, as in backend-webgpu's tests), under any name, with those kernels.
const F = torch.nn.functional;
const gpuOps = () => torch.listOps().filter((op) => torch.listKernels(op).includes('webgpu'));

describe('autodag/webgpu and autodag/webgpu-node', () => {
  it('autodag alone registers no WebGPU kernel', () => {
    expect(gpuOps()).toEqual([]);
  });

  it("autodag/webgpu registers torch.nn's kernels for 'webgpu' before a device exists", async () => {
    const webgpu = await import('autodag/webgpu');
    expect(typeof webgpu.initWebGPU).toBe('function');
    expect(gpuOps()).toEqual(expect.arrayContaining(['nn.conv2d', 'nn.softmax', 'nn.nllLoss']));
    expect(torch.listBackends()).not.toContain('webgpu');
  });

  it('autodag/webgpu-node opens a named device with the nn kernels', async () => {
    const { initNodeWebGPU } = await import('autodag/webgpu-node');
    process.env.EGL_PLATFORM ??= 'surfaceless';
    const backend = await initNodeWebGPU({
      name: 'webgpu-umbrella',
      dawnOptions: ['backend=opengles'],
    });
    expect(backend.name).toBe('webgpu-umbrella');
    expect(torch.listKernels('nn.conv2d')).toContain('webgpu-umbrella');
    torch.manualSeed(0);
    const x = torch.randn(2, 3, 6, 6);
    const w = torch.randn(4, 3, 3, 3);
    const cpu = F.softmax(F.conv2d(x, w, null, { padding: 1 }).flatten(1), 1);
    const on = (t: torch.Tensor) => t.to('webgpu-umbrella');
    const gpu = F.softmax(F.conv2d(on(x), on(w), null, { padding: 1 }).flatten(1), 1);
    const got = await gpu.data();
    Array.from(cpu.dataSync()).forEach((v, i) => {
      expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-5 * Math.abs(v) + 1e-6);
    });
  }, 60_000);
});
