import {
  buildTensor,
  checkFixture,
  checkGradients,
  checkLayouts,
  checkSecondOrder,
  compareArrays,
  compareDevices,
  coverageReport,
  digestInputs,
  dumpSamples,
  type FixtureFile,
  runChecks,
  runConformance,
  sampleCases,
  sampleValues,
} from '@autodag/testing';
import type { Kernel, TypedArray } from 'autodag';
import * as torch from 'autodag';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingFramework, registerHost } from './helpers.js';

/** Elementwise x * 3, reading inputs with their strides (a correct kernel). */
const tripleKernel: Kernel = ([x], [out]) => {
  const src = x!.dataSync();
  const o = out!.storage.data as TypedArray;
  for (let i = 0; i < o.length; i++) o[i] = src[i]! * 3;
};

/** The same, but reading raw storage from offset 0: wrong for non-contiguous inputs. */
const stridesIgnoringKernel: Kernel = ([x], [out]) => {
  const raw = x!.storage.data as TypedArray;
  const o = out!.storage.data as TypedArray;
  for (let i = 0; i < o.length; i++) o[i] = raw[i]! * 3;
};

const samples = () => [
  { name: 'matrix', inputs: [{ shape: [2, 3] }] },
  { name: 'float64', inputs: [{ shape: [3, 2], dtype: 'float64' as const }] },
];

function defineTriple(name: string, vjpFactor: number, kernel: Kernel = tripleKernel) {
  torch.defineOp(
    {
      name,
      inputs: ['x'],
      infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
      saveInputs: [],
      vjp: { x: ({ grad }) => grad.mul(vjpFactor) },
      samples,
    },
    { override: true },
  );
  torch.registerKernel(name, 'cpu', kernel);
  return torch.getOp(name);
}

const defined: string[] = [];
function track(name: string): string {
  defined.push(name);
  return name;
}
afterEach(() => {
  for (const n of defined.splice(0)) torch.unregisterOp(n);
});

describe('sample materialisation', () => {
  it('draws deterministic values in [low, high) rounded to the dtype', () => {
    const sample = { name: 's', inputs: [{ shape: [50], low: 2, high: 3 }] };
    const a = sampleValues('testing.any', sample)[0]!;
    const b = sampleValues('testing.any', sample)[0]!;
    expect(a.values).toEqual(b.values);
    expect(a.values.every((v) => v >= 2 && v < 3)).toBe(true);
    expect(a.values.every((v) => Math.fround(v) === v)).toBe(true);
    const other = sampleValues('testing.other', sample)[0]!;
    expect(other.values).not.toEqual(a.values);
    const ints = sampleValues('x', {
      name: 'i',
      inputs: [{ shape: [200], dtype: 'int32', low: -2, high: 2 }],
    })[0]!;
    expect(new Set(ints.values)).toEqual(new Set([-2, -1, 0, 1]));
  });

  it('rejects literal values that do not fill the shape', () => {
    expect(() =>
      sampleValues('testing.op', { name: 'bad', inputs: [{ shape: [2, 2], values: [1, 2, 3] }] }),
    ).toThrow(/testing.op: sample 'bad' input 0 has 3 values for shape \[2, 2\] \(4 elements\)/);
  });

  it('builds transposed and strided views holding the same logical values', () => {
    const v = sampleValues('t', { name: 's', inputs: [{ shape: [2, 3, 4] }] })[0]!;
    for (const layout of ['transposed', 'strided'] as const) {
      const t = buildTensor(v, 'cpu', { layout, requiresGrad: true });
      expect(t.isContiguous()).toBe(false);
      expect(t.shape).toEqual([2, 3, 4]);
      expect(Array.from(t.dataSync())).toEqual(v.values);
      expect(t.isLeaf && t.requiresGrad).toBe(true);
    }
    const strided = buildTensor(v, 'cpu', { layout: 'strided' });
    expect(strided.offset).toBe(1);
    expect(strided.strides[2]).toBe(2);
    const scalar = sampleValues('t', { name: 's', inputs: [{ shape: [], values: [7] }] })[0]!;
    const s0 = buildTensor(scalar, 'cpu', { layout: 'transposed' });
    expect(s0.shape).toEqual([]);
    expect(s0.offset).toBe(1);
    expect(s0.item()).toBe(7);
  });
});

describe('checks detect broken ops', () => {
  it('gradcheck passes a correct VJP and names the argument of a wrong one', () => {
    const good = defineTriple(track('testing.tripleGood'), 3);
    const bad = defineTriple(track('testing.tripleBadVjp'), 2);
    for (const c of sampleCases(good)) expect(checkGradients(c).status).toBe('pass');
    const r = checkGradients(sampleCases(bad)[0]!);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/Jacobian mismatch .* numerical 2\.99\d* vs analytical 2 /);
  });

  it('the second-order check catches a VJP that is not itself differentiable', () => {
    const square = (name: string, detach: boolean) =>
      torch.defineOp({
        name: track(name),
        inputs: ['x'],
        infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
        vjp: {
          x: ({ grad, inputs }) => grad.mul((detach ? inputs[0]!.detach() : inputs[0]!).mul(2)),
        },
        samples,
      });
    const good = square('testing.square', false);
    const bad = square('testing.squareDetached', true);
    for (const o of [good, bad]) {
      torch.registerKernel(o.def.name, 'cpu', ([x], [out]) => {
        const src = x!.dataSync();
        const d = out!.storage.data as TypedArray;
        for (let i = 0; i < d.length; i++) d[i] = src[i]! * src[i]!;
      });
    }
    const c = sampleCases(bad)[0]!;
    expect(checkGradients(c).status).toBe('pass');
    expect(checkSecondOrder(sampleCases(good)[0]!).status).toBe('pass');
    const r = checkSecondOrder(c);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/Jacobian mismatch .* numerical -?[\d.]+ vs analytical 0 /);
  });

  it('the layout check catches a kernel that ignores strides and offsets', () => {
    const good = defineTriple(track('testing.tripleStrided'), 3);
    const bad = defineTriple(track('testing.tripleRaw'), 3, stridesIgnoringKernel);
    expect(checkLayouts(sampleCases(good)[0]!).status).toBe('pass');
    const r = checkLayouts(sampleCases(bad)[0]!);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/transposed inputs: output 0: \d+ of 6 elements differ/);
  });

  it('compares values and gradients with PyTorch fixtures, flagging stale ones', () => {
    const op = defineTriple(track('testing.tripleFixture'), 3);
    const c = sampleCases(op)[0]!;
    const x = c.values[0]!.values;
    const w = [...Array(6).keys()].map((i) => (((i * 7 + 3) % 13) / 6.5 - 0.95) * 3);
    const fixture = (outputs: number[], digest = digestInputs(c.values)): FixtureFile => ({
      torch: 'test',
      ops: {
        'testing.tripleFixture': {
          matrix: {
            digest,
            outputs: [{ shape: [2, 3], dtype: 'float32', values: outputs }],
            grads: [{ shape: [2, 3], dtype: 'float32', values: w }],
          },
        },
      },
    });
    const right = x.map((v) => Math.fround(v * 3));
    expect(checkFixture(c, { fixtures: fixture(right) }).status).toBe('pass');
    const wrong = right.slice();
    wrong[4] = wrong[4]! + 0.01;
    const r = checkFixture(c, { fixtures: fixture(wrong) });
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/output 0 vs PyTorch: 1 of 6 elements differ .* worst at \[1, 1\]/);
    const stale = checkFixture(c, { fixtures: fixture(right, '00000000') });
    expect(stale.message).toMatch(/stale fixture/);
    const none = checkFixture(c, { fixtures: { torch: 't', ops: {}, unmapped: [op.def.name] } });
    expect(none.status).toBe('skip');
    expect(none.message).toMatch(/no PyTorch mapping for op 'testing.tripleFixture'/);
  });

  it('compareDevices finds a backend whose kernel disagrees', () => {
    const name = track('testing.tripleDevices');
    defineTriple(name, 3);
    const unregister = registerHost('host2');
    try {
      torch.registerKernel(name, 'host2', tripleKernel);
      const same = compareDevices('cpu', 'host2', { ops: [name] });
      expect(same.map((r) => r.status)).toEqual(['pass', 'pass']);
      torch.registerKernel(name, 'host2', ([x], [out]) => {
        tripleKernel([x!], [out!], {});
        (out!.storage.data as TypedArray)[0]! += 1;
      });
      const diff = compareDevices('cpu', 'host2', { ops: [name] });
      expect(diff[0]!.status).toBe('fail');
      expect(diff[0]!.message).toMatch(/'host2' vs 'cpu': output 0: 1 of 6 elements differ/);
    } finally {
      unregister();
    }
  });
});

describe('coverage and suite', () => {
  it('reports ops without samples or without a kernel on the device', () => {
    const noSamples = track('testing.noSamples');
    torch.defineOp({ name: noSamples, inputs: ['x'], composite: ([x]) => x!.mul(2) });
    const noKernel = track('testing.noKernel');
    torch.defineOp({
      name: noKernel,
      inputs: ['x'],
      infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
      samples,
    });
    const r = coverageReport({ device: 'cpu', ops: [noSamples, noKernel, 'add'] });
    expect(r.missingSamples).toEqual([noSamples]);
    expect(r.missingKernels).toEqual([noKernel]);
    const results = runChecks({ ops: [noKernel], checks: ['forward'] });
    expect(results[0]!.message).toMatch(/no kernel registered for backend 'cpu'/);
  });

  it('declares one test per sample and check, skipped checks with their reason', () => {
    const op = track('testing.tripleSuite');
    defineTriple(op, 3);
    const { describe: describeFn, it, names, skipped, bodies } = recordingFramework();
    runConformance({ describe: describeFn, it, ops: [op] });
    expect(names).toContain("conformance on 'cpu' > testing.tripleSuite > matrix: gradcheck");
    expect(names).toContain("conformance on 'cpu' > testing.tripleSuite > float64: layouts");
    expect(skipped).toContain('matrix: fixture (skipped: no PyTorch fixtures given)');
    for (const body of bodies) body();
  });

  it('dumps samples with values, digests and the arguments to differentiate', () => {
    const op = track('testing.tripleDump');
    defineTriple(op, 3);
    const d = dumpSamples([op, 'sum']).ops[op]!;
    expect(d.kind).toBe('kernel');
    expect(d.samples[0]!.inputs[0]!.values).toHaveLength(6);
    expect(d.samples[0]!.grad).toEqual([0]);
    expect(d.samples[0]!.digest).toMatch(/^[0-9a-f]{8}$/);
  });

  it('compareArrays treats NaN as equal and names the worst element', () => {
    const tol = { rtol: 0, atol: 1e-3 };
    expect(
      compareArrays({ shape: [2], values: [NaN, 1] }, { shape: [2], values: [NaN, 1] }, tol),
    ).toBe(null);
    expect(
      compareArrays(
        { shape: [2, 2], values: [0, 0, 0, 5] },
        { shape: [2, 2], values: [0, 0, 0, 1] },
        tol,
      ),
    ).toMatch(/worst at \[1, 1\]: got 5, expected 1/);
    expect(
      compareArrays({ shape: [2], values: [1, 2] }, { shape: [1, 2], values: [1, 2] }, tol),
    ).toMatch(/shape \[2\] differs from expected \[1, 2\]/);
  });
});
