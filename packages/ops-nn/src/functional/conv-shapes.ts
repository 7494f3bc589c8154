import type { Tensor } from '@autodag/core';
import { formatShape, isFloatingPoint } from '@autodag/core';

/**
 * Argument normalisation and shape rules of the convolution ops, with PyTorch's error wording
 * (prefixed with the op's name).
 */

/**
 * A per-dimension size argument: one number for every spatial dim, or one per dim.
 * @example const stride: IntOrTuple = [2, 1]
 */
export type IntOrTuple = number | readonly number[];

/**
 * `value` as one integer per spatial dim (`dims` of them), as PyTorch's `_pair`/`_single`.
 * @example expandArg('conv2d', 'stride', 2, 2) // [2, 2]
 */
export function expandArg(op: string, name: string, value: IntOrTuple, dims: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(dims).fill(value) : [...value];
  if (list.length === 1 && dims > 1) return new Array<number>(dims).fill(list[0]!);
  if (list.length !== dims || !list.every((v) => Number.isInteger(v))) {
    throw new TypeError(
      `${op}: expected ${name} to be a single integer value or a list of ${dims} values to match the convolution dimensions, but got ${name}=${JSON.stringify(value)}`,
    );
  }
  return list;
}

const showSizes = (v: readonly number[]) => v.join(' x ');

/**
 * Checks the dtypes of a convolution's arguments: floating point, and all the same.
 * @example checkConvDTypes('conv2d', x, w, b)
 */
export function checkConvDTypes(op: string, input: Tensor, weight: Tensor, bias?: Tensor): void {
  if (!isFloatingPoint(input.dtype)) {
    throw new TypeError(`${op}: expected a floating point input, got ${input.dtype}`);
  }
  if (weight.dtype !== input.dtype) {
    throw new TypeError(
      `${op}: Input type (${input.dtype}) and weight type (${weight.dtype}) should be the same`,
    );
  }
  if (bias && bias.dtype !== input.dtype) {
    throw new TypeError(
      `${op}: Input type (${input.dtype}) and bias type (${bias.dtype}) should be the same`,
    );
  }
}

/**
 * Checks stride, padding, dilation (and output padding) values and the number of groups.
 * @example checkConvParams('conv2d', { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 })
 */
export function checkConvParams(
  op: string,
  a: {
    stride: readonly number[];
    padding: readonly number[];
    dilation: readonly number[];
    groups: number;
    outputPadding?: readonly number[];
  },
): void {
  if (a.padding.some((p) => p < 0))
    throw new RangeError(`${op}: negative padding is not supported`);
  if (a.outputPadding?.some((p) => p < 0)) {
    throw new RangeError(`${op}: negative output_padding is not supported`);
  }
  if (a.stride.some((s) => s <= 0)) {
    throw new RangeError(`${op}: non-positive stride is not supported`);
  }
  if (a.dilation.some((d) => d <= 0)) {
    throw new RangeError(`${op}: dilation should be greater than zero`);
  }
  if (a.groups <= 0) throw new RangeError(`${op}: non-positive groups is not supported`);
}

/**
 * Checks that the weight of a `dims`-D convolution has `dims + 2` dims.
 * @example checkConvWeightRank('conv2d', w, 2)
 */
export function checkConvWeightRank(op: string, weight: Tensor, dims: number): void {
  if (weight.shape.length !== dims + 2) {
    throw new RangeError(
      `${op}: expected weight to be ${dims + 2}-dimensional, but got weight of size ${formatShape(weight.shape)}`,
    );
  }
}

/**
 * Checks the ranks of input and weight: a batched input has as many dims as the weight.
 * @example checkConvRanks('conv2d', x, w, 2)
 */
export function checkConvRanks(op: string, input: Tensor, weight: Tensor, dims: number): void {
  checkConvWeightRank(op, weight, dims);
  if (input.shape.length !== dims + 2) {
    throw new RangeError(
      `${op}: Expected ${dims + 2}-dimensional input for ${dims + 2}-dimensional weight ${formatShape(weight.shape)}, but got ${input.shape.length}-dimensional input of size ${formatShape(input.shape)} instead`,
    );
  }
}

/**
 * The spatial output size of a convolution, checking channels, groups, bias and that the
 * dilated kernel fits the padded input (PyTorch's `check_shape_forward`).
 * @example convOutputSize('conv2d', [1, 3, 8, 8], [4, 3, 3, 3], undefined, attrs) // [6, 6]
 */
export function convOutputSize(
  op: string,
  input: readonly number[],
  weight: readonly number[],
  bias: readonly number[] | undefined,
  a: {
    stride: readonly number[];
    padding: readonly number[];
    dilation: readonly number[];
    groups: number;
  },
): number[] {
  const { groups } = a;
  const dims = weight.length - 2;
  if (weight[0]! % groups !== 0) {
    throw new RangeError(
      `${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${formatShape(weight)} instead`,
    );
  }
  if (input[1] !== weight[1]! * groups) {
    throw new RangeError(
      `${op}: Given groups=${groups}, weight of size ${formatShape(weight)}, expected input${formatShape(input)} to have ${weight[1]! * groups} channels, but got ${input[1]} channels instead`,
    );
  }
  if (bias && (bias.length !== 1 || bias[0] !== weight[0])) {
    throw new RangeError(
      `${op}: Given weight of size ${formatShape(weight)}, expected bias to be 1-dimensional with ${weight[0]} elements, but got bias of size ${formatShape(bias)} instead`,
    );
  }
  const padded: number[] = [];
  const kernel: number[] = [];
  for (let d = 0; d < dims; d++) {
    padded.push(input[d + 2]! + 2 * a.padding[d]!);
    kernel.push(a.dilation[d]! * (weight[d + 2]! - 1) + 1);
  }
  if (padded.some((p, d) => p < kernel[d]!)) {
    throw new RangeError(
      `${op}: Calculated padded input size per channel: (${showSizes(padded)}). Kernel size: (${showSizes(kernel)}). Kernel size can't be greater than actual input size`,
    );
  }
  return padded.map((p, d) => Math.floor((p - kernel[d]!) / a.stride[d]!) + 1);
}

/**
 * The spatial output size of a transposed convolution, checking channels, groups, bias and the
 * output padding (PyTorch's rules for `conv_transpose`).
 * @example convTransposeOutputSize('conv_transpose2d', [1, 4, 5, 5], [4, 2, 3, 3], undefined, attrs) // [7, 7]
 */
export function convTransposeOutputSize(
  op: string,
  input: readonly number[],
  weight: readonly number[],
  bias: readonly number[] | undefined,
  a: {
    stride: readonly number[];
    padding: readonly number[];
    dilation: readonly number[];
    groups: number;
    outputPadding: readonly number[];
  },
): number[] {
  const { groups } = a;
  const dims = weight.length - 2;
  if (input[1] !== weight[0]) {
    throw new RangeError(
      `${op}: Given transposed=1, weight of size ${formatShape(weight)}, expected input${formatShape(input)} to have ${weight[0]} channels, but got ${input[1]} channels instead`,
    );
  }
  if (weight[0]! % groups !== 0) {
    throw new RangeError(
      `${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${formatShape(weight)} instead`,
    );
  }
  const outChannels = weight[1]! * groups;
  if (bias && (bias.length !== 1 || bias[0] !== outChannels)) {
    throw new RangeError(
      `${op}: Given transposed=1, weight of size ${formatShape(weight)}, expected bias to be 1-dimensional with ${outChannels} elements, but got bias of size ${formatShape(bias)} instead`,
    );
  }
  const { stride, dilation, outputPadding } = a;
  const tooBig = outputPadding.some((p, d) => p >= stride[d]! && p >= dilation[d]!);
  if (tooBig) {
    throw new RangeError(
      `${op}: output padding must be smaller than either stride or dilation, but got output_padding=${formatShape(outputPadding)}, stride=${formatShape(stride)}, dilation=${formatShape(dilation)}`,
    );
  }
  const out: number[] = [];
  for (let d = 0; d < dims; d++) {
    out.push(
      (input[d + 2]! - 1) * stride[d]! -
        2 * a.padding[d]! +
        dilation[d]! * (weight[d + 2]! - 1) +
        outputPadding[d]! +
        1,
    );
  }
  if (out.some((o) => o <= 0)) {
    throw new RangeError(
      `${op}: Given input size per channel: (${showSizes(input.slice(2))}). Calculated output size per channel: (${showSizes(out)}). Output size is too small`,
    );
  }
  return out;
}
