/**
 * CI's short version of the Fashion-MNIST example: 200 steps of batch 64 on the first 12,800
 * training images must beat 80% accuracy on the full 10,000-image test set, and the saved
 * checkpoint must restore the same model. Reads the real dataset (Debian's
 * dataset-fashion-mnist, installed by .ci/run); skipped with a reason elsewhere if it is absent.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { fashionCnn } from '../src/model.js';
import { evaluate, trainFashionMnist } from '../src/train.js';

const ROOT = '/usr/share/datasets/fashion-mnist';
const present = existsSync(join(ROOT, 'train-images-idx3-ubyte.gz'));
if (!present && process.env.CI) {
  throw new Error(`Fashion-MNIST is missing from ${ROOT}: apt-get install dataset-fashion-mnist`);
}

describe.skipIf(!present)(`Fashion-MNIST CNN, short run (data: ${ROOT})`, () => {
  it('beats 80% test accuracy after 200 steps and round-trips its checkpoint', async () => {
    const { model, epochs, stepLosses } = await trainFashionMnist({
      epochs: 1,
      trainSubset: 200 * 64,
      progressBars: false,
    });
    expect(stepLosses).toHaveLength(200);
    expect(stepLosses.slice(-20).reduce((a, b) => a + b) / 20).toBeLessThan(stepLosses[0]!);
    const accuracy = epochs[0]!.testAccuracy;
    expect(accuracy).toBeGreaterThan(0.8);

    const dir = mkdtempSync(join(tmpdir(), 'autodag-fmnist-'));
    try {
      await torch.io.save(model.stateDict(), join(dir, 'cnn.safetensors'));
      const restored = fashionCnn();
      restored.loadStateDict(await torch.io.load(join(dir, 'cnn.safetensors')));
      const [images, labels] = new torch.io.FashionMNIST({
        train: false,
        normalize: true,
      }).tensors();
      expect(evaluate(restored, images, labels).accuracy).toBe(accuracy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
