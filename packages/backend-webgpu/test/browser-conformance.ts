import { getOp } from '@autodag/core';
import {
  deviceSkipReason,
  differentiableArgs,
  mergeFixtures,
  parseFixtures,
  runCheckAsync,
  type SampleCase,
  sampleCases,
} from '@autodag/testing';
import ops from '@autodag/testing/fixtures/ops.json' with { type: 'json' };
import conv from '../../ops-nn/test/fixtures/conv.json' with { type: 'json' };
import layers from '../../ops-nn/test/fixtures/layers.json' with { type: 'json' };
import losses from '../../ops-nn/test/fixtures/losses.json' with { type: 'json' };

/**
 * The part of the conformance suite the browser test runs (conformance.test.ts runs all of it in
 * Node): a few ops of each family, core and nn, kernels and decompositions, each checked against
 * PyTorch's fixtures (outputs and gradients) and against the CPU backend (outputs, and gradients
 * with the backward on WebGPU).
 */
export const REPRESENTATIVE_OPS: Readonly<Record<string, readonly string[]>> = {
  unary: ['exp', 'tanh', 'sigmoid', 'log'],
  binary: ['add', 'mul', 'div', 'pow'],
  'compare and select': ['where', 'maximum', 'gt'],
  clamp: ['clamp'],
  reductions: ['sum', 'mean', 'amax', 'logsumexp', 'var'],
  cumulative: ['cumsum'],
  'matrix products': ['mm', 'bmm', 'mv'],
  indexing: ['indexSelect', 'gather', 'scatterAdd'],
  'join and reorder': ['cat', 'stack', 'flip'],
  cast: ['cast'],
  activations: ['relu', 'nn.gelu', 'nn.softmax', 'nn.logSoftmax'],
  'convolution and pooling': ['nn.conv2d', 'nn.maxPool2d', 'nn.avgPool2d'],
  normalisation: ['nn.batchNorm', 'nn.layerNorm'],
  losses: ['nn.crossEntropy', 'nn.nllLoss', 'nn.mseLoss'],
  layers: ['nn.linear'],
};

/**
 * Checks that fail in Chromium's WebGPU (SwiftShader) for a known reason, keyed
 * `op > sample: check`. The test requires each to fail still, so an entry goes once fixed.
 */
export const BROWSER_KNOWN_ISSUES: Readonly<Record<string, string>> = {};

/** What one op gave: passed checks by kind, and how many passed checks compared gradients. */
export interface OpConformance {
  fixture: number;
  devices: number;
  gradients: number;
}

/** The results, small enough to hand from the page (or a worker) to the test. */
export interface ConformanceSummary {
  byOp: Record<string, OpConformance>;
  /** Failed checks that BROWSER_KNOWN_ISSUES does not name, with their messages. */
  failures: string[];
  /** The BROWSER_KNOWN_ISSUES keys whose check failed, as expected. */
  knownFailures: string[];
  skipped: number;
}

/** The samples run of each op: its first three, and its edge values (NaN, infinities, zeros). */
function representativeCases(name: string): SampleCase[] {
  return sampleCases(getOp(name)).filter((c, i) => i < 3 || c.sample.name === 'edge values');
}

/**
 * Runs the fixture and devices checks of the representative samples of REPRESENTATIVE_OPS on
 * `device`, skipping what the device cannot run (float64) with the reason, as the suite does.
 * @example const { failures } = await representativeConformance('webgpu');
 */
export async function representativeConformance(device: string): Promise<ConformanceSummary> {
  const fixtures = mergeFixtures(...[ops, conv, layers, losses].map((f) => parseFixtures(f)));
  const opts = { device, compareWith: 'cpu', fixtures };
  const summary: ConformanceSummary = { byOp: {}, failures: [], knownFailures: [], skipped: 0 };
  for (const name of Object.values(REPRESENTATIVE_OPS).flat()) {
    const counts: OpConformance = { fixture: 0, devices: 0, gradients: 0 };
    summary.byOp[name] = counts;
    for (const c of representativeCases(name)) {
      const grads = differentiableArgs(c.op, c.sample, { ignoreNoGrad: true }).length > 0;
      for (const kind of ['fixture', 'devices'] as const) {
        const reason = deviceSkipReason(kind, c, opts);
        const r = reason ? null : await runCheckAsync(kind, c, opts);
        const key = `${name} > ${c.sample.name}: ${kind}`;
        if (r === null || r.status === 'skip') summary.skipped++;
        else if (r.status === 'fail' && key in BROWSER_KNOWN_ISSUES)
          summary.knownFailures.push(key);
        else if (r.status === 'fail') summary.failures.push(`${key}: ${r.message}`);
        if (r?.status !== 'pass') continue;
        counts[kind]++;
        if (grads) counts.gradients++;
      }
    }
  }
  return summary;
}
