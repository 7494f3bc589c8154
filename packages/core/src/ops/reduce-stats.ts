import { checkTensor } from '../arg-check.js';
import { scalarTensor } from '../creation.js';
import { isFloatingPoint } from '../dtype.js';
import type { AttrSpec, OpSample, TensorMeta } from '../registry.js';
import { Tensor } from '../tensor.js';
import { addOp, subOp } from './binary.js';
import { isinfOp, whereOp } from './compare.js';
import { op, run } from './define.js';
import {
  compareMask,
  type DimArg,
  dimAttrs,
  keepDims,
  REDUCE_ATTR_SPECS,
  type ReduceAttrs,
  type ReduceOptions,
  reduceArgs,
  reducedCount,
  reducedMeta,
  reduceSamples,
  sumOp,
  unreduce,
} from './reduce.js';
import { amaxOp } from './reduce-minmax.js';
import { asFloat, expOp, logOp, sqrtOp } from './unary.js';
import { contiguousOp, expand, reshape } from './view.js';

/**
 * Spread statistics (var, std) and logsumexp. var/std divide by `N - correction`
 * (Bessel's correction 1 by default, as PyTorch's `unbiased=True`), computed in two passes in
 * float64 so that constant inputs give exactly 0.
 */

/** Attributes of var/std: the reduced dims, keepdim, and the divisor correction. */
export interface VarAttrs extends ReduceAttrs {
  /** Divisor correction: the variance divides by N - correction. */
  correction: number;
}

const VAR_ATTR_SPECS: Record<string, AttrSpec> = {
  ...REDUCE_ATTR_SPECS,
  correction: { type: 'float', default: 1, doc: 'divide by N - correction' },
};

function varInfer(x: Tensor, a: VarAttrs): TensorMeta {
  if (!isFloatingPoint(x.dtype)) {
    throw new TypeError(
      `std and var only support floating point and complex dtypes (got ${x.dtype} tensor of shape [${x.shape.join(', ')}])`,
    );
  }
  return reducedMeta(x, a);
}

/** `x - mean(x)` over the reduced dims, broadcast to x's shape. */
function centered(x: Tensor, attrs: ReduceAttrs): Tensor {
  return x.sub(x.mean(attrs.dims, true));
}

/** N - correction, clamped at 0 as PyTorch does (so the result becomes inf/NaN). */
function divisor(shape: readonly number[], a: VarAttrs): number {
  return Math.max(0, reducedCount(shape, a.dims) - a.correction);
}

function varSamples(): OpSample[] {
  return [
    ...reduceSamples({ correction: 1 }, { empty: false, zeroD: false }),
    {
      name: 'biased_dim0',
      inputs: [{ shape: [3, 4] }],
      attrs: { dims: [0], keepdim: false, correction: 0 },
    },
    {
      name: 'all_correction2',
      inputs: [{ shape: [2, 3] }],
      attrs: { dims: [0, 1], keepdim: true, correction: 2 },
    },
  ];
}

/** The registered 'var' op; call it through {@link variance} (`torch.var`). */
export const varOp = op<VarAttrs>({
  name: 'var',
  inputs: ['input'],
  attrs: VAR_ATTR_SPECS,
  infer: ([x], a) => varInfer(x!, a),
  saveInputs: [0],
  vjp: {
    input: ({ grad, inputs, attrs }) => {
      const x = inputs[0]!;
      const scale = keepDims(grad, x.shape, attrs).mul(2 / divisor(x.shape, attrs));
      return scale.mul(centered(x, attrs));
    },
  },
  gradFnName: 'VarBackward0',
  samples: varSamples,
  doc: 'Variance over the given dimensions, dividing by N - correction.',
});

/** The registered 'std' op; call it through {@link std}. */
export const stdOp = op<VarAttrs>({
  name: 'std',
  inputs: ['input'],
  attrs: VAR_ATTR_SPECS,
  infer: ([x], a) => varInfer(x!, a),
  saveInputs: [0],
  saveOutputs: true,
  vjp: {
    input: ({ grad, inputs, outputs, attrs }) => {
      const x = inputs[0]!;
      const stdK = keepDims(outputs[0]!, x.shape, attrs);
      // Where std is 0 (constant input) the gradient is 0, as in PyTorch, not 0/0.
      const zero = compareMask(stdK, 0);
      const scale = keepDims(grad, x.shape, attrs)
        .div(stdK.add(zero).mul(divisor(x.shape, attrs)))
        .mul(zero.neg().add(1));
      return scale.mul(centered(x, attrs));
    },
  },
  gradFnName: 'StdBackward0',
  samples: varSamples,
  doc: 'Standard deviation over the given dimensions, dividing by N - correction.',
  decomposition: ([x], a) => run(sqrtOp, [run(varOp, [x!], a)]),
});

/** Keyword options of `var`/`std`: PyTorch's `dim`, `unbiased`, `correction` and `keepdim`. */
export interface VarOptions extends ReduceOptions {
  /** Divide by N - 1 (default true); false divides by N. Ignored when `correction` is given. */
  unbiased?: boolean;
  /** Divide by N - correction (default 1). */
  correction?: number;
}

/** The `dim` argument of var/std: dims, `unbiased` alone (PyTorch's `x.std(False)`), or options. */
export type VarDimArg = number | readonly number[] | boolean | VarOptions | null;

function varAttrs(
  name: string,
  x: Tensor,
  dimOrOpts: VarDimArg | undefined,
  unbiased: boolean | undefined,
  keepdim: boolean | undefined,
): VarAttrs {
  let o: VarOptions;
  if (typeof dimOrOpts === 'boolean') o = { unbiased: dimOrOpts };
  else if (dimOrOpts !== null && typeof dimOrOpts === 'object' && !Array.isArray(dimOrOpts)) {
    o = dimOrOpts as VarOptions;
  } else o = { dim: dimOrOpts as number | readonly number[] | null, unbiased, keepdim };
  if (o.correction !== undefined && o.unbiased !== undefined) {
    throw new TypeError(`${name}: pass either 'unbiased' or 'correction', not both`);
  }
  const correction = o.correction ?? (o.unbiased === false ? 0 : 1);
  return { ...dimAttrs(reduceArgs(o.dim, o.keepdim), x.shape.length, name), correction };
}

/**
 * Variance over all elements or `dim`; unbiased (divides by N - 1) unless `unbiased: false` or a
 * `correction` is given. Call forms follow PyTorch: `(dim, unbiased, keepdim)`, `(unbiased)`, or
 * an options object.
 * @example x.var(); x.var(0, false, true); torch.var(x, { dim: 1, correction: 0 })
 */
export function variance(
  input: Tensor,
  dim?: VarDimArg,
  unbiased?: boolean,
  keepdim?: boolean,
): Tensor {
  checkTensor(input, 'var', 'input');
  return run(varOp, [input], varAttrs('var', input, dim, unbiased, keepdim));
}

/**
 * Standard deviation over all elements or `dim`; unbiased by default (see `var`).
 * @example x.std(); x.std(1, true, true); torch.std(x, { dim: 0, unbiased: false })
 */
export function std(input: Tensor, dim?: VarDimArg, unbiased?: boolean, keepdim?: boolean): Tensor {
  checkTensor(input, 'std', 'input');
  return run(stdOp, [input], varAttrs('std', input, dim, unbiased, keepdim));
}

export { variance as var };

// ---- logsumexp -----------------------------------------------------------------------------

/** The registered 'logsumexp' op; call it through {@link logsumexp}. */
export const logsumexpOp = op<ReduceAttrs>({
  name: 'logsumexp',
  inputs: ['input'],
  attrs: REDUCE_ATTR_SPECS,
  infer: ([x], a) => reducedMeta(x!, a),
  saveInputs: [0],
  saveOutputs: true,
  vjp: {
    input: ({ grad, inputs, outputs, attrs }) => {
      const x = inputs[0]!;
      const softmax = x.sub(keepDims(outputs[0]!, x.shape, attrs)).exp();
      return unreduce(grad, x.shape, attrs).mul(softmax);
    },
  },
  gradFnName: 'LogsumexpBackward0',
  samples: () => [
    ...reduceSamples({}, { low: -5, high: 5 }),
    {
      name: 'large_values',
      inputs: [{ shape: [2, 3], values: [1000, 1001, 999, -1000, -1001, -999] }],
      attrs: { dims: [1], keepdim: false },
    },
  ],
  doc: 'log(sum(exp(x))) over the given dimensions, computed stably.',
  // log(sum(exp(x - m))) + m with m the maximum (0 where it is infinite, so rows of -inf give
  // -inf and rows holding +inf give +inf); an empty reduction is -inf.
  decomposition: ([x], a) => {
    const out = reducedMeta(x!, a);
    if (reducedCount(x!.shape, a.dims) === 0) {
      return run(contiguousOp, [expand(scalarTensor(-Infinity, x!.dtype, x!.device), out.shape)]);
    }
    const kept = { dims: a.dims, keepdim: true };
    const m = run(amaxOp, [x!], kept);
    const finite = run(whereOp, [run(isinfOp, [m]), scalarTensor(0, x!.dtype, x!.device), m]);
    const sumExp = run(sumOp, [run(expOp, [run(subOp, [x!, finite])])], a);
    return run(addOp, [run(logOp, [sumExp]), reshape(finite, out.shape)]);
  },
});

/**
 * `log(sum(exp(input)))` over `dim` (required, a number or list), computed without overflow by
 * subtracting the maximum. Integer inputs give float32.
 * @example torch.logsumexp(x, 1); x.logsumexp([0, 1], true); x.logsumexp({ dim: 0 })
 */
export function logsumexp(input: Tensor, dim: DimArg, keepdim?: boolean): Tensor {
  checkTensor(input, 'logsumexp', 'input');
  const o = reduceArgs(dim, keepdim);
  if (o.dim === undefined || o.dim === null) {
    throw new TypeError(
      `logsumexp: missing required argument 'dim' (got a tensor of shape [${input.shape.join(', ')}])`,
    );
  }
  const x = asFloat(input);
  return run(logsumexpOp, [x], dimAttrs(o, x.shape.length, 'logsumexp'));
}

declare module '../tensor.js' {
  interface Tensor {
    /** Variance (unbiased by default). @example x.var(0, false) */
    var(dim?: VarDimArg, unbiased?: boolean, keepdim?: boolean): Tensor;
    /** Standard deviation (unbiased by default). @example x.std({ dim: 1, correction: 0 }) */
    std(dim?: VarDimArg, unbiased?: boolean, keepdim?: boolean): Tensor;
    /** Stable log-sum-exp over `dim`. @example x.logsumexp(1) */
    logsumexp(dim: DimArg, keepdim?: boolean): Tensor;
  }
}

Tensor.prototype.var = function (
  this: Tensor,
  dim?: VarDimArg,
  unbiased?: boolean,
  keepdim?: boolean,
) {
  return variance(this, dim, unbiased, keepdim);
};
Tensor.prototype.std = function (
  this: Tensor,
  dim?: VarDimArg,
  unbiased?: boolean,
  keepdim?: boolean,
) {
  return std(this, dim, unbiased, keepdim);
};
Tensor.prototype.logsumexp = function (this: Tensor, dim: DimArg, keepdim?: boolean) {
  return logsumexp(this, dim, keepdim);
};
