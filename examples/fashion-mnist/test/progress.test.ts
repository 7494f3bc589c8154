/**
 * The example's progress bars on a (fake) terminal: the training bar's postfix follows every
 * step and its last frame reads 100% with the epoch's mean loss, even when the run ends on that
 * epoch's last step; the test evaluation draws its own bar, ending at 100% with the accuracy.
 * Reads the real dataset; skipped with a reason if it is absent (as train-short.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainFashionMnist } from '../src/train.js';

const ROOT = '/usr/share/datasets/fashion-mnist';
const present = existsSync(join(ROOT, 'train-images-idx3-ubyte.gz'));

/** A terminal that records what is written. */
class FakeTerminal {
  readonly isTTY = true;
  columns = 200;
  text = '';
  write(s: string) {
    this.text += s;
    return true;
  }
  /** The finished bars (one per line left on screen), each as the frames it drew. */
  get bars(): string[][] {
    return this.text
      .split('\n')
      .slice(0, -1)
      .map((line) =>
        line
          .split('\x1b[1G')
          // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
          .map((f) => f.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, '').trim())
          .filter((f) => f !== ''),
      );
  }
}

/** A postfix number as the bar prints it: 3 significant digits. */
const shown = (v: number) => Number.parseFloat(v.toPrecision(3)).toString();

describe.skipIf(!present)(`Fashion-MNIST progress bars (data: ${ROOT})`, () => {
  it('train bar: loss each step, last frame 100%; evaluation: its own bar at 100%', async () => {
    const term = new FakeTerminal();
    // Three steps, and the run's step budget runs out on the epoch's last one.
    const { epochs, stepLosses } = await trainFashionMnist({
      epochs: 1,
      trainSubset: 3 * 64,
      progressStream: term,
    });
    expect(stepLosses).toHaveLength(3);
    const bars = term.bars;
    expect(bars).toHaveLength(2);
    const [train, test] = bars as [string[], string[]];

    expect(train.every((f) => f.startsWith('train 1/1:'))).toBe(true);
    // Every frame after the first carries the running loss of the steps it counts.
    for (const frame of train.slice(1)) {
      const n = Number(/\| (\d)\/3 \[/.exec(frame)![1]);
      const mean = stepLosses.slice(0, n).reduce((a, b) => a + b) / n;
      expect(frame).toContain(`loss=${shown(mean)}]`);
    }
    expect(train.at(-1)).toMatch(/^train 1\/1: 100%\|█{25}\| 3\/3 \[/);
    expect(train.at(-1)).toContain(`loss=${shown(epochs[0]!.trainLoss)}]`);

    expect(test[0]).toMatch(/^test {2}1\/1: {3}0%\|/);
    expect(test.at(-1)).toMatch(/^test {2}1\/1: 100%\|█{25}\| 20\/20 \[/);
    expect(test.at(-1)).toContain(`acc=${shown(epochs[0]!.testAccuracy)}]`);
  }, 120_000);
});
