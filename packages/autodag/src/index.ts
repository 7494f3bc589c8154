/**
 * autodag: PyTorch-style tensors and autograd for JavaScript.
 * `import * as torch from 'autodag'` gives the core API, autograd (as `torch.autograd` and the
 * shortcut `torch.grad`), and the CPU backend, registered as the default device.
 * @packageDocumentation
 */
import '@autodag/backend-cpu';
import * as autograd from '@autodag/autograd';

export { grad } from '@autodag/autograd';
export * from '@autodag/core';
export { autograd };
