// Runs in a dedicated Web Worker of headless Chromium (see browser.test.ts): opens WebGPU from
// the worker's navigator.gpu, trains a small classifier on each device with code written for the
// CPU (the WebGPU run under torch.setDefaultDevice), and posts the results back to the page.
import * as torch from 'autodag';
import { initWebGPU } from 'autodag/webgpu';

const { nn, optim } = torch;

/** Ten AdamW steps of an MLP on a fixed batch; the losses, final weights and logits read back. */
async function train() {
  torch.manualSeed(0);
  const x = torch.randn(32, 6);
  const y = torch.randint(0, 3, [32]);
  const model = new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 3));
  const opt = new optim.AdamW(model.parameters(), { lr: 0.05 });
  const losses: number[] = [];
  for (let step = 0; step < 10; step++) {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.call(x), y);
    loss.backward();
    opt.step();
    losses.push(await loss.itemAsync());
  }
  const weight = model.parameters()[0]!;
  return {
    device: weight.device,
    losses,
    weight: Array.from(await weight.data()),
    logits: await torch.noGrad(() => model.call(x.narrow(0, 0, 2))).array(),
  };
}

self.onmessage = async () => {
  try {
    const backend = await initWebGPU();
    const cpu = await train();
    torch.setDefaultDevice(backend.name);
    const webgpu = await train();
    torch.setDefaultDevice('cpu');
    self.postMessage({
      ok: true,
      inWorker:
        typeof document === 'undefined' &&
        typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function',
      cpu,
      webgpu,
    });
  } catch (error) {
    self.postMessage({ ok: false, error: String((error as Error)?.stack ?? error) });
  }
};
