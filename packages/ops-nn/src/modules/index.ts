/**
 * Module classes (PyTorch's `torch.nn`): `Module`, containers and layers.
 */
export * from './container.js';
export * from './module.js';
export * from './parameter.js';
