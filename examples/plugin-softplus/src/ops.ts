import type { Kernel, Tensor, TensorMeta } from '@autodag/core';
import { callOp, defineOp, isFloatingPoint, registerKernel } from '@autodag/core';
import { erfScalar } from './erf.js';
import type { FloatArray } from './strided.js';
import { readDense } from './strided.js';

/**
 * The plugin's ops, registered through @autodag/core's public plugin API only. Names are
 * namespaced with the package name so they cannot collide with core ops or other plugins.
 * @example torch.listKernels(`${NAMESPACE}.softplus`) // ['cpu']
 */
export const NAMESPACE = 'autodag-plugin-softplus';

/**
 * Attributes of softplus and its derivative.
 * @example callOp(softplusOp, [x], { beta: 2, threshold: 20 } satisfies SoftplusAttrs)
 */
export interface SoftplusAttrs {
  /** β in log(1 + exp(βx)) / β (default 1). */
  beta: number;
  /** Where βx exceeds it, softplus is x and its derivative 1 (default 20). */
  threshold: number;
}

const softplusAttrs = {
  beta: { type: 'float', default: 1, doc: 'β in log(1 + exp(βx)) / β' },
  threshold: { type: 'float', default: 20, doc: 'above βx > threshold the result is x' },
} as const;

function floatInfer(name: string) {
  return ([x]: readonly Tensor[]): TensorMeta => {
    if (!isFloatingPoint(x!.dtype)) {
      throw new TypeError(`${name}: expected a floating point tensor, got ${x!.dtype}`);
    }
    return { shape: x!.shape, dtype: x!.dtype };
  };
}

/**
 * d softplus / dx: σ(βx), or 1 where βx > threshold (the linear branch). Its own derivative is
 * β·s·(1 - s) with s the output, which is 0 on the linear branch where s = 1, so every order of
 * gradient follows from ops.
 * @example callOp(softplusGradOp, [torch.tensor([0, 30])]) // tensor([0.5000, 1.0000])
 */
export const softplusGradOp = defineOp<SoftplusAttrs>({
  name: `${NAMESPACE}.softplusGrad`,
  inputs: ['input'],
  attrs: softplusAttrs,
  infer: floatInfer('softplus_backward'),
  saveInputs: [],
  saveOutputs: true,
  vjp: {
    input: ({ grad, outputs, attrs }) => {
      const s = outputs[0]!;
      return grad.mul(s.mul(s.neg().add(1)).mul(attrs.beta));
    },
  },
  samples: () => [
    { name: 'default', inputs: [{ shape: [3, 4], low: -4, high: 4 }] },
    {
      name: 'both branches',
      inputs: [{ shape: [6], values: [-2, -0.5, 0.1, 0.45, 0.6, 3] }],
      attrs: { beta: 2, threshold: 1 },
    },
    { name: 'float64', inputs: [{ shape: [2, 3], dtype: 'float64', low: -3, high: 3 }] },
  ],
  doc: 'Derivative of softplus: sigmoid(beta * x), 1 above the threshold.',
});

/**
 * softplus(x) = log(1 + exp(βx)) / β, and x where βx > threshold (PyTorch's definition). The
 * `softplus` function calls it with the defaults filled in.
 * @example callOp(softplusOp, [torch.tensor([0])], { beta: 2 }) // tensor([0.3466])
 */
export const softplusOp = defineOp<SoftplusAttrs>({
  name: `${NAMESPACE}.softplus`,
  inputs: ['input'],
  attrs: softplusAttrs,
  infer: floatInfer('softplus'),
  saveInputs: [0],
  vjp: {
    input: ({ grad, inputs, attrs }) =>
      grad.mul(callOp(softplusGradOp, [inputs[0]!], { ...attrs }) as Tensor),
  },
  samples: () => [
    { name: 'default', inputs: [{ shape: [3, 4], low: -3, high: 3 }] },
    {
      name: 'beta and threshold',
      inputs: [{ shape: [2, 4], low: -2, high: 2 }],
      attrs: { beta: 2, threshold: 1 },
    },
    { name: 'large inputs', inputs: [{ shape: [5], values: [-30, -15, 15, 19.5, 25] }] },
    {
      name: 'float64 transposed',
      inputs: [{ shape: [3, 2], dtype: 'float64', layout: 'transposed' }],
      attrs: { beta: 0.5 },
    },
    { name: '0-d', inputs: [{ shape: [], values: [0.3] }] },
  ],
  doc: 'Smooth approximation of relu: log(1 + exp(beta * x)) / beta.',
});

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The Gauss error function, for floating inputs (`erf` casts others to float32 first).
 * @example callOp(erfOp, [torch.tensor([1])]) // tensor([0.8427])
 */
export const erfOp = defineOp({
  name: `${NAMESPACE}.erf`,
  inputs: ['input'],
  infer: floatInfer('erf'),
  saveInputs: [0],
  vjp: {
    // d erf / dx = 2/√π · e^{-x²}
    input: ({ grad, inputs }) => {
      const x = inputs[0]!;
      return grad.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI));
    },
  },
  samples: () => [
    { name: 'matrix', inputs: [{ shape: [3, 4], low: -3, high: 3 }] },
    {
      name: 'float64 tails',
      inputs: [
        {
          shape: [12],
          dtype: 'float64',
          values: [-7, -4.5, -2.5, -2, -1.999, -0.3, 0, 1e-8, 0.7, 1.95, 3.5, 6.5],
        },
      ],
    },
    { name: 'float64 random', inputs: [{ shape: [4, 5], dtype: 'float64', low: -4, high: 4 }] },
    { name: 'strided', inputs: [{ shape: [2, 3], low: -2, high: 2, layout: 'strided' }] },
    { name: '0-d', inputs: [{ shape: [], values: [-0.8] }] },
  ],
  doc: 'Gauss error function erf(x) = 2/sqrt(pi) * integral of exp(-t^2) from 0 to x.',
});

// ---- CPU kernels: inputs may have any strides; outputs are fresh and contiguous --------------

const softplusKernel: Kernel<SoftplusAttrs> = ([x], [out], { beta, threshold }) => {
  const src = readDense(x!);
  const o = out!.storage.data as FloatArray;
  for (let i = 0; i < o.length; i++) {
    const v = src[i]!;
    const bx = beta * v;
    o[i] = bx > threshold ? v : Math.log1p(Math.exp(bx)) / beta;
  }
};

const softplusGradKernel: Kernel<SoftplusAttrs> = ([x], [out], { beta, threshold }) => {
  const src = readDense(x!);
  const o = out!.storage.data as FloatArray;
  for (let i = 0; i < o.length; i++) {
    const bx = beta * src[i]!;
    o[i] = bx > threshold ? 1 : 1 / (1 + Math.exp(-bx));
  }
};

const erfKernel: Kernel = ([x], [out]) => {
  const src = readDense(x!);
  const o = out!.storage.data as FloatArray;
  for (let i = 0; i < o.length; i++) o[i] = erfScalar(src[i]!);
};

/**
 * Registers the CPU kernels of `softplus`, `softplusGrad` and `erf` (done on import; call again
 * to restore them after `unregisterKernel`).
 * @example torch.unregisterKernel(erfOp.def.name, 'cpu'); registerCpuKernels()
 */
export function registerCpuKernels(): void {
  registerKernel(softplusOp.def.name, 'cpu', softplusKernel);
  registerKernel(softplusGradOp.def.name, 'cpu', softplusGradKernel);
  registerKernel(erfOp.def.name, 'cpu', erfKernel);
}

registerCpuKernels();
