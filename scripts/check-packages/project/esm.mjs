// Node, ESM: the scenario, the WebAssembly kernels, and the conformance suite with its shipped fixtures.
import { createRequire } from 'node:module';
import { wasmKernelStatus } from '@autodag/backend-cpu';
import { parseFixtures, runChecks } from '@autodag/testing';
import * as torch from 'autodag';
import scenario from './scenario.cjs';

const require = createRequire(import.meta.url);
for (const line of await scenario.run(torch)) console.log(`esm: ${line}`);

scenario.check(wasmKernelStatus().available, `WebAssembly kernels: ${wasmKernelStatus().reason}`);

const fixtures = parseFixtures(require('@autodag/testing/fixtures/ops.json'));
const results = runChecks({ ops: ['add', 'matmul', 'softmax'].filter(torch.hasOp), fixtures });
const failed = results.filter((r) => r.status === 'fail');
scenario.check(
  results.some((r) => r.status === 'pass'),
  'conformance checks ran',
);
scenario.check(failed.length === 0, `conformance failures: ${JSON.stringify(failed.slice(0, 3))}`);
console.log(
  `esm: conformance (add, matmul) with the shipped fixtures: ${results.length} checks, none failed`,
);

// The GPU subpaths in a project without Dawn: torch.nn's and the plugin's WGSL kernels register
// as they load, and opening the device names the package to install.
const { initNodeWebGPU } = await import('autodag/webgpu-node');
await import('autodag-plugin-softplus/webgpu');
for (const op of ['nn.conv2d', 'nn.batchNorm', 'autodag-plugin-softplus.erf']) {
  scenario.check(torch.listKernels(op).includes('webgpu'), `${op}: no webgpu kernel`);
}
const refused = await initNodeWebGPU().then(
  () => 'opened',
  (error) => error.message,
);
scenario.check(/npm install webgpu/.test(refused), `initNodeWebGPU without Dawn: ${refused}`);
console.log(`esm: autodag/webgpu-node registers the WGSL kernels; without Dawn: ${refused}`);
console.log('esm: ok');
