import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

/** The same training run, written as in PyTorch, on one device; the loss after each step. */
async function train(device: string, steps: number): Promise<number[]> {
  const { nn, optim } = torch;
  torch.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(8, 32),
    new nn.ReLU(),
    new nn.LayerNorm(32),
    new nn.Linear(32, 4),
  ).to(device);
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-2 });
  const x = torch.randn(64, 8).to(device);
  const y = torch.randint(0, 4, [64]).to(device);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
    losses.push(await loss.itemAsync());
  }
  for (const p of model.parameters()) expect(p.device).toBe(device);
  return losses;
}

describe('training on WebGPU', () => {
  it('an MLP with layer norm, cross-entropy and AdamW follows the CPU run step for step', async () => {
    const cpu = await train('cpu', 25);
    const gpu = await train('webgpu', 25);
    expect(gpu.at(-1)!).toBeLessThan(gpu[0]! * 0.75);
    for (let i = 0; i < cpu.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 4);
  }, 120_000);
});
