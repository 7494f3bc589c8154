import type { DType, OpSample, RegisteredOp, Tensor } from '@autodag/core';
import { noGrad } from '@autodag/core';
import type { Tolerance } from './compare.js';
import { compareArrays, DEFAULT_TOLERANCES, GRAD_TOLERANCES } from './compare.js';
import type { Reads } from './execute.js';
import {
  argNames,
  differentiableArgs,
  gradientReads,
  read,
  readAsync,
  readSync,
  runSample,
} from './execute.js';
import type { FixtureFile, FixtureSample } from './fixtures.js';
import { dtypeMatches, fixtureValues } from './fixtures.js';
import type { GradcheckOptions } from './gradcheck.js';
import { gradcheckSample } from './gradcheck.js';
import type { InputValues, Layout } from './materialize.js';
import { sampleValues } from './materialize.js';
import { digestInputs } from './seed.js';

/**
 * The checks the suite runs on every sample.
 * @example runChecks({ ops: ['mul'], checks: ['forward', 'gradgradcheck'] })
 */
export type CheckKind =
  | 'forward'
  | 'fixture'
  | 'gradcheck'
  | 'gradgradcheck'
  | 'layouts'
  | 'devices';

/**
 * Outcome of one check on one sample. `skip` results say why in `message`.
 * @example { op: 'add', sample: 'same shape', check: 'forward', status: 'pass', message: '[3, 4] float32' }
 */
export interface CheckResult {
  /** Name of the op checked. */
  readonly op: string;
  /** Name of the sample checked. */
  readonly sample: string;
  /** Which check ran. */
  readonly check: CheckKind;
  /** Whether it passed, failed, or did not apply. */
  readonly status: 'pass' | 'fail' | 'skip';
  /** What was found: a summary on `pass`, the mismatch on `fail`, the reason on `skip`. */
  readonly message: string;
}

/**
 * Options shared by the check functions.
 * @example checkFixture(c, { device: 'cpu', fixtures, opTolerances: { cumsum: { rtol: 1e-4, atol: 1e-5 } } })
 */
export interface CheckOptions {
  /** Device under test (default `'cpu'`). */
  readonly device?: string;
  /** PyTorch reference results (see `parseFixtures`); without them the fixture check is skipped. */
  readonly fixtures?: FixtureFile;
  /** Forward tolerances by dtype, replacing `DEFAULT_TOLERANCES` entries. */
  readonly tolerances?: Partial<Record<DType, Tolerance>>;
  /** Tolerance per op name, for ops whose results legitimately differ more (e.g. long sums). */
  readonly opTolerances?: Readonly<Record<string, Tolerance>>;
  /** Ops excluded from the layout check (default `LAYOUT_SENSITIVE_OPS`). */
  readonly layoutSensitiveOps?: readonly string[];
  /** Finite-difference settings of the gradient check. */
  readonly gradcheck?: GradcheckOptions;
}

/**
 * One op sample ready to check: the op, the sample, and its drawn input values.
 * @example const c: SampleCase = sampleCases(getOp('mul'))[0]!
 */
export interface SampleCase {
  /** The registered op. */
  readonly op: RegisteredOp;
  /** One of the op's conformance samples. */
  readonly sample: OpSample;
  /** The sample's input values, one per input (see `sampleValues`). */
  readonly values: readonly InputValues[];
}

/**
 * The cases of an op: each of its samples with the input values drawn (deterministically).
 * @example sampleCases(getOp('add')).map((c) => c.sample.name)
 */
export function sampleCases(op: RegisteredOp): SampleCase[] {
  const samples = op.def.samples?.() ?? [];
  return samples.map((sample) => ({ op, sample, values: sampleValues(op.def.name, sample) }));
}

function tolFor(op: RegisteredOp, dtype: DType, opts: CheckOptions, forGrad: boolean): Tolerance {
  const own = opts.opTolerances?.[op.def.name];
  if (own) return own;
  if (forGrad) return GRAD_TOLERANCES[dtype];
  return opts.tolerances?.[dtype] ?? DEFAULT_TOLERANCES[dtype];
}

function result(
  c: SampleCase,
  check: CheckKind,
  status: CheckResult['status'],
  message: string,
): CheckResult {
  return { op: c.op.def.name, sample: c.sample.name, check, status, message };
}

function threw(c: SampleCase, check: CheckKind, e: unknown): CheckResult {
  const msg = e instanceof Error ? e.message : String(e);
  return result(c, check, 'fail', `threw: ${msg}`);
}

/** Runs `fn`, turning a thrown error into a failed result naming the op and sample. */
function guarded(c: SampleCase, check: CheckKind, fn: () => CheckResult): CheckResult {
  try {
    return fn();
  } catch (e) {
    return threw(c, check, e);
  }
}

/** Runs a check with synchronous reads (`dataSync`), a thrown error as a failed result. */
function runReads(c: SampleCase, check: CheckKind, steps: Reads<CheckResult>): CheckResult {
  return guarded(c, check, () => readSync(steps));
}

/** Runs a check with asynchronous reads (`await t.data()`), a thrown error as a failed result. */
function runReadsAsync(
  c: SampleCase,
  check: CheckKind,
  steps: Reads<CheckResult>,
): Promise<CheckResult> {
  return readAsync(steps).catch((e: unknown) => threw(c, check, e));
}

function describeOutputs(outputs: readonly Tensor[]): string {
  return outputs.map((o) => `[${o.shape.join(', ')}] ${o.dtype}`).join(', ');
}

function* forwardReads(c: SampleCase, opts: CheckOptions): Reads<CheckResult> {
  const device = opts.device ?? 'cpu';
  const run = noGrad(() => runSample(c.op, c.sample, c.values, { device }));
  for (const o of run.outputs) {
    if (o.device !== device) {
      return result(c, 'forward', 'fail', `output on device '${o.device}', expected '${device}'`);
    }
  }
  const first = run.outputs[0] === run.inputs[0] ? 1 : 0;
  const after = yield* read(run.inputs.slice(first));
  for (let i = first; i < run.inputs.length; i++) {
    const v = c.values[i]!;
    const msg = compareArrays(
      { shape: run.inputs[i]!.shape, values: after[i - first]! },
      { shape: v.shape, values: v.values },
      { rtol: 0, atol: 0 },
      `input '${argNames(c.op, c.values.length)[i]}' after the call`,
    );
    if (msg) return result(c, 'forward', 'fail', `the op modified its input: ${msg}`);
  }
  return result(c, 'forward', 'pass', describeOutputs(run.outputs));
}

/**
 * The op runs on the sample without error, on the device under test, and leaves its inputs
 * unchanged (ops with no outputs are in-place primitives and may write their first input).
 * @example checkForward(sampleCases(getOp('add'))[0]!)
 */
export function checkForward(c: SampleCase, opts: CheckOptions = {}): CheckResult {
  return runReads(c, 'forward', forwardReads(c, opts));
}

/**
 * `checkForward` reading with `await t.data()`: works on every device.
 * @example await checkForwardAsync(c, { device: 'webgpu' })
 */
export function checkForwardAsync(c: SampleCase, opts: CheckOptions = {}): Promise<CheckResult> {
  return runReadsAsync(c, 'forward', forwardReads(c, opts));
}

/** Why an op/sample has no usable fixture, or the fixture. */
function findFixture(c: SampleCase, fixtures?: FixtureFile): FixtureSample | string {
  if (!fixtures) return 'no PyTorch fixtures given';
  const name = c.op.def.name;
  if (fixtures.unmapped?.includes(name)) {
    return `no PyTorch mapping for op '${name}' in gen_fixtures.py`;
  }
  const f = fixtures.ops[name]?.[c.sample.name];
  if (!f) return `no PyTorch fixture for '${name}' sample '${c.sample.name}' (regenerate fixtures)`;
  return f;
}

/**
 * Why the fixture check will be skipped for this case (no fixtures, op unmapped, sample missing),
 * or `null` when a fixture exists.
 * @example fixtureSkipReason(c, fixtures) // "no PyTorch mapping for op 'foo' in gen_fixtures.py"
 */
export function fixtureSkipReason(c: SampleCase, fixtures?: FixtureFile): string | null {
  const f = findFixture(c, fixtures);
  return typeof f === 'string' ? f : null;
}

function* fixtureReads(c: SampleCase, opts: CheckOptions): Reads<CheckResult> {
  const f = findFixture(c, opts.fixtures);
  if (typeof f === 'string') return result(c, 'fixture', 'skip', f);
  const digest = digestInputs(c.values);
  if (f.digest !== digest) {
    return result(
      c,
      'fixture',
      'fail',
      `stale fixture: generated from other inputs (digest ${f.digest}, samples now give ${digest}); regenerate with 'npm run fixtures'`,
    );
  }
  if (f.error) return result(c, 'fixture', 'fail', `PyTorch raised on this sample: ${f.error}`);
  const device = opts.device ?? 'cpu';
  const run = runSample(c.op, c.sample, c.values, { device, requiresGrad: true });
  const expected = f.outputs ?? [];
  if (expected.length !== run.outputs.length) {
    return result(
      c,
      'fixture',
      'fail',
      `${run.outputs.length} outputs, PyTorch gives ${expected.length}`,
    );
  }
  const outputs = yield* read(run.outputs);
  for (let k = 0; k < expected.length; k++) {
    const o = run.outputs[k]!;
    const e = expected[k]!;
    if (!dtypeMatches(o.dtype, e.dtype)) {
      return result(c, 'fixture', 'fail', `output ${k} is ${o.dtype}, PyTorch gives ${e.dtype}`);
    }
    const msg = compareArrays(
      { shape: o.shape, values: outputs[k]! },
      { shape: e.shape, values: fixtureValues(e) },
      tolFor(c.op, o.dtype, opts, false),
      `output ${k} vs PyTorch`,
    );
    if (msg) return result(c, 'fixture', 'fail', msg);
  }
  const grads = yield* gradientReads(c.op, c.sample, run);
  const names = argNames(c.op, c.values.length);
  for (const [i, g] of grads ?? []) {
    const e = f.grads?.[i];
    if (!e) continue;
    const msg = compareArrays(
      { shape: c.values[i]!.shape, values: g },
      { shape: e.shape, values: fixtureValues(e) },
      tolFor(c.op, run.inputs[i]!.dtype, opts, true),
      `gradient w.r.t. '${names[i]}' vs PyTorch`,
    );
    if (msg) return result(c, 'fixture', 'fail', msg);
  }
  const nGrads = f.grads ? (grads?.size ?? 0) : 0;
  const note = f.gradError ? ` (PyTorch could not differentiate: ${f.gradError})` : '';
  return result(
    c,
    'fixture',
    'pass',
    `${expected.length} output(s)${nGrads ? ` and ${nGrads} gradient(s)` : ''} match PyTorch${note}`,
  );
}

/**
 * Forward values and gradients of the weighted loss (in the sample's dtypes and layouts) agree
 * with PyTorch's, as recorded by `gen_fixtures.py`. Skips, saying why, when no fixture exists;
 * fails when the fixture was generated from other input values (stale fixtures).
 * @example checkFixture(c, { fixtures: parseFixtures(json) })
 */
export function checkFixture(c: SampleCase, opts: CheckOptions = {}): CheckResult {
  return runReads(c, 'fixture', fixtureReads(c, opts));
}

/**
 * `checkFixture` reading with `await t.data()`: works on every device.
 * @example await checkFixtureAsync(c, { device: 'webgpu', fixtures })
 */
export function checkFixtureAsync(c: SampleCase, opts: CheckOptions = {}): Promise<CheckResult> {
  return runReadsAsync(c, 'fixture', fixtureReads(c, opts));
}

/**
 * Why the gradient checks do not apply to this case (sample marked `noGrad`, no floating
 * differentiable argument), or `null`.
 * @example gradcheckSkipReason(sampleCases(getOp('argmax'))[0]!) // 'sample marked noGrad'
 */
export function gradcheckSkipReason(c: SampleCase): string | null {
  if (c.sample.noGrad) return 'sample marked noGrad';
  if (!differentiableArgs(c.op, c.sample).length) return 'no differentiable floating argument';
  return null;
}

/**
 * Float64 finite-difference check of the op's VJPs for every differentiable argument
 * (see `gradcheckSample`).
 * @example checkGradients(c)
 */
export function checkGradients(c: SampleCase, opts: CheckOptions = {}): CheckResult {
  return guarded(c, 'gradcheck', () => {
    const skip = gradcheckSkipReason(c);
    if (skip) return result(c, 'gradcheck', 'skip', skip);
    const r = gradcheckSample(c.op, c.sample, c.values, {
      device: opts.device,
      ...opts.gradcheck,
    });
    if (r.failure) return result(c, 'gradcheck', 'fail', r.failure);
    return result(c, 'gradcheck', 'pass', `gradients w.r.t. ${r.checked.join(', ')} agree`);
  });
}

/**
 * Float64 second-order check (`gradgradcheck`) of every differentiable argument: the VJPs must
 * themselves be differentiable (written with ops), as higher-order gradients need.
 * @example checkSecondOrder(c)
 */
export function checkSecondOrder(c: SampleCase, opts: CheckOptions = {}): CheckResult {
  return guarded(c, 'gradgradcheck', () => {
    const skip = gradcheckSkipReason(c);
    if (skip) return result(c, 'gradgradcheck', 'skip', skip);
    const r = gradcheckSample(c.op, c.sample, c.values, {
      device: opts.device,
      ...opts.gradcheck,
      secondOrder: true,
    });
    if (r.failure) return result(c, 'gradgradcheck', 'fail', r.failure);
    if (r.skipped) return result(c, 'gradgradcheck', 'skip', r.skipped);
    return result(
      c,
      'gradgradcheck',
      'pass',
      `second derivatives w.r.t. ${r.checked.join(', ')} agree`,
    );
  });
}

interface Evaluated {
  readonly outputs: { shape: readonly number[]; dtype: DType; values: number[] }[];
  readonly grads: Map<number, Float64Array> | null;
}

function* evaluate(c: SampleCase, device: string, layout?: Layout): Reads<Evaluated> {
  const run = runSample(c.op, c.sample, c.values, { device, layout, requiresGrad: true });
  const values = yield* read(run.outputs);
  return {
    outputs: run.outputs.map((o, k) => ({ shape: o.shape, dtype: o.dtype, values: values[k]! })),
    grads: yield* gradientReads(c.op, c.sample, run),
  };
}

function compareEvaluations(
  c: SampleCase,
  got: Evaluated,
  want: Evaluated,
  opts: CheckOptions,
  label: string,
): string | null {
  if (got.outputs.length !== want.outputs.length) {
    return `${label}: ${got.outputs.length} outputs vs ${want.outputs.length}`;
  }
  for (let k = 0; k < got.outputs.length; k++) {
    const g = got.outputs[k]!;
    const w = want.outputs[k]!;
    if (g.dtype !== w.dtype) return `${label}: output ${k} is ${g.dtype} vs ${w.dtype}`;
    const msg = compareArrays(g, w, tolFor(c.op, g.dtype, opts, false), `${label}: output ${k}`);
    if (msg) return msg;
  }
  const names = argNames(c.op, c.values.length);
  for (const [i, g] of got.grads ?? []) {
    const w = want.grads?.get(i);
    if (!w) continue;
    const shape = c.values[i]!.shape;
    const msg = compareArrays(
      { shape, values: g },
      { shape, values: w },
      tolFor(c.op, c.values[i]!.dtype, opts, true),
      `${label}: gradient w.r.t. '${names[i]}'`,
    );
    if (msg) return msg;
  }
  return null;
}

/**
 * Ops whose result depends on the input's memory layout by definition (`asStrided` reads raw
 * strides), so the layout check does not apply to them.
 * @example runConformance({ describe, it, layoutSensitiveOps: [...LAYOUT_SENSITIVE_OPS, 'myplugin.rawView'] })
 */
export const LAYOUT_SENSITIVE_OPS: readonly string[] = ['asStrided'];

/**
 * Why the layout check does not apply to this case (layout-sensitive op, no tensor inputs), or `null`.
 * @example layoutSkipReason(sampleCases(getOp('asStrided'))[0]!) // 'the op reads raw strides (layout-sensitive)'
 */
export function layoutSkipReason(c: SampleCase, opts: CheckOptions = {}): string | null {
  const sensitive = opts.layoutSensitiveOps ?? LAYOUT_SENSITIVE_OPS;
  if (sensitive.includes(c.op.def.name)) return 'the op reads raw strides (layout-sensitive)';
  if (!c.values.length) return 'no tensor inputs';
  return null;
}

function* layoutReads(c: SampleCase, opts: CheckOptions): Reads<CheckResult> {
  const skip = layoutSkipReason(c, opts);
  if (skip) return result(c, 'layouts', 'skip', skip);
  const device = opts.device ?? 'cpu';
  const baseline = yield* evaluate(c, device, 'contiguous');
  const variants: [string, Layout | undefined][] = [
    ['declared layouts', undefined],
    ['transposed inputs', 'transposed'],
    ['strided inputs', 'strided'],
  ];
  const notes: string[] = [];
  for (const [label, layout] of variants) {
    let got: Evaluated;
    try {
      got = yield* evaluate(c, device, layout);
    } catch (e) {
      // A view may be impossible on some layouts (PyTorch's `view` raises there too).
      if (!c.op.def.view || layout === undefined) throw e;
      notes.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const msg = compareEvaluations(c, got, baseline, opts, label);
    if (msg) return result(c, 'layouts', 'fail', `${msg} (vs contiguous inputs)`);
  }
  const note = notes.length ? `; view not possible for ${notes.join('; ')}` : '';
  return result(c, 'layouts', 'pass', `non-contiguous inputs agree with contiguous ones${note}`);
}

/**
 * Non-contiguous inputs give the same outputs and gradients as contiguous ones: compares the
 * all-contiguous run with the sample's declared layouts, with every input stored transposed,
 * and with every input strided (offset 1, stride 2, poison values in the gaps).
 * @example checkLayouts(c)
 */
export function checkLayouts(c: SampleCase, opts: CheckOptions = {}): CheckResult {
  return runReads(c, 'layouts', layoutReads(c, opts));
}

/**
 * `checkLayouts` reading with `await t.data()`: works on every device.
 * @example await checkLayoutsAsync(c, { device: 'webgpu' })
 */
export function checkLayoutsAsync(c: SampleCase, opts: CheckOptions = {}): Promise<CheckResult> {
  return runReadsAsync(c, 'layouts', layoutReads(c, opts));
}

function* deviceReads(c: SampleCase, a: string, b: string, opts: CheckOptions): Reads<CheckResult> {
  const got = yield* evaluate(c, b);
  const want = yield* evaluate(c, a);
  const msg = compareEvaluations(c, got, want, opts, `'${b}' vs '${a}'`);
  if (msg) return result(c, 'devices', 'fail', msg);
  return result(c, 'devices', 'pass', `'${a}' and '${b}' agree`);
}

/**
 * The op gives the same outputs and gradients on devices `a` and `b` (inputs in the sample's
 * layouts), within the forward/gradient tolerances.
 * @example compareDevicesOnSample(c, 'cpu', 'webgpu')
 */
export function compareDevicesOnSample(
  c: SampleCase,
  a: string,
  b: string,
  opts: CheckOptions = {},
): CheckResult {
  return runReads(c, 'devices', deviceReads(c, a, b, opts));
}

/**
 * `compareDevicesOnSample` reading with `await t.data()`: works on every device, so an
 * asynchronous one (WebGPU) can be compared with the CPU, gradients included.
 * @example await compareDevicesOnSampleAsync(c, 'cpu', 'webgpu')
 */
export function compareDevicesOnSampleAsync(
  c: SampleCase,
  a: string,
  b: string,
  opts: CheckOptions = {},
): Promise<CheckResult> {
  return runReadsAsync(c, 'devices', deviceReads(c, a, b, opts));
}

/**
 * The checks that compare values read back from the device, which `runConformanceAsync` runs on
 * devices that only read asynchronously: every kind but the float64 finite-difference checks
 * (`gradcheck` and `gradgradcheck` read synchronously, inside `@autodag/autograd`'s gradcheck).
 * @example const checks: AsyncCheckKind[] = ['forward', 'fixture', 'layouts', 'devices'];
 */
export type AsyncCheckKind = Exclude<CheckKind, 'gradcheck' | 'gradgradcheck'>;

/** Options of `runCheck`: the check options plus the second device of the `devices` check. */
export interface RunCheckOptions extends CheckOptions {
  /** A second device for the `devices` check (compares `device` against it). */
  readonly compareWith?: string;
}

/**
 * Why a check cannot run with asynchronous reads (the finite-difference ones), or `null`.
 * @example syncOnlyReason('gradcheck') // 'gradcheck reads synchronously (float64 finite differences); run it with runConformance'
 */
export function syncOnlyReason(kind: CheckKind): string | null {
  if (kind !== 'gradcheck' && kind !== 'gradgradcheck') return null;
  return `${kind} reads synchronously (float64 finite differences); run it with runConformance`;
}

/** A `Reads` computation that reads nothing and gives `value`. */
// biome-ignore lint/correctness/useYield: reads nothing, driven like the checks that read
function* done<T>(value: T): Reads<T> {
  return value;
}

function checkReads(kind: CheckKind, c: SampleCase, opts: RunCheckOptions): Reads<CheckResult> {
  switch (kind) {
    case 'forward':
      return forwardReads(c, opts);
    case 'fixture':
      return fixtureReads(c, opts);
    case 'layouts':
      return layoutReads(c, opts);
    case 'devices':
      if (!opts.compareWith)
        return done(result(c, kind, 'skip', 'no second device (compareWith) given'));
      return deviceReads(c, opts.device ?? 'cpu', opts.compareWith, opts);
    default:
      return done(result(c, kind, 'skip', syncOnlyReason(kind)!));
  }
}

/**
 * Runs one check of one case with synchronous reads (`dataSync`).
 * @example runCheck('layouts', sampleCases(getOp('add'))[0]!, { device: 'cpu' })
 */
export function runCheck(kind: CheckKind, c: SampleCase, opts: RunCheckOptions = {}): CheckResult {
  if (kind === 'gradcheck') return checkGradients(c, opts);
  if (kind === 'gradgradcheck') return checkSecondOrder(c, opts);
  return runReads(c, kind, checkReads(kind, c, opts));
}

/**
 * Runs one check of one case reading with `await t.data()`: works on every device. The
 * finite-difference checks are skipped (`syncOnlyReason`).
 * @example await runCheckAsync('devices', c, { device: 'webgpu', compareWith: 'cpu' })
 */
export function runCheckAsync(
  kind: CheckKind,
  c: SampleCase,
  opts: RunCheckOptions = {},
): Promise<CheckResult> {
  return runReadsAsync(c, kind, checkReads(kind, c, opts));
}
