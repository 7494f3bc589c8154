/**
 * End-to-end parity with PyTorch: the same MLP and batch-norm CNN, started from PyTorch's own
 * initial weights (saved as .safetensors), trained 20 steps on the same fixed batches with SGD
 * (momentum) and with AdamW, must give PyTorch's losses, final weights (running statistics
 * included) and eval-mode logits. Fixtures: packages/autodag/scripts/gen_parity.py.
 *
 * `AUTODAG_WRITE_PARITY=1` also saves autodag's final state dicts as
 * fixtures/parity/autodag_<model>_<optimizer>.safetensors; `gen_parity.py --verify` loads them
 * into PyTorch (strict) and compares them with PyTorch's own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

const { nn, optim, io } = torch;
const F = nn.functional;
const dir = fileURLToPath(new URL('./fixtures/parity/', import.meta.url));
const runs = JSON.parse(readFileSync(`${dir}runs.json`, 'utf8')) as {
  steps: number;
  runs: Record<string, RunFixture>;
};

interface Batch {
  x: number[];
  xShape: number[];
  y: number[];
}
interface RunFixture {
  batches: Batch[];
  held: Batch;
  sgd: { losses: number[]; heldLogits: number[] };
  adamw: { losses: number[]; heldLogits: number[] };
}

const MODELS: Record<string, () => torch.nn.Sequential> = {
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

const OPTIMIZERS = {
  sgd: (params: torch.Tensor[]) => new optim.SGD(params, { lr: 0.05, momentum: 0.9 }),
  adamw: (params: torch.Tensor[]) => new optim.AdamW(params, { lr: 0.01, weightDecay: 0.01 }),
};

function readSafetensors(name: string): Record<string, torch.Tensor> {
  return io.safetensors.deserialize(new Uint8Array(readFileSync(`${dir}${name}.safetensors`)))
    .tensors;
}

const batchTensors = (b: Batch) => [
  torch.tensor(b.x).reshape(b.xShape),
  torch.tensor(b.y, { dtype: 'int32' }),
];

/** max |a - b| / max |b|: differences relative to the tensor's scale. */
function relativeDifference(a: torch.Tensor, b: torch.Tensor): number {
  const got = a.to('float64').dataSync();
  const want = b.to('float64').dataSync();
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

describe('training parity with PyTorch (20 steps, fixed batches)', () => {
  for (const [modelName, build] of Object.entries(MODELS)) {
    const fixture = runs.runs[modelName]!;
    for (const optName of ['sgd', 'adamw'] as const) {
      it(`${modelName} with ${optName}: losses, final weights and eval logits`, async () => {
        const model = build();
        const init = readSafetensors(`${modelName}_init`);
        expect(Object.keys(model.stateDict())).toEqual(Object.keys(init));
        model.loadStateDict(init);
        model.train();
        const optimizer = OPTIMIZERS[optName](model.parameters());
        const batches = fixture.batches.map(batchTensors);
        const losses: number[] = [];
        for (let step = 0; step < runs.steps; step++) {
          const [x, y] = batches[step % batches.length]!;
          optimizer.zeroGrad();
          const loss = F.crossEntropy(model.call(x!) as torch.Tensor, y!);
          loss.backward();
          optimizer.step();
          losses.push(loss.item() as number);
        }
        const want = fixture[optName];
        losses.forEach((l, i) => {
          expect(Math.abs(l - want.losses[i]!) / Math.abs(want.losses[i]!)).toBeLessThan(1e-4);
        });

        const final = readSafetensors(`${modelName}_${optName}_final`);
        const state = model.stateDict();
        expect(Object.keys(state)).toEqual(Object.keys(final));
        for (const [key, value] of Object.entries(state)) {
          expect(value.shape, key).toEqual(final[key]!.shape);
          expect(relativeDifference(value, final[key]!), key).toBeLessThan(1e-4);
        }

        model.eval();
        const [heldX] = batchTensors(fixture.held);
        const logits = torch.noGrad(() => model.call(heldX!) as torch.Tensor);
        const wantLogits = torch.tensor(want.heldLogits).reshape(logits.shape);
        expect(relativeDifference(logits, wantLogits)).toBeLessThan(1e-4);

        if (process.env.AUTODAG_WRITE_PARITY === '1') {
          await io.save(state, `${dir}autodag_${modelName}_${optName}.safetensors`);
        }
      });
    }
  }
});
