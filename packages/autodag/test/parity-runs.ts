/**
 * The parity runs (see parity.test.ts): the same MLP and batch-norm CNN, started from PyTorch's
 * own initial weights, trained 20 steps on fixed batches with SGD (momentum) or AdamW, on any
 * device. Shared by the CPU test here and the WebGPU one in packages/backend-webgpu/test, which
 * compare the results with the same PyTorch fixtures (packages/autodag/scripts/gen_parity.py).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from 'autodag';

const { nn, optim, io } = torch;
const F = nn.functional;

/** Where the fixtures are (and where `AUTODAG_WRITE_PARITY=1` saves autodag's state dicts). */
export const parityDir = fileURLToPath(new URL('./fixtures/parity/', import.meta.url));

interface Batch {
  x: number[];
  xShape: number[];
  y: number[];
}

/** PyTorch's run of one model: its batches, held-out batch, and both optimizers' results. */
export interface RunFixture {
  batches: Batch[];
  held: Batch;
  sgd: { losses: number[]; heldLogits: number[] };
  adamw: { losses: number[]; heldLogits: number[] };
}

/** runs.json: the step count and PyTorch's run of every model. */
export const parityRuns = JSON.parse(readFileSync(`${parityDir}runs.json`, 'utf8')) as {
  steps: number;
  runs: Record<string, RunFixture>;
};

/** The models, built as gen_parity.py builds them in PyTorch. */
export const PARITY_MODELS: Record<string, () => torch.nn.Sequential> = {
  mlp: () =>
    new nn.Sequential(
      new nn.Linear(20, 32),
      new nn.ReLU(),
      new nn.Linear(32, 16),
      new nn.Tanh(),
      new nn.Linear(16, 5),
    ),
  cnn: () =>
    new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1, bias: false }),
      new nn.BatchNorm2d(4),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(4, 8, 3, { padding: 1, bias: false }),
      new nn.BatchNorm2d(8),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(8 * 3 * 3, 10),
    ),
};

/** The optimizers with gen_parity.py's settings. */
export const PARITY_OPTIMIZERS = {
  sgd: (params: torch.Tensor[]) => new optim.SGD(params, { lr: 0.05, momentum: 0.9 }),
  adamw: (params: torch.Tensor[]) => new optim.AdamW(params, { lr: 0.01, weightDecay: 0.01 }),
};

/** A safetensors fixture by name (`mlp_init`, `cnn_adamw_final`, ...), on the CPU. */
export function readParityTensors(name: string): Record<string, torch.Tensor> {
  return io.safetensors.deserialize(new Uint8Array(readFileSync(`${parityDir}${name}.safetensors`)))
    .tensors;
}

const batchTensors = (b: Batch, device: string) => [
  torch.tensor(b.x, { device }).reshape(b.xShape),
  torch.tensor(b.y, { dtype: 'int32', device }),
];

/** What one run gives: the loss of every step, the final state dict and the held-out logits. */
export interface ParityResult {
  /** Keys of the freshly built model's state dict, before the PyTorch weights are loaded. */
  initKeys: string[];
  losses: number[];
  state: Record<string, torch.Tensor>;
  logits: torch.Tensor;
}

/**
 * Trains `model` with `optimizer` from PyTorch's initial weights on `device`, as PyTorch did:
 * the model is moved before the optimizer is made, and only the losses are read during training.
 * @example const { losses } = await trainParity('mlp', 'adamw', 'webgpu');
 */
export async function trainParity(
  modelName: string,
  optName: keyof typeof PARITY_OPTIMIZERS,
  device: string,
): Promise<ParityResult> {
  const fixture = parityRuns.runs[modelName]!;
  const model = PARITY_MODELS[modelName]!();
  const initKeys = Object.keys(model.stateDict());
  model.loadStateDict(readParityTensors(`${modelName}_init`));
  model.to(device);
  model.train();
  const optimizer = PARITY_OPTIMIZERS[optName](model.parameters());
  const batches = fixture.batches.map((b) => batchTensors(b, device));
  const losses: number[] = [];
  for (let step = 0; step < parityRuns.steps; step++) {
    const [x, y] = batches[step % batches.length]!;
    optimizer.zeroGrad();
    const loss = F.crossEntropy(model.call(x!) as torch.Tensor, y!);
    loss.backward();
    optimizer.step();
    losses.push(await loss.itemAsync());
  }
  model.eval();
  const [heldX] = batchTensors(fixture.held, device);
  const logits = torch.noGrad(() => model.call(heldX!) as torch.Tensor);
  return { initKeys, losses, state: model.stateDict(), logits };
}

/**
 * max |a - b| / max |b|: differences relative to the tensor's scale (read asynchronously, so
 * either tensor may be on any device).
 * @example await relativeDifference(trained, torch.tensor(want)) // 3e-7
 */
export async function relativeDifference(a: torch.Tensor, b: torch.Tensor): Promise<number> {
  const got = await a.data();
  const want = await b.data();
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(Number(got[i]!) - Number(want[i]!)));
    scale = Math.max(scale, Math.abs(Number(want[i]!)));
  }
  return diff / scale;
}
