/**
 * @autodag/testing: the registry-driven conformance suite. For every registered op with
 * `samples`, it checks forward values against PyTorch fixtures, gradients against float64 finite
 * differences, non-contiguous inputs against contiguous ones, and one device against another.
 * Plugin and backend authors call it from their own tests; it does not depend on a test framework.
 * @packageDocumentation
 */
export type {
  CheckKind,
  CheckOptions,
  CheckResult,
  SampleCase,
} from './checks.js';
export {
  checkFixture,
  checkForward,
  checkGradients,
  checkLayouts,
  checkSecondOrder,
  compareDevicesOnSample,
  fixtureSkipReason,
  gradcheckSkipReason,
  LAYOUT_SENSITIVE_OPS,
  layoutSkipReason,
  sampleCases,
} from './checks.js';
export type { Tolerance, Values } from './compare.js';
export { compareArrays, DEFAULT_TOLERANCES, GRAD_TOLERANCES } from './compare.js';
export type { CoverageReport } from './coverage.js';
export { coverageReport, formatCoverage } from './coverage.js';
export type { DumpedInput, DumpedSample, DumpedSamples } from './dump.js';
export { dumpSamples } from './dump.js';
export type { RunOptions, SampleRun } from './execute.js';
export {
  analyticGrads,
  differentiableArgs,
  differentiableOutputs,
  runSample,
  weightedLoss,
} from './execute.js';
export type { FixtureFile, FixtureSample, FixtureTensor } from './fixtures.js';
export { dtypeMatches, fixtureValues, mergeFixtures, parseFixtures } from './fixtures.js';
export type { GradcheckOptions, GradcheckResult } from './gradcheck.js';
export { gradcheckSample } from './gradcheck.js';
export type { InputValues, Layout } from './materialize.js';
export { buildTensor, sampleValues } from './materialize.js';
export { digestInputs, fnv1a, gradWeights } from './seed.js';
export type { ConformanceOptions, SuiteOptions, TestApi } from './suite.js';
export { compareDevices, runChecks, runConformance } from './suite.js';
