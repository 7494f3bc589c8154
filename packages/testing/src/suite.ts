import type { RegisteredOp } from '@autodag/core';
import { getOp, listOps } from '@autodag/core';
import type { CheckKind, CheckOptions, CheckResult, SampleCase } from './checks.js';
import {
  checkFixture,
  checkForward,
  checkGradients,
  checkLayouts,
  checkSecondOrder,
  compareDevicesOnSample,
  fixtureSkipReason,
  gradcheckSkipReason,
  layoutSkipReason,
  sampleCases,
} from './checks.js';
import { coverageReport, formatCoverage } from './coverage.js';

/**
 * Options of `runChecks` and `runConformance`.
 * @example runChecks({ ops: ['mul'], checks: ['forward', 'gradgradcheck'] })
 */
export interface SuiteOptions extends CheckOptions {
  /** Ops to check (default: every registered op). */
  readonly ops?: readonly string[];
  /** Checks to run (default: forward, fixture, gradcheck, layouts; `gradgradcheck` and `devices` on request). */
  readonly checks?: readonly CheckKind[];
  /** A second device for the `devices` check (compares `device` against it). */
  readonly compareWith?: string;
}

const DEFAULT_CHECKS: readonly CheckKind[] = ['forward', 'fixture', 'gradcheck', 'layouts'];

function selectedOps(opts: SuiteOptions): RegisteredOp[] {
  return (opts.ops ?? listOps()).map((n) => getOp(n));
}

function runCheck(kind: CheckKind, c: SampleCase, opts: SuiteOptions): CheckResult {
  switch (kind) {
    case 'forward':
      return checkForward(c, opts);
    case 'fixture':
      return checkFixture(c, opts);
    case 'gradcheck':
      return checkGradients(c, opts);
    case 'gradgradcheck':
      return checkSecondOrder(c, opts);
    case 'layouts':
      return checkLayouts(c, opts);
    case 'devices':
      if (!opts.compareWith) {
        return {
          op: c.op.def.name,
          sample: c.sample.name,
          check: 'devices',
          status: 'skip',
          message: 'no second device (compareWith) given',
        };
      }
      return compareDevicesOnSample(c, opts.device ?? 'cpu', opts.compareWith, opts);
  }
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
      for (const kind of checks) out.push(runCheck(kind, c, opts));
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

/**
 * The subset of a test framework's API the adapter uses (vitest, jest and mocha all fit).
 * @example import { describe, it } from 'vitest'; runConformance({ describe, it })
 */
export interface TestApi {
  /** Declares a group of tests. */
  describe: (name: string, fn: () => void) => void;
  /** Declares one test; `it.skip`, when present, declares a skipped one (with its reason in the name). */
  it: ((name: string, fn: () => void) => void) & {
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

function skipReason(kind: CheckKind, c: SampleCase, opts: ConformanceOptions): string | null {
  if (kind === 'fixture' && !opts.requireFixtures) return fixtureSkipReason(c, opts.fixtures);
  if (kind === 'gradcheck' || kind === 'gradgradcheck') return gradcheckSkipReason(c);
  if (kind === 'layouts') return layoutSkipReason(c, opts);
  if (kind === 'devices' && !opts.compareWith) return 'no second device (compareWith) given';
  return null;
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
  const { describe, it } = opts;
  const device = opts.device ?? 'cpu';
  const checks =
    opts.checks ?? (opts.compareWith ? [...DEFAULT_CHECKS, 'devices'] : DEFAULT_CHECKS);
  describe(`conformance on '${device}'`, () => {
    it('every op has samples and a kernel', () => {
      const r = coverageReport({ device, ops: opts.ops, fixtures: opts.fixtures });
      const fail = r.missingSamples.length > 0 || r.missingKernels.length > 0;
      if (fail && opts.requireCoverage !== false) throw new Error(formatCoverage(r));
    });
    for (const op of selectedOps(opts)) {
      const cases = sampleCases(op);
      // Ops without samples are reported by the coverage test above.
      if (!cases.length) continue;
      describe(op.def.name, () => {
        for (const c of cases) {
          for (const kind of checks) {
            const title = `${c.sample.name}: ${kind}`;
            const reason = skipReason(kind, c, opts);
            if (reason && it.skip) {
              it.skip(`${title} (skipped: ${reason})`, () => {});
              continue;
            }
            it(title, () => {
              const r = runCheck(kind, c, opts);
              if (r.status === 'fail' || (r.status === 'skip' && opts.requireFixtures)) {
                throw new Error(`${r.op} [${r.sample}] ${r.check}: ${r.message}`);
              }
            });
          }
        }
      });
    }
  });
}
