import type { Kernel } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { type PointwiseSpec, pointwiseKernel } from './pointwise.js';

/**
 * `compareMask`: 1 where `input <cmp> other` (broadcasting), else 0, in the `dtype` attribute's
 * type; the masks that route the gradients of max/min/amax/norm. A float NaN compares false, as
 * on the CPU (tested on the bits: fast math cannot be trusted with NaN).
 */
type Cmp = 'eq' | 'gt' | 'lt';

const OPERATORS: Record<Cmp, string> = { eq: '==', gt: '>', lt: '<' };

function spec(cmp: Cmp): PointwiseSpec {
  const op = OPERATORS[cmp];
  return {
    expr: (c) => (c === 'f32' ? `x ${op} y && !isnan_(x) && !isnan_(y)` : `x ${op} y`),
    predicate: true,
  };
}

/**
 * Registers `compareMask` on a WebGPU backend.
 * @example registerCompareMaskKernel(backend)
 */
export function registerCompareMaskKernel(backend: WebGPUBackend): void {
  const kernels: Record<string, Kernel> = {};
  for (const cmp of Object.keys(OPERATORS) as Cmp[]) {
    kernels[cmp] = pointwiseKernel(2, spec(cmp));
  }
  const kernel: Kernel<{ cmp: Cmp }> = (inputs, outputs, attrs) => {
    const k = kernels[attrs.cmp];
    if (!k) throw new TypeError(`compareMask: cmp must be 'eq', 'gt' or 'lt', got '${attrs.cmp}'`);
    k(inputs, outputs, attrs);
  };
  registerKernel('compareMask', backend.name, kernel);
}
