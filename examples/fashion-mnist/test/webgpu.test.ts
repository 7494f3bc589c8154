import * as torch from 'autodag';
import { initNodeWebGPU } from 'autodag/webgpu-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { fashionCnn } from '../src/model.js';

// Dawn's OpenGL ES backend on Mesa's software driver: no GPU needed (see backend-webgpu's README).
beforeAll(async () => {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  await initNodeWebGPU({ dawnOptions: ['backend=opengles'] });
}, 60_000);

/** Training steps of the example's CNN (batch norm in training mode, AdamW) on one device. */
async function losses(device: string, steps: number): Promise<number[]> {
  torch.manualSeed(0);
  const model = fashionCnn().to(device);
  const opt = new torch.optim.AdamW(model.parameters(), { lr: 1e-3 });
  const images = torch.rand(16, 1, 28, 28).to(device);
  const labels = torch.randint(0, 10, [16]).to(device);
  const out: number[] = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    const loss = torch.nn.functional.crossEntropy(model.call(images), labels);
    loss.backward();
    opt.step();
    out.push(await loss.itemAsync());
  }
  return out;
}

describe('the Fashion-MNIST CNN on WebGPU', () => {
  it('trains step for step as on the CPU', async () => {
    const cpu = await losses('cpu', 5);
    const gpu = await losses('webgpu', 5);
    expect(gpu.at(-1)!).toBeLessThan(gpu[0]!);
    for (let i = 0; i < cpu.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 3);
  }, 180_000);
});
