// One process that both imports and requires autodag (one dependency does each): the tensors,
// ops and modules of one must work with the other.
import { createRequire } from 'node:module';
import * as imported from 'autodag';
import scenario from './scenario.cjs';

const required = createRequire(import.meta.url)('autodag');
const { check } = scenario;
check(imported.Tensor === required.Tensor, 'import and require give one Tensor class');
const sum = imported.ones(2).add(required.ones(2));
check(String(sum) === 'tensor([2., 2.])', `mixed add printed ${String(sum)}`);
const layer = new required.nn.Linear(2, 1);
const out = layer.call(imported.ones(3, 2));
check(out.shape.join() === '3,1', `required Linear on an imported tensor gave shape ${out.shape}`);
const webgpu = await import('autodag/webgpu-node');
const requiredGpu = createRequire(import.meta.url)('autodag/webgpu');
check(webgpu.initWebGPU === requiredGpu.initWebGPU, 'import and require give one autodag/webgpu');
console.log('dual: ok');
