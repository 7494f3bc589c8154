/**
 * Module classes (PyTorch's `torch.nn`): `Module`, containers and layers.
 */
export * from './activation.js';
export * from './attention.js';
export * from './batchnorm.js';
export * from './container.js';
export * from './conv.js';
export * from './dropout.js';
export * from './embedding.js';
export * from './factory.js';
export * from './flatten.js';
export * from './linear.js';
export * from './loss.js';
export * from './module.js';
export * from './normalization.js';
export * from './parameter.js';
export * from './pooling.js';
export * from './transformer.js';
