/**
 * @autodag/core: tensors, dtypes, devices, and the operator registry that op packages and
 * backends plug into.
 * @packageDocumentation
 */
import './disposable-lib.js';

export * from './alloc.js';
export * from './arg-check.js';
export * from './backend.js';
export * from './creation.js';
export * from './dispatch.js';
export * from './dtype.js';
export * from './grad-mode.js';
export * from './memory.js';
export * from './memory-stats.js';
export * from './ops/index.js';
export * from './print.js';
export * from './random.js';
export * from './registry.js';
export * from './shape.js';
export * from './tensor.js';
