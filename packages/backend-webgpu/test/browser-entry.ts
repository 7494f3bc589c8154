// Runs in headless Chromium (see browser.test.ts): opens navigator.gpu and compares a
// representative set of kernels with the CPU backend, runs a representative part of the
// conformance suite (browser-conformance.ts), then a few training steps on each device.

import * as torch from 'autodag';
import { initWebGPU } from 'autodag/webgpu';
import { representativeConformance } from './browser-conformance.js';
import { compareKernels } from './compare-kernels.js';

const REPRESENTATIVE = new Set([
  'add',
  'mul',
  'div',
  'exp',
  'tanh',
  'sigmoid',
  'relu',
  'where',
  'gt',
  'cast',
  'sum',
  'mean',
  'amax',
  'assign',
  'contiguous',
  'pow',
]);

async function run() {
  const backend = await initWebGPU();
  const kernels = await compareKernels(backend.name, REPRESENTATIVE);
  const conformance = await representativeConformance(backend.name);
  // Gradient descent on a least-squares problem, the same steps on both devices.
  const losses: Record<string, number[]> = {};
  for (const device of ['cpu', 'webgpu']) {
    torch.manualSeed(0);
    const x = torch.randn(32, 4).to(device);
    const wTrue = torch.tensor([1, -2, 0.5, 3]).to(device);
    const y = x.mul(wTrue).sum(1);
    const w = torch.zeros(4, { device }).requiresGrad_();
    losses[device] = [];
    for (let step = 0; step < 20; step++) {
      const loss = x.mul(w).sum(1).sub(y).pow(2).mean();
      loss.backward();
      torch.noGrad(() => w.sub_(w.grad!.mul(0.1)));
      w.grad = null;
      losses[device]!.push(await loss.itemAsync());
    }
  }
  return { kernels, conformance, losses };
}

run().then(
  (result) => Object.assign(globalThis, { __result: { ok: true, ...result } }),
  (error) =>
    Object.assign(globalThis, { __result: { ok: false, error: String(error?.stack ?? error) } }),
);
