/**
 * The ops of @autodag/ops-nn as functions (PyTorch's `torch.nn.functional`).
 * @example import { functional as F } from '@autodag/ops-nn'; F.relu(x)
 */
export { sigmoid, tanh } from '@autodag/core';
export * from './activation.js';
export * from './attention.js';
export * from './batch-norm.js';
export * from './bilinear.js';
export * from './conv.js';
export * from './dropout.js';
export * from './embedding.js';
export * from './group-norm.js';
export * from './layer-norm.js';
export * from './linear.js';
export * from './loss.js';
export * from './pool.js';
export * from './softmax.js';
