/**
 * Learning-rate schedulers (PyTorch's `torch.optim.lr_scheduler`), also exported at the top level
 * of `torch.optim`.
 * @packageDocumentation
 */
export * from './cosine.js';
export * from './one-cycle.js';
export * from './plateau.js';
export { type AnyOptimizer, LRScheduler, type SchedulerStateDict } from './scheduler.js';
export * from './step-lr.js';
