import * as torch from 'autodag';
import { initNodeWebGPU } from 'autodag/webgpu-node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDevice } from './device.js';

/**
 * Training loops written as in PyTorch (no tidy, no dispose, the loss awaited each step or every
 * N steps) must hold GPU memory flat: backward and composite ops free their own temporaries, and
 * the backend asks V8 for a collection when memory held by dropped tensors grows.
 */

beforeAll(openTestDevice, 60_000);

const { nn, optim } = torch;
const device = 'webgpu';

interface Loop {
  model: InstanceType<typeof nn.Module>;
  x: torch.Tensor;
  y: torch.Tensor;
}

function mlp(on = device): Loop {
  return {
    model: new nn.Sequential(
      new nn.Linear(16, 64),
      new nn.ReLU(),
      new nn.LayerNorm(64),
      new nn.Linear(64, 10),
    ).to(on),
    x: torch.randn(64, 16).to(on),
    y: torch.randint(0, 10, [64]).to(on),
  };
}

/** A small Fashion-MNIST-style CNN: convolution, batch norm, pooling, a linear head. */
function cnn(): Loop {
  return {
    model: new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1, bias: false }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(4 * 6 * 6, 10),
    ).to(device),
    x: torch.randn(16, 1, 12, 12).to(device),
    y: torch.randint(0, 10, [16]).to(device),
  };
}

/** Peak bytes in use after step 10 and after the last step. */
async function peaks(loop: Loop, steps: number, awaitEvery: number) {
  const { model, x, y } = loop;
  const opt = new optim.AdamW(model.parameters(), { lr: 1e-3 });
  torch.resetPeakMemoryStats(device);
  let atStep10 = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  for (let step = 1; step <= steps; step++) {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.call(x) as torch.Tensor, y);
    loss.backward();
    opt.step();
    if (step % awaitEvery === 0) {
      last = await loss.itemAsync();
      if (Number.isNaN(first)) first = last;
    }
    if (step === 10) atStep10 = torch.memory(device).peakBytesInUse!;
  }
  const atEnd = torch.memory(device).peakBytesInUse!;
  console.log(`peak bytes in use: ${atStep10} after step 10, ${atEnd} after step ${steps}`);
  return { atStep10, atEnd, first, last };
}

describe('a 1000-step training loop without tidy or dispose holds GPU memory flat', () => {
  it('MLP, the loss awaited every step', async () => {
    torch.manualSeed(0);
    const r = await peaks(mlp(), 1000, 1);
    expect(r.last).toBeLessThan(r.first);
    expect(r.atEnd).toBeLessThanOrEqual(1.5 * r.atStep10);
  }, 600_000);

  it('CNN with batch norm, the loss awaited every 10 steps', async () => {
    torch.manualSeed(0);
    const r = await peaks(cnn(), 1000, 10);
    expect(r.last).toBeLessThan(r.first);
    expect(r.atEnd).toBeLessThanOrEqual(1.5 * r.atStep10);
  }, 600_000);

  it('a loop that never awaits warns once past its budget, and is bounded once it awaits', async () => {
    // A device of its own, so the budget does not depend on the tests before.
    await initNodeWebGPU({ name: 'webgpu-loop', dawnOptions: ['backend=opengles'] });
    torch.manualSeed(0);
    const { model, x: xs, y: ys } = mlp('webgpu-loop');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const opt = new optim.SGD(model.parameters(), { lr: 1e-2 });
      const step = () => {
        opt.zeroGrad();
        nn.functional.crossEntropy(model.call(xs) as torch.Tensor, ys).backward();
        opt.step();
      };
      for (let i = 0; i < 300; i++) step();
      const grown = torch.memory('webgpu-loop').bytesInUse!;
      const warnings = warn.mock.calls.filter((c) => String(c[0]).includes('yielded'));
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]![0])).toMatch(/'webgpu-loop'.*dispose\(\)/s);
      for (let i = 0; i < 300; i++) step();
      expect(warn.mock.calls.filter((c) => String(c[0]).includes('yielded'))).toHaveLength(1);
      // Once the loop awaits, the dropped tensors come back.
      for (let i = 0; i < 30; i++) {
        step();
        await model.parameters()[0]!.data();
      }
      expect(torch.memory('webgpu-loop').bytesInUse!).toBeLessThan(grown / 2);
    } finally {
      warn.mockRestore();
    }
  }, 600_000);
});
