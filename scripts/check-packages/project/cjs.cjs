// Node, CommonJS.
const torch = require('autodag');
const scenario = require('./scenario.cjs');

const webgpu = require('autodag/webgpu');
scenario.check(typeof webgpu.initWebGPU === 'function', 'autodag/webgpu has no initWebGPU');
scenario.check(torch.listKernels('nn.softmax').includes('webgpu'), 'nn.softmax: no webgpu kernel');

scenario
  .run(torch)
  .then((lines) => {
    for (const line of lines) console.log(`cjs: ${line}`);
    console.log('cjs: ok');
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
