import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareDevices, runConformance } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

// Every registered op, on the CPU backend, against the PyTorch fixtures that
// `npm run fixtures` regenerates (packages/testing/fixtures/ops.json).
const path = fileURLToPath(new URL('../fixtures/ops.json', import.meta.url));
const fixtures = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;

runConformance({ describe, it, device: 'cpu', fixtures, ops: torch.listOps() });

describe('cross-device agreement', () => {
  it("every sample gives the same outputs and gradients on 'cpu' and 'cpu'", () => {
    const failures = compareDevices('cpu', 'cpu').filter((r) => r.status === 'fail');
    expect(failures.map((f) => `${f.op} [${f.sample}]: ${f.message}`)).toEqual([]);
  });
});
