import { checkTensor, checkTensorOrScalar } from '../arg-check.js';
import { scalarTensor } from '../creation.js';
import type { DType } from '../dtype.js';
import { dtypeCategory } from '../dtype.js';
import type { TensorMeta } from '../registry.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import { maximumOp, minimumOp } from './binary.js';
import { cast } from './cast.js';
import { ge, gt, le, logicalAnd, logicalOr, lt, where } from './compare.js';
import { op, run } from './define.js';
import type { Scalar } from './promotion.js';
import { resultType } from './promotion.js';
import { scalarLike } from './scalar-like.js';
import { sumTo } from './view.js';

/**
 * clamp / clip: `min(max(x, min), max)` with scalar or tensor bounds, either optional. As in
 * PyTorch, NaN propagates, `min > max` gives `max`, and the gradient passes where
 * `min <= x <= max`.
 */

/** Attributes of the scalar-bound `clamp` op; an absent bound does not limit. */
export interface ClampAttrs {
  /** Lower bound; absent means no lower limit. */
  min?: number;
  /** Upper bound; absent means no upper limit. */
  max?: number;
}

/** The registered 'clamp' op with number bounds; call it through {@link clamp}. */
export const clampOp = op<ClampAttrs>({
  name: 'clamp',
  inputs: ['input'],
  attrs: {
    min: { type: 'float', optional: true, doc: 'lower bound' },
    max: { type: 'float', optional: true, doc: 'upper bound' },
  },
  infer: ([x], a): TensorMeta => {
    if (a.min === undefined && a.max === undefined) {
      throw new TypeError("clamp: At least one of 'min' or 'max' must not be None");
    }
    if (x!.dtype === 'bool') throw new TypeError(`clamp: "clamp" not implemented for 'Bool'`);
    return { shape: x!.shape, dtype: x!.dtype };
  },
  vjp: {
    input: ({ grad, inputs, attrs }) => {
      const x = inputs[0]!;
      const inRange = logicalAnd(ge(x, attrs.min ?? -Infinity), le(x, attrs.max ?? Infinity));
      return where(inRange, grad, 0);
    },
  },
  gradFnName: 'ClampBackward1',
  samples: () => [
    { name: 'both', inputs: [{ shape: [3, 4], low: -3, high: 3 }], attrs: { min: -1, max: 1.5 } },
    {
      name: 'min only',
      inputs: [{ shape: [4, 3], low: -3, high: 3, layout: 'transposed' }],
      attrs: { min: 0.25 },
    },
    { name: 'max only', inputs: [{ shape: [], low: -3, high: 3 }], attrs: { max: 0.5 } },
    { name: 'empty', inputs: [{ shape: [0, 3] }], attrs: { min: 0 } },
    {
      name: 'min above max',
      inputs: [{ shape: [5], low: -3, high: 3 }],
      attrs: { min: 2, max: 1 },
    },
    {
      name: 'edge values',
      inputs: [{ shape: [6], values: [NaN, Infinity, -Infinity, 0, 1, -1] }],
      attrs: { min: -0.5, max: 0.5 },
      noGrad: true,
    },
    {
      name: 'int32',
      inputs: [{ shape: [4], dtype: 'int32', values: [-5, 0, 3, 9] }],
      attrs: { min: -1, max: 4 },
    },
  ],
  doc: 'Limits every element to [min, max] (scalar bounds).',
  // maximum then minimum: NaN propagates, and min > max gives max, as PyTorch's clamp.
  decomposition: ([x], a) => {
    let r = x!;
    if (a.min !== undefined) r = run(maximumOp, [r, scalarLike(a.min, r)]);
    if (a.max !== undefined) r = run(minimumOp, [r, scalarLike(a.max, r)]);
    return r;
  },
});

/** The registered 'clampTensor' op with tensor bounds; call it through {@link clamp}. */
export const clampTensorOp = op({
  name: 'clampTensor',
  inputs: ['input', 'min', 'max'],
  infer: ([x, lo, hi]): TensorMeta => {
    if (x!.dtype !== lo!.dtype || x!.dtype !== hi!.dtype) {
      throw new TypeError(
        `clamp: expected input, min and max to have the same dtype, got ${x!.dtype}, ${lo!.dtype} and ${hi!.dtype}`,
      );
    }
    if (x!.dtype === 'bool') throw new TypeError(`clamp: "clamp" not implemented for 'Bool'`);
    const s = broadcastShapes(x!.shape, lo!.shape, 'clamp');
    return { shape: broadcastShapes(s, hi!.shape, 'clamp'), dtype: x!.dtype };
  },
  vjp: {
    input: ({ grad, inputs }) => {
      const [x, lo, hi] = inputs as [Tensor, Tensor, Tensor];
      return sumTo(where(logicalAnd(ge(x, lo), le(x, hi)), grad, 0), x.shape);
    },
    min: ({ grad, inputs }) => {
      const [x, lo, hi] = inputs as [Tensor, Tensor, Tensor];
      return sumTo(where(logicalAnd(lt(x, lo), lt(lo, hi)), grad, 0), lo.shape);
    },
    max: ({ grad, inputs }) => {
      const [x, lo, hi] = inputs as [Tensor, Tensor, Tensor];
      return sumTo(where(logicalOr(gt(x, hi), lt(hi, lo)), grad, 0), hi.shape);
    },
  },
  gradFnName: 'ClampBackward0',
  samples: () => [
    {
      name: 'broadcast',
      inputs: [
        { shape: [3, 4], low: -3, high: 3 },
        { shape: [4], low: -2, high: -0.5 },
        { shape: [3, 1], low: 0.5, high: 2 },
      ],
    },
    {
      name: 'transposed',
      inputs: [
        { shape: [3, 4], low: -3, high: 3, layout: 'transposed' },
        { shape: [], low: -1, high: -0.5 },
        { shape: [3, 4], low: 0.5, high: 1 },
      ],
    },
    {
      name: '0-d',
      inputs: [{ shape: [] }, { shape: [], low: -2, high: -1 }, { shape: [], low: 1, high: 2 }],
    },
    { name: 'empty', inputs: [{ shape: [0] }, { shape: [] }, { shape: [1] }] },
    {
      name: 'min above max',
      inputs: [
        { shape: [4], low: -3, high: 3 },
        { shape: [4], low: 1, high: 2 },
        { shape: [4], low: -2, high: -1 },
      ],
    },
    {
      name: 'edge values',
      inputs: [
        { shape: [4], values: [NaN, Infinity, -Infinity, 0] },
        { shape: [4], values: [0, 0, 0, NaN] },
        { shape: [4], values: [1, 1, 1, 1] },
      ],
      noGrad: true,
    },
  ],
  doc: 'Limits every element to [min, max] (tensor bounds, broadcasting).',
  decomposition: ([x, lo, hi]) => run(minimumOp, [run(maximumOp, [x!, lo!]), hi!]),
});

/** Options form of `clamp`'s bounds. */
export interface ClampOptions {
  /** Lower bound, a number or a broadcastable tensor (PyTorch's `min=`); `null`/absent: none. */
  min?: number | Tensor | null;
  /** Upper bound, a number or a broadcastable tensor (PyTorch's `max=`); `null`/absent: none. */
  max?: number | Tensor | null;
}

type Bound = Scalar | Tensor | null | undefined;

/** A bound that never limits, representable in `dtype`. */
function unbounded(dtype: DType, sign: 1 | -1, device: string): Tensor {
  const v = dtypeCategory(dtype) === 2 ? sign * Infinity : sign > 0 ? 2147483647 : -2147483648;
  return scalarTensor(v, dtype, device);
}

/**
 * Clamps every element into `[min, max]`; either bound may be omitted (`null`/`undefined`) and
 * either may be a number or a broadcastable tensor. Integer tensors with integer bounds stay
 * integer. The gradient passes where `min <= x <= max`.
 * @example torch.clamp(x, -1, 1); torch.clamp(x, { min: 0 }); x.clamp(lo, hi)
 */
export function clamp(input: Tensor, min?: Bound | ClampOptions, max?: Bound): Tensor {
  return clampAs('clamp', input, min, max);
}

/** `clamp` under the name the caller used, for its errors. */
function clampAs(name: string, input: Tensor, min?: Bound | ClampOptions, max?: Bound): Tensor {
  checkTensor(input, name, 'input');
  if (min !== null && typeof min === 'object' && !(min instanceof Tensor) && !Array.isArray(min)) {
    ({ min, max } = min as ClampOptions);
  }
  const lo = min as Bound;
  const hi = max as Bound;
  if (lo !== null && lo !== undefined) checkTensorOrScalar(lo, name, 'min');
  if (hi !== null && hi !== undefined) checkTensorOrScalar(hi, name, 'max');
  if ((lo === null || lo === undefined) && (hi === null || hi === undefined)) {
    throw new TypeError(`${name}: At least one of 'min' or 'max' must not be None`);
  }
  const present = [input, lo, hi].filter((v) => v !== null && v !== undefined) as (
    | Tensor
    | Scalar
  )[];
  const dtype = resultType(...present);
  const x = cast(input, dtype);
  if (!(lo instanceof Tensor) && !(hi instanceof Tensor)) {
    const attrs: ClampAttrs = {};
    if (lo !== null && lo !== undefined) attrs.min = Number(lo);
    if (hi !== null && hi !== undefined) attrs.max = Number(hi);
    return run(clampOp, [x], attrs);
  }
  const bound = (b: Bound, sign: 1 | -1): Tensor =>
    b === null || b === undefined
      ? unbounded(dtype, sign, input.device)
      : b instanceof Tensor
        ? cast(b, dtype)
        : scalarTensor(b, dtype, input.device);
  return run(clampTensorOp, [x, bound(lo, -1), bound(hi, 1)]);
}

/**
 * Alias of `clamp`, as `torch.clip`.
 * @example torch.clip(x, 0, 1)
 */
export function clip(input: Tensor, min?: Bound | ClampOptions, max?: Bound): Tensor {
  return clampAs('clip', input, min, max);
}

/** `clamp(input, min)`. @example torch.clampMin(x, 0) */
export function clampMin(input: Tensor, min: Scalar | Tensor): Tensor {
  if (min === null || min === undefined) checkTensorOrScalar(min, 'clampMin', 'min');
  return clampAs('clampMin', input, min, null);
}

/** `clamp(input, null, max)`. @example torch.clampMax(x, 1) */
export function clampMax(input: Tensor, max: Scalar | Tensor): Tensor {
  if (max === null || max === undefined) checkTensorOrScalar(max, 'clampMax', 'max');
  return clampAs('clampMax', input, null, max);
}

declare module '../tensor.js' {
  interface Tensor {
    /** Clamp into [min, max]. @example x.clamp(0, 1); x.clamp({ max: 1 }) */
    clamp(min?: Bound | ClampOptions, max?: Bound): Tensor;
    /** Alias of `clamp`. @example x.clip(0, 1) */
    clip(min?: Bound | ClampOptions, max?: Bound): Tensor;
    /** Lower bound only. @example x.clampMin(0) */
    clampMin(min: Scalar | Tensor): Tensor;
    /** Upper bound only. @example x.clampMax(1) */
    clampMax(max: Scalar | Tensor): Tensor;
  }
}

Tensor.prototype.clamp = function (this: Tensor, min?: Bound | ClampOptions, max?: Bound) {
  return clamp(this, min, max);
};
Tensor.prototype.clip = function (this: Tensor, min?: Bound | ClampOptions, max?: Bound) {
  return clip(this, min, max);
};
Tensor.prototype.clampMin = function (this: Tensor, min: Scalar | Tensor) {
  return clampMin(this, min);
};
Tensor.prototype.clampMax = function (this: Tensor, max: Scalar | Tensor) {
  return clampMax(this, max);
};
