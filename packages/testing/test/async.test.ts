import {
  checkForward,
  checkForwardAsync,
  checkLayoutsAsync,
  compareDevicesAsync,
  deviceSkipReason,
  type Reads,
  read,
  readAsync,
  readSync,
  refusesFloat64,
  runChecksAsync,
  runConformanceAsync,
  sampleCases,
  traceKernels,
} from '@autodag/testing';
import type { Tensor, TypedArray } from 'autodag';
import * as torch from 'autodag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFramework, registerHost } from './helpers.js';

/** The first case of an op's sample, by name. */
function sampleCase(op: string, sample: string) {
  const c = sampleCases(torch.getOp(op)).find((s) => s.sample.name === sample);
  if (!c) throw new Error(`no sample '${sample}' for ${op}`);
  return c;
}

describe('one computation, read synchronously or asynchronously', () => {
  function* describeValues(t: Tensor): Reads<string> {
    try {
      const [values] = yield* read([t]);
      return `read ${values!.join(', ')}`;
    } catch (e) {
      return `caught: ${(e as Error).message}`;
    }
  }

  it('gives the same values both ways, and throws a failed read into the computation', async () => {
    const x = torch
      .tensor([
        [1, 2],
        [3, 4],
      ])
      .t();
    expect(readSync(describeValues(x))).toBe('read 1, 3, 2, 4');
    expect(await readAsync(describeValues(x))).toBe('read 1, 3, 2, 4');
    const gone = torch.tensor([1]);
    gone.dispose();
    expect(readSync(describeValues(gone))).toMatch(/^caught: dataSync: cannot read a tensor/);
    expect(await readAsync(describeValues(gone))).toMatch(/^caught: data: cannot read a tensor/);
  });
});

// 'asynchost' reads only asynchronously and refuses float64, like WebGPU. It has the CPU's
// kernels except cos (so sin's gradient, grad·cos(x), cannot run there) and mm/mv (mv has a
// decomposition through mm).
describe('an asynchronous device', () => {
  let unregister: () => void;
  beforeAll(() => {
    unregister = registerHost('asynchost', {
      readSync: false,
      float64: false,
      except: ['cos', 'mm', 'mv'],
    });
  });
  afterAll(() => unregister());
  const device = 'asynchost';

  it('fails the synchronous checks and passes the asynchronous ones', async () => {
    const c = sampleCase('exp', 'matrix');
    expect(checkForward(c, { device }).message).toMatch(/cannot be read synchronously/);
    expect((await checkForwardAsync(c, { device })).status).toBe('pass');
    expect((await checkLayoutsAsync(c, { device })).status).toBe('pass');
  });

  it('tells a device that refuses float64 by its error', () => {
    expect(refusesFloat64(device)).toBe(true);
    expect(refusesFloat64('cpu')).toBe(false);
    expect(deviceSkipReason('forward', sampleCase('sin', 'float64'), { device })).toBe(
      'float64 is not supported on asynchost',
    );
    expect(deviceSkipReason('forward', sampleCase('sin', 'float64'), { device: 'cpu' })).toBe(null);
  });

  it('names every op a check reaches without a kernel on the device, forward or gradients', () => {
    const before = torch.getOp('cos').kernels.get('cpu');
    const kernels = torch.listOps().map((n) => torch.listKernels(n).join());
    const sin = sampleCase('sin', 'matrix');
    expect(deviceSkipReason('forward', sin, { device })).toBe(null);
    expect(deviceSkipReason('devices', sin, { device, compareWith: 'cpu' })).toBe(
      "no 'asynchost' kernel for: cos (gradients)",
    );
    expect(deviceSkipReason('forward', sampleCase('cos', 'matrix'), { device })).toBe(
      "no 'asynchost' kernel for: cos (forward)",
    );
    // mv would run its decomposition there: what is missing is mm (and neither is called twice).
    expect(deviceSkipReason('layouts', sampleCase('mv', 'square'), { device })).toBe(
      "no 'asynchost' kernel for: mm (forward)",
    );
    expect(deviceSkipReason('gradcheck', sin, { device })).toMatch(/reads synchronously/);
    // The CPU's kernels are back in place.
    expect(torch.getOp('cos').kernels.get('cpu')).toBe(before);
    expect(torch.listOps().map((n) => torch.listKernels(n).join())).toEqual(kernels);
  });

  it('traces all the missing kernels, not only the first', () => {
    const trace = traceKernels(device, () => {
      const m = torch.ones(2, 2, { dtype: 'float64' });
      torch.mv(m, torch.ones(2, { dtype: 'float64' }).cos());
    });
    expect(trace).toEqual({ missing: ['cos', 'mm'], float64: true });
  });

  it('compares outputs and gradients with the CPU, and finds a kernel that disagrees', async () => {
    const same = await compareDevicesAsync(device, 'cpu', { ops: ['sin', 'sub'] });
    const line = (r: (typeof same)[number]) => `${r.op} [${r.sample}] ${r.status}: ${r.message}`;
    expect(same.filter((r) => r.status === 'fail').map(line)).toEqual([]);
    expect(same.filter((r) => r.status === 'pass').length).toBeGreaterThan(5);
    expect(same.map(line)).toContain(
      "sin [matrix] skip: no 'asynchost' kernel for: cos (gradients)",
    );
    expect(same.map(line)).toContain('sin [float64] skip: float64 is not supported on asynchost');
    const cpuExp = torch.getOp('exp').kernels.get('cpu')!;
    torch.registerKernel('exp', device, (inputs, outputs, attrs) => {
      cpuExp(inputs, outputs, attrs);
      (outputs[0]!.storage.data as TypedArray)[0]! += 1;
    });
    try {
      const [r] = await runChecksAsync({
        ops: ['exp'],
        device,
        compareWith: 'cpu',
        checks: ['devices'],
      });
      expect(r!.status).toBe('fail');
      expect(r!.message).toMatch(/'cpu' vs 'asynchost': output 0: 1 of 12 elements differ/);
    } finally {
      torch.registerKernel('exp', device, cpuExp);
    }
  });

  it('declares async tests, with skips that say why', async () => {
    const t = recordingFramework();
    runConformanceAsync({
      ...t,
      device,
      compareWith: 'cpu',
      ops: ['sin', 'sub'],
      knownIssues: { 'sin > matrix: layouts': 'an example' },
    });
    const prefix = "conformance on 'asynchost' > ";
    expect(t.names).toContain(`${prefix}sub > same shape: forward`);
    expect(t.names).toContain(`${prefix}sub > same shape: devices`);
    expect(t.names).not.toContain(`${prefix}sin > matrix: gradcheck`);
    expect(t.skipped).toEqual(
      expect.arrayContaining([
        "matrix: devices (skipped: no 'asynchost' kernel for: cos (gradients))",
        'float64: forward (skipped: float64 is not supported on asynchost)',
        'matrix: layouts (skipped: known issue: an example)',
        'matrix: fixture (skipped: no PyTorch fixtures given)',
      ]),
    );
    for (const body of t.bodies) await body();
  });

  it('fails on a known issue that names no check', async () => {
    const t = recordingFramework();
    const knownIssues = { 'sin > no such sample': 'x', 'sin > matrix: gradcheck': 'y', sin: 'z' };
    runConformanceAsync({ ...t, device, ops: ['sin'], knownIssues });
    const i = t.names.indexOf(
      "conformance on 'asynchost' > every known issue names a checked op, sample or check",
    );
    await expect(async () => t.bodies[i]!()).rejects.toThrow(
      'knownIssues match no check: sin > no such sample; sin > matrix: gradcheck',
    );
  });
});
