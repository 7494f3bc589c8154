/** Datasets, samplers, collation, the DataLoader and the IDX / MNIST readers. */
export * from './collate.js';
export * from './dataloader.js';
export * from './dataset.js';
export * from './idx.js';
export * from './mnist.js';
export * from './sampler.js';
