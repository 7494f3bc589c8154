import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFixtures, runConformance } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, it } from 'vitest';

// Convolution and pooling ops through the registry-driven suite: values and gradients against
// PyTorch 1.13 fixtures (scripts/torch_conv.py, `npm run fixtures:conv`), float64 finite
// differences of first and second order, and non-contiguous inputs.
const path = fileURLToPath(new URL('./fixtures/conv.json', import.meta.url));
const fixtures = parseFixtures(JSON.parse(readFileSync(path, 'utf8')));
const { CONV_OPS, POOL_OPS } = torch.nn.functional;

runConformance({
  describe,
  it,
  ops: [...CONV_OPS, ...POOL_OPS],
  fixtures,
  requireFixtures: true,
  checks: ['forward', 'fixture', 'gradcheck', 'gradgradcheck', 'layouts'],
});
