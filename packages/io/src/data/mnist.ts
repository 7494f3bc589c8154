import { fromTypedArray, type Tensor } from '@autodag/core';
import type { Collated } from './collate.js';
import { checkIndex, collateItems, Dataset, TensorDataset } from './dataset.js';
import { asyncFs, joinPath, readFirst, readFirstSync, syncFs } from './files.js';
import { readIdx } from './idx.js';

/** Options of {@link MNIST} and {@link FashionMNIST} (torchvision's keyword arguments). */
export interface MNISTOptions<X = Tensor, Y = number> {
  /** Directory holding the IDX files (also searched: `<root>/<Name>/raw`, torchvision's layout). */
  root?: string;
  /** The training set (60000 images) or, when false, the test set (10000). Default true. */
  train?: boolean;
  /** Applied to each image tensor (1, H, W) by `getItem`; may be async (items become Promises). */
  transform?: (image: Tensor) => X;
  /** Applied to each label (a number) by `getItem`; may be async (items become Promises). */
  targetTransform?: (label: number) => Y;
  /**
   * Normalise pixels to `(x - mean) / std` after scaling to [0, 1]: `true` uses the training
   * set's statistics (MNIST 0.1307/0.3081, Fashion-MNIST 0.2860/0.3530), or give your own.
   */
  normalize?: boolean | { mean: number; std: number };
  /** The images file's bytes (IDX, optionally gzipped) instead of reading `root`; needs `labels`. */
  images?: Uint8Array | ArrayBuffer;
  /** The labels file's bytes (IDX, optionally gzipped) instead of reading `root`; needs `images`. */
  labels?: Uint8Array | ArrayBuffer;
}

/** What a dataset class needs to know to find and describe its files. */
export interface MNISTInfo {
  /** Class name used in messages and torchvision's `<root>/<Name>/raw` layout. */
  name: string;
  /** Directory searched when no `root` is given. */
  defaultRoot: string;
  /** Mean of the training pixels in [0, 1] (used by `normalize: true`). */
  mean: number;
  /** Standard deviation of the training pixels in [0, 1] (used by `normalize: true`). */
  std: number;
  /** Class names, by label. */
  classes: readonly string[];
  /** How to obtain the files, for the error when they are missing. */
  howToGet: string;
}

const MNIST_INFO: MNISTInfo = {
  name: 'MNIST',
  defaultRoot: 'data',
  mean: 0.1307,
  std: 0.3081,
  classes: [
    '0 - zero',
    '1 - one',
    '2 - two',
    '3 - three',
    '4 - four',
    '5 - five',
    '6 - six',
    '7 - seven',
    '8 - eight',
    '9 - nine',
  ],
  howToGet:
    'download them from https://ossci-datasets.s3.amazonaws.com/mnist/ (the mirror torchvision uses) and pass `root` as the directory holding them',
};

const FASHION_INFO: MNISTInfo = {
  name: 'FashionMNIST',
  defaultRoot: '/usr/share/datasets/fashion-mnist',
  mean: 0.286,
  std: 0.353,
  classes: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
  howToGet:
    'install them with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu; it puts them in /usr/share/datasets/fashion-mnist), or download them from https://github.com/zalandoresearch/fashion-mnist (data/fashion) and pass `root` as the directory holding them',
};

/** The paths tried, in order, for one of the four files. */
function candidates(info: MNISTInfo, root: string, file: string): string[] {
  const dirs = [root, joinPath(root, `${info.name}/raw`)];
  return dirs.flatMap((d) => [joinPath(d, `${file}.gz`), joinPath(d, file)]);
}

function fileNames(train: boolean): [string, string] {
  const prefix = train ? 'train' : 't10k';
  return [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`];
}

function missing(info: MNISTInfo, root: string, train: boolean, tried: string[]): Error {
  const [img, lab] = fileNames(train);
  return new Error(
    `${info.name}: could not find the ${train ? 'training' : 'test'} files ${img}(.gz) and ${lab}(.gz) under '${root}'. Looked for: ${tried.join(', ')}. To get them, ${info.howToGet}.`,
  );
}

/** Reads both files synchronously (Node.js only). */
function readFilesSync(info: MNISTInfo, root: string, train: boolean): [Uint8Array, Uint8Array] {
  const fs = syncFs();
  if (!fs) {
    throw new Error(
      `${info.name}: reading files synchronously needs Node.js >= 20.16; use \`await ${info.name}.load(options)\` or pass the files' bytes as { images, labels }`,
    );
  }
  const [img, lab] = fileNames(train).map((f) => candidates(info, root, f)) as [string[], string[]];
  const images = readFirstSync(fs, img);
  const labels = readFirstSync(fs, lab);
  if (!images || !labels) throw missing(info, root, train, [...img, ...lab]);
  return [images, labels];
}

/** Reads both files with a dynamic import of `node:fs/promises`. */
async function readFiles(
  info: MNISTInfo,
  root: string,
  train: boolean,
): Promise<[Uint8Array, Uint8Array]> {
  const fs = await asyncFs();
  const [img, lab] = fileNames(train).map((f) => candidates(info, root, f)) as [string[], string[]];
  const [images, labels] = await Promise.all([readFirst(fs, img), readFirst(fs, lab)]);
  if (!images || !labels) throw missing(info, root, train, [...img, ...lab]);
  return [images, labels];
}

/**
 * An item of an MNIST dataset whose transforms return X and Y: the pair, or a Promise of it when
 * a transform is asynchronous.
 * @example type I = torch.io.MNISTItem<torch.Tensor, number> // [Tensor, number]
 */
export type MNISTItem<X, Y> =
  X extends Promise<unknown>
    ? Promise<[Awaited<X>, Awaited<Y>]>
    : Y extends Promise<unknown>
      ? Promise<[Awaited<X>, Awaited<Y>]>
      : [X, Y];

type MaybePromise<T> = T | Promise<T>;

/** A dataset class of this file, as `loadDataset` needs it. */
type MNISTClass<D, X, Y> = { info: MNISTInfo; new (options: MNISTOptions<X, Y>): D };

/** Reads the files asynchronously, then builds a `cls` from their bytes. */
async function loadDataset<D, X, Y>(
  cls: MNISTClass<D, X, Y>,
  options: MNISTOptions<X, Y>,
): Promise<D> {
  if (options.images !== undefined && options.labels !== undefined) return new cls(options);
  const root = options.root ?? cls.info.defaultRoot;
  const [images, labels] = await readFiles(cls.info, root, options.train ?? true);
  return new cls({ ...options, root, images, labels });
}

/**
 * The MNIST handwritten digits (torchvision's `datasets.MNIST`), read from the four IDX files
 * (gzipped or not). Item `i` is `[image, label]`: a float32 tensor (1, 28, 28) scaled to [0, 1]
 * (optionally normalised), and the label as a number (the DataLoader's default collate makes an
 * int32 tensor of a batch of labels). `getItems` and `tensors()` cut whole batches at once.
 * `new MNIST(...)` reads synchronously (Node.js); `await MNIST.load(...)` asynchronously; in a
 * browser pass the files' bytes as `{ images, labels }`.
 * @example
 * const train = new torch.io.MNIST({ root: 'data/mnist', train: true });
 * const loader = new torch.io.DataLoader(train, { batchSize: 64, shuffle: true });
 */
export class MNIST<X = Tensor, Y = number> extends Dataset<[Awaited<X>, Awaited<Y>]> {
  /** Where files are looked for, the class names and the normalisation statistics. */
  static readonly info: MNISTInfo = MNIST_INFO;
  /** Class names by label. @example torch.io.MNIST.classes[3] // '3 - three' */
  static readonly classes: readonly string[] = MNIST_INFO.classes;

  /** Whether this is the training split. */
  readonly train: boolean;
  /** The directory the files came from (undefined when built from bytes). */
  readonly root: string | undefined;
  /** Class names by label. */
  readonly classes: readonly string[];
  /** Pixels as stored in the file, N*H*W bytes. */
  readonly rawImages: Uint8Array;
  /** Labels as stored in the file, N bytes. */
  readonly rawLabels: Uint8Array;
  /** Image height and width. */
  readonly imageSize: [number, number];
  /** Per-item image transform. */
  readonly transform: ((image: Tensor) => X) | undefined;
  /** Per-item label transform. */
  readonly targetTransform: ((label: number) => Y) | undefined;
  /** Names, defaults and statistics of this dataset class. */
  private readonly info: MNISTInfo;
  /** Byte value to float32 pixel value, with the scaling and normalisation applied. */
  private readonly lut: Float32Array;

  /** @example new torch.io.FashionMNIST({ train: false, normalize: true }) */
  constructor(options: MNISTOptions<X, Y> = {}) {
    super();
    const info = (new.target as unknown as typeof MNIST).info;
    this.info = info;
    this.train = options.train ?? true;
    this.classes = info.classes;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    let images = options.images;
    let labels = options.labels;
    if ((images === undefined) !== (labels === undefined)) {
      throw new TypeError(`${info.name}: pass both 'images' and 'labels' bytes, or neither`);
    }
    if (images === undefined || labels === undefined) {
      this.root = options.root ?? info.defaultRoot;
      [images, labels] = readFilesSync(info, this.root, this.train);
    } else {
      this.root = options.root;
    }
    const img = readIdx(images, `${info.name} images`);
    const lab = readIdx(labels, `${info.name} labels`);
    if (img.type !== 'uint8' || img.shape.length !== 3) {
      throw new Error(
        `${info.name}: the images file should hold uint8 data of 3 dimensions (N, H, W), got ${img.type} [${img.shape.join(', ')}]`,
      );
    }
    if (lab.type !== 'uint8' || lab.shape.length !== 1) {
      throw new Error(
        `${info.name}: the labels file should hold uint8 data of 1 dimension (N), got ${lab.type} [${lab.shape.join(', ')}]`,
      );
    }
    if (img.shape[0] !== lab.shape[0]) {
      throw new Error(
        `${info.name}: the images file holds ${img.shape[0]} images but the labels file ${lab.shape[0]} labels`,
      );
    }
    this.rawImages = img.data as Uint8Array;
    this.rawLabels = lab.data as Uint8Array;
    this.imageSize = [img.shape[1]!, img.shape[2]!];
    this.lut = pixelTable(options.normalize, info);
  }

  /**
   * Reads the files asynchronously (a dynamic import of `node:fs/promises`) and builds the dataset.
   * @example const test = await torch.io.MNIST.load({ root: 'data/mnist', train: false });
   */
  static async load<X = Tensor, Y = number>(
    options: MNISTOptions<X, Y> = {},
  ): Promise<MNIST<X, Y>> {
    return loadDataset(MNIST as MNISTClass<MNIST<X, Y>, X, Y>, options);
  }

  /** Number of images. @example new torch.io.FashionMNIST().length // 60000 */
  get length(): number {
    return this.rawLabels.length;
  }

  /** Image `index` as float32 (1, H, W) and its label, through the transforms. @example ds.getItem(0) */
  getItem(index: number): MNISTItem<X, Y> & MaybePromise<[Awaited<X>, Awaited<Y>]> {
    const i = checkIndex(index, this.length, this.info.name);
    const image = this.images([i]).reshape(1, ...this.imageSize);
    const label = this.rawLabels[i]!;
    const x = this.transform ? this.transform(image) : (image as X);
    const y = this.targetTransform ? this.targetTransform(label) : (label as Y);
    if (x instanceof Promise || y instanceof Promise) {
      return Promise.all([x, y]) as unknown as MNISTItem<X, Y> &
        MaybePromise<[Awaited<X>, Awaited<Y>]>;
    }
    return [x, y] as unknown as MNISTItem<X, Y> & MaybePromise<[Awaited<X>, Awaited<Y>]>;
  }

  /**
   * The batch at `indices`: images (n, 1, H, W) float32 and labels (n) int32, copied straight
   * from the file's bytes (per-item transforms, when set, run item by item instead).
   * @example const [x, y] = ds.getItems([0, 1, 2]); // shapes [3, 1, 28, 28] and [3]
   */
  override getItems(
    indices: readonly number[],
  ): Collated<[Awaited<X>, Awaited<Y>]> | Promise<Collated<[Awaited<X>, Awaited<Y>]>> {
    if (this.transform || this.targetTransform) return collateItems(this, indices);
    const n = this.length;
    const resolved = indices.map((i) => checkIndex(i, n, this.info.name));
    return this.getItemsRaw(resolved) as Collated<[Awaited<X>, Awaited<Y>]>;
  }

  /**
   * All images (N, 1, H, W) float32 (scaled, and normalised if asked) and labels (N) int32,
   * built in one pass; transforms are not applied.
   * @example const [x, y] = new torch.io.FashionMNIST({ train: false }).tensors(); // [10000, 1, 28, 28], [10000]
   */
  tensors(): [Tensor, Tensor] {
    const all = Array.from({ length: this.length }, (_, i) => i);
    return this.getItemsRaw(all);
  }

  /**
   * The whole split as a TensorDataset (see `tensors()`), the fastest thing to batch from.
   * @example new torch.io.DataLoader(new torch.io.FashionMNIST().toTensorDataset(), { batchSize: 64 })
   */
  toTensorDataset(): TensorDataset<[Tensor, Tensor]> {
    const [x, y] = this.tensors();
    return new TensorDataset(x, y);
  }

  /**
   * The labels as an int32 tensor (N), like torchvision's `.targets`.
   * @example new torch.io.FashionMNIST().targets.shape // [60000]
   */
  get targets(): Tensor {
    return fromTypedArray(Int32Array.from(this.rawLabels), [this.length], { dtype: 'int32' });
  }

  private getItemsRaw(indices: readonly number[]): [Tensor, Tensor] {
    const labels = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) labels[k] = this.rawLabels[indices[k]!]!;
    return [this.images(indices), fromTypedArray(labels, [labels.length], { dtype: 'int32' })];
  }

  /** Images at (valid) `indices` as an (n, 1, H, W) float32 tensor, through the pixel table. */
  private images(indices: readonly number[]): Tensor {
    const [h, w] = this.imageSize;
    const size = h * w;
    const out = new Float32Array(indices.length * size);
    const raw = this.rawImages;
    const lut = this.lut;
    for (let k = 0; k < indices.length; k++) {
      const src = indices[k]! * size;
      const dst = k * size;
      for (let p = 0; p < size; p++) out[dst + p] = lut[raw[src + p]!]!;
    }
    return fromTypedArray(out, [indices.length, 1, h, w]);
  }
}

/** float32 values of the 256 byte values: v/255, then (x - mean)/std, each step rounded to float32 as PyTorch computes it. */
function pixelTable(
  normalize: MNISTOptions<unknown, unknown>['normalize'],
  info: MNISTInfo,
): Float32Array {
  const stats =
    normalize === true ? { mean: info.mean, std: info.std } : normalize ? normalize : undefined;
  if (stats && !(stats.std > 0)) {
    throw new RangeError(`${info.name}: normalize.std must be positive, got ${stats.std}`);
  }
  const f = Math.fround;
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) {
    const x = f(v / 255);
    lut[v] = stats ? f(f(x - f(stats.mean)) / f(stats.std)) : x;
  }
  return lut;
}

/**
 * Zalando's Fashion-MNIST (torchvision's `datasets.FashionMNIST`): 28x28 grey images of ten
 * clothing classes, in MNIST's file format. Looks in /usr/share/datasets/fashion-mnist by default
 * (Debian's `dataset-fashion-mnist` package).
 * @example
 * const train = new torch.io.FashionMNIST({ normalize: true });
 * train.classes[train.getItem(0)[1]] // 'Ankle boot'
 */
export class FashionMNIST<X = Tensor, Y = number> extends MNIST<X, Y> {
  static override readonly info: MNISTInfo = FASHION_INFO;
  /** Class names by label. @example torch.io.FashionMNIST.classes[9] // 'Ankle boot' */
  static override readonly classes: readonly string[] = FASHION_INFO.classes;

  /**
   * Reads the files asynchronously and builds the dataset.
   * @example const test = await torch.io.FashionMNIST.load({ train: false });
   */
  static override async load<X = Tensor, Y = number>(
    options: MNISTOptions<X, Y> = {},
  ): Promise<FashionMNIST<X, Y>> {
    return loadDataset(FashionMNIST as MNISTClass<FashionMNIST<X, Y>, X, Y>, options);
  }
}
