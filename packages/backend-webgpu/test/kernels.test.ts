import { getOp, listKernels, listOps, type Tensor } from '@autodag/core';
import { compareArrays, DEFAULT_TOLERANCES, runSample, sampleValues } from '@autodag/testing';
import 'autodag';
import { beforeAll, describe, expect, it } from 'vitest';
import { openTestDevice } from './device.js';

beforeAll(openTestDevice, 60_000);

/** Every sample of every op with a WebGPU kernel, in each layout, against the CPU backend. */
const LAYOUTS = ['contiguous', 'transposed', 'strided'] as const;
const RANGE_LIMITED = new Set(['sin', 'cos']);

async function values(t: Tensor) {
  return { shape: t.shape, values: Array.from(await t.data()) };
}

describe('WebGPU kernels agree with the CPU backend', () => {
  it('on every sample of every op with a webgpu kernel, in every layout', async () => {
    const ops = listOps().filter((name) => listKernels(name).includes('webgpu'));
    expect(ops.length).toBeGreaterThan(50);
    const failures: string[] = [];
    let compared = 0;
    for (const name of ops) {
      const op = getOp(name);
      for (const sample of op.def.samples?.() ?? []) {
        // sin and cos are accurate up to |x| ≈ 25,700 (see reduce2pi_); 1e30 is past that.
        if (RANGE_LIMITED.has(name) && sample.name === 'edge values') continue;
        const vals = sampleValues(name, sample);
        if (vals.some((v) => v.dtype === 'float64')) continue;
        for (const layout of LAYOUTS) {
          const cpu = runSample(op, sample, vals, { device: 'cpu', layout });
          // float64 results have no WGSL type (their error is tested on its own).
          if (cpu.outputs.some((o) => o.dtype === 'float64')) continue;
          let gpu: ReturnType<typeof runSample>;
          try {
            gpu = runSample(op, sample, vals, { device: 'webgpu', layout });
          } catch (e) {
            failures.push(`${name} > ${sample.name} (${layout}): threw ${(e as Error).message}`);
            continue;
          }
          for (let k = 0; k < cpu.outputs.length; k++) {
            const expected = cpu.outputs[k]!;
            const actual = gpu.outputs[k]!;
            const tol = DEFAULT_TOLERANCES[expected.dtype];
            const problem =
              actual.device !== 'webgpu'
                ? `output on ${actual.device}`
                : actual.dtype !== expected.dtype
                  ? `dtype ${actual.dtype} instead of ${expected.dtype}`
                  : compareArrays(await values(actual), await values(expected), tol);
            if (problem) failures.push(`${name} > ${sample.name} (${layout}): ${problem}`);
            compared++;
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(compared).toBeGreaterThan(200);
  }, 120_000);
});
