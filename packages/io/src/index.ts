/**
 * @autodag/io: tensor files (safetensors, npy, npz), `save`/`load`, datasets, data loaders, the
 * IDX format with MNIST/Fashion-MNIST datasets, and terminal progress bars.
 * @packageDocumentation
 */
export * from './data/index.js';
export { IdxError, NpyError, NpzError, SafetensorsError } from './formats/errors.js';
export * as npy from './formats/npy.js';
export * as npz from './formats/npz.js';
export * as safetensors from './formats/safetensors.js';
export * from './progress.js';
export * from './save-load.js';
