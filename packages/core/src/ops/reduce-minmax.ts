import { checkTensor } from '../arg-check.js';
import { arange } from '../creation.js';
import type { OpSample, TensorMeta } from '../registry.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { op, run, runAll } from './define.js';
import {
  allDims,
  compareMask,
  type DimArg,
  dimAttrs,
  fullAttrs,
  keepDims,
  REDUCE_ATTR_SPECS,
  type ReduceAttrs,
  type ReduceOptions,
  reduceArgs,
  reduceDim,
  reducedMeta,
  reduceSamples,
  unreduce,
} from './reduce.js';
import { reshape } from './view.js';

/**
 * Selecting reductions: max/min (all elements, or along one dim with indices), amax/amin (value
 * only, over dim lists), argmax/argmin. NaN propagates (it counts as the extreme), ties pick the
 * first index. Gradients follow PyTorch: along a dim the gradient goes to the returned index;
 * amax/amin and full max/min split it evenly among tied elements.
 */

type Extreme = 'max' | 'min';

/** PyTorch's errors for reducing an empty extent without a neutral element. */
function checkNonEmpty(name: string, x: Tensor, dims: readonly number[] | null): void {
  if (dims === null) {
    if (x.numel() === 0) {
      throw new RangeError(
        `${name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
      );
    }
    return;
  }
  for (const d of dims) {
    if (x.shape[d] === 0) {
      throw new RangeError(
        `${name}(): Expected reduction dim ${d} to have non-zero size (got input of shape ${formatShape(x.shape)}).`,
      );
    }
  }
}

/** Gradient spread evenly over the elements equal to the (broadcast) result. */
function evenlyDistribute(grad: Tensor, x: Tensor, out: Tensor, attrs: ReduceAttrs): Tensor {
  const ties = compareMask(x, keepDims(out, x.shape, attrs));
  const count = ties.sum(attrs.dims, true);
  return unreduce(grad, x.shape, attrs).mul(ties.div(count));
}

function minmaxSamples(): OpSample[] {
  return [
    ...reduceSamples({}, { empty: false }),
    {
      name: 'ties',
      inputs: [{ shape: [2, 3], values: [1, 3, 3, 2, 2, 0] }],
      attrs: { dims: [1], keepdim: false },
    },
  ];
}

function defineAminmax(kind: Extreme) {
  const name = `a${kind}`;
  return op<ReduceAttrs>({
    name,
    inputs: ['input'],
    attrs: REDUCE_ATTR_SPECS,
    infer: ([x], a) => {
      checkNonEmpty(
        name,
        x!,
        x!.numel() === 0 && a.dims.length === x!.shape.length ? null : a.dims,
      );
      return reducedMeta(x!, a);
    },
    saveOutputs: true,
    vjp: {
      input: ({ grad, inputs, outputs, attrs }) =>
        evenlyDistribute(grad, inputs[0]!, outputs[0]!, attrs),
    },
    gradFnName: `A${kind}Backward0`,
    samples: minmaxSamples,
    doc: `The ${kind}imum over the given dimensions (values only; ties share the gradient).`,
  });
}

/** The registered 'amax' op; call it through {@link amax}. */
export const amaxOp = defineAminmax('max');
/** The registered 'amin' op; call it through {@link amin}. */
export const aminOp = defineAminmax('min');

function defineAll(kind: Extreme) {
  return op<Record<string, never>>({
    name: `${kind}All`,
    inputs: ['input'],
    infer: ([x]): TensorMeta => {
      checkNonEmpty(kind, x!, null);
      return { shape: [], dtype: x!.dtype };
    },
    saveOutputs: true,
    vjp: {
      input: ({ grad, inputs, outputs }) =>
        evenlyDistribute(grad, inputs[0]!, outputs[0]!, fullAttrs(inputs[0]!.shape.length)),
    },
    gradFnName: `${kind === 'max' ? 'Max' : 'Min'}Backward1`,
    samples: () => [
      { name: 'matrix', inputs: [{ shape: [3, 4] }] },
      { name: 'transposed', inputs: [{ shape: [4, 3], layout: 'transposed' }] },
      { name: '0d', inputs: [{ shape: [] }] },
      { name: 'ties', inputs: [{ shape: [4], values: [1, 3, 3, 2] }] },
    ],
    doc: `The ${kind}imum of all elements (ties share the gradient).`,
    decomposition: ([x]) => run(kind === 'max' ? amaxOp : aminOp, [x!], fullAttrs(x!.shape.length)),
  });
}

/** The registered 'maxAll' op (maximum of all elements); call it through {@link max} without `dim`. */
export const maxAllOp = defineAll('max');
/** The registered 'minAll' op (minimum of all elements); call it through {@link min} without `dim`. */
export const minAllOp = defineAll('min');

/** Attributes of max/min/argmax/argmin along one dim. */
export interface DimAttrs {
  /** The reduced dim, normalised to `[0, ndim)`. */
  dim: number;
  /** Keep the reduced dim with size 1. */
  keepdim: boolean;
}

const DIM_ATTR_SPECS = {
  dim: { type: 'int', doc: 'the dim reduced (normalised)' },
  keepdim: { type: 'bool', default: false, doc: 'keep the reduced dim with size 1' },
} as const;

/** The dims list of a one-dim reduction (empty for 0-d inputs, where nothing is reduced). */
function dimList(x: { shape: readonly number[] }, dim: number): number[] {
  return x.shape.length === 0 ? [] : [dim];
}

function dimSamples(): OpSample[] {
  return [
    { name: 'dim1', inputs: [{ shape: [3, 4] }], attrs: { dim: 1, keepdim: false } },
    { name: 'dim0_keepdim', inputs: [{ shape: [3, 4] }], attrs: { dim: 0, keepdim: true } },
    { name: 'dim2_3d', inputs: [{ shape: [2, 3, 4] }], attrs: { dim: 2, keepdim: false } },
    {
      name: 'transposed',
      inputs: [{ shape: [4, 3], layout: 'transposed' }],
      attrs: { dim: 0, keepdim: false },
    },
    { name: '0d', inputs: [{ shape: [] }], attrs: { dim: 0, keepdim: false } },
    {
      name: 'empty_kept_dim',
      inputs: [{ shape: [0, 3] }],
      attrs: { dim: 1, keepdim: false },
    },
    {
      name: 'ties',
      inputs: [{ shape: [2, 3], values: [1, 3, 3, 2, 2, 0] }],
      attrs: { dim: 1, keepdim: true },
      // The gradient goes to the returned index, as in PyTorch (checked against its fixtures);
      // finite differences at a tie see half of it.
      noGrad: true,
    },
  ];
}

/** A one-hot (along `dim`) mask of the selected indices, in `x`'s dtype. */
function selectedMask(x: TensorMeta, indices: Tensor, attrs: DimAttrs): Tensor {
  const dims = dimList(x, attrs.dim);
  if (dims.length === 0) return compareMask(indices, 0, 'eq', x.dtype);
  const n = x.shape[attrs.dim]!;
  const positions = reshape(
    arange(0, n, 1, { dtype: 'int32', device: indices.device }),
    x.shape.map((_, i) => (i === attrs.dim ? n : 1)),
  );
  const idx = keepDims(indices, x.shape, { dims, keepdim: attrs.keepdim });
  return compareMask(positions, idx, 'eq', x.dtype);
}

function defineDim(kind: Extreme) {
  return op<DimAttrs>({
    name: kind,
    inputs: ['input'],
    attrs: DIM_ATTR_SPECS,
    infer: ([x], a) => {
      checkNonEmpty(kind, x!, dimList(x!, a.dim));
      const values = reducedMeta(x!, { dims: dimList(x!, a.dim), keepdim: a.keepdim });
      return [values, { shape: values.shape, dtype: 'int32' }];
    },
    saveInputs: [],
    saveOutputs: true,
    differentiableOutputs: [0],
    vjp: {
      input: ({ grad, inputMetas, outputs, attrs }) => {
        const meta = inputMetas[0]!;
        const mask = selectedMask(meta, outputs[1]!, attrs);
        const dims = dimList(meta, attrs.dim);
        return unreduce(grad, meta.shape, { dims, keepdim: attrs.keepdim }).mul(mask);
      },
    },
    gradFnName: `${kind === 'max' ? 'Max' : 'Min'}Backward0`,
    samples: dimSamples,
    doc: `The ${kind}imum along a dim and its index (the first one among ties).`,
  });
}

/** The registered 'max' op (values and indices along a dim); call it through {@link max} with `dim`. */
export const maxOp = defineDim('max');
/** The registered 'min' op (values and indices along a dim); call it through {@link min} with `dim`. */
export const minOp = defineDim('min');

function defineArg(kind: Extreme) {
  const name = `arg${kind}`;
  return op<{ dim?: number; keepdim: boolean }>({
    name,
    inputs: ['input'],
    attrs: {
      dim: { type: 'int', optional: true, doc: 'the dim reduced; absent: the flattened input' },
      keepdim: { type: 'bool', default: false, doc: 'keep the reduced dim(s) with size 1' },
    },
    infer: ([x], a): TensorMeta => {
      if (a.dim === undefined) {
        if (x!.numel() === 0) {
          throw new RangeError(
            `${name}(): Expected reduction dim to be specified for input.numel() == 0.`,
          );
        }
        return reducedMeta(x!, { dims: allDims(x!.shape.length), keepdim: a.keepdim }, 'int32');
      }
      checkNonEmpty(name, x!, dimList(x!, a.dim));
      return reducedMeta(x!, { dims: dimList(x!, a.dim), keepdim: a.keepdim }, 'int32');
    },
    saveInputs: [],
    samples: () => [
      ...dimSamples().map((s) => ({ ...s, noGrad: true })),
      { name: 'flat', inputs: [{ shape: [3, 4] }], attrs: { keepdim: false }, noGrad: true },
      { name: 'flat_keepdim', inputs: [{ shape: [3, 4] }], attrs: { keepdim: true }, noGrad: true },
    ],
    doc: `Index of the ${kind}imum along a dim, or in the flattened input (int32).`,
    // The indices output of max/min along the dim, of the flattened input when none is given.
    decomposition: ([x], a) => {
      const valuesAndIndices = kind === 'max' ? maxOp : minOp;
      if (a.dim !== undefined)
        return runAll(valuesAndIndices, [x!], { dim: a.dim, keepdim: a.keepdim })[1]!;
      const flat = runAll(valuesAndIndices, [reshape(x!, [-1])], { dim: 0, keepdim: false })[1]!;
      return a.keepdim
        ? reshape(
            flat,
            x!.shape.map(() => 1),
          )
        : flat;
    },
  });
}

/** The registered 'argmax' op; call it through {@link argmax}. */
export const argmaxOp = defineArg('max');
/** The registered 'argmin' op; call it through {@link argmin}. */
export const argminOp = defineArg('min');

// ---- results ---------------------------------------------------------------------------------

/**
 * What `max`/`min` along a dim return: PyTorch's `torch.return_types.max` named tuple. Read it
 * by name or destructure it as an array.
 * @example
 * const { values, indices } = x.max(1);
 * const [v, i] = x.max(1);
 */
export class ValuesIndices {
  constructor(
    /** The extreme values. */
    readonly values: Tensor,
    /** Their indices along the dim (int32). */
    readonly indices: Tensor,
    /** The op that produced it, for printing (`'max'`, `'min'`). */
    readonly kind = 'max',
  ) {}

  /**
   * Index access as on PyTorch's named tuples: 0 is values, 1 indices.
   * @example const [values] = torch.max(x, 1); // same as torch.max(x, 1)[0]
   */
  get 0(): Tensor {
    return this.values;
  }

  /**
   * The indices (PyTorch's `[1]`).
   * @example torch.max(x, 1)[1]
   */
  get 1(): Tensor {
    return this.indices;
  }

  /**
   * Always 2, as for a two-element tuple.
   * @example torch.max(x, 1).length // 2
   */
  get length(): 2 {
    return 2;
  }

  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }

  /**
   * PyTorch's repr, `torch.return_types.max(values=..., indices=...)`.
   * @example String(torch.max(x, 1))
   */
  toString(): string {
    return `torch.return_types.${this.kind}(\nvalues=${String(this.values)},\nindices=${String(this.indices)})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

// ---- functional API ----------------------------------------------------------------------------

/** Options of max/min/argmax/argmin along one dim. */
export interface DimOptions {
  /** The dim to reduce (PyTorch's `dim=`); negative counts from the end; absent/`null` for argmax/argmin: the flattened input. */
  dim?: number | null;
  /** Keep the reduced dim with size 1 (PyTorch's `keepdim=`); default false. */
  keepdim?: boolean;
}

function readDim(dimOrOpts: number | DimOptions | null | undefined, keepdim: boolean | undefined) {
  if (dimOrOpts !== null && typeof dimOrOpts === 'object') {
    if (dimOrOpts instanceof Tensor) {
      return { other: dimOrOpts } as const;
    }
    return { dim: dimOrOpts.dim ?? undefined, keepdim: dimOrOpts.keepdim ?? false };
  }
  return { dim: dimOrOpts ?? undefined, keepdim: keepdim ?? false };
}

function extreme(kind: Extreme, input: Tensor, dim: unknown, keepdim: boolean | undefined) {
  if (Array.isArray(dim)) {
    throw new TypeError(
      `${kind}(): received an invalid combination of arguments - got a list of dims; ${kind} takes one dim (use a${kind} to reduce several)`,
    );
  }
  const o = readDim(dim as number | DimOptions | null | undefined, keepdim);
  if ('other' in o) {
    throw new TypeError(
      `${kind}(): the elementwise ${kind}imum of two tensors is torch.${kind}imum(input, other)`,
    );
  }
  if (o.dim === undefined) {
    if (o.keepdim) {
      throw new TypeError(
        `${kind}(): keepdim needs a dim (got input of shape ${formatShape(input.shape)})`,
      );
    }
    return run(kind === 'max' ? maxAllOp : minAllOp, [input]);
  }
  const attrs = { dim: reduceDim(o.dim, input.shape.length, kind), keepdim: o.keepdim };
  const [values, indices] = runAll(kind === 'max' ? maxOp : minOp, [input], attrs);
  return new ValuesIndices(values!, indices!, kind);
}

/**
 * The maximum of all elements (a 0-d tensor), or along `dim` as `{ values, indices }` (which also
 * destructures as `[values, indices]`). NaN propagates; ties give the first index.
 * @example x.max(); const { values, indices } = x.max(1); const [v, i] = torch.max(x, 0, true);
 */
export function max(input: Tensor): Tensor;
/**
 * The maximum along `dim` and its index, as `{ values, indices }`.
 * @example const { values, indices } = torch.max(x, 1, true);
 */
export function max(input: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
/** Implementation of the `max` overloads above. */
export function max(
  input: Tensor,
  dim?: number | DimOptions,
  keepdim?: boolean,
): Tensor | ValuesIndices {
  checkTensor(input, 'max', 'input');
  return extreme('max', input, dim, keepdim);
}

/**
 * The minimum of all elements (a 0-d tensor), or along `dim` as `{ values, indices }`.
 * @example x.min(); const [v, i] = x.min(0);
 */
export function min(input: Tensor): Tensor;
/**
 * The minimum along `dim` and its index, as `{ values, indices }`.
 * @example const [values, indices] = torch.min(x, 0);
 */
export function min(input: Tensor, dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
/** Implementation of the `min` overloads above. */
export function min(
  input: Tensor,
  dim?: number | DimOptions,
  keepdim?: boolean,
): Tensor | ValuesIndices {
  checkTensor(input, 'min', 'input');
  return extreme('min', input, dim, keepdim);
}

function aextreme(kind: Extreme, input: Tensor, dim: DimArg | undefined, keepdim?: boolean) {
  const o: ReduceOptions = reduceArgs(dim, keepdim);
  return run(
    kind === 'max' ? amaxOp : aminOp,
    [input],
    dimAttrs(o, input.shape.length, `a${kind}`),
  );
}

/**
 * The maximum over all dims or `dim` (a number or list), values only; the gradient is split
 * evenly among tied elements.
 * @example x.amax(); x.amax([0, 1], true); torch.amax(x, { dim: 1 })
 */
export function amax(input: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  checkTensor(input, 'amax', 'input');
  return aextreme('max', input, dim, keepdim);
}

/**
 * The minimum over all dims or `dim`, values only.
 * @example x.amin(0)
 */
export function amin(input: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  checkTensor(input, 'amin', 'input');
  return aextreme('min', input, dim, keepdim);
}

function argExtreme(
  kind: Extreme,
  input: Tensor,
  dim: number | DimOptions | null | undefined,
  keepdim?: boolean,
) {
  const o = readDim(dim, keepdim);
  if ('other' in o) throw new TypeError(`arg${kind}(): expected an integer dim, got a Tensor`);
  const attrs: { dim?: number; keepdim: boolean } = { keepdim: o.keepdim };
  if (o.dim !== undefined) attrs.dim = reduceDim(o.dim, input.shape.length, `arg${kind}`);
  return run(kind === 'max' ? argmaxOp : argminOp, [input], attrs);
}

/**
 * Index (int32) of the maximum along `dim`, or in the flattened input when no dim is given.
 * @example x.argmax(); x.argmax(1); torch.argmax(x, { dim: 0, keepdim: true })
 */
export function argmax(input: Tensor, dim?: number | DimOptions | null, keepdim?: boolean): Tensor {
  checkTensor(input, 'argmax', 'input');
  return argExtreme('max', input, dim, keepdim);
}

/**
 * Index (int32) of the minimum along `dim`, or in the flattened input.
 * @example x.argmin(0)
 */
export function argmin(input: Tensor, dim?: number | DimOptions | null, keepdim?: boolean): Tensor {
  checkTensor(input, 'argmin', 'input');
  return argExtreme('min', input, dim, keepdim);
}

declare module '../tensor.js' {
  interface Tensor {
    /** Maximum of all elements. @example x.max() */
    max(): Tensor;
    /** Maximum along a dim with its indices. @example const [v, i] = x.max(1) */
    max(dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
    /** Minimum of all elements. @example x.min() */
    min(): Tensor;
    /** Minimum along a dim with its indices. @example const { values } = x.min(0) */
    min(dim: number | DimOptions, keepdim?: boolean): ValuesIndices;
    /** Maximum over dims, values only. @example x.amax(1) */
    amax(dim?: DimArg, keepdim?: boolean): Tensor;
    /** Minimum over dims, values only. @example x.amin(1) */
    amin(dim?: DimArg, keepdim?: boolean): Tensor;
    /** Index of the maximum. @example x.argmax(1) */
    argmax(dim?: number | DimOptions | null, keepdim?: boolean): Tensor;
    /** Index of the minimum. @example x.argmin(1) */
    argmin(dim?: number | DimOptions | null, keepdim?: boolean): Tensor;
  }
}

Tensor.prototype.max = function (this: Tensor, dim?: number | DimOptions, keepdim?: boolean) {
  return extreme('max', this, dim, keepdim);
} as Tensor['max'];
Tensor.prototype.min = function (this: Tensor, dim?: number | DimOptions, keepdim?: boolean) {
  return extreme('min', this, dim, keepdim);
} as Tensor['min'];
Tensor.prototype.amax = function (this: Tensor, dim?: DimArg, keepdim?: boolean) {
  return amax(this, dim, keepdim);
};
Tensor.prototype.amin = function (this: Tensor, dim?: DimArg, keepdim?: boolean) {
  return amin(this, dim, keepdim);
};
Tensor.prototype.argmax = function (
  this: Tensor,
  dim?: number | DimOptions | null,
  keepdim?: boolean,
) {
  return argmax(this, dim, keepdim);
};
Tensor.prototype.argmin = function (
  this: Tensor,
  dim?: number | DimOptions | null,
  keepdim?: boolean,
) {
  return argmin(this, dim, keepdim);
};
