/**
 * The loss functions of `torch.nn.functional`: regression (mse, l1, smooth L1, Huber),
 * classification (cross entropy, NLL), binary cross entropy (probabilities and logits) and KL
 * divergence. Each is a registered op (`nn.<name>`) with conformance samples.
 * @example F.crossEntropy(logits, target, { reduction: 'sum' })
 */
export * from './loss-binary.js';
export * from './loss-classification.js';
export type { Reduction, ReductionOptions } from './loss-common.js';
export * from './loss-kl.js';
export * from './loss-regression.js';
