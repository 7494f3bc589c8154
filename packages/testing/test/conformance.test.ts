import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runConformance } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, it } from 'vitest';

// Every registered op, on the CPU backend, against the PyTorch fixtures that
// `npm run fixtures` regenerates (packages/testing/fixtures/ops.json).
const path = fileURLToPath(new URL('../fixtures/ops.json', import.meta.url));
const fixtures = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;

runConformance({ describe, it, device: 'cpu', fixtures, ops: torch.listOps() });
