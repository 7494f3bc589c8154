import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/** Shape and dtype of one op output, computed before any kernel runs. */
export interface TensorMeta {
  /** Extent of the output along each dimension. */
  readonly shape: Shape;
  /** Element type of the output. */
  readonly dtype: DType;
  /** Layout, where known (VJPs see the strides of every argument, saved or not). */
  readonly strides?: readonly number[];
}

/** The types an op attribute may declare; checked when the op is called. */
export type AttrType = 'int' | 'float' | 'bool' | 'int[]' | 'float[]' | 'string' | 'dtype' | 'any';

/** Declaration of one attribute: its type, whether it may be omitted, and its default. */
export interface AttrSpec {
  /** Value type, checked when the op is called. */
  readonly type: AttrType;
  /** Whether callers may omit the attribute. */
  readonly optional?: boolean;
  /** Value used when the attribute is omitted. */
  readonly default?: unknown;
  /** A short description for docs and listings. */
  readonly doc?: string;
}

/**
 * What a vector-Jacobian product sees: the gradient flowing into the op's outputs,
 * the tensors the op saved, and its attributes. VJPs written with ops get higher-order
 * gradients for free.
 */
export interface VjpContext<A = Record<string, unknown>> {
  /** Gradient of the loss w.r.t. output 0 (zeros if that output got no gradient). */
  readonly grad: Tensor;
  /** Gradients w.r.t. every output, `null` where none flowed. */
  readonly grads: readonly (Tensor | null)[];
  /** The op's tensor arguments (inputs then parameters), as saved at call time. */
  readonly inputs: readonly Tensor[];
  /** Index of the argument whose gradient is asked for (tells the tensors of a variadic op apart). */
  readonly index: number;
  /** Shapes and dtypes of the arguments, always available even when the tensors were not saved. */
  readonly inputMetas: readonly TensorMeta[];
  /** The op's outputs, as saved at call time (those the op declares in `saveOutputs`). */
  readonly outputs: readonly Tensor[];
  /** The attributes the op was called with. */
  readonly attrs: A;
}

/** Applies the transposed Jacobian of an op w.r.t. one argument to the output gradient. */
export type VjpFn<A = Record<string, unknown>> = (ctx: VjpContext<A>) => Tensor | null;

/**
 * A backend's implementation of an op: reads `inputs`, writes freshly allocated contiguous
 * `outputs` (allocated by the dispatcher from the op's inferred metas).
 */
export type Kernel<A = Record<string, unknown>> = (
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: A,
) => void;

/** Where a view op places its result inside the input's storage. */
export interface ViewLayout {
  /** Extent along each dimension of the view. */
  readonly shape: readonly number[];
  /** Step in elements between neighbours along each dimension. */
  readonly strides: readonly number[];
  /** Index of the view's first element in the storage. */
  readonly offset: number;
}

/** An input an op's conformance samples feed it: literal values or a generated tensor, possibly made non-contiguous. */
export interface SampleInput {
  /** Shape of the generated tensor. */
  readonly shape: readonly number[];
  /** Element type (default float32). */
  readonly dtype?: DType;
  /** Literal values (row-major); when absent, values are drawn from `low`..`high` with the sample's seed. */
  readonly values?: readonly number[];
  /** Lower bound (inclusive) of generated values; default -1 for floats, -5 for int32. */
  readonly low?: number;
  /** Upper bound (exclusive) of generated values; default 1 for floats, 5 for int32. */
  readonly high?: number;
  /** Make the input a non-contiguous view with the same values: stored transposed (last two dims swapped). */
  readonly layout?: 'contiguous' | 'transposed' | 'strided';
  /** Whether the gradient checks include this input (default: true for floating inputs). */
  readonly requiresGrad?: boolean;
}

/** One conformance case of an op: its arguments, attributes, and which checks apply. */
export interface OpSample {
  /** Label shown in conformance test names. */
  readonly name: string;
  /** The op's tensor arguments, in call order (inputs then parameters). */
  readonly inputs: readonly SampleInput[];
  /** Attributes passed to the op. */
  readonly attrs?: Record<string, unknown>;
  /** Skip the gradient check (e.g. at non-differentiable points). */
  readonly noGrad?: boolean;
}

/**
 * Everything the system knows about one operator φ(x₁…x_d; w): its forward (a kernel per backend,
 * a view layout, or a composite of other ops), its shape/dtype inference, and one VJP per argument:
 * the input Jacobians J_{φ|x_c} and the parameter Jacobians J_{φ|w}.
 */
// biome-ignore lint/suspicious/noExplicitAny: attribute types are op-specific; `any` lets heterogeneous ops share one registry.
export interface OpDefinition<A = any> {
  /** Registry key, e.g. `'mul'` or `'myplugin.softplus'`. */
  readonly name: string;
  /** Names of the data inputs x₁…x_d, in call order. */
  readonly inputs: readonly string[];
  /** Names of the parameters w, passed after the inputs. */
  readonly params?: readonly string[];
  /** Typed attributes with defaults. */
  readonly attrs?: Readonly<Record<string, AttrSpec>>;
  /** Output shape(s) and dtype(s); throws a clear error on invalid arguments. Not needed by composite ops. */
  readonly infer?: (args: readonly Tensor[], attrs: A) => TensorMeta | readonly TensorMeta[];
  /** For view ops: the layout of the result inside the argument's storage (no kernel, no copy). */
  readonly view?: (arg: ViewLayout, attrs: A) => ViewLayout;
  /** For composite ops: the forward written with other ops; gradients come from those ops. */
  readonly composite?: (args: readonly Tensor[], attrs: A) => Tensor | Tensor[];
  /**
   * The op takes any number (at least one) of tensors as its single input, which `inputs` names
   * (e.g. `['tensors']`, as `cat` and `stack` do); its VJP for that name is called once per
   * tensor, with `ctx.index` telling which. Variadic ops take no parameters.
   */
  readonly variadic?: boolean;
  /**
   * The forward written with other ops, used on every backend that registered no kernel for this
   * op. Unlike `composite`, the call is recorded as one node of this op with its own VJPs (and its
   * own name, e.g. `MvBackward0`), and backends may still contribute faster kernels.
   */
  readonly decomposition?: (args: readonly Tensor[], attrs: A) => Tensor | Tensor[];
  /** One VJP per argument name; a missing entry means "not differentiable w.r.t. this argument". */
  readonly vjp?: Readonly<Record<string, VjpFn<A>>>;
  /** Which arguments the VJPs need (by index); default all. Unsaved arguments may change in place freely. */
  readonly saveInputs?: readonly number[];
  /**
   * Finer than `saveInputs`: for each argument name, the arguments its VJP reads. A call saves
   * only what the VJPs of its arguments that require grad need.
   * @example saveInputsFor: { input: [1], other: [0] } // mul: d/dinput reads other, d/dother reads input
   */
  readonly saveInputsFor?: Readonly<Record<string, readonly number[]>>;
  /**
   * Whether the VJPs need the outputs (e.g. exp, tanh), or which of them (by index); unsaved
   * outputs may change in place freely.
   * @example saveOutputs: [1] // max pooling's VJP reads the indices, not the maxima
   */
  readonly saveOutputs?: boolean | readonly number[];
  /** Indices of outputs that carry gradients (default: every floating output). */
  readonly differentiableOutputs?: readonly number[];
  /** Name of the backward node in printing, e.g. `'MulBackward0'`. Default: PascalCase name + `Backward0`. */
  readonly gradFnName?: string;
  /** Cases for the conformance suite (`@autodag/testing`). */
  readonly samples?: () => readonly OpSample[];
  /** A one-line description for docs and listings. */
  readonly doc?: string;
}

/** A registered op: its definition plus the kernels backends contributed. */
// biome-ignore lint/suspicious/noExplicitAny: see OpDefinition.
export interface RegisteredOp<A = any> {
  /** The definition given to `defineOp`. */
  readonly def: OpDefinition<A>;
  /** Forward kernels by backend name. */
  readonly kernels: Map<string, Kernel<A>>;
  /** Cached derived facts used on the dispatch hot path. */
  /** Number of tensor arguments; -1 for variadic ops (any number, at least one). */
  readonly arity: number;
  /** Name of the backward node (`tensor.gradFn.name`), e.g. `'MulBackward0'`. */
  readonly gradFnName: string;
  /** Names of the declared attributes, in declaration order. */
  readonly attrNames: readonly string[];
}

const ops = new Map<string, RegisteredOp>();

function pascalCase(name: string): string {
  const last = name.split('.').pop()!;
  return last.charAt(0).toUpperCase() + last.slice(1);
}

/**
 * Registers an operator: the plugin API that core's own ops and third-party packages share.
 * Defining an existing name is an error unless `override: true`.
 * @example
 * const square = defineOp({
 *   name: 'myplugin.square', inputs: ['x'],
 *   composite: ([x]) => x.mul(x),
 * });
 * callOp(square, [torch.tensor([3])]); // tensor([9.])
 */
export function defineOp<A = Record<string, unknown>>(
  def: OpDefinition<A>,
  options: { override?: boolean } = {},
): RegisteredOp<A> {
  const existing = ops.get(def.name);
  if (existing && !options.override) {
    throw new Error(
      `defineOp: an op named '${def.name}' is already registered; pass { override: true } to replace it`,
    );
  }
  if (!def.composite && !def.view && !def.infer && !def.decomposition) {
    throw new Error(
      `defineOp('${def.name}'): an op needs 'infer' (with kernels), 'decomposition', 'view' or 'composite'`,
    );
  }
  const argNames = [...def.inputs, ...(def.params ?? [])];
  if (def.variadic && (def.inputs.length !== 1 || def.params?.length)) {
    throw new Error(
      `defineOp('${def.name}'): a variadic op names exactly one input (its list of tensors) and no parameters`,
    );
  }
  for (const key of Object.keys(def.vjp ?? {})) {
    if (!argNames.includes(key)) {
      throw new Error(
        `defineOp('${def.name}'): vjp for '${key}', which is not an input or parameter (${argNames.join(', ')})`,
      );
    }
  }
  const registered: RegisteredOp<A> = {
    def,
    // Overriding keeps the kernels backends already contributed.
    kernels: (existing?.kernels as Map<string, Kernel<A>>) ?? new Map(),
    arity: def.variadic ? -1 : argNames.length,
    gradFnName: def.gradFnName ?? `${pascalCase(def.name)}Backward0`,
    attrNames: Object.keys(def.attrs ?? {}),
  };
  ops.set(def.name, registered as RegisteredOp);
  return registered;
}

/**
 * Removes an op and its kernels.
 * @example torch.unregisterOp('myplugin.square') // true if it was registered
 */
export function unregisterOp(name: string): boolean {
  return ops.delete(name);
}

/**
 * The registered op called `name`; the error lists near names when it is missing.
 * @example getOp('add').def.inputs // ['input', 'other']
 */
// biome-ignore lint/suspicious/noExplicitAny: see OpDefinition.
export function getOp<A = any>(name: string): RegisteredOp<A> {
  const op = ops.get(name);
  if (!op) {
    const near = [...ops.keys()].filter((k) => k.includes(name) || name.includes(k)).slice(0, 5);
    throw new Error(
      `Unknown op '${name}'${near.length ? `; did you mean ${near.join(', ')}?` : ''}`,
    );
  }
  return op as RegisteredOp<A>;
}

/**
 * True when an op of this name is registered.
 * @example torch.hasOp('add') // true
 */
export function hasOp(name: string): boolean {
  return ops.has(name);
}

/**
 * Names of every registered op, sorted.
 * @example torch.listOps().includes('mm') // true
 */
export function listOps(): string[] {
  return [...ops.keys()].sort();
}

/**
 * The ops a new backend must give kernels for to run every registered op: those that are not
 * views, composites or decomposable (an op with a `decomposition` runs it where its backend has
 * no kernel, so a kernel for it is an optional speed-up). Sorted.
 * @example torch.requiredKernels().includes('mm') // true; 'stack' is not (a decomposition)
 */
export function requiredKernels(): string[] {
  return listOps().filter((name) => {
    const def = getOp(name).def;
    return !def.composite && !def.view && !def.decomposition;
  });
}

/**
 * Contributes (or overrides) a backend's forward kernel for an op.
 * @example registerKernel('myplugin.softplus', 'cpu', ([x], [out]) => { ... })
 */
// biome-ignore lint/suspicious/noExplicitAny: see OpDefinition.
export function registerKernel<A = any>(opName: string, backend: string, kernel: Kernel<A>): void {
  const op = getOp<A>(opName);
  if (op.def.composite || op.def.view) {
    throw new Error(
      `registerKernel: op '${opName}' is ${op.def.composite ? 'composite' : 'a view'} and takes no kernels`,
    );
  }
  op.kernels.set(backend, kernel);
}

/**
 * Removes one backend's kernel for an op.
 * @example torch.unregisterKernel('myplugin.softplus', 'cpu') // true if a cpu kernel was registered
 */
export function unregisterKernel(opName: string, backend: string): boolean {
  return getOp(opName).kernels.delete(backend);
}

/**
 * Backends that have a kernel for this op.
 * @example torch.listKernels('add') // ['cpu']
 */
export function listKernels(opName: string): string[] {
  return [...getOp(opName).kernels.keys()].sort();
}

/**
 * The name of an op's argument at `index` (inputs, then parameters; every tensor of a variadic
 * op's list shares the list's name).
 * @example argName(getOp('mm'), 1) // 'mat2'
 */
export function argName(op: RegisteredOp, index: number): string {
  if (op.def.variadic) return op.def.inputs[0]!;
  const names = [...op.def.inputs, ...(op.def.params ?? [])];
  return names[index] ?? `#${index}`;
}

/**
 * Throws a clear error when `count` tensor arguments do not fit the op.
 * @example checkArity(getOp('add'), 2)
 */
export function checkArity(op: RegisteredOp, count: number): void {
  if (op.def.variadic ? count >= 1 : count === op.arity) return;
  const names = [...op.def.inputs, ...(op.def.params ?? [])];
  const expected = op.def.variadic ? 'at least 1 tensor argument' : `${op.arity} tensor arguments`;
  throw new TypeError(`${op.def.name}: expected ${expected} (${names.join(', ')}), got ${count}`);
}
