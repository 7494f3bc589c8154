// The browser bundle of a WebGPU user: autodag, `autodag/webgpu` and the plugin's WGSL kernels
// (`autodag-plugin-softplus/webgpu`). The runner checks that the bundle holds no Dawn; here the
// kernels must be registered before the device exists, then run on Chromium's WebGPU and agree
// with the CPU.
import * as torch from 'autodag';
import { erf, softplus } from 'autodag-plugin-softplus';
import 'autodag-plugin-softplus/webgpu';
import { initWebGPU } from 'autodag/webgpu';
import scenario from './scenario.cjs';

const { check } = scenario;
const F = torch.nn.functional;

async function run() {
  for (const op of ['nn.conv2d', 'nn.softmax', 'autodag-plugin-softplus.erf']) {
    check(torch.listKernels(op).includes('webgpu'), `${op}: no webgpu kernel before initWebGPU`);
  }
  const backend = await initWebGPU();
  torch.manualSeed(0);
  const x = torch.randn(2, 3, 6, 6);
  const w = torch.randn(4, 3, 3, 3);
  const cases = {
    erf: (t) => erf(t),
    softplus: (t) => softplus(t, { beta: 2 }),
    'conv2d + softmax': (t, k) => F.softmax(F.conv2d(t, k, null, { padding: 1 }).flatten(1), 1),
  };
  const lines = [];
  for (const [name, f] of Object.entries(cases)) {
    const want = f(x, w).dataSync();
    const got = await f(x.to(backend.name), w.to(backend.name)).data();
    let worst = 0;
    want.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(got[i] - v) / (1e-5 * Math.abs(v) + 1e-6));
    });
    check(
      got.length === want.length && worst <= 1,
      `${name} on webgpu: off by ${worst}x tolerance`,
    );
    lines.push(
      `${name} on webgpu: within ${worst.toFixed(2)} of the tolerance (rtol 1e-5, atol 1e-6)`,
    );
  }
  return lines;
}

run().then(
  (lines) => {
    globalThis.__result = { ok: true, lines };
  },
  (error) => {
    globalThis.__result = { ok: false, error: String(error?.stack ?? error) };
  },
);
