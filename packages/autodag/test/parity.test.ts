/**
 * End-to-end parity with PyTorch: the same MLP and batch-norm CNN, started from PyTorch's own
 * initial weights (saved as .safetensors), trained 20 steps on the same fixed batches with SGD
 * (momentum) and with AdamW, must give PyTorch's losses, final weights (running statistics
 * included) and eval-mode logits. Fixtures: packages/autodag/scripts/gen_parity.py; the runs:
 * parity-runs.ts (shared with the WebGPU test, packages/backend-webgpu/test/parity.test.ts).
 *
 * `AUTODAG_WRITE_PARITY=1` also saves autodag's final state dicts as
 * fixtures/parity/autodag_<model>_<optimizer>.safetensors; `gen_parity.py --verify` loads them
 * into PyTorch (strict) and compares them with PyTorch's own.
 */
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import {
  PARITY_MODELS,
  parityDir,
  parityRuns,
  readParityTensors,
  relativeDifference,
  trainParity,
} from './parity-runs.js';

describe('training parity with PyTorch (20 steps, fixed batches)', () => {
  for (const modelName of Object.keys(PARITY_MODELS)) {
    for (const optName of ['sgd', 'adamw'] as const) {
      it(`${modelName} with ${optName}: losses, final weights and eval logits`, async () => {
        const run = await trainParity(modelName, optName, 'cpu');
        expect(run.initKeys).toEqual(Object.keys(readParityTensors(`${modelName}_init`)));
        const want = parityRuns.runs[modelName]![optName];
        run.losses.forEach((l, i) => {
          expect(Math.abs(l - want.losses[i]!) / Math.abs(want.losses[i]!)).toBeLessThan(1e-4);
        });

        const final = readParityTensors(`${modelName}_${optName}_final`);
        expect(Object.keys(run.state)).toEqual(Object.keys(final));
        for (const [key, value] of Object.entries(run.state)) {
          expect(value.shape, key).toEqual(final[key]!.shape);
          expect(await relativeDifference(value, final[key]!), key).toBeLessThan(1e-4);
        }

        const wantLogits = torch.tensor(want.heldLogits).reshape(run.logits.shape);
        expect(await relativeDifference(run.logits, wantLogits)).toBeLessThan(1e-4);

        if (process.env.AUTODAG_WRITE_PARITY === '1') {
          await torch.io.save(run.state, `${parityDir}autodag_${modelName}_${optName}.safetensors`);
        }
      });
    }
  }
});
