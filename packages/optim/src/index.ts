/**
 * @autodag/optim: optimizers, learning-rate schedulers and gradient clipping (PyTorch's
 * `torch.optim`). Updates run in place under `noGrad`.
 * @packageDocumentation
 */
import * as lrScheduler from './lr-scheduler/index.js';

export * from './adagrad.js';
export * from './adam.js';
export * from './clip-grad.js';
export * from './lr-scheduler/index.js';
export * from './optimizer.js';
export * from './rmsprop.js';
export * from './sgd.js';
export { lrScheduler };
