import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFixtures, runConformance } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, it } from 'vitest';

// Every layer op of this package through the registry-driven suite: values and gradients against
// PyTorch 1.13 (npm run fixtures:layers), float64 finite differences of first and second order,
// and non-contiguous inputs against contiguous ones.
void torch;
const path = fileURLToPath(new URL('./fixtures/layers.json', import.meta.url));
const fixtures = existsSync(path)
  ? parseFixtures(JSON.parse(readFileSync(path, 'utf8')))
  : undefined;

export const LAYER_OPS = [
  'nn.linear',
  'nn.batchNorm',
  'nn.batchNormEval',
  'nn.batchNormBackward',
  'nn.gelu',
  'nn.geluGrad',
  'nn.silu',
  'nn.leakyRelu',
  'nn.elu',
  'nn.softplus',
  'nn.hardtanh',
  'nn.layerNorm',
  'nn.groupNorm',
  'nn.embedding',
  'nn.scaledDotProductAttention',
  'nn.scaledDotProductAttentionMasked',
];

runConformance({
  describe,
  it,
  ops: LAYER_OPS,
  fixtures,
  requireFixtures: true,
  checks: ['forward', 'fixture', 'gradcheck', 'gradgradcheck', 'layouts'],
});
