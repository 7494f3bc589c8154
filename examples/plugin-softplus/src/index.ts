/**
 * autodag-plugin-softplus: an example third-party op plugin. Importing it registers `softplus`
 * and `erf` (with CPU kernels, VJPs and conformance samples) in @autodag/core's op registry, using
 * only the public plugin API, and exports their functional forms. Their WGSL kernels are in
 * `autodag-plugin-softplus/webgpu` (src/webgpu.ts).
 * @example
 * import * as torch from 'autodag';
 * import { erf, softplus } from 'autodag-plugin-softplus';
 * softplus(torch.tensor([-1, 0, 1])); // tensor([0.3133, 0.6931, 1.3133])
 * @packageDocumentation
 */
import type { Tensor } from '@autodag/core';
import { callOp, isFloatingPoint } from '@autodag/core';
import { erfOp, softplusOp } from './ops.js';

export { erfScalar } from './erf.js';
export type { SoftplusAttrs } from './ops.js';
export { erfOp, NAMESPACE, registerCpuKernels, softplusGradOp, softplusOp } from './ops.js';

/**
 * Options of `softplus` (PyTorch's keywords).
 * @example softplus(x, { beta: 2, threshold: 10 })
 */
export interface SoftplusOptions {
  /** β in log(1 + exp(βx)) / β (default 1). */
  beta?: number;
  /** Above βx > threshold the result is x, for numerical stability (default 20). */
  threshold?: number;
}

/**
 * softplus(x) = log(1 + exp(β·x)) / β, reverting to x where β·x > threshold, like
 * `torch.nn.functional.softplus`. Differentiable to any order.
 * @example softplus(torch.tensor([-1, 0, 1]), { beta: 2 }) // tensor([0.0635, 0.3466, 1.0635])
 */
export function softplus(input: Tensor, opts: SoftplusOptions = {}): Tensor {
  return callOp(softplusOp, [input], {
    beta: opts.beta ?? 1,
    threshold: opts.threshold ?? 20,
  }) as Tensor;
}

/**
 * The Gauss error function, elementwise, like `torch.erf` (integer and bool inputs give float32).
 * @example erf(torch.tensor([0, 0.5, 1])) // tensor([0.0000, 0.5205, 0.8427])
 */
export function erf(input: Tensor): Tensor {
  const x = isFloatingPoint(input.dtype) ? input : input.float();
  return callOp(erfOp, [x]) as Tensor;
}
