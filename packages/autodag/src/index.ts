/**
 * autodag: PyTorch-style tensors and autograd for JavaScript.
 * `import * as torch from 'autodag'` gives the core API, autograd (as `torch.autograd` and the
 * shortcut `torch.grad`), the CPU backend (registered as the default device), `torch.nn`,
 * `torch.optim` and `torch.io`.
 * @packageDocumentation
 */
import '@autodag/backend-cpu';
import * as autograd from '@autodag/autograd';
import * as io from '@autodag/io';
import * as nn from '@autodag/ops-nn';
import * as optim from '@autodag/optim';

export { grad } from '@autodag/autograd';
export * from '@autodag/core';
export { autograd, io, nn, optim };
