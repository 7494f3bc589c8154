import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initNodeWebGPU } from '@autodag/backend-webgpu/node';
import { parseFixtures, runConformanceAsync } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { erf, erfOp, softplus, softplusGradOp, softplusOp } from '../src/index.js';
import { registerWebGPUKernels } from '../src/webgpu.js';

// The plugin's WGSL kernels through the conformance suite on WebGPU (Dawn's OpenGL ES backend on
// Mesa's software driver, as in backend-webgpu's tests): outputs against the CPU kernels and
// PyTorch's fixtures, in every layout of the samples, and gradients with the backward on the GPU.
// float64 samples are skipped (WGSL has no 64-bit floats). The kernels were registered on import,
// before the device below exists.
const ops = [softplusOp, softplusGradOp, erfOp].map((o) => o.def.name);
const registeredBeforeDevice = ops.filter((name) => torch.listKernels(name).includes('webgpu'));

process.env.EGL_PLATFORM ??= 'surfaceless';
await initNodeWebGPU({ dawnOptions: ['backend=opengles'] });

const path = fileURLToPath(new URL('./fixtures/ops.json', import.meta.url));
const fixtures = existsSync(path)
  ? parseFixtures(JSON.parse(readFileSync(path, 'utf8')))
  : undefined;

runConformanceAsync({
  describe,
  it,
  device: 'webgpu',
  compareWith: 'cpu',
  ops,
  fixtures,
  checks: ['forward', 'fixture', 'layouts', 'devices'],
});

describe('autodag-plugin-softplus on WebGPU', () => {
  it('registers its kernels by device name, before the device is opened', () => {
    expect(registeredBeforeDevice).toEqual(ops);
    registerWebGPUKernels('webgpu-other');
    for (const name of ops) expect(torch.listKernels(name)).toContain('webgpu-other');
  });

  // Relative to the value, with no absolute floor: the tiny results of the tails must keep their
  // digits (about 16 f32 ulps here; the suite's atol of 1e-6 would accept 0 for them).
  it('keeps tails, tiny values and NaN as the CPU does', async () => {
    const values = [-30, -9, -3.5, -0.49, -1e-6, 0, 1e-30, 0.3, 0.51, 2.2, 5, 30, Number.NaN];
    const cpu = torch.tensor(values);
    const gpu = cpu.to('webgpu');
    for (const [name, f] of [
      ['erf', (t: torch.Tensor) => erf(t)],
      ['softplus', (t: torch.Tensor) => softplus(t, { beta: 0.5, threshold: 5 })],
      [
        'softplusGrad',
        (t: torch.Tensor) =>
          torch.callOp(softplusGradOp, [t], { beta: 0.5, threshold: 5 }) as torch.Tensor,
      ],
    ] as const) {
      const want = Array.from(f(cpu).dataSync());
      const got = Array.from(await f(gpu).data());
      got.forEach((v, i) => {
        if (Number.isNaN(want[i]!)) expect(v, `${name}(${values[i]})`).toBeNaN();
        else
          expect(Math.abs(v - want[i]!), `${name}(${values[i]})`).toBeLessThanOrEqual(
            2e-6 * Math.abs(want[i]!) + 1e-38,
          );
      });
    }
  });
});
