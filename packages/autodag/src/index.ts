/**
 * autodag: PyTorch-style tensors and autograd for JavaScript.
 * `import * as torch from 'autodag'` gives the core API, autograd (as `torch.autograd` and the
 * shortcut `torch.grad`), the CPU backend (registered as the default device) with the CPU
 * kernels of `torch.nn`, `torch.optim` and `torch.io`. The GPU is one more import:
 * `autodag/webgpu` (browsers) or `autodag/webgpu-node` (Node, through Dawn).
 * @packageDocumentation
 */
import '@autodag/backend-cpu';
import * as autograd from '@autodag/autograd';
import * as io from '@autodag/io';
import * as nn from '@autodag/ops-nn';
import '@autodag/ops-nn/cpu';
import * as optim from '@autodag/optim';

export { grad } from '@autodag/autograd';
export * from '@autodag/core';
export { autograd, io, nn, optim };
