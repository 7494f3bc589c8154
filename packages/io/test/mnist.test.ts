import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from 'autodag';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import fixture from './fixtures/data/fashion_mnist.json';

const { FashionMNIST, MNIST, DataLoader } = torch.io;

const ROOT = '/usr/share/datasets/fashion-mnist';
const present = ['train', 't10k'].every(
  (p) =>
    existsSync(`${ROOT}/${p}-images-idx3-ubyte.gz`) &&
    existsSync(`${ROOT}/${p}-labels-idx1-ubyte.gz`),
);
if (!present) {
  console.warn(
    `mnist.test.ts: skipping the real-file tests: Fashion-MNIST not found in ${ROOT} (apt-get install dataset-fashion-mnist)`,
  );
}

/** A tiny dataset in IDX bytes: images whose pixels are (i + p) % 256, labels i % 10. */
function tinyBytes(n: number, h = 2, w = 3) {
  const images = new Uint8Array(16 + n * h * w);
  const v = new DataView(images.buffer);
  v.setUint32(0, 0x0803, false);
  v.setUint32(4, n, false);
  v.setUint32(8, h, false);
  v.setUint32(12, w, false);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < h * w; p++) images[16 + i * h * w + p] = (i + p) % 256;
  const labels = new Uint8Array(8 + n);
  const lv = new DataView(labels.buffer);
  lv.setUint32(0, 0x0801, false);
  lv.setUint32(4, n, false);
  for (let i = 0; i < n; i++) labels[8 + i] = i % 10;
  return { images, labels };
}

describe('MNIST from bytes', () => {
  it('items are float32 (1, H, W) images in [0, 1] and number labels', () => {
    const ds = new MNIST(tinyBytes(5));
    expect(ds.length).toBe(5);
    expect(ds.imageSize).toEqual([2, 3]);
    const [x, y] = ds.getItem(3) as [torch.Tensor, number];
    expect(x.shape).toEqual([1, 2, 3]);
    expect(x.dtype).toBe('float32');
    expect(Array.from(x.dataSync())).toEqual([3, 4, 5, 6, 7, 8].map((b) => Math.fround(b / 255)));
    expect(y).toBe(3);
    expect(ds.classes[3]).toBe('3 - three');
  });

  it('getItems equals collating getItem, and the DataLoader uses it', () => {
    const ds = new MNIST(tinyBytes(10));
    const [xb, yb] = ds.getItems([7, 2, 2]) as torch.Tensor[];
    const [xs, ys] = torch.io.defaultCollate(
      [7, 2, 2].map((i) => ds.getItem(i) as [torch.Tensor, number]),
    );
    expect(xb!.shape).toEqual([3, 1, 2, 3]);
    expect(xb!.tolist()).toEqual(xs.tolist());
    expect(yb!.dtype).toBe('int32');
    expect(yb!.tolist()).toEqual(ys.tolist());
    const batches = [...new DataLoader(ds, { batchSize: 4 })];
    expect(batches.map(([, y]) => y.tolist())).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('applies transforms, also asynchronous ones, per item', async () => {
    const ds = new MNIST({
      ...tinyBytes(4),
      transform: (x) => x.mul(2),
      targetTransform: (y) => `label ${y}`,
    });
    const [x, y] = ds.getItem(1) as [torch.Tensor, string];
    expect(x.max().item()).toBeCloseTo((6 / 255) * 2, 6);
    expect(y).toBe('label 1');
    const [xb, yb] = ds.getItems([0, 1]) as [torch.Tensor, string[]];
    expect(xb.shape).toEqual([2, 1, 2, 3]);
    expect(yb).toEqual(['label 0', 'label 1']);
    const asyncDs = new MNIST({ ...tinyBytes(4), transform: async (x) => x.sum() });
    const got: number[][] = [];
    for await (const [s] of new DataLoader(asyncDs, { batchSize: 2 }))
      got.push(s.tolist() as number[]);
    expect(got.length).toBe(2);
    expect(got[0]![0]).toBeCloseTo((0 + 1 + 2 + 3 + 4 + 5) / 255, 5);
    expect(() => [...new DataLoader(asyncDs, { batchSize: 2 })]).toThrow(/for await/);
  });

  it('normalises with given or default statistics', () => {
    const ds = new FashionMNIST({ ...tinyBytes(2), normalize: { mean: 0.5, std: 0.25 } });
    const x = (ds.getItem(0) as [torch.Tensor, number])[0];
    expect(x.dataSync()[0]).toBe(Math.fround(Math.fround(Math.fround(0) - 0.5) / 0.25));
    expect(() => new MNIST({ ...tinyBytes(2), normalize: { mean: 0, std: 0 } })).toThrow(
      /std must be positive/,
    );
  });

  it('gzipped bytes work; mismatched or wrong files are rejected clearly', () => {
    const { images, labels } = tinyBytes(3);
    expect(new MNIST({ images: gzipSync(images), labels: gzipSync(labels) }).length).toBe(3);
    expect(() => new MNIST({ images: labels, labels })).toThrow(
      /the images file should hold uint8 data of 3 dimensions \(N, H, W\), got uint8 \[3\]/,
    );
    expect(() => new MNIST({ images, labels: tinyBytes(4).labels })).toThrow(
      /holds 3 images but the labels file 4 labels/,
    );
    expect(() => new MNIST({ images })).toThrow(/pass both 'images' and 'labels'/);
  });

  it('reads a root directory with the files, sync and async, and torchvision layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodag-mnist-'));
    const { images, labels } = tinyBytes(6);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(images));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels);
    const sync = new MNIST({ root: dir, train: false });
    expect(sync.length).toBe(6);
    const viaLoad = await MNIST.load({ root: dir, train: false });
    expect(viaLoad).toBeInstanceOf(MNIST);
    expect(viaLoad.rawLabels).toEqual(sync.rawLabels);
    const tv = mkdtempSync(join(tmpdir(), 'autodag-mnist-'));
    const raw = join(tv, 'FashionMNIST', 'raw');
    (await import('node:fs')).mkdirSync(raw, { recursive: true });
    writeFileSync(join(raw, 'train-images-idx3-ubyte.gz'), gzipSync(images));
    writeFileSync(join(raw, 'train-labels-idx1-ubyte.gz'), gzipSync(labels));
    const fm = await FashionMNIST.load({ root: tv });
    expect(fm).toBeInstanceOf(FashionMNIST);
    expect(fm.length).toBe(6);
  });

  it('missing files: the error names the files looked for and how to get them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodag-empty-'));
    const expectMessage = (e: unknown) => {
      const msg = (e as Error).message;
      expect(msg).toMatch(
        /FashionMNIST: could not find the test files t10k-images-idx3-ubyte\(\.gz\)/,
      );
      expect(msg).toContain(`${dir}/t10k-images-idx3-ubyte.gz`);
      expect(msg).toContain(`${dir}/FashionMNIST/raw/t10k-labels-idx1-ubyte`);
      expect(msg).toContain('apt-get install dataset-fashion-mnist');
      expect(msg).toContain('https://github.com/zalandoresearch/fashion-mnist');
      expect(msg).toContain('`root`');
    };
    let err: unknown;
    try {
      new FashionMNIST({ root: dir, train: false });
    } catch (e) {
      err = e;
    }
    expectMessage(err);
    await FashionMNIST.load({ root: dir, train: false }).then(
      () => expect.unreachable(),
      expectMessage,
    );
    expect(() => new MNIST({ root: dir })).toThrow(
      /MNIST: could not find the training files .*ossci-datasets/,
    );
  });
});

describe.skipIf(!present)(`FashionMNIST on the files in ${ROOT}`, () => {
  const train = present ? new FashionMNIST() : undefined!;

  it('matches the reference values read with gzip + numpy', () => {
    const ref = fixture.train;
    expect(train.length).toBe(ref.length);
    expect(train.imageSize).toEqual(ref.image_shape);
    const [x0, y0] = train.getItem(0) as [torch.Tensor, number];
    expect(y0).toBe(9);
    expect(train.classes[y0]).toBe('Ankle boot');
    expect(Array.from(x0.dataSync())).toEqual(ref.image0.map((b) => Math.fround(b / 255)));
    expect(Array.from(train.rawImages.subarray(0, 784))).toEqual(ref.image0);
    expect(Array.from(train.rawLabels.subarray(0, 20))).toEqual(ref.first_labels);
    expect(train.getItem(-1)[1]).toBe(ref.last_label);
    const counts = new Array(10).fill(0);
    for (const l of train.rawLabels) counts[l]++;
    expect(counts).toEqual(ref.label_counts);
    for (const [i, sum] of Object.entries(ref.image_sums)) {
      const [x] = train.getItem(Number(i)) as [torch.Tensor, number];
      expect(Math.round(x.mul(255).sum().item() as number)).toBe(sum);
    }
  });

  it('scales and normalises each byte exactly as PyTorch (float32)', () => {
    const bytes = new Uint8Array(256 * 1);
    for (let i = 0; i < 256; i++) bytes[i] = i;
    const images = new Uint8Array(16 + 256);
    new DataView(images.buffer).setUint32(0, 0x0803, false);
    new DataView(images.buffer).setUint32(4, 1, false);
    new DataView(images.buffer).setUint32(8, 16, false);
    new DataView(images.buffer).setUint32(12, 16, false);
    images.set(bytes, 16);
    const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 0]);
    const plain = new FashionMNIST({ images, labels });
    const norm = new FashionMNIST({ images, labels, normalize: true });
    expect(Array.from((plain.getItem(0) as [torch.Tensor, number])[0].dataSync())).toEqual(
      fixture.scaled_lut,
    );
    expect(Array.from((norm.getItem(0) as [torch.Tensor, number])[0].dataSync())).toEqual(
      fixture.normalized_lut,
    );
  });

  it('tensors() gives (N, 1, 28, 28) and (N) at once, with the dataset statistics', () => {
    const [x, y] = train.tensors();
    expect(x.shape).toEqual([60000, 1, 28, 28]);
    expect(y.shape).toEqual([60000]);
    expect(y.dtype).toBe('int32');
    expect(x.mean().item()).toBeCloseTo(fixture.train.pixel_mean, 4);
    expect(x.std().item()).toBeCloseTo(fixture.train.pixel_std, 4);
    expect(train.targets.tolist()).toEqual(y.tolist());
    const ds = train.toTensorDataset();
    expect(ds.getItem(5)[1]!.item()).toBe(fixture.train.first_labels[5]);
  });

  it('the test split and async load read t10k-*', async () => {
    const test = await FashionMNIST.load({ train: false, normalize: true });
    expect(test.length).toBe(fixture.test.length);
    expect(Array.from(test.rawLabels.subarray(0, 20))).toEqual(fixture.test.first_labels);
    const [x] = test.getItems([0]) as torch.Tensor[];
    const sum = Number(x!.mul(0.353).add(0.286).mul(255).sum().item());
    expect(Math.abs(sum - fixture.test.image_sums['0'])).toBeLessThan(0.5);
  });

  it('an epoch of 60k images in batches of 64 yields every image once', () => {
    const loader = new DataLoader(train, { batchSize: 64, shuffle: true });
    expect(loader.length).toBe(938);
    let n = 0;
    for (const [x, y] of loader) {
      n += y.shape[0]!;
      if (n === 64) expect(x.shape).toEqual([64, 1, 28, 28]);
    }
    expect(n).toBe(60000);
  });
});
