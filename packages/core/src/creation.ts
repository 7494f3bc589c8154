import { AllocationError, allocateHost, uploadStorage } from './alloc.js';
import { checkTensor } from './arg-check.js';
import { getBackend, getDefaultDevice } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { checkDType, DEFAULT_FLOAT_DTYPE, typedArrayFor } from './dtype.js';
import { nestedShape, nestedValues } from './nested.js';
import type { Generator } from './random.js';
import { defaultGenerator } from './random.js';
import { checkShape, formatShape, numelOf } from './shape.js';
import type { NestedArray } from './tensor.js';
import { Tensor } from './tensor.js';

/** Options shared by the creation functions (PyTorch's keyword arguments). */
export interface TensorOptions {
  /** Element type; default float32 for numbers, bool for booleans, int32 for an Int32Array. */
  dtype?: DType;
  /** Device name; default `getDefaultDevice()`. */
  device?: string;
  /** Make the result a leaf that requires grad. */
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends TensorOptions {
  /** Random number generator to draw from (PyTorch's `generator=`); default `torch.defaultGenerator`. */
  generator?: Generator;
}

/** Accepted data for `tensor()`. */
export type TensorData = NestedArray | TypedArray | readonly NestedArray[];

/** A shape given as `(2, 5)`, `([2, 5])`, optionally followed by an options object. */
export type SizeArgs<O> = [readonly number[], O?] | [...number[]] | [...number[], O];

/**
 * Splits PyTorch-style size arguments into a shape and options.
 * @example torch.parseSizeArgs([2, 3, { dtype: 'float64' }], 'zeros') // [[2, 3], { dtype: 'float64' }]
 */
export function parseSizeArgs<O extends object>(
  args: readonly unknown[],
  opName: string,
): [number[], O] {
  let opts = {} as O;
  let rest = args;
  const last = args[args.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last)) {
    opts = last as O;
    rest = args.slice(0, -1);
  }
  const dims =
    rest.length === 1 && Array.isArray(rest[0]) ? (rest[0] as number[]) : (rest as number[]);
  for (const d of dims) {
    if (typeof d !== 'number') {
      throw new TypeError(`${opName}: sizes must be integers, got ${JSON.stringify(dims)}`);
    }
  }
  return [checkShape(dims, opName), opts];
}

/**
 * Wraps a freshly filled host array as a tensor on the requested device without copying where
 * the device allows (like `torch.from_numpy`). The tensor owns the array from then on: write
 * through the tensor's in-place methods, never through the array (`torch.tensor(array)` copies).
 * @example torch.fromTypedArray(new Float64Array([1, 2, 3, 4]), [2, 2]) // float64 tensor of shape [2, 2]
 */
export function fromTypedArray(
  values: TypedArray,
  shape: readonly number[],
  opts: TensorOptions = {},
): Tensor {
  const numel = numelOf(shape);
  // A longer array is allowed (the extra elements stay in storage, e.g. for strided views of it).
  if (values.length < numel) {
    throw new RangeError(
      `fromTypedArray: shape ${formatShape(shape)} needs ${numel} elements, but the array holds only ${values.length}`,
    );
  }
  const dtype = opts.dtype ?? dtypeOfArray(values);
  const Ctor = typedArrayFor(dtype);
  const data = values instanceof Ctor ? values : Ctor.from(values as ArrayLike<number>);
  return uploaded(data, shape, dtype, opts, 'fromTypedArray');
}

/** A tensor of `values` (of `dtype`'s array kind) on the options' device, uploaded as `fn`. */
function uploaded(
  values: TypedArray,
  shape: readonly number[],
  dtype: DType,
  opts: TensorOptions,
  fn: string,
): Tensor {
  const backend = getBackend(opts.device ?? getDefaultDevice());
  const t = new Tensor(uploadStorage(backend, values, dtype, shape, fn), shape.slice());
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

function dtypeOfArray(values: TypedArray): DType {
  if (values instanceof Float64Array) return 'float64';
  if (values instanceof Int32Array) return 'int32';
  if (values instanceof Uint8Array) return 'bool';
  return 'float32';
}

/**
 * Creates a tensor from nested arrays, a typed array or a number (0-d). Plain numbers give
 * float32, booleans give bool, an Int32Array gives int32; `dtype` overrides.
 * @example
 * torch.tensor([[11, 12, 13], [21, 22, 23]])
 * torch.tensor([1, 10], { dtype: 'int32' }) // tensor([ 1, 10])
 * torch.tensor([1, 2, 4], { requiresGrad: true })
 */
export function tensor(data: TensorData, opts: TensorOptions = {}): Tensor {
  const dtypeOpt = opts.dtype === undefined ? undefined : checkDType(opts.dtype, 'tensor()');
  if (ArrayBuffer.isView(data)) {
    const arr = data as TypedArray;
    const dtype = dtypeOpt ?? dtypeOfArray(arr);
    const Ctor = typedArrayFor(dtype);
    const copy =
      dtype === 'bool'
        ? Uint8Array.from(arr, (v) => (v !== 0 ? 1 : 0))
        : Ctor.from(arr as ArrayLike<number>);
    return fromTypedArray(copy, [arr.length], { ...opts, dtype });
  }
  const shape = nestedShape(data);
  const device = opts.device ?? getDefaultDevice();
  const { values, dtype } = nestedValues(data as NestedArray, shape, dtypeOpt, device);
  return fromTypedArray(values, shape, { ...opts, dtype, device });
}

/**
 * A 0-d tensor holding `value`. Used for scalar operands of binary ops.
 * @example torch.scalarTensor(2, 'int32', 'cpu') // tensor(2), 0-d int32
 */
export function scalarTensor(value: number | boolean, dtype: DType, device: string): Tensor {
  const arr = new (typedArrayFor(dtype))(1);
  arr[0] = storedValue(value, dtype);
  return new Tensor(getBackend(device).upload(arr, dtype), []);
}

/** A JS value as stored in a `dtype` array: bool stores 1 for any nonzero number (NaN too), as PyTorch's cast does. */
function storedValue(value: number | boolean, dtype: DType): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
}

function filled(
  shape: readonly number[],
  opts: TensorOptions,
  fill: (arr: TypedArray) => void,
  opName: string,
): Tensor {
  const dtype = checkDType(opts.dtype ?? DEFAULT_FLOAT_DTYPE, opName);
  const device = opts.device ?? getDefaultDevice();
  const arr = allocateHost(dtype, shape, opName, device);
  fill(arr);
  return uploaded(arr, shape, dtype, { ...opts, device }, opName);
}

/**
 * A tensor of the given size with unspecified contents (zeros here, as memory is fresh).
 * @example torch.empty(2, 5); torch.empty([2, 5], { dtype: 'float64' })
 */
export function empty(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = parseSizeArgs<TensorOptions>(args, 'empty');
  return filled(shape, opts, () => {}, 'empty');
}

/**
 * A tensor filled with 0.
 * @example torch.zeros([2, 5])
 */
export function zeros(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = parseSizeArgs<TensorOptions>(args, 'zeros');
  return filled(shape, opts, () => {}, 'zeros');
}

/**
 * A tensor filled with 1.
 * @example torch.ones(3)
 */
export function ones(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = parseSizeArgs<TensorOptions>(args, 'ones');
  return filled(shape, opts, (a) => a.fill(1), 'ones');
}

/**
 * A tensor filled with `value`; the dtype follows the value (bool for booleans) unless given.
 * @example torch.full([2, 2], 7)
 */
export function full(
  size: readonly number[],
  value: number | boolean,
  opts: TensorOptions = {},
): Tensor {
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : DEFAULT_FLOAT_DTYPE);
  const v = storedValue(value, dtype);
  return filled(checkShape(size, 'full'), { ...opts, dtype }, (a) => a.fill(v), 'full');
}

/**
 * Uniform samples in [0, 1) from the (seedable) default generator.
 * @example torch.manualSeed(0); torch.rand(20, 10)
 */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = parseSizeArgs<RandomOptions>(args, 'rand');
  const g = opts.generator ?? defaultGenerator;
  const dtype = opts.dtype ?? DEFAULT_FLOAT_DTYPE;
  return filled(
    shape,
    opts,
    (a) => {
      for (let i = 0; i < a.length; i++)
        a[i] = dtype === 'float64' ? g.nextDouble() : g.nextFloat();
    },
    'rand',
  );
}

/**
 * Standard normal samples.
 * @example torch.randn(3, 3)
 */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = parseSizeArgs<RandomOptions>(args, 'randn');
  const g = opts.generator ?? defaultGenerator;
  const dtype = checkDType(opts.dtype ?? DEFAULT_FLOAT_DTYPE, 'randn');
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`randn: expected a floating point dtype, got ${dtype}`);
  }
  return filled(shape, opts, (a) => g.fillNormal(a as Float32Array | Float64Array), 'randn');
}

/**
 * Random integers in [low, high), int32.
 * @example torch.randint(0, 10, [5])
 */
export function randint(
  low: number,
  high: number,
  size: readonly number[],
  opts: RandomOptions = {},
): Tensor {
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new RangeError(`randint: low and high must be integers, got low=${low}, high=${high}`);
  }
  if (!(high > low))
    throw new RangeError(`randint: expected low < high, got low=${low}, high=${high}`);
  const g = opts.generator ?? defaultGenerator;
  return filled(
    checkShape(size, 'randint'),
    { dtype: 'int32', ...opts },
    (a) => {
      for (let i = 0; i < a.length; i++) a[i] = low + Math.floor(g.nextDouble() * (high - low));
    },
    'randint',
  );
}

/**
 * Values from `start` to `end` (exclusive) by `step`; `arange(n)` counts from 0. Integer arguments
 * give int32 as in PyTorch; any fractional argument gives float32. Options may follow any of the
 * positional forms: `arange(5, { dtype: 'float64' })`, `arange(1, 4, { dtype })`.
 * @example torch.arange(5) // tensor([0, 1, 2, 3, 4])
 */
export function arange(end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end?: number, step?: number, opts?: TensorOptions): Tensor;
export function arange(
  start: number,
  endOrOpts?: number | TensorOptions,
  stepOrOpts: number | TensorOptions = 1,
  options: TensorOptions = {},
): Tensor {
  // PyTorch's keyword `dtype=` may follow any number of positional bounds.
  let end = typeof endOrOpts === 'number' ? endOrOpts : undefined;
  const step = typeof stepOrOpts === 'number' ? stepOrOpts : 1;
  const opts =
    typeof endOrOpts === 'object'
      ? endOrOpts
      : typeof stepOrOpts === 'object'
        ? stepOrOpts
        : options;
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (![start, end, step].every(Number.isFinite)) {
    const range = `${pyNumber(start)} -> ${pyNumber(end)}`;
    throw new RangeError(
      `arange: unsupported range: ${Number.isFinite(step) ? range : `${range} with step ${pyNumber(step)}`}`,
    );
  }
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  if ((end - start) / step < 0) {
    throw new RangeError(
      `arange: upper bound and larger bound inconsistent with step sign (start=${start}, end=${end}, step=${step})`,
    );
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const allInt = [start, end, step].every(Number.isInteger);
  const dtype = opts.dtype ?? (allInt ? 'int32' : DEFAULT_FLOAT_DTYPE);
  return filled(
    [n],
    { ...opts, dtype },
    (a) => {
      for (let i = 0; i < n; i++) a[i] = start + i * step;
    },
    'arange',
  );
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 * @example torch.linspace(0, 1, 5) // tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
 */
export function linspace(
  start: number,
  end: number,
  steps: number,
  opts: TensorOptions = {},
): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace: number of steps must be a non-negative integer, got ${steps}`);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  const half = Math.floor(steps / 2);
  return filled(
    [steps],
    opts,
    (a) => {
      // Fill from both ends, as PyTorch does, so the last value is exactly `end`.
      for (let i = 0; i < steps; i++)
        a[i] = i < half ? start + delta * i : end - delta * (steps - 1 - i);
    },
    'linspace',
  );
}

/** Options of `logspace`: the creation options plus PyTorch's `base=`. */
export interface LogspaceOptions extends TensorOptions {
  /** Base of the powers (default 10). */
  base?: number;
}

/**
 * `steps` values from `base ** start` to `base ** end`, evenly spaced on a log scale.
 * `base` may also be given positionally, as in PyTorch.
 * @example torch.logspace(0, 2, 3) // tensor([  1.,  10., 100.]); torch.logspace(0, 3, 4, 2) // tensor([1., 2., 4., 8.])
 */
export function logspace(
  start: number,
  end: number,
  steps: number,
  baseOrOpts: number | LogspaceOptions = {},
  opts: TensorOptions = {},
): Tensor {
  const o = typeof baseOrOpts === 'number' ? { ...opts, base: baseOrOpts } : baseOrOpts;
  const { base = 10, ...creation } = o;
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`logspace: number of steps must be a non-negative integer, got ${steps}`);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  const half = Math.floor(steps / 2);
  return filled(
    [steps],
    creation,
    (a) => {
      // The exponents as linspace computes them, so the last value is exactly base ** end.
      for (let i = 0; i < steps; i++)
        a[i] = base ** (i < half ? start + delta * i : end - delta * (steps - 1 - i));
    },
    'logspace',
  );
}

/**
 * The identity matrix (n × m, m defaults to n).
 * @example torch.eye(3)
 */
export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (typeof m === 'object') {
    opts = m;
    m = undefined;
  }
  const cols = m ?? n;
  return filled(
    checkShape([n, cols], 'eye'),
    opts,
    (a) => {
      for (let i = 0; i < Math.min(n, cols); i++) a[i * cols + i] = 1;
    },
    'eye',
  );
}

/** A number as PyTorch prints one in errors (`inf`, `-inf`, `nan`). */
function pyNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  return String(x);
}

/** A `*Like` function's body, its allocation errors reported under its own name. */
function asLike(fn: string, make: () => Tensor): Tensor {
  try {
    return make();
  } catch (e) {
    throw AllocationError.as(e, fn);
  }
}

function likeOptions(t: Tensor, opts: TensorOptions): TensorOptions {
  return { dtype: t.dtype, device: t.device, ...opts };
}

/** Zeros with the shape, dtype and device of `t`. @example torch.zerosLike(x) */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  checkTensor(t, 'zerosLike', 'input');
  return asLike('zerosLike', () => zeros(t.shape, likeOptions(t, opts)));
}

/** Ones with the shape, dtype and device of `t`. @example torch.onesLike(x) */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  checkTensor(t, 'onesLike', 'input');
  return asLike('onesLike', () => ones(t.shape, likeOptions(t, opts)));
}

/** An uninitialised tensor like `t`. @example torch.emptyLike(x) */
export function emptyLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  checkTensor(t, 'emptyLike', 'input');
  return asLike('emptyLike', () => empty(t.shape, likeOptions(t, opts)));
}

/** `value` everywhere, shaped like `t`. @example torch.fullLike(x, 2) */
export function fullLike(t: Tensor, value: number | boolean, opts: TensorOptions = {}): Tensor {
  checkTensor(t, 'fullLike', 'input');
  return asLike('fullLike', () => full(t.shape, value, likeOptions(t, opts)));
}

/** Uniform samples shaped like `t`. @example torch.randLike(x) */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  checkTensor(t, 'randLike', 'input');
  return asLike('randLike', () => rand(t.shape, likeOptions(t, opts)));
}

/** Normal samples shaped like `t`. @example torch.randnLike(x) */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  checkTensor(t, 'randnLike', 'input');
  return asLike('randnLike', () => randn(t.shape, likeOptions(t, opts)));
}
