import { CpuBackend } from '@autodag/backend-cpu';
import { compareDevices } from '@autodag/testing';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

// Allocations return uninitialised memory (reused arrays keep old values), so every kernel must
// write each element of its outputs. A second CPU device whose allocations are filled with
// garbage runs every op sample (forward and backward) with the same kernels as 'cpu'; any
// output element a kernel leaves unwritten, or reads before writing, shows up as a mismatch.
const poisoned = new CpuBackend({ name: 'cpu-poison', priority: -1, poison: true });
torch.registerBackend(poisoned);
for (const name of torch.listOps()) {
  const kernel = torch.getOp(name).kernels.get('cpu');
  if (kernel) torch.registerKernel(name, 'cpu-poison', kernel);
}

describe('kernels write every element of their outputs', () => {
  it('the poisoned device allocates garbage', () => {
    const s = poisoned.allocate('float32', 3);
    expect(Number.isNaN((s.data as Float32Array)[0])).toBe(true);
    expect([...(poisoned.allocate('int32', 2).data as Int32Array)]).toEqual([-123457, -123457]);
  });

  it("every op sample gives the same outputs and gradients on 'cpu' and on poisoned memory", () => {
    const results = compareDevices('cpu', 'cpu-poison');
    expect(results.filter((r) => r.status === 'pass').length).toBeGreaterThan(100);
    const failures = results.filter((r) => r.status === 'fail');
    expect(failures.map((f) => `${f.op} [${f.sample}]: ${f.message}`)).toEqual([]);
  });
});
