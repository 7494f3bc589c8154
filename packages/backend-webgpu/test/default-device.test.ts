import * as torch from 'autodag';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

// Code written for the CPU runs on WebGPU unchanged apart from its reads (`await t.data()`,
// `itemAsync()`): with `torch.setDefaultDevice('webgpu')`, or with `model.to('webgpu')` around
// an optimizer that already holds the parameters.

const { nn, optim } = torch;
const F = nn.functional;

beforeAll(openTestDevice, 60_000);

const startDevice = torch.getDefaultDevice();
afterEach(() => torch.setDefaultDevice(startDevice));

const values = async (t: torch.Tensor) => Array.from(await t.data());

/** Every element of `got` within `tol` of `want` (both flat), with the index in the message. */
function expectClose(got: number[], want: number[], tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((v, i) => {
    expect(Math.abs(v - want[i]!), `${what}[${i}]: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol);
  });
}

/**
 * A program as written for the CPU: no `device` anywhere, tensors from the creation functions,
 * a model and an optimizer built from them, ten training steps. Returns what it made (to check
 * where it lives) and its results read back.
 */
async function cpuProgram() {
  torch.manualSeed(0);
  const made = {
    randn: torch.randn(16, 6),
    rand: torch.rand(4),
    randint: torch.randint(0, 3, [16]),
    tensor: torch.tensor([
      [1, 2],
      [3, 4],
    ]),
    zeros: torch.zeros(2, 3),
    ones: torch.ones(3),
    full: torch.full([2], 7),
    arange: torch.arange(5),
    linspace: torch.linspace(0, 1, 5),
    eye: torch.eye(3),
  };
  const x = made.randn;
  const y = made.randint;
  const model = new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 3));
  const opt = new optim.AdamW(model.parameters(), { lr: 0.05 });
  const losses: number[] = [];
  for (let step = 0; step < 10; step++) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
    losses.push(await loss.itemAsync());
  }
  const state = opt.state.get(model.parameters()[0]!)!;
  const results: Record<string, number[]> = { losses };
  for (const [name, t] of Object.entries(made)) results[name] = await values(t);
  for (const [name, p] of Object.entries(model.stateDict())) results[name] = await values(p);
  results.expAvg = await values(state.expAvg as torch.Tensor);
  const tensors = [...Object.values(made), ...model.parameters(), state.expAvg as torch.Tensor];
  return {
    devices: new Set(tensors.map((t) => t.device)),
    created: new Set(Object.keys(made)),
    results,
  };
}

/** An MLP trained for `steps` steps with AdamW; `move(model, step)` may move it in between. */
async function trainMlp(steps: number, move: (model: torch.nn.Module, step: number) => void) {
  torch.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(5, 12), new nn.Tanh(), new nn.Linear(12, 2));
  const params = model.parameters();
  const opt = new optim.AdamW(params, { lr: 0.02, weightDecay: 0.1 });
  const x = torch.randn(32, 5);
  const target = torch.randn(32, 2);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    move(model, step);
    const device = model.parameters()[0]!.device;
    opt.zeroGrad();
    const loss = F.mseLoss(model.call(x.to(device)), target.to(device));
    loss.backward();
    opt.step();
    losses.push(await loss.itemAsync());
  }
  // Module.to moves parameters in place: the optimizer's references are still the model's.
  model.parameters().forEach((p, i) => {
    expect(p).toBe(params[i]);
  });
  return { model, opt, losses };
}

describe("torch.setDefaultDevice('webgpu')", () => {
  it('runs a program written for the CPU on WebGPU, with the same results', async () => {
    const cpu = await cpuProgram();
    torch.setDefaultDevice('webgpu');
    const gpu = await cpuProgram();
    torch.setDefaultDevice(startDevice);
    expect([...cpu.devices]).toEqual(['cpu']);
    expect([...gpu.devices]).toEqual(['webgpu']);
    expect(Object.keys(gpu.results)).toEqual(Object.keys(cpu.results));
    for (const [name, want] of Object.entries(cpu.results)) {
      // Created values are the same bits (drawn on the host, uploaded); trained ones differ by
      // float32 rounding in another summation order.
      expectClose(gpu.results[name]!, want, gpu.created.has(name) ? 0 : 1e-4, name);
    }
    const losses = gpu.results.losses!;
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    // Restored: new tensors go to the CPU again.
    expect(torch.zeros(1).device).toBe('cpu');
  }, 60_000);

  it('is an error for a device that is not registered, and leaves the default as it was', () => {
    expect(() => torch.setDefaultDevice('webgpu2')).toThrow(
      "Unknown device 'webgpu2'. Registered devices: cpu, webgpu",
    );
    expect(torch.getDefaultDevice()).toBe(startDevice);
  });
});

describe("model.to('webgpu') with an optimizer that holds the parameters", () => {
  it('moved before the first step: the state is made on WebGPU and training matches the CPU', async () => {
    const cpu = await trainMlp(8, () => {});
    const gpu = await trainMlp(8, (model, step) => {
      if (step === 0) model.to('webgpu');
    });
    expectClose(gpu.losses, cpu.losses, 1e-5, 'losses');
    for (const p of gpu.model.parameters()) {
      expect(p.device).toBe('webgpu');
      expect((gpu.opt.state.get(p)!.expAvg as torch.Tensor).device).toBe('webgpu');
    }
  }, 60_000);

  it('moved after some steps: AdamW state follows its parameters and training goes on as on the CPU', async () => {
    const cpu = await trainMlp(8, () => {});
    const gpu = await trainMlp(8, (model, step) => {
      if (step === 3) model.to('webgpu');
    });
    expectClose(gpu.losses, cpu.losses, 1e-5, 'losses');
    const cpuParams = cpu.model.parameters();
    for (const [i, p] of gpu.model.parameters().entries()) {
      const state = gpu.opt.state.get(p)!;
      const want = cpu.opt.state.get(cpuParams[i]!)!;
      expect(state.step).toBe(8);
      for (const key of ['expAvg', 'expAvgSq']) {
        const t = state[key] as torch.Tensor;
        expect(t.device, key).toBe('webgpu');
        expectClose(await values(t), await values(want[key] as torch.Tensor), 1e-5, key);
      }
      expectClose(await values(p), await values(cpuParams[i]!), 1e-5, `parameter ${i}`);
    }
  }, 60_000);
});

describe('mixing devices in one op', () => {
  it('is an error naming the op, the devices and the arguments', () => {
    const gpu = torch.ones(2, 3, { device: 'webgpu' });
    const cpu = torch.ones(2, 3);
    expect(() => gpu.add(cpu)).toThrow(
      'add: expected all tensors to be on the same device, but found at least two devices, webgpu and cpu (arguments: [2, 3] float32 on webgpu, [2, 3] float32 on cpu)',
    );
    expect(() => cpu.matmul(gpu.t())).toThrow(
      /^mm: expected all tensors to be on the same device, but found at least two devices, cpu and webgpu/,
    );
  });

  it('is the same error for a model on WebGPU called with a CPU batch', () => {
    torch.manualSeed(0);
    const model = new nn.Linear(3, 2).to('webgpu');
    expect(() => model.call(torch.randn(4, 3))).toThrow(
      'nn.linear: expected all tensors to be on the same device, but found at least two devices, cpu and webgpu (arguments: [4, 3] float32 on cpu, [2, 3] float32 on webgpu, [2] float32 on webgpu)',
    );
  });
});
