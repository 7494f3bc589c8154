import { checkTensor } from '../arg-check.js';
import type { OpSample, RegisteredOp } from '../registry.js';
import { Tensor } from '../tensor.js';
import { logicalNotOp } from './compare.js';
import { op, run } from './define.js';
import {
  type DimArg,
  dimAttrs,
  REDUCE_ATTR_SPECS,
  type ReduceAttrs,
  reduceArgs,
  reducedMeta,
} from './reduce.js';

/** Logical reductions: whether all / any elements are nonzero (NaN counts as nonzero). Bool output. */

function logicalSamples(): OpSample[] {
  const v = { values: [0, 1, 2, 0, 0, 0, 3, 4, 5, 0, 6, 7] };
  return [
    { name: 'dim1', inputs: [{ shape: [3, 4], ...v }], attrs: { dims: [1], keepdim: false } },
    {
      name: 'dim0_keepdim',
      inputs: [{ shape: [3, 4], ...v }],
      attrs: { dims: [0], keepdim: true },
    },
    {
      name: 'all_dims',
      inputs: [{ shape: [3, 4], ...v }],
      attrs: { dims: [0, 1], keepdim: false },
    },
    {
      name: 'transposed',
      inputs: [{ shape: [4, 3], layout: 'transposed', ...v }],
      attrs: { dims: [0], keepdim: false },
    },
    { name: '0d', inputs: [{ shape: [], values: [2] }], attrs: { dims: [], keepdim: false } },
    { name: 'empty', inputs: [{ shape: [0, 3] }], attrs: { dims: [0, 1], keepdim: false } },
    {
      name: 'bool_input',
      inputs: [{ shape: [2, 2], dtype: 'bool', values: [1, 0, 1, 1] }],
      attrs: { dims: [1], keepdim: false },
    },
  ].map((s) => ({ ...s, noGrad: true }) as OpSample);
}

function defineLogical(name: 'all' | 'any'): RegisteredOp<ReduceAttrs> {
  return op<ReduceAttrs>({
    name,
    inputs: ['input'],
    attrs: REDUCE_ATTR_SPECS,
    infer: ([x], a) => reducedMeta(x!, a, 'bool'),
    saveInputs: [],
    samples: logicalSamples,
    // all(x) = not any(not x)
    decomposition:
      name === 'all'
        ? ([x], a) => run(logicalNotOp, [run(anyOp, [run(logicalNotOp, [x!])], a)])
        : undefined,
    doc:
      name === 'all'
        ? 'True where every element over the given dimensions is nonzero.'
        : 'True where some element over the given dimensions is nonzero.',
  });
}

/** The registered 'all' op; call it through {@link all}. */
export const allOp = defineLogical('all');
/** The registered 'any' op; call it through {@link any}. */
export const anyOp = defineLogical('any');

/**
 * Whether every element (over all dims or `dim`) is nonzero; a bool tensor. True for empty input.
 * @example torch.all(x); x.all(1); x.all({ dim: 0, keepdim: true })
 */
export function all(input: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  checkTensor(input, 'all', 'input');
  return run(allOp, [input], dimAttrs(reduceArgs(dim, keepdim), input.shape.length, 'all'));
}

/**
 * Whether some element (over all dims or `dim`) is nonzero; a bool tensor. False for empty input.
 * @example torch.any(x); x.any(1, true)
 */
export function any(input: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  checkTensor(input, 'any', 'input');
  return run(anyOp, [input], dimAttrs(reduceArgs(dim, keepdim), input.shape.length, 'any'));
}

declare module '../tensor.js' {
  interface Tensor {
    /** True where all elements are nonzero. @example x.gt(0).all() */
    all(dim?: DimArg, keepdim?: boolean): Tensor;
    /** True where some element is nonzero. @example x.any(1) */
    any(dim?: DimArg, keepdim?: boolean): Tensor;
  }
}

Tensor.prototype.all = function (this: Tensor, dim?: DimArg, keepdim?: boolean) {
  return all(this, dim, keepdim);
};
Tensor.prototype.any = function (this: Tensor, dim?: DimArg, keepdim?: boolean) {
  return any(this, dim, keepdim);
};
