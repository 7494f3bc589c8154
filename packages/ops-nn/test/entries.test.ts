// The package's entries, imported one by one into a fresh registry (this file imports neither
// `autodag` nor a backend): the main entry defines the ops and loads no backend, `/cpu` adds
// their CPU kernels (and loads the CPU backend), `/webgpu` their WGSL kernels, without a GPU
// device being opened.
import { getOp, listBackends, listKernels, listOps, requiredKernels } from '@autodag/core';
import { describe, expect, it } from 'vitest';

const nnOps = () => listOps().filter((name) => name.startsWith('nn.'));
/** nn ops that take kernels (not views or composites). */
const kernelOps = () =>
  nnOps().filter((name) => !getOp(name).def.composite && !getOp(name).def.view);

describe('@autodag/ops-nn entries', () => {
  it('the main entry defines the ops with no kernel and loads no backend', async () => {
    await import('@autodag/ops-nn');
    expect(nnOps().length).toBeGreaterThan(50);
    for (const name of nnOps()) expect(listKernels(name), name).toEqual([]);
    expect(listBackends()).toEqual([]);
  });

  it('/cpu registers a CPU kernel for every nn op that has no decomposition', async () => {
    await import('@autodag/ops-nn/cpu');
    const required = requiredKernels().filter((name) => name.startsWith('nn.'));
    expect(required.length).toBeGreaterThan(10);
    for (const name of required) expect(listKernels(name), name).toContain('cpu');
  });

  it("/webgpu registers WGSL kernels for 'webgpu' before any device exists", async () => {
    const { registerNnWebGPUKernels } = await import('@autodag/ops-nn/webgpu');
    const withGpu = kernelOps().filter((name) => listKernels(name).includes('webgpu'));
    for (const name of requiredKernels().filter((n) => n.startsWith('nn.'))) {
      expect(withGpu, name).toContain(name);
    }
    expect(listBackends()).not.toContain('webgpu');

    registerNnWebGPUKernels('webgpu-second');
    for (const name of withGpu) expect(listKernels(name), name).toContain('webgpu-second');
  });
});
