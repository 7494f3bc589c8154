/**
 * Module classes (PyTorch's `torch.nn`): `Module`, containers and layers.
 */
export * from './activation.js';
export * from './batchnorm.js';
export * from './container.js';
export * from './conv.js';
export * from './factory.js';
export * from './flatten.js';
export * from './linear.js';
export * from './loss.js';
export * from './module.js';
export * from './parameter.js';
