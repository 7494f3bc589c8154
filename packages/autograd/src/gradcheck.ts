import type { Tensor, TypedArray } from '@autodag/core';
import {
  formatShape,
  fromTypedArray,
  isFloatingPoint,
  randnLike,
  Tensor as TensorClass,
  typedArrayFor,
  zeros,
} from '@autodag/core';
import { grad } from './grad.js';

/** Options of `gradcheck` and `gradgradcheck` (PyTorch's keywords, camelCased). */
export interface GradcheckOptions {
  /** Step of the central finite differences (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, relative to the numerical value (default 1e-3). */
  rtol?: number;
  /** Throw an error describing the worst mismatch (default) instead of returning `false`. */
  raiseException?: boolean;
}

/** What a checked function may return: one tensor or several. */
export type GradcheckOutput = Tensor | readonly Tensor[];

/** A function under test; called with the inputs spread as arguments (typed loosely so that
 * `(x: Tensor, k: number) => ...` fits). */
export type GradcheckFn = (...inputs: never[]) => GradcheckOutput;

/** How this module calls a `GradcheckFn`. */
function call(fn: GradcheckFn, args: readonly unknown[]): GradcheckOutput {
  return (fn as (...a: unknown[]) => GradcheckOutput)(...args);
}

const DOUBLE_ADVICE =
  'This check will likely fail if all the inputs are not of double precision floating point: create them with { dtype: "float64" }.';

function isTensor(x: unknown): x is Tensor {
  return x instanceof TensorClass;
}

function asInputList(inputs: unknown): unknown[] {
  return Array.isArray(inputs) ? inputs.slice() : [inputs];
}

function asOutputList(out: GradcheckOutput): Tensor[] {
  const list = isTensor(out) ? [out] : Array.isArray(out) ? out.slice() : null;
  if (!list?.every(isTensor)) {
    throw new TypeError('gradcheck: the function must return a Tensor or an array of Tensors');
  }
  return list;
}

/** Row-major multi-index of a flat element index, e.g. `[1, 2]`. */
function multiIndex(flat: number, shape: readonly number[]): string {
  const idx: number[] = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${idx.join(', ')}]`;
}

function readFloat64(t: Tensor): Float64Array {
  return Float64Array.from(t.detach().dataSync() as ArrayLike<number>);
}

/**
 * A copy of `x` whose element `flat` (row-major) is `value`, keeping the dtype, device and
 * requiresGrad flag. Non-overlapping strided inputs keep their layout, so kernels see the same
 * strides as in the analytical pass.
 */
function perturbed(x: Tensor, base: Float64Array, flat: number, value: number): Tensor {
  const Ctor = typedArrayFor(x.dtype);
  const overlapping = x.shape.some((n, d) => n > 1 && x.strides[d] === 0);
  let out: Tensor;
  if (x.isContiguous() || overlapping || !x.backend.readSync) {
    const vals = Ctor.from(base) as TypedArray;
    vals[flat] = value;
    out = fromTypedArray(vals, x.shape, { dtype: x.dtype, device: x.device });
  } else {
    const storage = (Ctor.from as (a: ArrayLike<number>) => TypedArray)(
      x.backend.readSync(x.storage) as ArrayLike<number>,
    );
    let pos = x.offset;
    let rest = flat;
    for (let d = x.shape.length - 1; d >= 0; d--) {
      pos += (rest % x.shape[d]!) * x.strides[d]!;
      rest = Math.floor(rest / x.shape[d]!);
    }
    storage[pos] = value;
    out = new TensorClass(x.backend.upload(storage, x.dtype), x.shape, x.strides, x.offset);
  }
  if (x.requiresGrad) out.requiresGrad = true;
  return out;
}

/** Float64 values of the floating outputs of `fn` at `args`. */
function evaluate(fn: GradcheckFn, args: unknown[]): Float64Array[] {
  return asOutputList(call(fn, args))
    .filter((o) => isFloatingPoint(o.dtype))
    .map(readFloat64);
}

/** Numerical Jacobians `[input][output]`, each laid out `[inputElement * nOut + outputElement]`. */
function numericalJacobians(
  fn: GradcheckFn,
  args: unknown[],
  diffIdx: readonly number[],
  outSizes: readonly number[],
  eps: number,
): Float64Array[][] {
  return diffIdx.map((argIndex) => {
    const x = args[argIndex] as Tensor;
    const base = readFloat64(x);
    const n = base.length;
    const jac = outSizes.map((m) => new Float64Array(n * m));
    for (let j = 0; j < n; j++) {
      const at = (value: number) => {
        const call = args.slice();
        call[argIndex] = perturbed(x, base, j, value);
        return evaluate(fn, call);
      };
      const plus = at(base[j]! + eps);
      const minus = at(base[j]! - eps);
      outSizes.forEach((m, k) => {
        const row = jac[k]!;
        for (let o = 0; o < m; o++) row[j * m + o] = (plus[k]![o]! - minus[k]![o]!) / (2 * eps);
      });
    }
    return jac;
  });
}

/**
 * Analytical Jacobians `[input][output]` (same layout as the numerical ones), one
 * `autograd.grad` call per output element with a one-hot `gradOutputs`.
 */
function analyticalJacobians(
  outputs: readonly Tensor[],
  diffInputs: readonly Tensor[],
): Float64Array[][] {
  const jac = diffInputs.map((x) => outputs.map((o) => new Float64Array(x.numel() * o.numel())));
  outputs.forEach((out, k) => {
    if (!out.requiresGrad) return; // a constant output: its Jacobian is zero
    const m = out.numel();
    for (let o = 0; o < m; o++) {
      const oneHot = new (typedArrayFor(out.dtype))(m);
      oneHot[o] = 1;
      const v = fromTypedArray(oneHot, out.shape, { dtype: out.dtype, device: out.device });
      const grads = grad(out, diffInputs, {
        gradOutputs: [v],
        retainGraph: true,
        allowUnused: true,
      });
      grads.forEach((g, i) => {
        if (!g) return;
        const x = diffInputs[i]!;
        if (g.dtype !== x.dtype) {
          throw new TypeError(
            `gradcheck: Gradient has dtype mismatch: input ${i} is ${x.dtype} but its gradient is ${g.dtype}`,
          );
        }
        if (g.device !== x.device) {
          throw new Error(
            `gradcheck: Gradient has device mismatch: input ${i} is on ${x.device} but its gradient is on ${g.device}`,
          );
        }
        const vals = readFloat64(g);
        const dst = jac[i]![k]!;
        for (let j = 0; j < vals.length; j++) dst[j * m + o] = vals[j]!;
      });
    }
  });
  return jac;
}

function formatJacobian(jac: Float64Array, n: number, m: number): string {
  const rows: string[] = [];
  for (let j = 0; j < n; j++) {
    const row: string[] = [];
    for (let o = 0; o < m; o++) row.push(jac[j * m + o]!.toPrecision(6));
    rows.push(`  [${row.join(', ')}]`);
  }
  return `[\n${rows.join(',\n')}\n]`;
}

function fail(message: string, raise: boolean): false {
  if (raise) throw new Error(message);
  return false;
}

/**
 * Checks the gradients of `fn` at `inputs` against float64 central finite differences:
 * for every input that requires grad and every floating output, the analytical Jacobian (built
 * row by row with `torch.autograd.grad`) must match the numerical one within
 * `atol + rtol * |numerical|`. Returns `true`, or throws an error naming the worst entry (input
 * index, output index, element indices, numerical and analytical values); with
 * `raiseException: false` returns `false` instead. Inputs should be float64.
 * @example
 * const x = torch.randn(3, { dtype: 'float64', requiresGrad: true });
 * torch.autograd.gradcheck((t) => t.tanh().mul(t), [x]); // true
 */
export function gradcheck(
  fn: GradcheckFn,
  inputs: Tensor | readonly unknown[],
  options: GradcheckOptions = {},
): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = options;
  const args = asInputList(inputs);
  const diffIdx = args.flatMap((a, i) => (isTensor(a) && a.requiresGrad ? [i] : []));
  if (diffIdx.length === 0) {
    throw new Error(
      'gradcheck expects at least one input tensor to require gradient, but none of them have requiresGrad: true.',
    );
  }
  const lowPrecision = diffIdx.filter((i) => (args[i] as Tensor).dtype !== 'float64');
  for (const i of lowPrecision) {
    console.warn(
      `gradcheck: Input #${i} requires gradient and is not a double precision floating point (it is ${(args[i] as Tensor).dtype}). ${DOUBLE_ADVICE}`,
    );
  }
  const diffInputs = diffIdx.map((i) => args[i] as Tensor);
  const outputs = asOutputList(call(fn, args)).filter((o) => isFloatingPoint(o.dtype));
  const analytical = analyticalJacobians(outputs, diffInputs);
  const outSizes = outputs.map((o) => o.numel());
  const numerical = numericalJacobians(fn, args, diffIdx, outSizes, eps);

  for (let i = 0; i < diffIdx.length; i++) {
    const x = diffInputs[i]!;
    for (let k = 0; k < outputs.length; k++) {
      const num = numerical[i]![k]!;
      const ana = analytical[i]![k]!;
      const m = outSizes[k]!;
      let worst = -1;
      let worstExcess = 0;
      for (let e = 0; e < num.length; e++) {
        const diff = Math.abs(ana[e]! - num[e]!);
        const excess = diff - (atol + rtol * Math.abs(num[e]!));
        if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
          worst = e;
          worstExcess = excess;
        }
      }
      if (worst < 0) continue;
      const j = Math.floor(worst / m);
      const o = worst % m;
      const n = num[worst]!;
      const a = ana[worst]!;
      const tol = atol + rtol * Math.abs(n);
      const out = outputs[k]!;
      const small = num.length <= 64;
      let msg =
        `Jacobian mismatch for output ${k} with respect to input ${diffIdx[i]}: ` +
        `worst at input element ${multiIndex(j, x.shape)} of ${formatShape(x.shape)}, ` +
        `output element ${multiIndex(o, out.shape)} of ${formatShape(out.shape)}: ` +
        `numerical ${n} vs analytical ${a} (|difference| ${Math.abs(a - n)} > atol + rtol * |numerical| = ${tol})`;
      if (small) {
        msg += `,\nnumerical:${formatJacobian(num, num.length / m, m)}\nanalytical:${formatJacobian(ana, num.length / m, m)}`;
      }
      if (lowPrecision.length) msg += `\nNote: ${DOUBLE_ADVICE}`;
      return fail(msg, raiseException);
    }
  }
  return true;
}

/** Options of `gradgradcheck`. */
export interface GradgradcheckOptions extends GradcheckOptions {
  /** The vectors of the first backward; default random normal tensors requiring grad. */
  gradOutputs?: Tensor | readonly Tensor[];
}

/**
 * Checks second-order gradients: runs `gradcheck` on the function
 * `(inputs..., gradOutputs...) => autograd.grad(fn(inputs), inputs, { gradOutputs, createGraph: true })`,
 * so the backward of the backward is compared with finite differences of the backward.
 * `gradOutputs` default to random normal tensors shaped like the outputs.
 * @example
 * const x = torch.randn(3, { dtype: 'float64', requiresGrad: true });
 * torch.autograd.gradgradcheck((t) => t.mul(t).mul(t), [x]); // true
 */
export function gradgradcheck(
  fn: GradcheckFn,
  inputs: Tensor | readonly unknown[],
  gradOutputsOrOptions?: Tensor | readonly Tensor[] | GradgradcheckOptions,
  options: GradgradcheckOptions = {},
): boolean {
  let opts = options;
  let given: Tensor | readonly Tensor[] | undefined;
  if (isTensor(gradOutputsOrOptions) || Array.isArray(gradOutputsOrOptions)) {
    given = gradOutputsOrOptions as Tensor | readonly Tensor[];
  } else if (gradOutputsOrOptions) {
    opts = gradOutputsOrOptions as GradgradcheckOptions;
    given = opts.gradOutputs;
  } else {
    given = opts.gradOutputs;
  }
  const args = asInputList(inputs);
  const n = args.length;
  const outputs = asOutputList(call(fn, args)).filter((o) => o.requiresGrad);
  if (outputs.length === 0) {
    throw new Error('gradgradcheck: none of the outputs of the function require grad');
  }
  const gradOutputs = given
    ? isTensor(given)
      ? [given]
      : given.slice()
    : outputs.map((o) => randnLike(o).requiresGrad_());
  if (gradOutputs.length !== outputs.length) {
    throw new RangeError(
      `gradgradcheck: got ${gradOutputs.length} gradOutputs for ${outputs.length} differentiable outputs`,
    );
  }
  const firstOrder: GradcheckFn = (...all: unknown[]) => {
    const ins = all.slice(0, n);
    const gos = all.slice(n) as Tensor[];
    const outs = asOutputList(call(fn, ins)).filter((o) => o.requiresGrad);
    const diff = ins.filter((a): a is Tensor => isTensor(a) && a.requiresGrad);
    const grads = grad(outs, diff, { gradOutputs: gos, createGraph: true, allowUnused: true });
    // Inputs the outputs ignore contribute a zero gradient that still depends on nothing.
    return grads.map(
      (g, i) => g ?? zeros(diff[i]!.shape, { dtype: diff[i]!.dtype, device: diff[i]!.device }),
    );
  };
  return gradcheck(firstOrder, [...args, ...gradOutputs], opts);
}
