import * as torch from 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PARITY_MODELS,
  parityRuns,
  readParityTensors,
  relativeDifference,
  trainParity,
} from '../../autodag/test/parity-runs.js';
import { openTestDevice } from './device.js';

// packages/autodag/test/parity.test.ts on WebGPU: the MLP and the batch-norm CNN, from PyTorch's
// initial weights, 20 steps with SGD (momentum) and with AdamW, against the same PyTorch
// fixtures: losses, final state dicts (running statistics included) and eval-mode logits.
//
// Tolerance: 1e-4 relative to each tensor's scale, as on the CPU. Both are float32 against
// PyTorch's float32, so the gap is rounding compounded over 20 steps (here ~7e-7 at most, the
// CPU's ~1e-6). WGSL lets a GPU compute exp, log and tanh a few ULP off and contract a*b+c into
// fma, and its reductions sum in another order, so real GPUs drift further than llvmpipe; a wrong
// kernel (a momentum, bias correction or batch-norm statistic amiss) misses by 1e-2 or more.
const RTOL = 1e-4;

beforeAll(openTestDevice, 60_000);

describe('training parity with PyTorch on WebGPU (20 steps, fixed batches)', () => {
  for (const modelName of Object.keys(PARITY_MODELS)) {
    for (const optName of ['sgd', 'adamw'] as const) {
      it(`${modelName} with ${optName}: losses, final weights and eval logits`, async () => {
        const run = await trainParity(modelName, optName, 'webgpu');
        const want = parityRuns.runs[modelName]![optName];
        run.losses.forEach((l, i) => {
          expect(
            Math.abs(l - want.losses[i]!) / Math.abs(want.losses[i]!),
            `step ${i}`,
          ).toBeLessThan(RTOL);
        });

        const final = readParityTensors(`${modelName}_${optName}_final`);
        expect(Object.keys(run.state)).toEqual(Object.keys(final));
        for (const [key, value] of Object.entries(run.state)) {
          expect(value.device, key).toBe('webgpu');
          expect(value.shape, key).toEqual(final[key]!.shape);
          expect(await relativeDifference(value, final[key]!), key).toBeLessThan(RTOL);
        }

        expect(run.logits.device).toBe('webgpu');
        const wantLogits = torch.tensor(want.heldLogits).reshape(run.logits.shape);
        expect(await relativeDifference(run.logits, wantLogits)).toBeLessThan(RTOL);
      }, 60_000);
    }
  }
});
