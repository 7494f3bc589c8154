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
console.log('esm: ok');
