/**
 * @autodag/io: tensor files (safetensors, npy, npz), `save`/`load`, datasets, data loaders, the
 * IDX format with MNIST/Fashion-MNIST datasets, and terminal progress bars.
 * @packageDocumentation
 */
export * from './data/index.js';
export * from './progress.js';
