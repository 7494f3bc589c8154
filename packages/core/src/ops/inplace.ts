import { checkTensor, checkTensorOrScalar } from '../arg-check.js';
import { fromTypedArray, ones, scalarTensor } from '../creation.js';
import { dtypeCategory, isFloatingPoint, scalarTypeName, typedArrayFor } from '../dtype.js';
import { isGradEnabled, noGrad } from '../grad-mode.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import type { OpSample, RegisteredOp, TensorMeta } from '../registry.js';
import { broadcastShapes, formatShape, isContiguous, numelOf, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import type { AlphaOptions, DivOptions } from './binary.js';
import { add, div, fmod, mul, neg, pow, remainder, sub } from './binary.js';
import { cast } from './cast.js';
import type { ClampOptions } from './clamp.js';
import { clamp } from './clamp.js';
import { where } from './compare.js';
import { op, run, zeroGradOf } from './define.js';
import type { Scalar, TensorOrScalar } from './promotion.js';
import {
  abs,
  ceil,
  cos,
  exp,
  expm1,
  floor,
  log,
  log1p,
  reciprocal,
  relu,
  round,
  rsqrt,
  sigmoid,
  sign,
  sin,
  sqrt,
  square,
  tanh,
} from './unary.js';
import { clone, expand, sumTo, viewScatterOp } from './view.js';

/**
 * In-place ops. Each computes its result out of place (recording the graph as usual), then
 * writes it into the target's storage with the `assign` kernel, bumps the version counter,
 * and moves the target to the new node of the graph, as PyTorch rebases history. Writing through
 * a view also rebases the view's base, so gradients through the base see the write.
 */

/**
 * Writes `src` (same shape and dtype) into `dst`'s elements, honouring `dst`'s strides. No outputs.
 * @example noGrad(() => run(assignOp, [dst, src])) // as `overwrite` does
 */
export const assignOp = op({
  name: 'assign',
  inputs: ['dst', 'src'],
  infer: ([dst, src]) => {
    if (!shapesEqual(dst!.shape, src!.shape) || dst!.dtype !== src!.dtype) {
      throw new RangeError(
        `assign: source ${formatShape(src!.shape)} ${src!.dtype} does not match destination ${formatShape(dst!.shape)} ${dst!.dtype}`,
      );
    }
    return [];
  },
  samples: () => [
    { name: 'matrix', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], noGrad: true },
    {
      name: 'transposed',
      inputs: [{ shape: [3, 4], layout: 'transposed' }, { shape: [3, 4] }],
      noGrad: true,
    },
    { name: '0-d', inputs: [{ shape: [] }, { shape: [] }], noGrad: true },
    { name: 'empty', inputs: [{ shape: [0, 2] }, { shape: [0, 2] }], noGrad: true },
  ],
  doc: 'Copies src into dst in place (a backend primitive; autograd goes through `inplace`).',
});

/**
 * Throws PyTorch's errors for in-place writes autograd cannot allow.
 * @example checkInplace(x, 'mul_') // throws for a leaf that requires grad while grad mode is on
 */
export function checkInplace(target: Tensor, opName: string): void {
  checkTensor(target, opName, 'self');
  if (!isGradEnabled() || !target.requiresGrad) return;
  if (target.gradFn === null) {
    throw new Error(
      `${opName}: a leaf Variable that requires grad is being used in an in-place operation.`,
    );
  }
  if (target.base && target.base.gradFn === null && target.base.requiresGrad) {
    throw new Error(
      `${opName}: a view of a leaf Variable that requires grad is being used in an in-place operation.`,
    );
  }
}

/** Options of `inplace`. */
export interface InplaceOptions {
  /** The other tensor arguments of the op: when one requires grad, the graph is recorded. */
  others?: readonly unknown[];
  /** Whether the out-of-place op may save `self` for backward (default true). */
  savesSelf?: boolean;
}

/**
 * Replaces `target`'s values with `compute(self)`'s result (broadcast and cast to `target`), in
 * place. `self` holds `target`'s values: a copy when the graph is being recorded, so that a VJP
 * that saved it still sees the original values after the write (PyTorch saves the original self
 * too). The result may not be of a higher dtype category than the target (a float result cannot
 * be written into an int tensor), as in PyTorch. Returns `target`.
 * @example inplace(x, 'mul_', (self) => self.mul(y), { others: [y] })
 */
export function inplace(
  target: Tensor,
  opName: string,
  compute: (self: Tensor) => Tensor,
  opts: InplaceOptions = {},
): Tensor {
  checkTensor(target, opName, 'self');
  checkInplace(target, opName);
  const recording =
    isGradEnabled() &&
    (target.requiresGrad || (opts.others ?? []).some((o) => o instanceof Tensor && o.requiresGrad));
  const self = recording && opts.savesSelf !== false ? clone(target) : target;
  let result = compute(self);
  if (!shapesEqual(result.shape, target.shape)) {
    try {
      result = expand(result, target.shape);
    } catch {
      throw new RangeError(
        `${opName}: output with shape ${formatShape(target.shape)} doesn't match the broadcast shape ${formatShape(result.shape)}`,
      );
    }
  }
  if (result.dtype !== target.dtype) {
    if (dtypeCategory(result.dtype) > dtypeCategory(target.dtype)) {
      throw new TypeError(
        `${opName}: result type ${scalarTypeName(result.dtype)} can't be cast to the desired output type ${scalarTypeName(target.dtype)}`,
      );
    }
    result = cast(result, target.dtype);
  }
  noGrad(() => run(assignOp, [target, result]));
  target.storage.version++;
  if (isGradEnabled() && (result.requiresGrad || target.requiresGrad)) {
    rebaseView(target, result);
    if (result.gradFn !== null) {
      target.gradFn = result.gradFn;
      target.outputNr = result.outputNr;
    }
  }
  return target;
}

/**
 * After writing `result` through the view `target`, gives the view's base a new history: the old
 * base outside the view's positions, `result` inside (PyTorch's CopySlices). Bases that are not
 * dense row-major keep their history.
 */
function rebaseView(target: Tensor, result: Tensor): void {
  const base = target.base;
  if (!base || base === target || !isContiguous(base.shape, base.strides)) return;
  if (!base.requiresGrad && !result.requiresGrad) return;
  const layout = {
    size: base.shape.slice(),
    shape: target.shape.slice(),
    strides: target.strides.slice(),
    offset: target.offset - base.offset,
  };
  const mask = noGrad(() =>
    run(viewScatterOp, [ones(target.shape, { device: target.device })], layout),
  ).ne(0);
  const scattered = run(viewScatterOp, [result], layout);
  const rebased = where(mask, scattered, base);
  if (rebased.gradFn !== null) {
    base.gradFn = rebased.gradFn;
    base.outputNr = rebased.outputNr;
  }
}

/**
 * Writes raw values (no autograd) into `target`: a low-level helper for initialisers.
 * @example noGrad(() => torch.overwrite(w, torch.zeros(3))) // resets w without recording a graph
 */
export function overwrite(target: Tensor, values: Tensor): Tensor {
  checkTensor(target, 'overwrite', 'target');
  checkTensor(values, 'overwrite', 'values');
  noGrad(() => run(assignOp, [target, cast(expand(values, target.shape), target.dtype)]));
  target.storage.version++;
  return target;
}

// ---- overwrite ops: copy_, fill_, zero_, uniform_, normal_ ------------------------------------

/** Zero gradient for the overwritten tensor: none of its old values survive. */
const zeroForSelf = zeroGradOf(0);

function overwriteOp(
  name: string,
  gradFnName: string,
  srcDiff: boolean,
  doc: string,
): RegisteredOp {
  return op({
    name,
    inputs: ['self', 'src'],
    infer: ([self, src]): TensorMeta => {
      if (self!.dtype !== src!.dtype) {
        throw new TypeError(
          `${name}: expected src of dtype ${self!.dtype} (cast first), got ${src!.dtype}`,
        );
      }
      let shape: number[];
      try {
        shape = broadcastShapes(self!.shape, src!.shape, name);
      } catch {
        shape = [];
      }
      if (!shapesEqual(shape, self!.shape)) {
        throw new RangeError(
          `${name}: the source of shape ${formatShape(src!.shape)} cannot be broadcast to the destination of shape ${formatShape(self!.shape)}`,
        );
      }
      return { shape: self!.shape, dtype: self!.dtype };
    },
    saveInputs: [],
    vjp: srcDiff
      ? { self: zeroForSelf, src: ({ grad, inputMetas }) => sumTo(grad, inputMetas[1]!.shape) }
      : { self: zeroForSelf },
    gradFnName,
    samples: (): OpSample[] => [
      { name: 'broadcast', inputs: [{ shape: [3, 4] }, { shape: [4] }] },
      { name: 'transposed', inputs: [{ shape: [4, 3], layout: 'transposed' }, { shape: [4, 3] }] },
      { name: '0-d', inputs: [{ shape: [] }, { shape: [] }] },
      { name: 'empty', inputs: [{ shape: [0, 2] }, { shape: [2] }] },
      {
        name: 'edge values',
        inputs: [{ shape: [3] }, { shape: [3], values: [NaN, Infinity, -0] }],
        noGrad: true,
      },
    ],
    doc,
  });
}

/** The registered 'copy' op; call it through {@link copy_}. */
export const copyOp = overwriteOp(
  'copy',
  'CopyBackwards',
  true,
  'The values of src, broadcast over self.',
);
/** The registered 'fill' op (scalar value); call it through {@link fill_}. */
export const fillOp = overwriteOp('fill', 'FillBackward2', false, 'self filled with a scalar.');
/** The registered 'fillTensor' op (0-d tensor value); call it through {@link fill_}. */
export const fillTensorOp = overwriteOp(
  'fillTensor',
  'FillBackward3',
  true,
  'self filled with a 0-d tensor.',
);
/** The registered 'zero' op; call it through {@link zero_}. */
export const zeroOp = overwriteOp('zero', 'ZeroBackward0', false, 'self filled with zeros.');
/** The registered 'uniformFill' op; call it through {@link uniform_}. */
export const uniformFillOp = overwriteOp(
  'uniformFill',
  'UniformBackward0',
  false,
  'self filled with uniform samples.',
);
/** The registered 'normalFill' op; call it through {@link normal_}. */
export const normalFillOp = overwriteOp(
  'normalFill',
  'NormalBackward0',
  false,
  'self filled with normal samples.',
);

/**
 * Copies `src` into `target` in place, broadcasting and casting (float to int truncates).
 * Differentiable w.r.t. `src`. Returns `target`.
 * @example const w = torch.empty(2, 3); w.copy_(torch.ones(3));
 */
export function copy_(target: Tensor, src: Tensor): Tensor {
  checkTensor(target, 'copy_', 'self');
  checkTensor(src, 'copy_', 'src');
  return inplace(target, 'copy_', () => run(copyOp, [target, cast(src, target.dtype)]), {
    others: [src],
    savesSelf: false,
  });
}

/**
 * Fills `target` with `value` (a number, boolean, or 0-d tensor, differentiable w.r.t. the tensor).
 * @example torch.empty(3).fill_(7) // tensor([7., 7., 7.])
 */
export function fill_(target: Tensor, value: Scalar | Tensor): Tensor {
  checkTensor(target, 'fill_', 'self');
  checkTensorOrScalar(value, 'fill_', 'value');
  if (value instanceof Tensor) {
    if (value.shape.length !== 0) {
      throw new RangeError(
        `fill_ only supports 0-dimension value tensor but got tensor with ${value.shape.length} dimensions.`,
      );
    }
    return inplace(target, 'fill_', () => run(fillTensorOp, [target, cast(value, target.dtype)]), {
      others: [value],
      savesSelf: false,
    });
  }
  const v = scalarTensor(value, target.dtype, target.device);
  return inplace(target, 'fill_', () => run(fillOp, [target, v]), { savesSelf: false });
}

/** Fills `target` with zeros. @example w.zero_() */
export function zero_(target: Tensor): Tensor {
  checkTensor(target, 'zero_', 'self');
  const v = scalarTensor(0, target.dtype, target.device);
  return inplace(target, 'zero_', () => run(zeroOp, [target, v]), { savesSelf: false });
}

/** Options of `uniform_`/`normal_`. */
export interface SamplingOptions {
  /** Random number generator to draw from (PyTorch's `generator=`); default `torch.defaultGenerator`. */
  generator?: Generator;
}

function samplesLike(
  target: Tensor,
  opName: string,
  draw: (a: Float32Array | Float64Array) => void,
): Tensor {
  if (!isFloatingPoint(target.dtype)) {
    throw new TypeError(
      `${opName}: "${opName}" not implemented for '${scalarTypeName(target.dtype)}'`,
    );
  }
  const values = new (typedArrayFor(target.dtype) as Float32ArrayConstructor)(
    numelOf(target.shape),
  );
  draw(values);
  return fromTypedArray(values, target.shape, { dtype: target.dtype, device: target.device });
}

/**
 * Fills `target` with samples from U[from, to) drawn from the (seedable) generator, in the order
 * PyTorch's CPU generator produces them.
 * @example torch.manualSeed(0); torch.empty(3).uniform_(-1, 1)
 */
export function uniform_(target: Tensor, from = 0, to = 1, opts: SamplingOptions = {}): Tensor {
  checkTensor(target, 'uniform_', 'self');
  checkInplace(target, 'uniform_');
  if (!(from <= to)) {
    throw new RangeError(
      `uniform_: expects to return a [from, to) range, but found from=${from} > to=${to}`,
    );
  }
  const g = opts.generator ?? defaultGenerator;
  const src = samplesLike(target, 'uniform_', (a) => g.fillUniform(a, from, to));
  return inplace(target, 'uniform_', () => run(uniformFillOp, [target, src]), { savesSelf: false });
}

/**
 * Fills `target` with samples from N(mean, std²), in the order PyTorch's CPU generator draws them.
 * @example torch.manualSeed(0); torch.empty(2, 2).normal_(0, 0.02)
 */
export function normal_(target: Tensor, mean = 0, std = 1, opts: SamplingOptions = {}): Tensor {
  checkTensor(target, 'normal_', 'self');
  checkInplace(target, 'normal_');
  if (!(std >= 0)) throw new RangeError(`normal_ expects std >= 0.0, but found std ${std}`);
  const g = opts.generator ?? defaultGenerator;
  const src = samplesLike(target, 'normal_', (a) => g.fillNormal(a, mean, std));
  return inplace(target, 'normal_', () => run(normalFillOp, [target, src]), { savesSelf: false });
}

// ---- Tensor methods ---------------------------------------------------------------------------

/** In-place forms of unary ops: `x.exp_()` is `x` overwritten with `x.exp()`. */
const UNARY_INPLACE: Record<string, (x: Tensor) => Tensor> = {
  neg_: neg,
  abs_: abs,
  exp_: exp,
  log_: log,
  log1p_: log1p,
  expm1_: expm1,
  sqrt_: sqrt,
  rsqrt_: rsqrt,
  sin_: sin,
  cos_: cos,
  tanh_: tanh,
  sigmoid_: sigmoid,
  relu_: relu,
  sign_: sign,
  floor_: floor,
  ceil_: ceil,
  round_: round,
  reciprocal_: reciprocal,
  square_: square,
};

/** In-place forms of binary ops taking one tensor-or-scalar operand. */
const BINARY_INPLACE: Record<string, (x: Tensor, y: TensorOrScalar) => Tensor> = {
  mul_: mul,
  pow_: pow,
  remainder_: remainder,
  fmod_: fmod,
};

declare module '../tensor.js' {
  interface Tensor {
    /** In place `this += alpha * other`. @example x.add_(1) */
    add_(other: TensorOrScalar, opts?: AlphaOptions): Tensor;
    /** In place `this -= alpha * other`. @example x.sub_(g, { alpha: 0.1 }) */
    sub_(other: TensorOrScalar, opts?: AlphaOptions): Tensor;
    /** In place `this *= other`. @example x.mul_(0.9) */
    mul_(other: TensorOrScalar): Tensor;
    /** In place `this /= other` (rounded with `roundingMode`). @example x.div_(2) */
    div_(other: TensorOrScalar, opts?: DivOptions): Tensor;
    /** In place power. @example x.pow_(2) */
    pow_(exponent: TensorOrScalar): Tensor;
    /** In place Python-style modulus. @example x.remainder_(2) */
    remainder_(other: TensorOrScalar): Tensor;
    /** In place C-style modulus. @example x.fmod_(2) */
    fmod_(other: TensorOrScalar): Tensor;
    /** In place clamp. @example x.clamp_(0, 1) */
    clamp_(min?: Scalar | Tensor | ClampOptions | null, max?: Scalar | Tensor | null): Tensor;
    /** Alias of `clamp_`. @example x.clip_(0, 1) */
    clip_(min?: Scalar | Tensor | ClampOptions | null, max?: Scalar | Tensor | null): Tensor;
    /** In place negation. @example x.neg_() */
    neg_(): Tensor;
    /** In place absolute value. @example x.abs_() */
    abs_(): Tensor;
    /** In place e^x. @example x.exp_() */
    exp_(): Tensor;
    /** In place natural log. @example x.log_() */
    log_(): Tensor;
    /** In place log(1 + x). @example x.log1p_() */
    log1p_(): Tensor;
    /** In place e^x - 1. @example x.expm1_() */
    expm1_(): Tensor;
    /** In place square root. @example x.sqrt_() */
    sqrt_(): Tensor;
    /** In place 1 / sqrt(x). @example x.rsqrt_() */
    rsqrt_(): Tensor;
    /** In place sine. @example x.sin_() */
    sin_(): Tensor;
    /** In place cosine. @example x.cos_() */
    cos_(): Tensor;
    /** In place tanh. @example x.tanh_() */
    tanh_(): Tensor;
    /** In place sigmoid. @example x.sigmoid_() */
    sigmoid_(): Tensor;
    /** In place relu. @example x.relu_() */
    relu_(): Tensor;
    /** In place sign. @example x.sign_() */
    sign_(): Tensor;
    /** In place floor. @example x.floor_() */
    floor_(): Tensor;
    /** In place ceil. @example x.ceil_() */
    ceil_(): Tensor;
    /** In place round (half to even). @example x.round_() */
    round_(): Tensor;
    /** In place 1 / x. @example x.reciprocal_() */
    reciprocal_(): Tensor;
    /** In place x * x. @example x.square_() */
    square_(): Tensor;
    /** Fill with a value. @example x.fill_(0) */
    fill_(value: Scalar | Tensor): Tensor;
    /** Fill with zeros. @example x.zero_() */
    zero_(): Tensor;
    /** Copy `src` in, broadcasting and casting. @example x.copy_(y) */
    copy_(src: Tensor): Tensor;
    /** Fill with U[from, to) samples. @example w.uniform_(-0.1, 0.1) */
    uniform_(from?: number, to?: number, opts?: SamplingOptions): Tensor;
    /** Fill with N(mean, std²) samples. @example w.normal_(0, 0.02) */
    normal_(mean?: number, std?: number, opts?: SamplingOptions): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
// Unary ops whose VJP reads the input (the rest read their output or nothing), so only these
// need a copy of the original values when recording.
const READS_INPUT = new Set(['abs_', 'log_', 'log1p_', 'sin_', 'cos_', 'square_']);
for (const [name, f] of Object.entries(UNARY_INPLACE)) {
  const savesSelf = READS_INPUT.has(name);
  proto[name] = function (this: Tensor) {
    return inplace(this, name, f, { savesSelf });
  };
}
for (const [name, f] of Object.entries(BINARY_INPLACE)) {
  proto[name] = function (this: Tensor, other: TensorOrScalar) {
    checkTensorOrScalar(other, name, name === 'pow_' ? 'exponent' : 'other');
    // A product with a plain scalar saves nothing.
    const savesSelf = name !== 'mul_' || other instanceof Tensor;
    return inplace(this, name, (self) => f(self, other), { others: [other], savesSelf });
  };
}
Tensor.prototype.add_ = function (this: Tensor, other: TensorOrScalar, opts?: AlphaOptions) {
  checkTensorOrScalar(other, 'add_', 'other');
  return inplace(this, 'add_', (self) => add(self, other, opts), {
    others: [other],
    savesSelf: false,
  });
};
Tensor.prototype.sub_ = function (this: Tensor, other: TensorOrScalar, opts?: AlphaOptions) {
  checkTensorOrScalar(other, 'sub_', 'other');
  return inplace(this, 'sub_', (self) => sub(self, other, opts), {
    others: [other],
    savesSelf: false,
  });
};
Tensor.prototype.div_ = function (this: Tensor, other: TensorOrScalar, opts?: DivOptions) {
  checkTensorOrScalar(other, 'div_', 'other');
  return inplace(this, 'div_', (self) => div(self, other, opts), {
    others: [other],
    savesSelf: other instanceof Tensor && !opts?.roundingMode,
  });
};
/** `clamp_` and its alias `clip_`, each naming itself in errors. */
function clampInplace(name: string) {
  return function (
    this: Tensor,
    min?: Scalar | Tensor | ClampOptions | null,
    max?: Scalar | Tensor | null,
  ): Tensor {
    const bounds =
      min !== null && typeof min === 'object' && !(min instanceof Tensor) && !Array.isArray(min)
        ? [min.min, min.max]
        : [min, max];
    bounds.forEach((b, i) => {
      if (b !== null && b !== undefined) checkTensorOrScalar(b, name, i === 0 ? 'min' : 'max');
    });
    return inplace(this, name, (self) => clamp(self, min, max), { others: bounds });
  };
}
Tensor.prototype.clamp_ = clampInplace('clamp_');
Tensor.prototype.clip_ = clampInplace('clip_');
Tensor.prototype.fill_ = function (this: Tensor, value: Scalar | Tensor) {
  return fill_(this, value);
};
Tensor.prototype.zero_ = function (this: Tensor) {
  return zero_(this);
};
Tensor.prototype.copy_ = function (this: Tensor, src: Tensor) {
  return copy_(this, src);
};
Tensor.prototype.uniform_ = function (
  this: Tensor,
  from?: number,
  to?: number,
  opts?: SamplingOptions,
) {
  return uniform_(this, from, to, opts);
};
Tensor.prototype.normal_ = function (
  this: Tensor,
  mean?: number,
  std?: number,
  opts?: SamplingOptions,
) {
  return normal_(this, mean, std, opts);
};
