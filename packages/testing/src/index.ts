/**
 * @autodag/testing: the registry-driven conformance suite. For every registered op with
 * `samples`, it checks forward values against PyTorch fixtures, gradients against float64 finite
 * differences, non-contiguous inputs against contiguous ones, and one device against another.
 * Plugin and backend authors call it from their own tests; it does not depend on a test framework.
 * The `*Async` functions read with `await t.data()`, so they also check devices that cannot read
 * synchronously (WebGPU).
 * @packageDocumentation
 */
export type {
  AsyncCheckKind,
  CheckKind,
  CheckOptions,
  CheckResult,
  RunCheckOptions,
  SampleCase,
} from './checks.js';
export {
  checkFixture,
  checkFixtureAsync,
  checkForward,
  checkForwardAsync,
  checkGradients,
  checkLayouts,
  checkLayoutsAsync,
  checkSecondOrder,
  compareDevicesOnSample,
  compareDevicesOnSampleAsync,
  fixtureSkipReason,
  gradcheckSkipReason,
  LAYOUT_SENSITIVE_OPS,
  layoutSkipReason,
  runCheck,
  runCheckAsync,
  sampleCases,
  syncOnlyReason,
} from './checks.js';
export type { Tolerance, Values } from './compare.js';
export { compareArrays, DEFAULT_TOLERANCES, GRAD_TOLERANCES } from './compare.js';
export type { CoverageReport } from './coverage.js';
export { coverageReport, formatCoverage } from './coverage.js';
export type { DumpedInput, DumpedSample, DumpedSamples } from './dump.js';
export { dumpSamples } from './dump.js';
export type { Reads, RunOptions, SampleRun } from './execute.js';
export {
  analyticGrads,
  analyticGradsAsync,
  differentiableArgs,
  differentiableOutputs,
  gradientReads,
  read,
  readAsync,
  readSync,
  readValues,
  readValuesAsync,
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
export type {
  AsyncConformanceOptions,
  AsyncSuiteOptions,
  ConformanceOptions,
  SuiteOptions,
  TestApi,
} from './suite.js';
export {
  compareDevices,
  compareDevicesAsync,
  runChecks,
  runChecksAsync,
  runConformance,
  runConformanceAsync,
} from './suite.js';
export type { KernelTrace } from './support.js';
export { deviceSkipReason, refusesFloat64, traceKernels } from './support.js';
