import { getOp, listOps } from '@autodag/core';
import type { FixtureFile } from './fixtures.js';

/**
 * What the registry lacks for a device: ops without samples, kernels or PyTorch fixtures.
 * @example coverageReport({ device: 'cpu' }).missingSamples // []
 */
export interface CoverageReport {
  /** Device the kernel column refers to. */
  readonly device: string;
  /** Ops examined. */
  readonly ops: readonly string[];
  /** Ops with no conformance samples (every op needs at least one). */
  readonly missingSamples: readonly string[];
  /** Kernel ops (not view, not composite) without a kernel for `device`. */
  readonly missingKernels: readonly string[];
  /** Ops with samples but no PyTorch fixture at all (unmapped in gen_fixtures.py, or not regenerated). */
  readonly missingFixtures: readonly string[];
}

/**
 * Which registered ops lack samples, a kernel on `device`, or PyTorch fixtures.
 * @example
 * const r = coverageReport({ device: 'cpu' });
 * r.missingKernels // [] when the CPU backend implements every kernel op
 */
export function coverageReport(
  opts: { device?: string; ops?: readonly string[]; fixtures?: FixtureFile } = {},
): CoverageReport {
  const device = opts.device ?? 'cpu';
  const names = (opts.ops ?? listOps()).slice().sort();
  const missingSamples: string[] = [];
  const missingKernels: string[] = [];
  const missingFixtures: string[] = [];
  for (const name of names) {
    const op = getOp(name);
    const samples = op.def.samples?.() ?? [];
    if (!samples.length) missingSamples.push(name);
    const needsKernel = !op.def.view && !op.def.composite && !op.def.decomposition;
    if (needsKernel && !op.kernels.has(device)) missingKernels.push(name);
    if (samples.length && opts.fixtures && !opts.fixtures.ops[name]) missingFixtures.push(name);
  }
  return { device, ops: names, missingSamples, missingKernels, missingFixtures };
}

/**
 * The report as readable lines, e.g. for a test log or a CI summary.
 * @example console.log(formatCoverage(coverageReport()))
 */
export function formatCoverage(r: CoverageReport): string {
  const line = (what: string, list: readonly string[]) =>
    `${what}: ${list.length ? list.join(', ') : 'none'}`;
  return [
    `${r.ops.length} ops checked on '${r.device}'`,
    line('ops without samples', r.missingSamples),
    line(`ops without a '${r.device}' kernel`, r.missingKernels),
    line('ops without PyTorch fixtures', r.missingFixtures),
  ].join('\n');
}
