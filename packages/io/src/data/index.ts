/** Datasets, samplers, collation, the DataLoader and the IDX / MNIST readers. */
export { type Collated, defaultCollate } from './collate.js';
export { DataLoader, type DataLoaderOptions } from './dataloader.js';
export {
  ConcatDataset,
  Dataset,
  type GetItemResult,
  type ItemOf,
  type RandomSplitOptions,
  randomSplit,
  Subset,
  TensorDataset,
  type TensorRows,
} from './dataset.js';
export {
  type IdxArray,
  type IdxReadOptions,
  type IdxType,
  idxToTensor,
  isGzip,
  maybeGunzip,
  readIdx,
} from './idx.js';
export { FashionMNIST, MNIST, type MNISTInfo, type MNISTItem, type MNISTOptions } from './mnist.js';
export {
  BatchSampler,
  RandomSampler,
  type RandomSamplerOptions,
  randomPermutation,
  type Sampler,
  SequentialSampler,
  type Sized,
  SubsetRandomSampler,
} from './sampler.js';
