import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFixtures, runConformance } from '@autodag/testing';
import { describe, it } from 'vitest';
import 'autodag';

const path = fileURLToPath(new URL('./fixtures/losses.json', import.meta.url));
const fixtures = existsSync(path)
  ? parseFixtures(JSON.parse(readFileSync(path, 'utf8')))
  : undefined;

// Values and gradients against PyTorch 1.13, float64 gradcheck and gradgradcheck, and
// non-contiguous layouts, for every loss op (npm run fixtures:losses regenerates the fixtures).
runConformance({
  describe,
  it,
  ops: [
    'nn.nllLoss',
    'nn.nllLossBackward',
    'nn.crossEntropy',
    'nn.mseLoss',
    'nn.l1Loss',
    'nn.smoothL1Loss',
    'nn.huberLoss',
    'nn.binaryCrossEntropy',
    'nn.binaryCrossEntropyWithLogits',
    'nn.klDiv',
  ],
  fixtures,
  requireFixtures: true,
  checks: ['forward', 'fixture', 'gradcheck', 'gradgradcheck', 'layouts'],
});
