import { CpuBackend } from '@autodag/backend-cpu';
import { compareDevices } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

// What a new backend must implement: a device given CPU kernels for `requiredKernels()` only
// runs every other op through its decomposition, and every op sample (outputs and gradients)
// must agree with the CPU device, which has a kernel for everything.
const primitives = new CpuBackend({ name: 'cpu-primitives', priority: -1 });
torch.registerBackend(primitives);
const required = torch.requiredKernels();
for (const name of required) {
  const kernel = torch.getOp(name).kernels.get('cpu');
  if (kernel) torch.registerKernel(name, 'cpu-primitives', kernel);
}

describe('a backend with kernels for the required ops only', () => {
  it('has a CPU kernel for each required op, and decomposable ops none of their own', () => {
    expect(required.filter((name) => !torch.getOp(name).kernels.has('cpu'))).toEqual([]);
    const decomposable = torch.listOps().filter((name) => torch.getOp(name).def.decomposition);
    expect(decomposable.filter((name) => torch.getOp(name).kernels.has('cpu-primitives'))).toEqual(
      [],
    );
  });

  it('runs every op sample as the CPU does, decomposable ops through their decompositions', () => {
    const results = compareDevices('cpu', 'cpu-primitives');
    expect(results.filter((r) => r.status === 'pass').length).toBeGreaterThan(100);
    const failures = results.filter((r) => r.status === 'fail');
    expect(failures.map((f) => `${f.op} [${f.sample}]: ${f.message}`)).toEqual([]);
  });
});
