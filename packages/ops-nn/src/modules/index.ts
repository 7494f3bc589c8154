/**
 * Module classes (PyTorch's `torch.nn`): `Module`, containers and layers. Helpers the layers
 * share (parameter factories, argument checks) stay internal.
 */
export * from './activation.js';
export * from './attention.js';
export * from './batchnorm.js';
export * from './bilinear.js';
export * from './container.js';
export * from './conv.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export * from './embedding.js';
export type { FactoryOptions } from './factory.js';
export * from './flatten.js';
export * from './linear.js';
export * from './loss.js';
export * from './module.js';
export * from './normalization.js';
export { Parameter } from './parameter.js';
export * from './pooling.js';
export * from './transformer.js';
