import { getOp, listKernels, listOps, nonzeroAsync, type Tensor } from '@autodag/core';
import {
  buildTensor,
  compareArrays,
  DEFAULT_TOLERANCES,
  runSample,
  sampleValues,
} from '@autodag/testing';

/**
 * Runs every conformance sample of every op with a kernel on `device`, in contiguous, transposed
 * and strided layouts, and compares the outputs with the CPU backend's. Shared by the Node test
 * and the browser test, so both hold the kernels to the same standard.
 */
const LAYOUTS = ['contiguous', 'transposed', 'strided'] as const;
/** sin and cos are accurate up to |x| ≈ 25,700 (see reduce2pi_); their edge sample has 1e30. */
const RANGE_LIMITED = new Set(['sin', 'cos']);
/**
 * Ops whose output size is read from the values: a device without synchronous reads runs their
 * kernels through the async forms.
 */
const ASYNC_FORMS: Record<string, (inputs: Tensor[]) => Promise<Tensor>> = {
  nonzero: ([x]) => nonzeroAsync(x!),
};

async function values(t: Tensor) {
  return { shape: t.shape, values: Array.from(await t.data()) };
}

export interface KernelComparison {
  readonly ops: number;
  readonly compared: number;
  readonly failures: string[];
}

export async function compareKernels(
  device: string,
  only?: ReadonlySet<string>,
): Promise<KernelComparison> {
  const ops = listOps().filter(
    (name) => listKernels(name).includes(device) && (!only || only.has(name)),
  );
  const failures: string[] = [];
  let compared = 0;
  for (const name of ops) {
    const op = getOp(name);
    for (const sample of op.def.samples?.() ?? []) {
      if (RANGE_LIMITED.has(name) && sample.name === 'edge values') continue;
      const vals = sampleValues(name, sample);
      if (vals.some((v) => v.dtype === 'float64')) continue;
      for (const layout of LAYOUTS) {
        const where = `${name} > ${sample.name} (${layout})`;
        const cpu = runSample(op, sample, vals, { device: 'cpu', layout });
        // float64 results have no WGSL type (their error is tested on its own).
        if (cpu.outputs.some((o) => o.dtype === 'float64')) continue;
        let gpu: { outputs: Tensor[] };
        try {
          const viaAsync = ASYNC_FORMS[name];
          gpu = viaAsync
            ? { outputs: [await viaAsync(vals.map((v) => buildTensor(v, device, { layout })))] }
            : runSample(op, sample, vals, { device, layout });
        } catch (e) {
          failures.push(`${where}: threw ${(e as Error).message}`);
          continue;
        }
        for (let k = 0; k < cpu.outputs.length; k++) {
          const expected = cpu.outputs[k]!;
          const actual = gpu.outputs[k]!;
          const problem =
            actual.device !== device
              ? `output on ${actual.device}`
              : actual.dtype !== expected.dtype
                ? `dtype ${actual.dtype} instead of ${expected.dtype}`
                : compareArrays(
                    await values(actual),
                    await values(expected),
                    DEFAULT_TOLERANCES[expected.dtype],
                  );
          if (problem) failures.push(`${where}: ${problem}`);
          compared++;
        }
      }
    }
  }
  return { ops: ops.length, compared, failures };
}
