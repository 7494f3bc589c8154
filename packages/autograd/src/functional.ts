import type { Tensor } from '@autodag/core';
import {
  argTypeError,
  enableGrad,
  formatShape,
  fromTypedArray,
  onesLike,
  shapesEqual,
  stack,
  Tensor as TensorClass,
  typedArrayFor,
  zeros,
  zerosLike,
} from '@autodag/core';
import { grad } from './grad.js';

/**
 * PyTorch's `torch.autograd.functional`: Jacobians, Hessians and vector products of plain
 * functions of tensors. A single tensor passed as `inputs` gives single-tensor results; an array
 * gives arrays (nested for Jacobians: `[output][input]`), as PyTorch does with tuples.
 */

/** A function of tensors: called with the inputs spread as arguments. */
export type TensorFn = (...inputs: never[]) => Tensor | readonly Tensor[];

/** Options shared by the functional API. */
export interface FunctionalOptions {
  /** Record the computation of the results so they can be differentiated again. */
  createGraph?: boolean;
  /** Throw when an output does not depend on an input, instead of returning zeros. */
  strict?: boolean;
}

/** Options of `jacobian`. */
export interface JacobianOptions extends FunctionalOptions {
  /**
   * Accepted for PyTorch compatibility. Rows are computed one vector-Jacobian product at a time
   * either way; the results are identical.
   */
  vectorize?: boolean;
  /**
   * `'reverse-mode'` (default): one VJP per output element, best with few outputs.
   * `'forward-mode'`: one JVP per input element (double-VJP trick), best with few inputs.
   */
  strategy?: 'reverse-mode' | 'forward-mode';
}

/** Options of `hessian`. */
export interface HessianOptions extends FunctionalOptions {
  /** Accepted for PyTorch compatibility (see `JacobianOptions.vectorize`). */
  vectorize?: boolean;
  /** Strategy of the outer Jacobian (the inner one is reverse-mode). */
  outerJacobianStrategy?: 'reverse-mode' | 'forward-mode';
}

function isTensor(x: unknown): x is Tensor {
  return x instanceof TensorClass;
}

function asTensorList(x: unknown, fnName: string, argName: string): [Tensor[], boolean] {
  const isTuple = Array.isArray(x);
  const list = isTuple ? (x as unknown[]) : [x];
  // An array without a single tensor is data meant as one: say so, rather than blame element 0.
  if (isTuple && list.length > 0 && !list.some(isTensor)) {
    throw argTypeError(fnName, argName, x, 'a Tensor or an array of Tensors');
  }
  list.forEach((t, i) => {
    if (!isTensor(t)) {
      throw new TypeError(
        `The ${argName} given to ${fnName} must be either a Tensor or an array of Tensors but the value at index ${i} has type ${t === null ? 'null' : typeof t}.`,
      );
    }
  });
  return [list as Tensor[], isTuple];
}

/**
 * The inputs the function is differentiated at, checked and listed: fresh leaves, or the inputs
 * themselves under createGraph. The flag says whether the caller passed an array.
 */
function prepareInputs(inputs: unknown, fnName: string, createGraph: boolean): [Tensor[], boolean] {
  const [raw, isTuple] = asTensorList(inputs, fnName, 'inputs');
  return [
    raw.map((x) => (createGraph && x.requiresGrad ? x : x.detach().requiresGrad_())),
    isTuple,
  ];
}

/** Indices of the tensors that require grad; `null` (an unused input's gradient) does not. */
function requiringGrad(ts: readonly (Tensor | null)[]): number[] {
  return ts.flatMap((t, i) => (t?.requiresGrad ? [i] : []));
}

/**
 * First half of the double-VJP trick (jvp, forward-mode jacobian): `gs = Jᵀu` for dummy
 * cotangents `us`, one per `live` output (those requiring grad). `gs` is linear in `us`, so its
 * VJP with a vector `v` over the inputs is `J v`, one entry per live output.
 */
function transposedJacobianProduct(
  outs: readonly Tensor[],
  ins: readonly Tensor[],
): { live: number[]; us: Tensor[]; gs: (Tensor | null)[] } {
  const live = requiringGrad(outs);
  const us = live.map((k) => zerosLike(outs[k]!).requiresGrad_());
  const gs = live.length
    ? grad(
        live.map((k) => outs[k]!),
        ins,
        { gradOutputs: us, createGraph: true, allowUnused: true },
      )
    : ins.map(() => null);
  return { live, us, gs };
}

/** Output `k`'s entry of `perLive` (one entry per `live` output); null where `k` is not live. */
function forOutput(
  perLive: readonly (Tensor | null)[],
  live: readonly number[],
  k: number,
): Tensor | null {
  const slot = live.indexOf(k);
  return slot >= 0 ? (perLive[slot] ?? null) : null;
}

function callFn(fn: TensorFn, inputs: readonly Tensor[], fnName: string): [Tensor[], boolean] {
  const out = (fn as (...a: Tensor[]) => unknown)(...inputs);
  const [outs, isTuple] = asTensorList(out, fnName, 'outputs of the user-provided function');
  return [outs, isTuple];
}

/** Stacks Jacobian rows (or columns) of shape `shape` along a new leading dim; records the graph. */
function stackRows(rows: readonly Tensor[], shape: readonly number[], like: Tensor): Tensor {
  return rows.length
    ? stack(rows)
    : zeros([0, ...shape], { dtype: like.dtype, device: like.device });
}

function finish(t: Tensor, createGraph: boolean): Tensor {
  return createGraph ? t : t.detach();
}

function oneHot(like: Tensor, index: number): Tensor {
  const vals = new (typedArrayFor(like.dtype))(like.numel());
  vals[index] = 1;
  return fromTypedArray(vals, like.shape, { dtype: like.dtype, device: like.device });
}

function independent(fnName: string, out: number, input: number): Error {
  return new Error(
    `${fnName}: Output ${out} of the user-provided function is independent of input ${input}. This is not allowed in strict mode.`,
  );
}

/** Checks a user-given vector against the tensors it multiplies (outputs for vjp, inputs for jvp). */
function checkVectors(
  v: unknown,
  against: readonly Tensor[],
  againstIsTuple: boolean,
  fnName: string,
  what: string,
): Tensor[] {
  if (v === undefined || v === null) {
    if (against.length !== 1 || against[0]!.numel() !== 1) {
      throw new Error(
        `${fnName}: The vector v can only be None if the ${what} is a single Tensor with a single element.`,
      );
    }
    return [onesLike(against[0]!)];
  }
  const [vs, vIsTuple] = asTensorList(v, fnName, 'v');
  if (vIsTuple !== againstIsTuple || vs.length !== against.length) {
    throw new RangeError(
      `${fnName}: v is ${vIsTuple ? `an array of length ${vs.length}` : 'a single Tensor'} but the ${what} is ${againstIsTuple ? `an array of length ${against.length}` : 'a single Tensor'}.`,
    );
  }
  vs.forEach((t, i) => {
    if (!shapesEqual(t.shape, against[i]!.shape)) {
      throw new RangeError(
        `${fnName}: Entry ${i} in v has invalid size: expected ${formatShape(against[i]!.shape)} but got ${formatShape(t.shape)}.`,
      );
    }
  });
  return vs;
}

/**
 * Reverse-mode Jacobian rows: for each output, one `grad` call per output element with a one-hot
 * vector. Returns `[output][input]` with shapes `out.shape ++ in.shape`.
 */
function reverseJacobian(
  outs: readonly Tensor[],
  ins: readonly Tensor[],
  opts: JacobianOptions,
  fnName: string,
): Tensor[][] {
  const createGraph = opts.createGraph ?? false;
  return outs.map((out, k) => {
    const rows: Tensor[][] = ins.map(() => []);
    for (let o = 0; o < out.numel(); o++) {
      const gs = out.requiresGrad
        ? grad(out, ins, {
            gradOutputs: [oneHot(out, o)],
            retainGraph: true,
            createGraph,
            allowUnused: true,
          })
        : ins.map(() => null);
      gs.forEach((g, i) => {
        if (!g && opts.strict) throw independent(fnName, k, i);
        rows[i]!.push(g ?? zerosLike(ins[i]!));
      });
    }
    return ins.map((x, i) => stackRows(rows[i]!, x.shape, x).reshape([...out.shape, ...x.shape]));
  });
}

/**
 * Forward-mode Jacobian columns by the double-VJP trick: `g(u) = Jᵀu` is linear in a dummy `u`,
 * so the VJP of `g` with a one-hot input vector `e` is `J e`, one column per input element.
 */
function forwardJacobian(
  outs: readonly Tensor[],
  ins: readonly Tensor[],
  opts: JacobianOptions,
  fnName: string,
): Tensor[][] {
  const createGraph = opts.createGraph ?? false;
  const { live, us, gs } = transposedJacobianProduct(outs, ins);
  const columns: Tensor[][][] = outs.map(() => ins.map(() => []));
  ins.forEach((x, i) => {
    const g = gs[i];
    for (let e = 0; e < x.numel(); e++) {
      const cols = g?.requiresGrad
        ? grad(g, us, {
            gradOutputs: [oneHot(x, e)],
            retainGraph: true,
            createGraph,
            allowUnused: true,
          })
        : us.map(() => null);
      outs.forEach((out, k) => {
        const c = forOutput(cols, live, k);
        if (!c && opts.strict) throw independent(fnName, k, i);
        columns[k]![i]!.push(c ?? zerosLike(out));
      });
    }
  });
  return outs.map((out, k) =>
    ins.map((x, i) =>
      stackRows(columns[k]![i]!, out.shape, out)
        .reshape([x.numel(), out.numel()])
        .transpose(0, 1)
        .reshape([...out.shape, ...x.shape]),
    ),
  );
}

/** Shapes `[output][input]` results like PyTorch: unwraps the single-tensor sides. */
function structure(jac: Tensor[][], outTuple: boolean, inTuple: boolean): JacobianResult {
  if (!outTuple && !inTuple) return jac[0]![0]!;
  if (!outTuple) return jac[0]!;
  if (!inTuple) return jac.map((row) => row[0]!);
  return jac;
}

/** What `jacobian` returns: a tensor, an array, or an array of arrays (`[output][input]`). */
export type JacobianResult = Tensor | Tensor[] | Tensor[][];

/**
 * The Jacobian of `fn` at `inputs`: for output `y` and input `x`, a tensor of shape
 * `y.shape ++ x.shape` holding ∂yᵢ/∂xⱼ. A single tensor in and out gives a tensor; an array of
 * inputs gives an array over inputs; an array of outputs an array over outputs; both give
 * `[output][input]`.
 * @example
 * const x = torch.tensor([1, 2, 3]);
 * torch.autograd.functional.jacobian((t) => t.mul(t), x) // diag([2, 4, 6])
 * const [ja, jb] = torch.autograd.functional.jacobian((a, b) => a.mul(b), [x, x]);
 */
export function jacobian(fn: (x: Tensor) => Tensor, inputs: Tensor, opts?: JacobianOptions): Tensor;
/**
 * A function returning an array of tensors, one input: one Jacobian per output.
 * @example const [ja, jb] = torch.autograd.functional.jacobian((t) => [t.mul(2), t.exp()], x);
 */
export function jacobian(
  fn: (x: Tensor) => readonly Tensor[],
  inputs: Tensor,
  opts?: JacobianOptions,
): Tensor[];
/**
 * Several inputs, one output: one Jacobian per input.
 * @example const [ja, jb] = torch.autograd.functional.jacobian((a, b) => a.mul(b), [x, y]);
 */
export function jacobian(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts?: JacobianOptions,
): Tensor[];
/**
 * Several inputs and several outputs: Jacobians indexed `[output][input]`.
 * @example const jac = torch.autograd.functional.jacobian((a, b) => [a.mul(b), a.add(b)], [x, y]); // jac[1][0] = ∂(a + b)/∂a
 */
export function jacobian(
  fn: (...xs: Tensor[]) => readonly Tensor[],
  inputs: readonly Tensor[],
  opts?: JacobianOptions,
): Tensor[][];
/**
 * Any function and inputs, when the structure is only known at run time.
 * @example torch.autograd.functional.jacobian(fn as torch.autograd.TensorFn, inputs)
 */
export function jacobian(
  fn: TensorFn,
  inputs: Tensor | readonly Tensor[],
  opts?: JacobianOptions,
): JacobianResult;
/** Implementation of the `jacobian` overloads above. */
export function jacobian(
  fn: TensorFn,
  inputs: Tensor | readonly Tensor[],
  opts: JacobianOptions = {},
): JacobianResult {
  return enableGrad(() => {
    const [ins, inTuple] = prepareInputs(inputs, 'jacobian', opts.createGraph ?? false);
    const [outs, outTuple] = callFn(fn, ins, 'jacobian');
    const strategy = opts.strategy ?? 'reverse-mode';
    if (strategy !== 'reverse-mode' && strategy !== 'forward-mode') {
      throw new TypeError(
        `jacobian: Expected strategy to be either "forward-mode" or "reverse-mode". Got ${strategy}.`,
      );
    }
    const jac =
      strategy === 'forward-mode'
        ? forwardJacobian(outs, ins, opts, 'jacobian')
        : reverseJacobian(outs, ins, opts, 'jacobian');
    return structure(jac, outTuple, inTuple);
  });
}

/**
 * The Hessian of a scalar function: for inputs `xᵢ`, `xⱼ` a tensor of shape `xᵢ.shape ++ xⱼ.shape`.
 * A single tensor input gives a tensor; an array of inputs gives `[i][j]` blocks.
 * @example
 * const x = torch.tensor([1, 2], { dtype: 'float64' });
 * torch.autograd.functional.hessian((t) => t.mul(t).mul(t).sum(), x) // diag(6x) = [[6, 0], [0, 12]]
 */
export function hessian(fn: (x: Tensor) => Tensor, inputs: Tensor, opts?: HessianOptions): Tensor;
/**
 * Several inputs: the Hessian blocks `[i][j]` = ∂²f/∂xᵢ∂xⱼ.
 * @example const [[haa, hab], [hba, hbb]] = torch.autograd.functional.hessian((a, b) => a.mul(b).sum(), [x, y]);
 */
export function hessian(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts?: HessianOptions,
): Tensor[][];
/**
 * Any function and inputs, when the structure is only known at run time.
 * @example torch.autograd.functional.hessian(fn as torch.autograd.TensorFn, inputs)
 */
export function hessian(
  fn: TensorFn,
  inputs: Tensor | readonly Tensor[],
  opts?: HessianOptions,
): Tensor | Tensor[][];
/** Implementation of the `hessian` overloads above. */
export function hessian(
  fn: TensorFn,
  inputs: Tensor | readonly Tensor[],
  opts: HessianOptions = {},
): Tensor | Tensor[][] {
  const [, inTuple] = asTensorList(inputs, 'hessian', 'inputs');
  const scalar = (...xs: Tensor[]): Tensor => {
    const [outs, outTuple] = callFn(fn, xs, 'hessian');
    if (outTuple || outs[0]!.numel() !== 1) {
      throw new Error(
        `hessian: The function given to hessian should return a single Tensor with a single element, got ${outTuple ? `an array of ${outs.length} Tensors` : `a Tensor of shape ${formatShape(outs[0]!.shape)}`}.`,
      );
    }
    return outs[0]!.reshape([]);
  };
  const gradient = (...xs: Tensor[]) =>
    jacobian(scalar, inTuple ? xs : xs[0]!, { createGraph: true, strict: opts.strict }) as
      | Tensor
      | Tensor[];
  return jacobian(gradient, inputs, {
    createGraph: opts.createGraph,
    strict: opts.strict,
    strategy: opts.outerJacobianStrategy,
  }) as Tensor | Tensor[][];
}

/**
 * The vector-Jacobian product `vᵀ J` of `fn` at `inputs`. Returns `[outputs, vjp]`: outputs as
 * `fn` returned them, and one result per input (a tensor for a single input). `v` matches the
 * outputs and may be omitted for a single one-element output.
 * @example
 * const [y, g] = torch.autograd.functional.vjp((t) => t.mul(t), x, torch.ones(3)); // g = 2x
 */
export function vjp(
  fn: (x: Tensor) => Tensor | readonly Tensor[],
  inputs: Tensor,
  v?: Tensor | readonly Tensor[] | null,
  opts?: FunctionalOptions,
): [Tensor | Tensor[], Tensor];
/**
 * Several inputs: one vector-Jacobian product per input.
 * @example const [y, [ga, gb]] = torch.autograd.functional.vjp((a, b) => a.mul(b), [x, z], torch.ones(3)); // ga = z, gb = x
 */
export function vjp(
  fn: (...xs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  v?: Tensor | readonly Tensor[] | null,
  opts?: FunctionalOptions,
): [Tensor | Tensor[], Tensor[]];
/**
 * Any function and inputs, when the structure is only known at run time.
 * @example torch.autograd.functional.vjp(fn as torch.autograd.TensorFn, inputs, v)
 */
export function vjp(
  fn: TensorFn,
  inputs: Tensor | readonly Tensor[],
  v?: Tensor | readonly Tensor[] | null,
  opts?: FunctionalOptions,
): [Tensor | Tensor[], Tensor | Tensor[]];
/** Implementation of the `vjp` overloads above. */
export function vjp(
  fn: TensorFn,
  inputs: Tensor | readonly Tensor[],
  v: Tensor | readonly Tensor[] | null = null,
  opts: FunctionalOptions = {},
): [Tensor | Tensor[], Tensor | Tensor[]] {
  const createGraph = opts.createGraph ?? false;
  return enableGrad(() => {
    const [ins, inTuple] = prepareInputs(inputs, 'vjp', createGraph);
    const [outs, outTuple] = callFn(fn, ins, 'vjp');
    const vs = checkVectors(v, outs, outTuple, 'vjp', 'user-provided function returns');
    const live = requiringGrad(outs);
    const gs = live.length
      ? grad(
          live.map((k) => outs[k]!),
          ins,
          {
            gradOutputs: live.map((k) => vs[k]!),
            createGraph,
            retainGraph: createGraph,
            allowUnused: true,
          },
        )
      : ins.map(() => null);
    const res = gs.map((g, i) => {
      if (!g && opts.strict) {
        throw new Error(
          `vjp: The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`,
        );
      }
      return g ?? zerosLike(ins[i]!);
    });
    const outputs = outs.map((o) => finish(o, createGraph));
    return [outTuple ? outputs : outputs[0]!, inTuple ? res : res[0]!];
  });
}

/**
 * The Jacobian-vector product `J v` of `fn` at `inputs`, computed with two reverse passes (the
 * double-VJP trick: `u ↦ Jᵀu` is linear, and its VJP with `v` is `J v`). Returns
 * `[outputs, jvp]`, the product shaped like the outputs. `v` matches the inputs and may be
 * omitted for a single one-element input.
 * @example
 * const [y, d] = torch.autograd.functional.jvp((t) => t.mul(t), x, torch.ones(3)); // d = 2x
 */
export function jvp(
  fn: (x: Tensor) => Tensor,
  inputs: Tensor,
  v?: Tensor | null,
  opts?: FunctionalOptions,
): [Tensor, Tensor];
/**
 * Several inputs, one output: `v` holds one tangent per input and the product is summed over them.
 * @example const [y, d] = torch.autograd.functional.jvp((a, b) => a.mul(b), [x, z], [torch.ones(3), torch.zeros(3)]); // d = z
 */
export function jvp(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  v?: readonly Tensor[] | null,
  opts?: FunctionalOptions,
): [Tensor, Tensor];
/**
 * A function returning several outputs: one product per output.
 * @example const [[y1, y2], [d1, d2]] = torch.autograd.functional.jvp((t) => [t.mul(2), t.exp()], x, torch.ones(3));
 */
export function jvp(
  fn: (...xs: Tensor[]) => readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  v?: Tensor | readonly Tensor[] | null,
  opts?: FunctionalOptions,
): [Tensor[], Tensor[]];
/**
 * Any function and inputs, when the structure is only known at run time.
 * @example torch.autograd.functional.jvp(fn as torch.autograd.TensorFn, inputs, v)
 */
export function jvp(
  fn: TensorFn,
  inputs: Tensor | readonly Tensor[],
  v?: Tensor | readonly Tensor[] | null,
  opts?: FunctionalOptions,
): [Tensor | Tensor[], Tensor | Tensor[]];
/** Implementation of the `jvp` overloads above. */
export function jvp(
  fn: TensorFn,
  inputs: Tensor | readonly Tensor[],
  v: Tensor | readonly Tensor[] | null = null,
  opts: FunctionalOptions = {},
): [Tensor | Tensor[], Tensor | Tensor[]] {
  const createGraph = opts.createGraph ?? false;
  return enableGrad(() => {
    const [ins, inTuple] = prepareInputs(inputs, 'jvp', createGraph);
    const vs = checkVectors(v, ins, inTuple, 'jvp', 'input to the user-provided function');
    const [outs, outTuple] = callFn(fn, ins, 'jvp');
    const { live, us, gs } = transposedJacobianProduct(outs, ins);
    const used = requiringGrad(gs);
    const prods = used.length
      ? grad(
          used.map((i) => gs[i]!),
          us,
          { gradOutputs: used.map((i) => vs[i]!), createGraph, allowUnused: true },
        )
      : us.map(() => null);
    const res = outs.map((o, k) => {
      const p = forOutput(prods, live, k);
      if (!p && opts.strict) {
        throw new Error(
          `jvp: The output ${k} of the user-provided function is independent of the inputs. This is not allowed in strict mode.`,
        );
      }
      return p ?? zerosLike(o);
    });
    const outputs = outs.map((o) => finish(o, createGraph));
    return [outTuple ? outputs : outputs[0]!, outTuple ? res : res[0]!];
  });
}
