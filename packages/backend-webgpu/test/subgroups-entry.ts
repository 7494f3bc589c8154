// Runs in headless Chromium (see subgroups.test.ts), whose SwiftShader adapter has subgroups:
// the reductions on a device using them, and on one that does not, against the CPU backend.

import 'autodag';
import { initWebGPU } from 'autodag/webgpu';
import { compareKernels } from './compare-kernels.js';

const REDUCTIONS = new Set([
  'sum',
  'mean',
  'prod',
  'amax',
  'amin',
  'all',
  'any',
  'sumAll',
  'meanAll',
  'prodAll',
  'maxAll',
  'minAll',
]);

async function run() {
  const withSubgroups = await initWebGPU({ name: 'webgpu' });
  const without = await initWebGPU({ name: 'webgpu-nosg', subgroups: false });
  return {
    features: {
      withSubgroups: withSubgroups.ctx.device.features.has('subgroups'),
      without: without.ctx.device.features.has('subgroups'),
    },
    withSubgroups: await compareKernels('webgpu', REDUCTIONS),
    without: await compareKernels('webgpu-nosg', REDUCTIONS),
  };
}

run().then(
  (r) => {
    (globalThis as { __result?: unknown }).__result = { ok: true, ...r };
  },
  (e: Error) => {
    (globalThis as { __result?: unknown }).__result = { ok: false, error: `${e.stack ?? e}` };
  },
);
