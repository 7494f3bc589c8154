import type { DType, OpSample, SampleInput, Tensor, TypedArray } from '@autodag/core';
import {
  fromTypedArray,
  Generator,
  isFloatingPoint,
  noGrad,
  numelOf,
  typedArrayFor,
} from '@autodag/core';
import { fnv1a } from './seed.js';

/** How an input is stored: dense, stored transposed, or every other element at an offset. */
export type Layout = 'contiguous' | 'transposed' | 'strided';

/** An input's logical values, drawn once per sample and reused for every layout and device. */
export interface InputValues {
  /** The input's shape. */
  readonly shape: readonly number[];
  /** The input's dtype (the sample's, default float32). */
  readonly dtype: DType;
  /** Row-major logical values, already rounded to `dtype`. */
  readonly values: readonly number[];
  /** How the sample stores the input (default `'contiguous'`). */
  readonly layout: Layout;
}

/**
 * Draws the logical values of a sample's inputs: literal `values` when given, else values from a
 * Mersenne Twister seeded by op name, sample name and input index (floats uniform in
 * `[low, high)`, default `[-1, 1)`; int32 integers in `[low, high)`, default `[-5, 5)`; bools with
 * probability 1/2). Values are rounded to the input's dtype (default float32).
 * @example sampleValues('add', getOp('add').def.samples!()[0]!) // [{ shape: [3, 4], dtype: 'float32', values: [...], layout: 'contiguous' }, ...]
 */
export function sampleValues(opName: string, sample: OpSample): InputValues[] {
  return sample.inputs.map((input, i) => inputValues(opName, sample.name, i, input));
}

function inputValues(op: string, sample: string, index: number, input: SampleInput): InputValues {
  const dtype = input.dtype ?? 'float32';
  const n = numelOf(input.shape);
  const raw = new (typedArrayFor(dtype))(n);
  if (input.values) {
    if (input.values.length !== n) {
      throw new RangeError(
        `${op}: sample '${sample}' input ${index} has ${input.values.length} values for shape [${input.shape.join(', ')}] (${n} elements)`,
      );
    }
    for (let k = 0; k < n; k++) raw[k] = input.values[k]!;
  } else {
    const gen = new Generator(fnv1a(`${op}/${sample}/${index}`));
    if (dtype === 'bool') {
      for (let k = 0; k < n; k++) raw[k] = gen.nextDouble() < 0.5 ? 1 : 0;
    } else if (dtype === 'int32') {
      const low = Math.ceil(input.low ?? -5);
      const high = Math.ceil(input.high ?? 5);
      for (let k = 0; k < n; k++) raw[k] = low + Math.floor(gen.nextDouble() * (high - low));
    } else {
      const low = input.low ?? -1;
      const high = input.high ?? 1;
      for (let k = 0; k < n; k++) raw[k] = low + gen.nextDouble() * (high - low);
    }
  }
  return {
    shape: input.shape.slice(),
    dtype,
    values: Array.from(raw),
    layout: input.layout ?? 'contiguous',
  };
}

/** Fill for storage slots outside a strided view: wrong results show if a kernel reads them. */
function filler(dtype: DType): number {
  if (dtype === 'bool') return 1;
  if (dtype === 'int32') return -999999;
  return Number.NaN;
}

/**
 * Builds a leaf tensor on `device` holding `values` with the requested layout. `'transposed'`
 * stores the last two dims swapped and returns the transposed view; `'strided'` stores every value
 * at odd positions of a buffer twice as long along the last dim (offset 1, stride 2), with
 * poison values in between. Inputs with too few dims for a layout use the next one that fits.
 * @example buildTensor({ shape: [2, 3], dtype: 'float32', values, layout: 'transposed' }, 'cpu').isContiguous() // false
 */
export function buildTensor(
  input: InputValues,
  device: string,
  opts: { dtype?: DType; layout?: Layout; values?: ArrayLike<number>; requiresGrad?: boolean } = {},
): Tensor {
  const dtype = opts.dtype ?? input.dtype;
  const values = opts.values ?? input.values;
  const shape = input.shape;
  const ndim = shape.length;
  let layout = opts.layout ?? input.layout;
  if (layout === 'transposed' && ndim < 2) layout = 'strided';
  const Ctor = typedArrayFor(dtype);
  let t: Tensor;
  if (layout === 'contiguous') {
    t = fromTypedArray(Ctor.from(values), shape, { dtype, device });
  } else if (layout === 'transposed') {
    const rows = shape[ndim - 2]!;
    const cols = shape[ndim - 1]!;
    const stored = new Ctor(values.length);
    const plane = rows * cols;
    for (let b = 0; b < values.length; b += plane) {
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) stored[b + c * rows + r] = values[b + r * cols + c]!;
    }
    const storedShape = [...shape.slice(0, -2), cols, rows];
    const base = fromTypedArray(stored, storedShape, { dtype, device });
    t = noGrad(() => base.transpose(-2, -1)).detach();
  } else {
    t = stridedView(values, shape, dtype, device, Ctor);
  }
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

function stridedView(
  values: ArrayLike<number>,
  shape: readonly number[],
  dtype: DType,
  device: string,
  Ctor: new (n: number) => TypedArray,
): Tensor {
  const ndim = shape.length;
  const last = ndim === 0 ? 1 : shape[ndim - 1]!;
  const outer = numelOf(shape.slice(0, -1));
  const width = 2 * last + 1;
  const stored = new Ctor(Math.max(outer, 1) * width);
  stored.fill(filler(dtype));
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < last; c++) stored[o * width + 1 + 2 * c] = values[o * last + c]!;
  if (ndim === 0) {
    const base = fromTypedArray(stored, [width], { dtype, device });
    return noGrad(() => base.select(0, 1)).detach();
  }
  const base = fromTypedArray(stored, [...shape.slice(0, -1), width], { dtype, device });
  return noGrad(() => base.slice(-1, 1, null, 2)).detach();
}

/**
 * True for inputs the gradient checks cover: floating inputs unless the sample opts out.
 * @example wantsGrad({ shape: [2], dtype: 'int32' }) // false
 */
export function wantsGrad(input: SampleInput): boolean {
  return input.requiresGrad ?? isFloatingPoint(input.dtype ?? 'float32');
}
