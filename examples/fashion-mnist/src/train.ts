import * as torch from 'autodag';
import { fashionCnn } from './model.js';

const { nn, optim, io } = torch;
const F = nn.functional;

/** The training recipe. Defaults are the common PyTorch recipe (AdamW 1e-3, batch 64, 5 epochs). */
export interface TrainOptions {
  /** Passes over the training set (default 5). */
  epochs?: number;
  batchSize?: number;
  /** AdamW's (peak) learning rate (default 1e-3). */
  lr?: number;
  weightDecay?: number;
  /** 'constant' learning rate, or 'onecycle' (OneCycleLR over the whole run). */
  schedule?: 'constant' | 'onecycle';
  /** Seed of the weight initialisation and of the shuffling. */
  seed?: number;
  /** Train on the first `trainSubset` images only (CI's short run). */
  trainSubset?: number;
  /** Stop after this many steps in total. */
  maxSteps?: number;
  /** Directory with the Fashion-MNIST IDX files (default Debian's). */
  root?: string;
  /**
   * Show progress bars, one per training epoch (postfix: the epoch's running mean loss) and one
   * per test evaluation (postfix: the running accuracy); they appear only on a terminal anyway.
   */
  progressBars?: boolean;
  /** Where the bars are drawn (default `process.stderr`). */
  progressStream?: torch.io.ProgressStream;
  /** Called after every epoch, e.g. to print a line. */
  onEpoch?: (result: EpochResult) => void;
}

/** What one epoch gave. */
export interface EpochResult {
  epoch: number;
  steps: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  /** Wall time of the training pass (without evaluation). */
  trainSeconds: number;
}

/** The trained model and its history. */
export interface TrainResult {
  model: torch.nn.Sequential;
  epochs: EpochResult[];
  /** The loss of every training step, in order. */
  stepLosses: number[];
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Images per forward pass (default 500). */
  batchSize?: number;
  /** Show a progress bar over the batches with these options (postfix: running accuracy). */
  progress?: torch.io.ProgressOptions;
}

/**
 * Loss and accuracy of `model` on a dataset given as (N,1,28,28) images and (N) labels, in eval
 * mode and without recording gradients.
 * @example evaluate(model, images, labels, { progress: { desc: 'test' } }) // { loss: 0.25, accuracy: 0.91 }
 */
export function evaluate(
  model: torch.nn.Module,
  images: torch.Tensor,
  labels: torch.Tensor,
  options: EvaluateOptions = {},
): { loss: number; accuracy: number } {
  const batchSize = options.batchSize ?? 500;
  const wasTraining = model.training;
  model.eval();
  let lossSum = 0;
  let correct = 0;
  const n = images.shape[0]!;
  const starts = Array.from({ length: Math.ceil(n / batchSize) }, (_, i) => i * batchSize);
  const batches = io.progress(starts, { enabled: false, ...options.progress });
  torch.noGrad(() => {
    for (const start of batches) {
      torch.tidy(() => {
        const count = Math.min(batchSize, n - start);
        const x = images.narrow(0, start, count);
        const y = labels.narrow(0, start, count);
        const logits = model.call(x) as torch.Tensor;
        lossSum += F.crossEntropy(logits, y, { reduction: 'sum' }).item() as number;
        correct += logits.argmax(1).eq(y).sum().item() as number;
        batches.setPostfix({ acc: correct / (start + count) });
      });
    }
  });
  model.train(wasTraining);
  return { loss: lossSum / n, accuracy: correct / n };
}

/**
 * Trains the batch-norm CNN on Fashion-MNIST with AdamW and cross-entropy, evaluating on the full
 * test set after every epoch.
 * @example const { epochs } = await trainFashionMnist({ epochs: 1 }); epochs[0].testAccuracy // ≈ 0.89
 */
export async function trainFashionMnist(opts: TrainOptions = {}): Promise<TrainResult> {
  const epochs = opts.epochs ?? 5;
  const batchSize = opts.batchSize ?? 64;
  torch.manualSeed(opts.seed ?? 0);
  const model = fashionCnn();

  const train = new io.FashionMNIST({ root: opts.root, train: true, normalize: true });
  const test = new io.FashionMNIST({ root: opts.root, train: false, normalize: true });
  let [trainImages, trainLabels] = train.tensors();
  if (opts.trainSubset !== undefined) {
    trainImages = trainImages.narrow(0, 0, opts.trainSubset);
    trainLabels = trainLabels.narrow(0, 0, opts.trainSubset);
  }
  const [testImages, testLabels] = test.tensors();
  const loader = new io.DataLoader(new io.TensorDataset(trainImages, trainLabels), {
    batchSize,
    shuffle: true,
    generator: new torch.Generator(opts.seed ?? 0),
  });

  const optimizer = new optim.AdamW(model.parameters(), {
    lr: opts.lr ?? 1e-3,
    weightDecay: opts.weightDecay ?? 0.01,
  });
  const stepsPerEpoch = loader.length;
  const totalSteps = Math.min(opts.maxSteps ?? Infinity, epochs * stepsPerEpoch);
  const scheduler =
    opts.schedule === 'onecycle'
      ? new optim.OneCycleLR(optimizer, { maxLr: opts.lr ?? 1e-3, totalSteps })
      : null;

  const barOptions: torch.io.ProgressOptions = {
    enabled: opts.progressBars === false ? false : undefined,
    stream: opts.progressStream,
  };
  const history: EpochResult[] = [];
  const stepLosses: number[] = [];
  for (let epoch = 1; epoch <= epochs && stepLosses.length < totalSteps; epoch++) {
    model.train();
    const started = performance.now();
    const bar = io.progress(loader, {
      ...barOptions,
      desc: `train ${epoch}/${epochs}`,
      // --max-steps may end the run inside this epoch: the bar counts the steps it will take.
      total: Math.min(stepsPerEpoch, totalSteps - stepLosses.length),
    });
    let epochLoss = 0;
    let steps = 0;
    for (const [x, y] of bar) {
      // Checked before the step, not after it: a loop left by `break` does not count the item it
      // was on, so breaking after the last step would leave the bar one step short of 100%.
      if (stepLosses.length >= totalSteps) break;
      const loss = torch.tidy(() => {
        optimizer.zeroGrad();
        const l = F.crossEntropy(model.call(x) as torch.Tensor, y);
        l.backward();
        optimizer.step();
        return l.item() as number;
      });
      scheduler?.step();
      stepLosses.push(loss);
      epochLoss += loss;
      steps++;
      bar.setPostfix({ loss: epochLoss / steps });
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const { loss: testLoss, accuracy: testAccuracy } = evaluate(model, testImages, testLabels, {
      progress: { ...barOptions, desc: `test  ${epoch}/${epochs}` },
    });
    const result = {
      epoch,
      steps,
      trainLoss: epochLoss / steps,
      testLoss,
      testAccuracy,
      trainSeconds,
    };
    history.push(result);
    opts.onEpoch?.(result);
  }
  return { model, epochs: history, stepLosses };
}
