/**
 * Trains the batch-norm CNN on Fashion-MNIST and writes a checkpoint, a loss curve and a summary.
 *
 *   npm start -w @autodag/example-fashion-mnist -- [--epochs 5] [--schedule constant|onecycle]
 *       [--lr 1e-3] [--subset N] [--max-steps N] [--out DIR] [--root DIR]
 *
 * Reads the IDX files from /usr/share/datasets/fashion-mnist (`apt-get install
 * dataset-fashion-mnist`) unless --root says otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as torch from 'autodag';
import { lineChartSvg, smooth } from './plot.js';
import { trainFashionMnist } from './train.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    schedule: { type: 'string', default: 'constant' },
    lr: { type: 'string', default: '1e-3' },
    subset: { type: 'string' },
    'max-steps': { type: 'string' },
    out: { type: 'string', default: 'out' },
    root: { type: 'string' },
  },
});
if (values.schedule !== 'constant' && values.schedule !== 'onecycle') {
  throw new Error(`--schedule must be 'constant' or 'onecycle', got '${values.schedule}'`);
}
const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });

const started = performance.now();
const { model, epochs, stepLosses } = await trainFashionMnist({
  epochs: Number(values.epochs),
  lr: Number(values.lr),
  schedule: values.schedule,
  trainSubset: values.subset === undefined ? undefined : Number(values.subset),
  maxSteps: values['max-steps'] === undefined ? undefined : Number(values['max-steps']),
  root: values.root,
  onEpoch: (e) =>
    console.log(
      `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, test loss ${e.testLoss.toFixed(4)}, ` +
        `test accuracy ${e.testAccuracy.toFixed(4)}, ${e.trainSeconds.toFixed(1)} s (${e.steps} steps)`,
    ),
});

const checkpoint = join(outDir, 'fashion-cnn.safetensors');
await torch.io.save(model.stateDict(), checkpoint);

const stepsPerEpoch = epochs[0]?.steps ?? 1;
const perEpoch = (i: number) => (i + 1) / stepsPerEpoch;
const svg = lineChartSvg(
  [
    {
      name: 'train loss (smoothed)',
      points: smooth(stepLosses, 0.95).map((v, i) => [perEpoch(i), v] as const),
      color: '#1f77b4',
    },
    {
      name: 'test loss',
      points: epochs.map((e) => [e.epoch, e.testLoss] as const),
      color: '#d62728',
    },
    {
      name: 'test error',
      points: epochs.map((e) => [e.epoch, 1 - e.testAccuracy] as const),
      color: '#2ca02c',
    },
  ],
  { title: 'Fashion-MNIST CNN (autodag, CPU)', xLabel: 'epoch', yLabel: 'loss / error' },
);
writeFileSync(join(outDir, 'loss.svg'), svg);

const summary = {
  epochs,
  bestTestAccuracy: Math.max(...epochs.map((e) => e.testAccuracy)),
  meanEpochSeconds: epochs.reduce((s, e) => s + e.trainSeconds, 0) / epochs.length,
  totalSeconds: (performance.now() - started) / 1000,
  options: values,
};
writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(
  `best test accuracy ${summary.bestTestAccuracy.toFixed(4)}; ${summary.meanEpochSeconds.toFixed(1)} s per epoch; ` +
    `wrote ${checkpoint}, ${join(outDir, 'loss.svg')} and summary.json`,
);
