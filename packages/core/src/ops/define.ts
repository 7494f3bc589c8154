import { zeros } from '../creation.js';
import { dispatch, dispatch1 } from '../dispatch.js';
import type { DType } from '../dtype.js';
import { isFloatingPoint } from '../dtype.js';
import type { OpDefinition, RegisteredOp, TensorMeta, VjpFn } from '../registry.js';
import { defineOp } from '../registry.js';
import { broadcastShapes, formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';

/**
 * Shorthands for defining core ops. Each returns the registered op; call it with `run`/`runAll`.
 * They are thin wrappers over the public `defineOp`, the same API plugins use.
 * @example export const squareOp = op({ name: 'square', inputs: ['input'], composite: ([x]) => x!.mul(x!) });
 */
export function op<A = Record<string, never>>(def: OpDefinition<A>): RegisteredOp<A> {
  return defineOp(def, { override: true });
}

/**
 * Runs a single-output op with already-normalised attributes.
 * @example run(negOp, [x]) // what torch.neg(x) does
 */
export function run<A>(o: RegisteredOp<A>, args: readonly Tensor[], attrs: A = {} as A): Tensor {
  return dispatch1(o as RegisteredOp, args, attrs);
}

/**
 * Runs a multi-output op.
 * @example const [values, indices] = runAll(maxOp, [x], { dim: 1, keepdim: false });
 */
export function runAll<A>(
  o: RegisteredOp<A>,
  args: readonly Tensor[],
  attrs: A = {} as A,
): Tensor[] {
  return dispatch(o as RegisteredOp, args, attrs);
}

/**
 * Infer rule for same-dtype elementwise binary ops: broadcast shapes, keep (or set) the dtype.
 * @example infer: binaryInfer('eq', 'bool')
 */
export function binaryInfer(name: string, outDType?: DType) {
  return ([a, b]: readonly Tensor[]): TensorMeta => {
    if (a!.dtype !== b!.dtype) {
      throw new TypeError(
        `${name}: expected both operands to have the same dtype, got ${a!.dtype} and ${b!.dtype}`,
      );
    }
    return { shape: broadcastShapes(a!.shape, b!.shape, name), dtype: outDType ?? a!.dtype };
  };
}

/**
 * Infer rule for elementwise unary ops.
 * @example infer: unaryInfer('exp', { floatOnly: true })
 */
export function unaryInfer(name: string, opts: { floatOnly?: boolean; outDType?: DType } = {}) {
  return ([x]: readonly Tensor[]): TensorMeta => {
    if (opts.floatOnly && !isFloatingPoint(x!.dtype)) {
      throw new TypeError(
        `${name}: expected a floating point tensor, got ${x!.dtype} (cast with .float() first)`,
      );
    }
    return { shape: x!.shape, dtype: opts.outDType ?? x!.dtype };
  };
}

/**
 * The VJP of argument `i` where the function is piecewise constant in it (floor, sign, ...) or
 * overwrites it: zeros shaped like that argument.
 * @example vjp: { input: zeroGradOf(0), other: zeroGradOf(1) }
 */
export function zeroGradOf(i: number): VjpFn {
  return ({ grad, inputMetas }) =>
    zeros(inputMetas[i]!.shape, { dtype: grad.dtype, device: grad.device });
}

/**
 * Error for two shapes that must agree.
 * @example shapeMismatch('mm', 'mat1 and mat2 shapes cannot be multiplied', a.shape, b.shape)
 */
export function shapeMismatch(
  name: string,
  what: string,
  a: readonly number[],
  b: readonly number[],
): never {
  throw new RangeError(`${name}: ${what} (got shapes ${formatShape(a)} and ${formatShape(b)})`);
}
