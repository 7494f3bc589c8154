import type { Backend, Storage } from './backend.js';
import { getBackend } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { isFloatingPoint } from './dtype.js';
import type { BackwardOptions, GradNode } from './grad-mode.js';
import { getAutograd } from './grad-mode.js';
import { trackTensor } from './memory.js';
import { formatTensor } from './print.js';
import { contiguousStrides, isContiguous, normalizeDim, numelOf } from './shape.js';

/** A nested array of numbers or booleans, as `tolist()` returns and `tensor()` accepts. */
export type NestedArray = number | boolean | NestedArray[];

/** A gradient hook: may return a replacement gradient. */
// biome-ignore lint/suspicious/noConfusingVoidType: hooks that only observe return nothing (void).
export type TensorHook = (grad: Tensor) => Tensor | undefined | void;

let nextTensorId = 1;

/**
 * A multi-dimensional array on a device, with autograd metadata. Views share storage with
 * their base. Op methods (`add`, `sum`, `matmul`, ...) are attached by the op families in `ops/`.
 * @example
 * const x = torch.tensor([[1, 2], [3, 4]]);
 * x.shape // [2, 2]
 */
export class Tensor {
  /**
   * Unique id, used in graph exports and error messages.
   * @example torch.zeros(2).id // a positive integer, different for every tensor
   */
  readonly id: number = nextTensorId++;
  /**
   * Device memory; views of one tensor share it.
   * @example x.storage.size // 4 for torch.zeros(2, 2); views share x.storage
   */
  storage: Storage;
  /**
   * Extent along each dimension.
   * @example torch.zeros(2, 5).shape // [2, 5]
   */
  shape: readonly number[];
  /**
   * Step in elements between neighbours along each dimension.
   * @example torch.zeros(2, 3).t().strides // [1, 3]
   */
  strides: readonly number[];
  /**
   * Index of the first element inside `storage`.
   * @example torch.arange(6).narrow(0, 2, 2).offset // 2
   */
  offset: number;
  /**
   * Element type.
   * @example torch.tensor([1, 2], { dtype: 'int32' }).dtype // 'int32'
   */
  readonly dtype: DType;
  /**
   * The autograd node that produced this tensor; `null` for leaves.
   * @example torch.tensor([1, 2], { requiresGrad: true }).mul(2).gradFn?.name // 'MulBackward0'
   */
  gradFn: GradNode | null = null;
  /**
   * Which output of `gradFn` this tensor is.
   * @example w.mul(2).outputNr // 0, the only output of MulBackward0
   */
  outputNr = 0;
  /**
   * Accumulated gradient of a leaf (or of a tensor that called `retainGrad()`).
   * @example x.pow(2).sum().backward(); x.grad // 2 * x
   */
  get grad(): Tensor | null {
    return this.gradValue;
  }

  set grad(value: Tensor | null) {
    if (this.gradValue?.gradOf === this) this.gradValue.gradOf = null;
    this.gradValue = value;
    if (value) value.gradOf = this;
  }

  /** @internal storage behind `grad`. */
  private gradValue: Tensor | null = null;
  /** @internal the tensor whose `.grad` this one is (so `tidy` keeps it while it still is). */
  gradOf: Tensor | null = null;
  /** @internal leaf flag backing `requiresGrad`. */
  leafRequiresGrad = false;
  /** @internal set by `retainGrad()`. */
  retainsGrad = false;
  /** @internal hooks registered with `registerHook`. */
  hooks: TensorHook[] | null = null;
  /** @internal the autograd engine's per-leaf accumulator node. */
  gradAccumulator: GradNode | null = null;
  /**
   * For views: the tensor whose storage this one looks into (PyTorch's `._base`).
   * @example x.t().base === x // true
   */
  base: Tensor | null = null;
  /**
   * Survives enclosing `tidy` scopes (see `keep`).
   * @example torch.keep(torch.zeros(2)).kept // true
   */
  kept = false;
  /**
   * True once `dispose()` ran.
   * @example t.dispose(); t.disposed // true
   */
  disposed = false;

  /** @internal use the creation functions (`torch.tensor`, `torch.zeros`, ...) instead. */
  constructor(storage: Storage, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.dtype = storage.dtype;
    (storage as { refs?: number }).refs = ((storage as { refs?: number }).refs ?? 0) + 1;
    trackTensor(this);
  }

  /**
   * Name of the device holding the data, e.g. `'cpu'`.
   * @example torch.zeros(2).device // 'cpu'
   */
  get device(): string {
    return this.storage.backend.name;
  }

  /**
   * The backend object behind `device`.
   * @example torch.zeros(2).backend.name // 'cpu'
   */
  get backend(): Backend {
    return this.storage.backend;
  }

  /**
   * Number of dimensions (PyTorch's `ndim`).
   * @example torch.zeros(2, 5).ndim // 2
   */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * Number of dimensions.
   * @example torch.zeros(2, 5).dim() // 2
   */
  dim(): number {
    return this.shape.length;
  }

  /**
   * The shape, or the extent of one dimension (negative dims count from the end).
   * @example torch.empty(2, 5).size() // Size([2, 5]); .size(-1) // 5
   */
  size(): Size;
  /**
   * The extent of dimension `dim`; negative dims count from the end.
   * @example torch.empty(2, 5).size(-1) // 5
   */
  size(dim: number): number;
  /** Implementation of the `size` overloads above. */
  size(dim?: number): Size | number {
    if (dim === undefined) return new Size(this.shape);
    return this.shape[normalizeDim(dim, this.shape.length, 'size')]!;
  }

  /**
   * Step between elements along each dimension, or along one.
   * @example torch.zeros(2, 3).stride() // [3, 1]
   */
  stride(): number[];
  /**
   * The step between elements along dimension `dim`; negative dims count from the end.
   * @example torch.zeros(2, 3).stride(0) // 3
   */
  stride(dim: number): number;
  /** Implementation of the `stride` overloads above. */
  stride(dim?: number): number[] | number {
    if (dim === undefined) return this.strides.slice();
    return this.strides[normalizeDim(dim, this.shape.length, 'stride')]!;
  }

  /**
   * Offset of the first element inside the storage (PyTorch's `storage_offset()`).
   * @example torch.arange(6).narrow(0, 2, 2).storageOffset() // 2
   */
  storageOffset(): number {
    return this.offset;
  }

  /**
   * Number of elements.
   * @example torch.zeros(2, 5).numel() // 10
   */
  numel(): number {
    return numelOf(this.shape);
  }

  /**
   * True when the elements are laid out densely in row-major order.
   * @example torch.zeros(2, 3).t().isContiguous() // false
   */
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /**
   * True for float32 and float64 tensors.
   * @example torch.tensor([1, 2], { dtype: 'int32' }).isFloatingPoint() // false
   */
  isFloatingPoint(): boolean {
    return isFloatingPoint(this.dtype);
  }

  /**
   * Times this tensor's storage was modified in place (PyTorch's `_version`).
   * @example x.add_(1); x.version // one more than before
   */
  get version(): number {
    return this.storage.version;
  }

  // ---- autograd ------------------------------------------------------------------------------

  /**
   * Whether gradients flow to this tensor. Settable on leaves; only floating tensors may require grad.
   * @example const w = torch.rand(3); w.requiresGrad = true;
   */
  get requiresGrad(): boolean {
    return this.leafRequiresGrad || this.gradFn !== null;
  }

  set requiresGrad(value: boolean) {
    if (this.gradFn !== null) {
      if (!value) {
        throw new Error(
          "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
        );
      }
      return;
    }
    if (value && !isFloatingPoint(this.dtype)) {
      throw new Error(
        `only Tensors of floating point dtype can require gradients (got dtype ${this.dtype})`,
      );
    }
    this.leafRequiresGrad = value;
  }

  /**
   * Sets `requiresGrad` (default true) and returns this tensor, for chaining.
   * @example const t = torch.tensor([1, 2]).requiresGrad_();
   */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /**
   * True for tensors not produced by a recorded op (user-created, or not requiring grad).
   * @example w.isLeaf // true; w.mul(2).isLeaf // false when w requires grad
   */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * Back-propagates from this tensor, accumulating into the `.grad` of leaves.
   * A non-scalar tensor needs an explicit `gradient` of its shape.
   * @example x.pow(3).sum().backward(); x.grad
   */
  backward(gradient?: Tensor | null, options: BackwardOptions = {}): void {
    getAutograd().backward(this, gradient ?? null, options);
  }

  /**
   * Keeps `.grad` on this non-leaf tensor after backward.
   * @example const h = w.mul(x); h.retainGrad(); h.sum().backward(); h.grad
   */
  retainGrad(): void {
    if (!this.requiresGrad)
      throw new Error("can't retain_grad on Tensor that has requires_grad=False");
    if (this.gradFn !== null) {
      this.retainsGrad = true;
      getAutograd().watch(this);
    }
  }

  /**
   * True when `.grad` is kept on this tensor (always for leaves requiring grad).
   * @example torch.tensor([1, 2], { requiresGrad: true }).retainsGradient // true
   */
  get retainsGradient(): boolean {
    return this.gradFn === null ? this.leafRequiresGrad : this.retainsGrad;
  }

  /**
   * Registers a function called with this tensor's gradient during backward; it may return a
   * replacement. Returns a handle whose `remove()` unregisters it.
   * @example x.registerHook((g) => g.mul(2));
   */
  registerHook(hook: TensorHook): { remove(): void } {
    if (!this.requiresGrad) {
      throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    }
    if (!this.hooks) this.hooks = [];
    this.hooks.push(hook);
    if (this.gradFn !== null) getAutograd().watch(this);
    return {
      remove: () => {
        const i = this.hooks?.indexOf(hook) ?? -1;
        if (i >= 0) this.hooks!.splice(i, 1);
      },
    };
  }

  /**
   * A tensor sharing this one's storage but cut from the graph (no gradFn, requiresGrad false).
   * @example const y = x.detach();
   */
  detach(): Tensor {
    const d = new Tensor(this.storage, this.shape, this.strides, this.offset);
    d.base = this.base;
    return d;
  }

  /**
   * Cuts this tensor from the graph in place, making it a leaf. Returns this tensor.
   * @example h.detach_()
   */
  detach_(): this {
    this.gradFn = null;
    this.leafRequiresGrad = false;
    return this;
  }

  // ---- data access ---------------------------------------------------------------------------

  /**
   * Reads the elements, in row-major order, as a typed array (a copy). Works on every device.
   * @example await torch.tensor([1, 2]).data() // Float32Array [1, 2]
   */
  async data(): Promise<TypedArray> {
    this.checkReadable('data');
    const c = this.contiguous();
    const begin = c.offset;
    const end = c.offset + c.numel();
    // The values as of this call, whatever runs before the promise settles (`w.add_(1)`): a
    // synchronous device copies them now; others record the copy now, ahead of later commands.
    if (c.backend.readSync) return c.backend.readSync(c.storage).slice(begin, end);
    const all = await c.backend.read(c.storage);
    return all.slice(begin, end);
  }

  /**
   * Reads the elements synchronously; throws on devices that can only read asynchronously.
   * @example torch.tensor([1, 2]).dataSync() // Float32Array [1, 2]
   */
  dataSync(): TypedArray {
    return this.readNow('dataSync', 'data');
  }

  /** The elements read synchronously by `method`, or an error naming its async twin. */
  private readNow(method: string, asyncMethod: string): TypedArray {
    this.checkReadable(method);
    const c = this.contiguous();
    const backend = c.backend;
    if (!backend.readSync) {
      throw new Error(
        `${method}(): a tensor on device '${this.device}' cannot be read synchronously; use 'await tensor.${asyncMethod}()'`,
      );
    }
    return backend.readSync(c.storage).slice(c.offset, c.offset + c.numel());
  }

  /** Reading freed memory would return another tensor's values (the storage may be reused). */
  private checkReadable(method: string): void {
    if (this.disposed || this.storage.disposed) {
      throw new Error(
        `${method}: cannot read a tensor that has been disposed (shape [${this.shape.join(', ')}], dtype ${this.dtype}, device '${this.device}')`,
      );
    }
  }

  /**
   * The value of a one-element tensor as a JS number (PyTorch's `item()`), so that
   * `loss.item().toFixed(4)` type-checks. A bool tensor gives 1 or 0, the numbers Python's
   * `True`/`False` equal; read its truth value as a boolean with `isNonzero()`.
   * @example torch.tensor([[3]]).item() // 3; loss.item().toFixed(4); torch.tensor(true).item() // 1
   */
  item(): number {
    this.checkScalar();
    return this.readNow('item', 'itemAsync')[0]!;
  }

  /**
   * `item()` after an asynchronous read: works on every device (WebGPU included).
   * @example const loss = await lossTensor.itemAsync();
   */
  async itemAsync(): Promise<number> {
    this.checkScalar();
    return (await this.data())[0]!;
  }

  private checkScalar(): void {
    const n = this.numel();
    if (n !== 1) {
      throw new Error(`a Tensor with ${n} elements cannot be converted to Scalar`);
    }
  }

  /**
   * Whether the one element is nonzero, as a boolean (PyTorch's `is_nonzero()`, what `bool(t)`
   * and `if t:` use): the way to read a bool tensor's value. NaN counts as nonzero.
   * @example if (x.isnan().any().isNonzero()) throw new Error('NaN in x');
   */
  isNonzero(): boolean {
    const n = this.numel();
    if (n !== 1) {
      throw new Error(
        `Boolean value of Tensor with ${n === 0 ? 'no values' : 'more than one value'} is ambiguous`,
      );
    }
    return this.dataSync()[0]! !== 0;
  }

  /**
   * The elements as nested arrays (a bare value for a 0-d tensor): numbers, or booleans for a bool
   * tensor, as PyTorch's `tolist()`. The nesting depends on the rank, which the types do not
   * know: assert the shape you expect (`x.tolist() as number[][]`).
   * @example torch.eye(2).tolist() // [[1, 0], [0, 1]]; x.gt(0).tolist() // [true, false]
   */
  tolist(): NestedArray {
    return nest(this.readNow('tolist', 'array'), this.shape, this.dtype === 'bool');
  }

  /**
   * `tolist()` after an asynchronous read, for devices without synchronous reads.
   * @example await torch.tensor([[1, 2]]).array() // [[1, 2]]
   */
  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape, this.dtype === 'bool');
  }

  /**
   * Frees the device memory now (when no other view uses it). Using the tensor afterwards is an error.
   * @example { using t = torch.zeros(1000); } // disposed at the end of the block
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const s = this.storage as Storage & { refs?: number };
    s.refs = (s.refs ?? 1) - 1;
    if (s.refs <= 0 && !s.disposed) {
      s.disposed = true;
      s.backend.release(s);
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * The tensor as PyTorch's `repr` prints it (see `formatTensor`), with the autograd suffixes
   * spelled `requiresGrad=True` / `gradFn=<MulBackward0>`.
   * @example `${torch.tensor([1, 10], { dtype: 'int32' })}` // 'tensor([ 1, 10])'
   */
  toString(): string {
    return formatTensor(this);
  }

  /** What `console.log` and `util.inspect` show: the same text as `toString()`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatTensor(this);
  }

  /**
   * A copy on another device, or converted to a dtype when the string names one (this tensor
   * when nothing changes). Moving needs a synchronous read of the source; use `toAsync` for
   * devices that only read asynchronously.
   * @example x.to('float64'); x.to('cpu')
   */
  to(deviceOrDType: string): Tensor;
  /**
   * A copy with another device and/or dtype (PyTorch's `x.to(device=..., dtype=...)`), or this tensor when nothing changes.
   * @example x.to({ dtype: 'float64' })
   */
  to(options: { device?: string; dtype?: DType }): Tensor;
  /**
   * A copy with `other`'s dtype and device (PyTorch's `x.to(other)`), or this tensor when both match.
   * @example x.to(y) // x as y's dtype, on y's device
   */
  to(other: Tensor): Tensor;
  /** Implementation of the `to` overloads above. */
  to(target: string | { device?: string; dtype?: DType } | Tensor): Tensor {
    return tensorMethods.to(this, target);
  }
}

/**
 * A tensor's shape as PyTorch prints it: `Size([2, 5])`. Indexable like an array.
 * @example new torch.Size([2, 5]).toString() // 'Size([2, 5])'; x.size()[0] // 2
 */
export class Size extends Array<number> {
  constructor(shape: readonly number[] | number) {
    if (typeof shape === 'number') {
      super(shape);
    } else {
      super(shape.length);
      for (let i = 0; i < shape.length; i++) this[i] = shape[i]!;
    }
  }

  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  /**
   * `Size([2, 5])`, as PyTorch's `torch.Size` prints.
   * @example torch.zeros(2, 5).size().toString() // 'Size([2, 5])'
   */
  override toString(): string {
    return `Size([${this.join(', ')}])`;
  }

  /**
   * Number of elements a tensor of this size holds.
   * @example torch.zeros(2, 5).size().numel() // 10
   */
  numel(): number {
    return numelOf(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * @internal late-bound helpers that live in other modules (avoids import cycles).
 * @example tensorMethods.to = (t, target) => ... // installed by ops/device.ts
 */
export const tensorMethods = {
  to(_t: Tensor, _target: string | { device?: string; dtype?: DType } | Tensor): Tensor {
    throw new Error('tensor.to is not installed');
  },
};

function nest(flat: TypedArray, shape: readonly number[], asBool: boolean): NestedArray {
  const conv = (v: number): number | boolean => (asBool ? v !== 0 : v);
  if (shape.length === 0) return conv(flat[0]!);
  let i = 0;
  const build = (d: number): NestedArray[] => {
    const out: NestedArray[] = new Array(shape[d]!);
    for (let k = 0; k < shape[d]!; k++)
      out[k] = d === shape.length - 1 ? conv(flat[i++]!) : build(d + 1);
    return out;
  };
  return build(0);
}

/**
 * @internal the backend a device name refers to (re-exported for backends' convenience).
 * @example backendOf('cpu').name // 'cpu'
 */
export function backendOf(device: string): Backend {
  return getBackend(device);
}
