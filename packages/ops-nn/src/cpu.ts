/**
 * `@autodag/ops-nn/cpu`: the CPU kernels of the nn ops (fused loops over typed arrays, built on
 * `@autodag/backend-cpu`'s helpers). Importing it registers them for the device named `'cpu'`;
 * the `autodag` package does, so `import * as torch from 'autodag'` has them.
 * @example
 * import '@autodag/backend-cpu';
 * import * as nn from '@autodag/ops-nn';
 * import '@autodag/ops-nn/cpu';
 * @packageDocumentation
 */
// By package name: the build keeps it external, so the ops are defined once, by the main entry.
import '@autodag/ops-nn';
import { registerKernel } from '@autodag/core';
import { activationKernel, geluGradKernel, geluKernel } from './cpu/activation.js';
import { registerConvKernels } from './cpu/conv.js';
import { nllLossBackwardKernel, nllLossKernel } from './cpu/nll.js';
import {
  batchNormBackwardKernel,
  batchNormEvalKernel,
  batchNormTrainKernel,
} from './cpu/norm-batch.js';
import { groupNormKernel, layerNormKernel } from './cpu/norm-layer.js';
import { registerPoolKernels } from './cpu/pool.js';
import {
  logSoftmaxBackwardKernel,
  logSoftmaxKernel,
  softmaxBackwardKernel,
  softmaxKernel,
} from './cpu/softmax.js';

/** The activations with a generated elementwise kernel, and the in-place forms sharing one. */
const ACTIVATIONS = ['nn.silu', 'nn.leakyRelu', 'nn.elu', 'nn.softplus', 'nn.hardtanh'];
const IN_PLACE: Record<string, string> = {
  'nn.leakyRelu_': 'nn.leakyRelu',
  'nn.elu_': 'nn.elu',
  'nn.hardtanh_': 'nn.hardtanh',
};

/**
 * Registers the nn ops' CPU kernels for the device named `device` (done on import for `'cpu'`;
 * call it again to restore them after `unregisterKernel`).
 * @example torch.unregisterKernel('nn.softmax', 'cpu'); registerNnCpuKernels()
 */
export function registerNnCpuKernels(device = 'cpu'): void {
  registerKernel('nn.gelu', device, geluKernel);
  registerKernel('nn.geluGrad', device, geluGradKernel);
  for (const op of ACTIVATIONS) registerKernel(op, device, activationKernel(op));
  for (const [op, base] of Object.entries(IN_PLACE)) {
    registerKernel(op, device, activationKernel(base));
  }
  registerKernel('nn.softmax', device, softmaxKernel);
  registerKernel('nn.logSoftmax', device, logSoftmaxKernel);
  registerKernel('nn.softmaxBackward', device, softmaxBackwardKernel);
  registerKernel('nn.logSoftmaxBackward', device, logSoftmaxBackwardKernel);
  registerKernel('nn.layerNorm', device, layerNormKernel);
  registerKernel('nn.groupNorm', device, groupNormKernel);
  registerKernel('nn.batchNorm', device, batchNormTrainKernel);
  registerKernel('nn.batchNormEval', device, batchNormEvalKernel);
  registerKernel('nn.batchNormBackward', device, batchNormBackwardKernel);
  registerKernel('nn.nllLoss', device, nllLossKernel);
  registerKernel('nn.nllLossBackward', device, nllLossBackwardKernel);
  registerConvKernels(
    {
      conv: ['nn.conv1d', 'nn.conv1dNoBias', 'nn.conv2d', 'nn.conv2dNoBias'],
      transposed: [
        'nn.convTranspose1d',
        'nn.convTranspose1dNoBias',
        'nn.convTranspose2d',
        'nn.convTranspose2dNoBias',
      ],
      weight: ['nn.convWeightBackward'],
      bias: ['nn.convBiasBackward'],
    },
    device,
  );
  registerPoolKernels(
    {
      max: ['nn.maxPool1d', 'nn.maxPool2d'],
      maxBackward: 'nn.maxPoolBackward',
      avg: ['nn.avgPool1d', 'nn.avgPool2d'],
      avgBackward: 'nn.avgPoolBackward',
      adaptive: ['nn.adaptiveAvgPool1d', 'nn.adaptiveAvgPool2d'],
      adaptiveBackward: 'nn.adaptiveAvgPoolBackward',
    },
    device,
  );
}

registerNnCpuKernels();
