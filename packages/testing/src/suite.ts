import type { RegisteredOp } from '@autodag/core';
import { getOp, listOps } from '@autodag/core';
import type {
  AsyncCheckKind,
  CheckKind,
  CheckResult,
  RunCheckOptions,
  SampleCase,
} from './checks.js';
import {
  fixtureSkipReason,
  gradcheckSkipReason,
  layoutSkipReason,
  runCheck,
  runCheckAsync,
  sampleCases,
} from './checks.js';
import { coverageReport, formatCoverage } from './coverage.js';
import { deviceSkipReason } from './support.js';

/**
 * Options of `runChecks` and `runConformance`.
 * @example runChecks({ ops: ['mul'], checks: ['forward', 'gradgradcheck'] })
 */
export interface SuiteOptions extends RunCheckOptions {
  /** Ops to check (default: every registered op). */
  readonly ops?: readonly string[];
  /** Checks to run (default: forward, fixture, gradcheck, layouts; `gradgradcheck` and `devices` on request). */
  readonly checks?: readonly CheckKind[];
  /**
   * Checks skipped for a known reason, keyed `'op > sample: check'`, `'op > sample'` (every check
   * of the sample) or `'op'`: they are reported as skipped with `known issue: <reason>`. The
   * conformance suite fails when a key matches no checked op, sample and check.
   */
  readonly knownIssues?: Readonly<Record<string, string>>;
}

/**
 * Options of `runChecksAsync` and `compareDevicesAsync`: the suite options, with the checks that
 * read asynchronously.
 * @example runChecksAsync({ device: 'webgpu', compareWith: 'cpu', checks: ['forward', 'devices'] })
 */
export interface AsyncSuiteOptions extends Omit<SuiteOptions, 'checks'> {
  /** Checks to run (default: forward, fixture, layouts; `devices` on request). */
  readonly checks?: readonly AsyncCheckKind[];
}

const DEFAULT_CHECKS: readonly CheckKind[] = ['forward', 'fixture', 'gradcheck', 'layouts'];

function selectedOps(opts: { readonly ops?: readonly string[] }): RegisteredOp[] {
  return (opts.ops ?? listOps()).map((n) => getOp(n));
}

/** The keys of `knownIssues` that may name one check, from the most precise. */
function issueKeys(kind: CheckKind, op: string, sample: string): string[] {
  return [`${op} > ${sample}: ${kind}`, `${op} > ${sample}`, op];
}

/** The skip reason `knownIssues` gives a check, or `null`. */
function knownIssue(
  kind: CheckKind,
  c: SampleCase,
  opts: Pick<SuiteOptions, 'knownIssues'>,
): string | null {
  for (const key of issueKeys(kind, c.op.def.name, c.sample.name)) {
    const reason = opts.knownIssues?.[key];
    if (reason !== undefined) return `known issue: ${reason}`;
  }
  return null;
}

/** A skipped result with its reason. */
function skipped(kind: CheckKind, c: SampleCase, message: string): CheckResult {
  return { op: c.op.def.name, sample: c.sample.name, check: kind, status: 'skip', message };
}

/**
 * The keys of `knownIssues` that name no registered op, sample or check of the suite (misspelt,
 * or renamed). Every registered op counts, so that a suite whose op list is computed (the ops
 * with a kernel on a device) keeps its entries for ops that leave the list.
 */
function unusedIssues(opts: Pick<SuiteOptions, 'knownIssues'>, checks: readonly CheckKind[]) {
  const used = new Set<string>();
  for (const name of listOps()) {
    for (const sample of getOp(name).def.samples?.() ?? []) {
      for (const kind of checks)
        for (const key of issueKeys(kind, name, sample.name)) used.add(key);
    }
  }
  return Object.keys(opts.knownIssues ?? {}).filter((key) => !used.has(key));
}

/**
 * Runs the conformance checks on every sample of the selected ops and returns every result
 * (no test framework needed). Failures carry a message naming the op, sample and values.
 * @example
 * const failures = runChecks({ ops: ['add', 'mul'], fixtures }).filter((r) => r.status === 'fail');
 */
export function runChecks(opts: SuiteOptions = {}): CheckResult[] {
  const out: CheckResult[] = [];
  const checks = opts.checks ?? DEFAULT_CHECKS;
  for (const op of selectedOps(opts)) {
    for (const c of sampleCases(op)) {
      for (const kind of checks) {
        const known = knownIssue(kind, c, opts);
        out.push(known ? skipped(kind, c, known) : runCheck(kind, c, opts));
      }
    }
  }
  return out;
}

/**
 * Compares every sample of the selected ops between two devices (outputs and gradients): the
 * cross-backend agreement a new backend must show against the CPU.
 * @example compareDevices('cpu', 'webgpu').filter((r) => r.status === 'fail')
 */
export function compareDevices(
  a: string,
  b: string,
  opts: Omit<SuiteOptions, 'device' | 'compareWith' | 'checks'> = {},
): CheckResult[] {
  return runChecks({ ...opts, device: a, compareWith: b, checks: ['devices'] });
}

const DEFAULT_ASYNC_CHECKS: readonly AsyncCheckKind[] = ['forward', 'fixture', 'layouts'];

/**
 * `runChecks` reading with `await t.data()`: works on every device, WebGPU included. Runs the
 * checks that read values back (forward, fixture, layouts, devices; not the finite-difference
 * ones), one after another. Checks that cannot run on the device are skipped with the reason
 * (`deviceSkipReason`): float64 samples on a device that refuses float64, and checks that reach
 * ops without a kernel on the device, each named.
 * @example
 * const failures = (await runChecksAsync({ device: 'webgpu', fixtures })).filter((r) => r.status === 'fail');
 */
export async function runChecksAsync(opts: AsyncSuiteOptions = {}): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const checks = opts.checks ?? DEFAULT_ASYNC_CHECKS;
  for (const op of selectedOps(opts)) {
    for (const c of sampleCases(op)) {
      for (const kind of checks) out.push(await runCheckOnDevice(kind, c, opts));
    }
  }
  return out;
}

/** `runCheckAsync`, or the reason it cannot run (known issue, device) as a skipped result. */
function runCheckOnDevice(
  kind: CheckKind,
  c: SampleCase,
  opts: RunCheckOptions & Pick<SuiteOptions, 'knownIssues'>,
): Promise<CheckResult> {
  const reason = knownIssue(kind, c, opts) ?? deviceSkipReason(kind, c, opts);
  if (!reason) return runCheckAsync(kind, c, opts);
  return Promise.resolve(skipped(kind, c, reason));
}

/**
 * `compareDevices` reading with `await t.data()`: compares outputs and gradients (the backward
 * runs on each device) on every sample of the selected ops, so an asynchronous device can be
 * compared with the CPU. Samples the devices cannot run are skipped with the reason.
 * @example
 * const results = await compareDevicesAsync('webgpu', 'cpu', { ops: ['add', 'mul'] });
 * results.filter((r) => r.status === 'fail') // []
 */
export function compareDevicesAsync(
  a: string,
  b: string,
  opts: Omit<AsyncSuiteOptions, 'device' | 'compareWith' | 'checks'> = {},
): Promise<CheckResult[]> {
  return runChecksAsync({ ...opts, device: a, compareWith: b, checks: ['devices'] });
}

/**
 * The subset of a test framework's API the adapter uses (vitest, jest and mocha all fit).
 * @example import { describe, it } from 'vitest'; runConformance({ describe, it })
 */
export interface TestApi {
  /** Declares a group of tests. */
  describe: (name: string, fn: () => void) => void;
  /**
   * Declares one test; `it.skip`, when present, declares a skipped one (with its reason in the
   * name). `runConformanceAsync` passes async functions: the framework must await them.
   */
  it: ((name: string, fn: () => void | Promise<void>) => void) & {
    skip?: (name: string, fn: () => void) => void;
  };
}

/**
 * Options of `runConformance`: the suite options plus the framework's functions.
 * @example runConformance({ describe, it, ops: [softplusOp.def.name], fixtures, requireFixtures: true })
 */
export interface ConformanceOptions extends SuiteOptions, TestApi {
  /** Turn skipped fixture checks into failures (for plugins that ship fixtures for every op). */
  readonly requireFixtures?: boolean;
  /** Fail when an op has no samples or no kernel on the device (default true). */
  readonly requireCoverage?: boolean;
}

/**
 * Options of `runConformanceAsync`: the async suite options plus the framework's functions.
 * @example runConformanceAsync({ describe, it, device: 'webgpu', compareWith: 'cpu', fixtures })
 */
export interface AsyncConformanceOptions
  extends Omit<ConformanceOptions, 'checks'>,
    Pick<AsyncSuiteOptions, 'checks'> {}

/** Why a check does not apply to a case, as the check itself would say. */
function checkSkipReason(
  kind: CheckKind,
  c: SampleCase,
  opts: ConformanceOptions | AsyncConformanceOptions,
): string | null {
  if (kind === 'fixture' && !opts.requireFixtures) return fixtureSkipReason(c, opts.fixtures);
  if (kind === 'gradcheck' || kind === 'gradgradcheck') return gradcheckSkipReason(c);
  if (kind === 'layouts') return layoutSkipReason(c, opts);
  if (kind === 'devices' && !opts.compareWith) return 'no second device (compareWith) given';
  return null;
}

/** Why a declared check is skipped: the check's own reasons, then (async suite) the device's. */
function skipReason(
  kind: CheckKind,
  c: SampleCase,
  opts: ConformanceOptions | AsyncConformanceOptions,
  onDevice: boolean,
): string | null {
  const own = knownIssue(kind, c, opts) ?? checkSkipReason(kind, c, opts);
  if (own || !onDevice) return own;
  return deviceSkipReason(kind, c, opts);
}

/** Declares the suite: a coverage test, then one test per op, sample and check. */
function declareConformance(
  opts: ConformanceOptions | AsyncConformanceOptions,
  checks: readonly CheckKind[],
  async: boolean,
): void {
  const { describe, it } = opts;
  const device = opts.device ?? 'cpu';
  const assertPassed = (r: CheckResult): void => {
    if (r.status === 'fail' || (r.status === 'skip' && opts.requireFixtures)) {
      throw new Error(`${r.op} [${r.sample}] ${r.check}: ${r.message}`);
    }
  };
  describe(`conformance on '${device}'`, () => {
    it('every op has samples and a kernel', () => {
      const r = coverageReport({ device, ops: opts.ops, fixtures: opts.fixtures });
      const fail = r.missingSamples.length > 0 || r.missingKernels.length > 0;
      if (fail && opts.requireCoverage !== false) throw new Error(formatCoverage(r));
    });
    if (opts.knownIssues) {
      it('every known issue names a checked op, sample or check', () => {
        const unused = unusedIssues(opts, checks);
        if (unused.length) throw new Error(`knownIssues match no check: ${unused.join('; ')}`);
      });
    }
    for (const op of selectedOps(opts)) {
      const cases = sampleCases(op);
      // Ops without samples are reported by the coverage test above.
      if (!cases.length) continue;
      describe(op.def.name, () => {
        for (const c of cases) {
          for (const kind of checks) {
            const title = `${c.sample.name}: ${kind}`;
            const reason = skipReason(kind, c, opts, async);
            if (reason && it.skip) {
              it.skip(`${title} (skipped: ${reason})`, () => {});
              continue;
            }
            // Without `it.skip`, a test that reports the skip (the reason was worked out above).
            if (reason) it(title, () => assertPassed(skipped(kind, c, reason)));
            else if (async) it(title, () => runCheckAsync(kind, c, opts).then(assertPassed));
            else it(title, () => assertPassed(runCheck(kind, c, opts)));
          }
        }
      });
    }
  });
}

/**
 * Declares the conformance suite in a test framework: one `describe` per op, one test per sample
 * and check, plus a coverage test (every op has samples and a kernel on the device). Skipped
 * checks are declared with `it.skip` and their reason, so they show in the report.
 * The framework is passed in, so this package does not depend on one.
 * @example
 * import { describe, expect, it } from 'vitest';
 * import { runConformance } from '@autodag/testing';
 * runConformance({ describe, it, ops: ['myplugin.softplus'], fixtures });
 */
export function runConformance(opts: ConformanceOptions): void {
  const checks =
    opts.checks ?? (opts.compareWith ? [...DEFAULT_CHECKS, 'devices'] : DEFAULT_CHECKS);
  declareConformance(opts, checks, false);
}

/**
 * `runConformance` for every device, those that only read asynchronously (WebGPU) included:
 * tests are async functions reading with `await t.data()`. Runs the forward, fixture and layout
 * checks, and `devices` (outputs and gradients, the backward on each device) when `compareWith`
 * is given. Checks a device cannot run are declared with `it.skip` and the reason
 * (`deviceSkipReason`): float64 samples where the device refuses float64, checks that reach ops
 * without a kernel on the device (named). Call it once the device is registered with its
 * kernels (e.g. after `await initWebGPU()`): the skips are decided as the tests are declared.
 * @example
 * await initWebGPU();
 * runConformanceAsync({ describe, it, device: 'webgpu', compareWith: 'cpu', fixtures });
 */
export function runConformanceAsync(opts: AsyncConformanceOptions): void {
  const checks =
    opts.checks ??
    (opts.compareWith ? [...DEFAULT_ASYNC_CHECKS, 'devices' as const] : DEFAULT_ASYNC_CHECKS);
  declareConformance(opts, checks, true);
}
