import { createRequire } from 'node:module';
import { listKernels, listOps } from '@autodag/core';
import { mergeFixtures, parseFixtures, runConformanceAsync } from '@autodag/testing';
import 'autodag';
import { describe, it } from 'vitest';
import { openTestDevice } from './device.js';

// The conformance suite on WebGPU, against PyTorch's fixtures and against the CPU: forward,
// fixture (outputs and gradients), layouts and devices (outputs and gradients, the backward
// running on WebGPU) for every sample of every op with a webgpu kernel, listed when the file runs
// so that new kernels are covered without editing this file. float64 samples are skipped (the
// device refuses float64), and so are checks whose backward or reads reach an op without a
// webgpu kernel, each skip naming the missing kernels; `formatCoverage` lists what remains.

// Skips are decided as the tests are declared, so the device and its kernels come first.
await openTestDevice();

// PyTorch's results for the core ops (shipped with @autodag/testing) and for the ops-nn ops (in
// that package's tests).
const require = createRequire(import.meta.url);
const fixtures = mergeFixtures(
  parseFixtures(require('@autodag/testing/fixtures/ops.json')),
  ...['conv', 'layers', 'losses'].map((name) =>
    parseFixtures(require(`../../ops-nn/test/fixtures/${name}.json`)),
  ),
);
const ops = listOps().filter((name) => listKernels(name).includes('webgpu'));

/** The same reason for the fixture and devices checks of one sample (the values compared). */
function valueChecks(sample: string, reason: string): Record<string, string> {
  return { [`${sample}: fixture`]: reason, [`${sample}: devices`]: reason };
}

const SIN_COS =
  'WGSL sin/cos are accurate up to |x| ≈ 25,700 (see reduce2pi_); the sample has ±1e30';

runConformanceAsync({
  describe,
  it,
  device: 'webgpu',
  compareWith: 'cpu',
  ops,
  fixtures,
  knownIssues: {
    // compare-kernels.ts runs the nonzero kernel on every sample and layout through nonzeroAsync.
    nonzero:
      "its output size is the count of nonzero elements, which 'webgpu' cannot read synchronously: only nonzeroAsync runs it (compared with the CPU in kernels.test.ts and nonzero.test.ts)",
    ...valueChecks('sin > edge values', SIN_COS),
    ...valueChecks('cos > edge values', SIN_COS),
  },
});
