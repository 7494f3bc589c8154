import { checkTensor } from '../arg-check.js';
import { zeros } from '../creation.js';
import { isFloatingPoint, scalarTypeName } from '../dtype.js';
import type { TensorMeta } from '../registry.js';
import { Tensor } from '../tensor.js';
import { op, run } from './define.js';
import {
  compareMask,
  dimAttrs,
  keepDims,
  REDUCE_ATTR_SPECS,
  type ReduceAttrs,
  reduceArgs,
  reducedMeta,
  reduceSamples,
  signMask,
  unreduce,
} from './reduce.js';

/**
 * Vector p-norms over all elements or some dims: `(sum |x|^p)^(1/p)`, with p = inf / -inf the
 * largest / smallest magnitude and p = 0 the count of nonzeros. Gradients where the norm is 0
 * are 0 (PyTorch's subgradient), never NaN.
 */

/** Attributes of `norm`: the order p and the reduced dims. */
export interface NormAttrs extends ReduceAttrs {
  /** The order p: any number, Infinity or -Infinity. */
  p: number;
}

function normInfer(x: Tensor, a: NormAttrs): TensorMeta {
  if (!isFloatingPoint(x.dtype)) {
    throw new TypeError(
      `norm(): input dtype should be either floating point or complex. Got ${scalarTypeName(x.dtype)} instead.`,
    );
  }
  if (Number.isNaN(a.p)) throw new RangeError('norm(): p must be a number, got NaN');
  return reducedMeta(x, a);
}

/** The VJP of `norm` at input `x` with result `out` (both reduced with `attrs`). */
function normVjp(grad: Tensor, x: Tensor, out: Tensor, attrs: NormAttrs): Tensor {
  const { p } = attrs;
  if (p === 0) return zeros(x.shape, { dtype: x.dtype, device: x.device });
  const g = keepDims(grad, x.shape, attrs);
  const n = keepDims(out, x.shape, attrs);
  if (!Number.isFinite(p)) {
    // The derivative of amax(|x|): sign(x) at the elements attaining the norm, split among ties.
    const sign = signMask(x);
    const ties = compareMask(x.mul(sign), n);
    return unreduce(grad, x.shape, attrs).mul(ties.div(ties.sum(attrs.dims, true)).mul(sign));
  }
  // Where the norm is 0, divide by 1 instead and zero the result: the subgradient 0.
  const normZero = compareMask(n, 0);
  const normSafe = n.add(normZero);
  const keep = normZero.neg().add(1);
  if (p === 2) return x.mul(g.div(normSafe).mul(keep));
  // sign(x) |x|^(p-1) / norm^(p-1), with |x| = 0 replaced by 1 (its factor sign(x) is 0 there).
  const sign = signMask(x);
  const absSafe = x.mul(sign).add(compareMask(x, 0));
  const local = sign.mul(
    absSafe
      .log()
      .mul(p - 1)
      .exp(),
  );
  const scale = g
    .mul(
      normSafe
        .log()
        .mul(1 - p)
        .exp(),
    )
    .mul(keep);
  return local.mul(scale);
}

/**
 * Sample values of the ±inf norms: mixed signs, a unique largest magnitude per row and a unique
 * smallest overall, so the gradient goes to one element (ties would split it).
 */
const MIXED_SIGNS = [1, -2, 0.5, -0.7, 1.5, 2.5, -1, 0.3, -0.4, 1.1, -1.3, 0.9];

/** The registered 'norm' op; call it through {@link norm}. */
export const normOp = op<NormAttrs>({
  name: 'norm',
  inputs: ['input'],
  attrs: { p: { type: 'float', default: 2, doc: 'order of the norm' }, ...REDUCE_ATTR_SPECS },
  infer: ([x], a) => normInfer(x!, a),
  saveInputs: [0],
  saveOutputs: true,
  vjp: {
    input: ({ grad, inputs, outputs, attrs }) => normVjp(grad, inputs[0]!, outputs[0]!, attrs),
  },
  gradFnName: 'NormBackward1',
  samples: () => [
    ...reduceSamples({ p: 2 }, { low: 0.5, high: 2 }),
    {
      name: 'p1',
      inputs: [{ shape: [3, 4], low: 0.5, high: 2 }],
      attrs: { p: 1, dims: [1], keepdim: false },
    },
    {
      name: 'p3_mixed_signs',
      inputs: [
        { shape: [3, 4], values: [1, -2, 0.5, -0.7, 1.5, 2, -1, 0.3, -0.4, 1.1, -1.3, 0.9] },
      ],
      attrs: { p: 3, dims: [0, 1], keepdim: false },
    },
    {
      name: 'p0.5',
      inputs: [{ shape: [2, 3], low: 0.5, high: 2 }],
      attrs: { p: 0.5, dims: [1], keepdim: true },
    },
    {
      name: 'inf',
      inputs: [{ shape: [3, 4], values: MIXED_SIGNS }],
      attrs: { p: Infinity, dims: [1], keepdim: false },
    },
    {
      name: '-inf',
      inputs: [{ shape: [3, 4], values: MIXED_SIGNS }],
      attrs: { p: -Infinity, dims: [0, 1], keepdim: false },
    },
    {
      name: 'zero_vector',
      inputs: [{ shape: [2, 3], values: [0, 0, 0, 1, 2, 2] }],
      attrs: { p: 2, dims: [1], keepdim: false },
      noGrad: true,
    },
  ],
  doc: 'Vector p-norm over the given dimensions.',
});

/** Keyword options of `norm`: PyTorch's `p`, `dim` and `keepdim`. */
export interface NormOptions {
  /** Order: any number, Infinity, -Infinity, or 'fro' (the 2-norm). Default 2. */
  p?: number | 'fro';
  /** Dim or dims to reduce (PyTorch's `dim=`); `null`/absent: all elements. */
  dim?: number | readonly number[] | null;
  /** Keep the reduced dims with size 1 (PyTorch's `keepdim=`); default false. */
  keepdim?: boolean;
}

function normOrder(p: number | string | undefined): number {
  if (p === undefined || p === 'fro') return 2;
  if (typeof p === 'number') return p;
  if (p === 'nuc') {
    throw new RangeError(
      "norm(): p='nuc' (the nuclear norm) is not supported; use 'fro' or a number",
    );
  }
  throw new RangeError(`norm(): only valid string values are 'fro' and 'nuc', found ${p}`);
}

/**
 * The vector p-norm of all elements, or over `dim` (a number or list). p defaults to 2 ('fro'
 * means the same); p = Infinity / -Infinity gives the largest / smallest magnitude, p = 0 the
 * number of nonzeros. Floating inputs only. Call forms: `(p, dim, keepdim)` or options.
 * @example x.norm(); x.norm(1); torch.norm(x, 2, 1, true); x.norm({ p: Infinity, dim: 0 })
 */
export function norm(
  input: Tensor,
  p?: number | 'fro' | NormOptions,
  dim?: number | readonly number[] | null,
  keepdim?: boolean,
): Tensor {
  checkTensor(input, 'norm', 'input');
  const o: NormOptions =
    p !== null && typeof p === 'object' ? p : { p: p as number | 'fro' | undefined, dim, keepdim };
  const attrs = dimAttrs(reduceArgs(o.dim, o.keepdim), input.shape.length, 'norm');
  return run(normOp, [input], { p: normOrder(o.p), ...attrs });
}

declare module '../tensor.js' {
  interface Tensor {
    /** Vector p-norm. @example x.norm(); x.norm(2, 1, true) */
    norm(
      p?: number | 'fro' | NormOptions,
      dim?: number | readonly number[] | null,
      keepdim?: boolean,
    ): Tensor;
  }
}

Tensor.prototype.norm = function (
  this: Tensor,
  p?: number | 'fro' | NormOptions,
  dim?: number | readonly number[] | null,
  keepdim?: boolean,
) {
  return norm(this, p, dim, keepdim);
};
