import { isFloatingPoint } from '../dtype.js';
import type { RegisteredOp, VjpFn } from '../registry.js';
import { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { op, run, unaryInfer } from './define.js';

/**
 * Elementwise unary float ops. Each declares its VJP with other ops, so second derivatives work.
 * Integer inputs are promoted to float32 first, as PyTorch does for these functions.
 */
function floatUnary(name: string, vjp: VjpFn, save: 'input' | 'output', doc: string): RegisteredOp {
  return op({
    name,
    inputs: ['input'],
    infer: unaryInfer(name, { floatOnly: true }),
    saveInputs: save === 'input' ? [0] : [],
    saveOutputs: save === 'output',
    vjp: { input: vjp },
    doc,
  });
}

/** Promotes integer/bool inputs to float32 (PyTorch's behaviour for transcendental functions). */
export function asFloat(x: Tensor): Tensor {
  return isFloatingPoint(x.dtype) ? x : cast(x, 'float32');
}

export const expOp = floatUnary(
  'exp',
  ({ grad, outputs }) => grad.mul(outputs[0]!),
  'output',
  'e^x',
);
export const logOp = floatUnary(
  'log',
  ({ grad, inputs }) => grad.div(inputs[0]!),
  'input',
  'Natural logarithm.',
);
export const tanhOp = floatUnary(
  'tanh',
  ({ grad, outputs }) => grad.mul(outputs[0]!.mul(outputs[0]!).neg().add(1)),
  'output',
  'Hyperbolic tangent.',
);

/** e^x elementwise. @example torch.exp(x) */
export function exp(x: Tensor): Tensor {
  return run(expOp, [asFloat(x)]);
}

/** Natural logarithm. @example torch.log(u) */
export function log(x: Tensor): Tensor {
  return run(logOp, [asFloat(x)]);
}

/** Hyperbolic tangent. @example torch.tanh(w1.matmul(x).add(b1)) */
export function tanh(x: Tensor): Tensor {
  return run(tanhOp, [asFloat(x)]);
}

declare module '../tensor.js' {
  interface Tensor {
    /** e^x. @example x.exp() */
    exp(): Tensor;
    /** Natural log. @example x.log() */
    log(): Tensor;
    /** Hyperbolic tangent. @example x.tanh() */
    tanh(): Tensor;
  }
}

Tensor.prototype.exp = function (this: Tensor) {
  return exp(this);
};
Tensor.prototype.log = function (this: Tensor) {
  return log(this);
};
Tensor.prototype.tanh = function (this: Tensor) {
  return tanh(this);
};
