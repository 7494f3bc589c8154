import type { OpSample, RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import { callOp, defineOp, expand, formatShape, reshape } from '@autodag/core';
import {
  checkConvDTypes,
  checkConvParams,
  checkConvRanks,
  convOutputSize,
  convTransposeOutputSize,
} from './conv-shapes.js';

/**
 * The convolution ops. Each of conv{1,2}d and convTranspose{1,2}d comes with and without a bias
 * argument (the registry's ops take a fixed number of tensors); all record PyTorch's
 * `ConvolutionBackward0`. Their VJPs are written with each other and `nn.convWeightBackward`:
 * the input gradient of a convolution is a transposed convolution and vice versa, and every
 * one of them is bilinear, so gradients of any order close over these ops.
 */

/**
 * Attributes of the convolution ops: one entry per spatial dim in each array.
 * @example callOp('nn.conv2d', [x, w, b], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 } satisfies ConvAttrs)
 */
export interface ConvAttrs {
  /** Step between applications of the kernel. */
  stride: number[];
  /** Implicit zero padding on both sides. */
  padding: number[];
  /** Spacing between kernel taps. */
  dilation: number[];
  /** Channel groups: input and output channels split into `groups` independent convolutions. */
  groups: number;
}

/**
 * Attributes of the transposed convolution ops.
 * @example callOp('nn.convTranspose2d', [x, w, b], { stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1, outputPadding: [1, 1] })
 */
export interface ConvTransposeAttrs extends ConvAttrs {
  /** Extra size added to one side of each spatial output dim. */
  outputPadding: number[];
}

/**
 * Attributes of `nn.convWeightBackward`: the convolution's, plus its kernel's spatial size.
 * @example callOp('nn.convWeightBackward', [x, gy], { kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 })
 */
export interface ConvWeightBackwardAttrs extends ConvAttrs {
  /** Spatial size of the weight whose gradient is computed. */
  kernelSize: number[];
}

const fill = (dims: number, v: number) => new Array<number>(dims).fill(v);

function convAttrSpecs(dims: number) {
  return {
    stride: { type: 'int[]', default: fill(dims, 1), doc: 'step between kernel applications' },
    padding: { type: 'int[]', default: fill(dims, 0), doc: 'zero padding on both sides' },
    dilation: { type: 'int[]', default: fill(dims, 1), doc: 'spacing between kernel taps' },
    groups: { type: 'int', default: 1, doc: 'number of channel groups' },
  } as const;
}

function checkAttrLengths(op: string, a: object, names: readonly string[], dims: number): void {
  for (const n of names) {
    const v = (a as Record<string, readonly number[]>)[n]!;
    if (v.length !== dims) {
      throw new RangeError(
        `${op}: expected ${n} to have ${dims} entries (one per spatial dim), got ${JSON.stringify(v)}`,
      );
    }
  }
}

const CONV_ARRAYS = ['stride', 'padding', 'dilation'] as const;

/**
 * The bias gradient of a convolution: the output gradient summed over batch and spatial dims,
 * one contiguous plane per (sample, channel). Its VJP broadcasts back over those dims.
 * @example callOp(convBiasBackwardOp, [gy]) // shape [gy.shape[1]]
 */
export const convBiasBackwardOp = defineOp({
  name: 'nn.convBiasBackward',
  inputs: ['gradOutput'],
  infer: ([g]): TensorMeta => {
    if (g!.shape.length < 2) {
      throw new RangeError(
        `convolution_backward: expected a gradient with batch and channel dims, got ${formatShape(g!.shape)}`,
      );
    }
    return { shape: [g!.shape[1]!], dtype: g!.dtype };
  },
  saveInputs: [],
  vjp: {
    gradOutput: ({ grad, inputMetas }) => {
      const shape = inputMetas[0]!.shape;
      const lifted = reshape(grad, [1, shape[1]!, ...shape.slice(2).map(() => 1)]);
      return expand(lifted, [...shape]);
    },
  },
  samples: () => [
    { name: '2-d', inputs: [{ shape: [2, 3, 4, 5] }] },
    {
      name: '1-d float64 transposed',
      inputs: [{ shape: [3, 2, 4], dtype: 'float64', layout: 'transposed' }],
    },
  ],
  doc: 'Bias gradient of a convolution: the output gradient summed over all but the channel dim.',
  decomposition: ([g]) => g!.sum(g!.shape.map((_, d) => d).filter((d) => d !== 1)),
});

const biasGrad = (grad: Tensor) => callOp(convBiasBackwardOp, [grad]) as Tensor;

/** The output padding that makes a transposed convolution of `grad` come out `size` long. */
function leftover(size: readonly number[], grad: Tensor, k: readonly number[], a: ConvAttrs) {
  return k.map((kd, d) => {
    const natural =
      (grad.shape[d + 2]! - 1) * a.stride[d]! - 2 * a.padding[d]! + a.dilation[d]! * (kd - 1) + 1;
    return size[d + 2]! - natural;
  });
}

const baseAttrs = (a: ConvAttrs): ConvAttrs => ({
  stride: a.stride,
  padding: a.padding,
  dilation: a.dilation,
  groups: a.groups,
});

// Filled in below; the VJPs refer to each other's ops.
const conv: Record<number, RegisteredOp<ConvAttrs>> = {};
const convT: Record<number, RegisteredOp<ConvTransposeAttrs>> = {};

/** A convolution's input gradient, or the gradient of the input of `nn.convWeightBackward`. */
function inputGrad(grad: Tensor, weight: Tensor, size: readonly number[], a: ConvAttrs): Tensor {
  const dims = weight.shape.length - 2;
  const outputPadding = leftover(size, grad, weight.shape.slice(2), a);
  return callOp(convT[dims]!, [grad, weight], { ...baseAttrs(a), outputPadding }) as Tensor;
}

/** A convolution's weight gradient. */
function weightGrad(input: Tensor, grad: Tensor, kernelSize: readonly number[], a: ConvAttrs) {
  return callOp(convWeightBackwardOp, [input, grad], {
    ...baseAttrs(a),
    kernelSize: [...kernelSize],
  }) as Tensor;
}

function convSamples(dims: number, bias: boolean): OpSample[] {
  const sp = (two: number[], one: number[]) => (dims === 2 ? two : one);
  const s = (shape: number[], extra: object = {}) => ({ shape, ...extra });
  const cases: {
    name: string;
    x: number[];
    w: number[];
    attrs?: Partial<ConvAttrs>;
    dtype?: 'float64';
    layout?: 'transposed' | 'strided';
    noGrad?: boolean;
  }[] = [
    { name: 'basic', x: [2, 3, ...sp([5, 5], [6])], w: [4, 3, ...sp([3, 3], [3])] },
    {
      name: 'stride padding dilation',
      x: [1, 2, ...sp([7, 6], [9])],
      w: [3, 2, ...sp([3, 2], [3])],
      attrs: { stride: sp([2, 1], [2]), padding: sp([1, 2], [2]), dilation: sp([1, 2], [2]) },
    },
    {
      name: 'groups',
      x: [2, 4, ...sp([5, 4], [5])],
      w: [6, 2, ...sp([3, 3], [3])],
      attrs: { groups: 2, padding: sp([1, 1], [1]) },
    },
    { name: 'pointwise', x: [2, 3, ...sp([4, 3], [5])], w: [5, 3, ...sp([1, 1], [1])] },
    {
      name: 'depthwise strided',
      x: [1, 3, ...sp([6, 7], [7])],
      w: [3, 1, ...sp([2, 2], [2])],
      attrs: { groups: 3, stride: sp([3, 2], [3]), padding: sp([1, 0], [1]) },
      layout: 'strided',
    },
    {
      name: 'float64 transposed',
      x: [2, 2, ...sp([4, 5], [5])],
      w: [2, 2, ...sp([2, 3], [2])],
      attrs: { stride: sp([2, 2], [2]) },
      dtype: 'float64',
      layout: 'transposed',
    },
    {
      name: 'larger (SIMD GEMM path)',
      x: [2, 8, ...sp([12, 11], [40])],
      w: [16, 8, ...sp([3, 3], [5])],
      attrs: { padding: sp([1, 1], [2]) },
      noGrad: true,
    },
    {
      name: 'same padding dilated',
      x: [2, 3, ...sp([5, 6], [7])],
      w: [2, 3, ...sp([3, 3], [3])],
      attrs: { padding: sp([2, 2], [2]), dilation: sp([2, 2], [2]) },
    },
  ];
  return cases
    .filter((_, i) => bias || i % 2 === 0)
    .map((c) => ({
      name: c.name,
      inputs: [
        s(c.x, { dtype: c.dtype, layout: c.layout }),
        s(c.w, { dtype: c.dtype }),
        ...(bias ? [s([c.w[0]!], { dtype: c.dtype })] : []),
      ],
      attrs: c.attrs,
      noGrad: c.noGrad,
    }));
}

function convTransposeSamples(dims: number, bias: boolean): OpSample[] {
  const sp = (two: number[], one: number[]) => (dims === 2 ? two : one);
  const cases: {
    name: string;
    x: number[];
    w: number[];
    attrs?: Partial<ConvTransposeAttrs>;
    dtype?: 'float64';
    layout?: 'transposed' | 'strided';
    noGrad?: boolean;
  }[] = [
    { name: 'basic', x: [2, 4, ...sp([3, 3], [4])], w: [4, 3, ...sp([3, 3], [3])] },
    {
      name: 'stride padding output padding',
      x: [1, 3, ...sp([3, 4], [4])],
      w: [3, 2, ...sp([3, 2], [3])],
      attrs: { stride: sp([2, 3], [2]), padding: sp([1, 0], [1]), outputPadding: sp([1, 2], [1]) },
    },
    {
      name: 'groups dilation',
      x: [2, 4, ...sp([3, 3], [3])],
      w: [4, 1, ...sp([2, 2], [2])],
      attrs: { groups: 2, dilation: sp([2, 1], [2]), padding: sp([1, 0], [1]) },
      layout: 'strided',
    },
    {
      name: 'pointwise',
      x: [2, 3, ...sp([3, 2], [4])],
      w: [3, 4, ...sp([1, 1], [1])],
    },
    {
      name: 'float64 transposed',
      x: [1, 2, ...sp([3, 4], [4])],
      w: [2, 2, ...sp([2, 2], [3])],
      attrs: { stride: sp([2, 2], [2]), dilation: sp([1, 2], [1]) },
      dtype: 'float64',
      layout: 'transposed',
    },
    {
      name: 'larger (SIMD GEMM path)',
      x: [2, 16, ...sp([6, 7], [20])],
      w: [16, 8, ...sp([3, 3], [4])],
      attrs: { stride: sp([2, 2], [2]), padding: sp([1, 1], [1]), outputPadding: sp([1, 0], [1]) },
      noGrad: true,
    },
    {
      name: 'same padding',
      x: [2, 3, ...sp([4, 5], [6])],
      w: [3, 2, ...sp([3, 3], [3])],
      attrs: { padding: sp([1, 1], [1]) },
    },
  ];
  return cases
    .filter((_, i) => bias || i % 2 === 0)
    .map((c) => ({
      name: c.name,
      inputs: [
        { shape: c.x, dtype: c.dtype, layout: c.layout },
        { shape: c.w, dtype: c.dtype },
        ...(bias ? [{ shape: [c.w[1]! * (c.attrs?.groups ?? 1)], dtype: c.dtype }] : []),
      ],
      attrs: c.attrs,
      noGrad: c.noGrad,
    }));
}

/**
 * A convolution in terms of others, for backends without its kernel: with a bias, the one
 * without plus the bias per channel; 1-D, the 2-D one over a height of 1 (a view each way). The
 * 2-D ops without bias are the primitives.
 */
function convDecomposition<A extends ConvAttrs>(
  dims: number,
  bias: boolean,
  noBias: Record<number, RegisteredOp<A>>,
): ((args: readonly Tensor[], attrs: A) => Tensor) | undefined {
  if (bias) {
    return ([x, w, b], a) => {
      const y = callOp(noBias[dims]!, [x!, w!], { ...(a as object) }) as Tensor;
      return y.add(reshape(b!, [1, b!.shape[0]!, ...fill(dims, 1)]));
    };
  }
  if (dims !== 1) return undefined;
  return ([x, w], a) => {
    const lift = (v: number[], one: number) => [one, ...v];
    const attrs: Record<string, unknown> = {
      ...(a as object),
      stride: lift(a.stride, 1),
      padding: lift(a.padding, 0),
      dilation: lift(a.dilation, 1),
    };
    const outputPadding = (a as Partial<ConvTransposeAttrs>).outputPadding;
    if (outputPadding) attrs.outputPadding = lift(outputPadding, 0);
    const x2 = reshape(x!, [x!.shape[0]!, x!.shape[1]!, 1, x!.shape[2]!]);
    const w2 = reshape(w!, [w!.shape[0]!, w!.shape[1]!, 1, w!.shape[2]!]);
    const y = callOp(noBias[2]!, [x2, w2], attrs) as Tensor;
    return reshape(y, [y.shape[0]!, y.shape[1]!, y.shape[3]!]);
  };
}

function defineConv(dims: number, bias: boolean): RegisteredOp<ConvAttrs> {
  const fname = `conv${dims}d`;
  return defineOp<ConvAttrs>({
    name: `nn.${fname}${bias ? '' : 'NoBias'}`,
    inputs: ['input'],
    params: bias ? ['weight', 'bias'] : ['weight'],
    attrs: convAttrSpecs(dims),
    gradFnName: 'ConvolutionBackward0',
    infer: ([x, w, b], a): TensorMeta => {
      checkConvRanks(fname, x!, w!, dims);
      checkAttrLengths(fname, a, CONV_ARRAYS, dims);
      checkConvParams(fname, a);
      checkConvDTypes(fname, x!, w!, b);
      const out = convOutputSize(fname, x!.shape, w!.shape, b?.shape, a);
      return { shape: [x!.shape[0]!, w!.shape[0]!, ...out], dtype: x!.dtype };
    },
    saveInputsFor: { input: [1], weight: [0], bias: [] },
    vjp: {
      input: ({ grad, inputs, inputMetas, attrs }) =>
        inputGrad(grad, inputs[1]!, inputMetas[0]!.shape, attrs),
      weight: ({ grad, inputs, inputMetas, attrs }) =>
        weightGrad(inputs[0]!, grad, inputMetas[1]!.shape.slice(2), attrs),
      ...(bias ? { bias: ({ grad }) => biasGrad(grad) } : {}),
    },
    samples: () => convSamples(dims, bias),
    decomposition: convDecomposition(dims, bias, conv),
    doc: `${dims}-D convolution (cross-correlation) over a batch of ${dims === 2 ? 'images' : 'sequences'}${bias ? ', plus a bias per output channel' : ''}.`,
  });
}

function defineConvTranspose(dims: number, bias: boolean): RegisteredOp<ConvTransposeAttrs> {
  const fname = `convTranspose${dims}d`;
  return defineOp<ConvTransposeAttrs>({
    name: `nn.${fname}${bias ? '' : 'NoBias'}`,
    inputs: ['input'],
    params: bias ? ['weight', 'bias'] : ['weight'],
    attrs: {
      ...convAttrSpecs(dims),
      outputPadding: { type: 'int[]', default: fill(dims, 0), doc: 'extra output size' },
    },
    gradFnName: 'ConvolutionBackward0',
    infer: ([x, w, b], a): TensorMeta => {
      checkConvRanks(fname, x!, w!, dims);
      checkAttrLengths(fname, a, [...CONV_ARRAYS, 'outputPadding'], dims);
      checkConvParams(fname, a);
      checkConvDTypes(fname, x!, w!, b);
      const out = convTransposeOutputSize(fname, x!.shape, w!.shape, b?.shape, a);
      return { shape: [x!.shape[0]!, w!.shape[1]! * a.groups, ...out], dtype: x!.dtype };
    },
    saveInputsFor: { input: [1], weight: [0], bias: [] },
    vjp: {
      input: ({ grad, inputs, attrs }) =>
        callOp(conv[dims]!, [grad, inputs[1]!], { ...baseAttrs(attrs) }) as Tensor,
      weight: ({ grad, inputs, inputMetas, attrs }) =>
        weightGrad(grad, inputs[0]!, inputMetas[1]!.shape.slice(2), attrs),
      ...(bias ? { bias: ({ grad }) => biasGrad(grad) } : {}),
    },
    samples: () => convTransposeSamples(dims, bias),
    decomposition: convDecomposition(dims, bias, convT),
    doc: `${dims}-D transposed convolution (the adjoint of conv${dims}d in its input)${bias ? ', plus a bias per output channel' : ''}.`,
  });
}

/**
 * The weight gradient of a convolution, gW = Σₙ gy[n] ⋆ x[n] (per group), as an op of its own so
 * that second derivatives of convolutions are convolutions again: it is bilinear, its VJP in
 * `input` is a transposed convolution and in `gradOutput` a convolution.
 * @example callOp(convWeightBackwardOp, [x, gy], { kernelSize: [3, 3], padding: [1, 1] }) // (O, C, 3, 3)
 */
export const convWeightBackwardOp = defineOp<ConvWeightBackwardAttrs>({
  name: 'nn.convWeightBackward',
  inputs: ['input', 'gradOutput'],
  attrs: {
    kernelSize: { type: 'int[]', doc: "spatial size of the convolution's weight" },
    stride: { type: 'int[]', doc: 'step between kernel applications' },
    padding: { type: 'int[]', doc: 'zero padding on both sides' },
    dilation: { type: 'int[]', doc: 'spacing between kernel taps' },
    groups: { type: 'int', default: 1, doc: 'number of channel groups' },
  },
  gradFnName: 'ConvolutionBackwardBackward0',
  infer: ([x, gy], a): TensorMeta => {
    const name = 'convolution_backward';
    const dims = a.kernelSize.length;
    if (dims < 1 || dims > 2) {
      throw new RangeError(`${name}: expected 1 or 2 spatial dims, got kernelSize ${a.kernelSize}`);
    }
    checkAttrLengths(name, a, [...CONV_ARRAYS, 'kernelSize'], dims);
    checkConvParams(name, a);
    const C = x!.shape[1]!;
    const O = gy!.shape[1]!;
    const weight = [O, C / a.groups, ...a.kernelSize];
    if (
      x!.shape.length !== dims + 2 ||
      gy!.shape.length !== dims + 2 ||
      C % a.groups !== 0 ||
      O % a.groups !== 0
    ) {
      throw new RangeError(
        `${name}: input of size ${formatShape(x!.shape)} and grad_output of size ${formatShape(gy!.shape)} do not fit kernelSize ${JSON.stringify(a.kernelSize)} and groups=${a.groups}`,
      );
    }
    checkConvDTypes(name, x!, gy!);
    const out = convOutputSize(name, x!.shape, weight, undefined, a);
    const expected = [x!.shape[0]!, O, ...out];
    if (expected.some((v, i) => v !== gy!.shape[i])) {
      throw new RangeError(
        `${name}: expected grad_output of size ${formatShape(expected)}, got ${formatShape(gy!.shape)}`,
      );
    }
    return { shape: weight, dtype: x!.dtype };
  },
  saveInputsFor: { input: [1], gradOutput: [0] },
  vjp: {
    input: ({ grad, inputs, inputMetas, attrs }) =>
      inputGrad(inputs[1]!, grad, inputMetas[0]!.shape, attrs),
    gradOutput: ({ grad, inputs, attrs }) =>
      callOp(conv[attrs.kernelSize.length]!, [inputs[0]!, grad], { ...baseAttrs(attrs) }) as Tensor,
  },
  samples: () => [
    {
      name: '2-d padded',
      inputs: [{ shape: [2, 3, 5, 5] }, { shape: [2, 4, 5, 5] }],
      attrs: { kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
    },
    {
      name: '2-d strided groups',
      inputs: [{ shape: [1, 4, 6, 5], layout: 'transposed' }, { shape: [1, 2, 2, 3] }],
      attrs: { kernelSize: [2, 3], stride: [2, 2], padding: [0, 1], dilation: [2, 1], groups: 2 },
    },
    {
      name: 'larger (SIMD GEMM path)',
      // Non-negative values: sums of 288 float32 products without cancellation, so the
      // comparison with PyTorch's differently ordered sums stays within float32 tolerances.
      inputs: [
        { shape: [2, 8, 12, 12], low: 0, high: 1 },
        { shape: [2, 16, 12, 12], low: 0, high: 1 },
      ],
      attrs: { kernelSize: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1] },
      noGrad: true,
    },
    {
      name: '1-d float64',
      inputs: [
        { shape: [2, 2, 7], dtype: 'float64' },
        { shape: [2, 3, 4], dtype: 'float64' },
      ],
      attrs: { kernelSize: [3], stride: [2], padding: [1], dilation: [1] },
    },
  ],
  doc: 'Weight gradient of a convolution: the correlation of the output gradient with the input.',
});

/**
 * `nn.conv1d` and `nn.conv2d` (input, weight, bias).
 * @example callOp(conv2dOp, [x, w, b], { padding: [1, 1] })
 */
export const conv2dOp = defineConv(2, true);
/** @see conv2dOp; without a bias. @example callOp(conv2dNoBiasOp, [x, w]) */
export const conv2dNoBiasOp = defineConv(2, false);
/** 1-D convolution (input, weight, bias). @example callOp(conv1dOp, [x, w, b]) */
export const conv1dOp = defineConv(1, true);
/** 1-D convolution without a bias. @example callOp(conv1dNoBiasOp, [x, w]) */
export const conv1dNoBiasOp = defineConv(1, false);
/** 2-D transposed convolution (input, weight, bias). @example callOp(convTranspose2dOp, [x, w, b], { stride: [2, 2] }) */
export const convTranspose2dOp = defineConvTranspose(2, true);
/** 2-D transposed convolution without a bias. @example callOp(convTranspose2dNoBiasOp, [x, w]) */
export const convTranspose2dNoBiasOp = defineConvTranspose(2, false);
/** 1-D transposed convolution (input, weight, bias). @example callOp(convTranspose1dOp, [x, w, b]) */
export const convTranspose1dOp = defineConvTranspose(1, true);
/** 1-D transposed convolution without a bias. @example callOp(convTranspose1dNoBiasOp, [x, w]) */
export const convTranspose1dNoBiasOp = defineConvTranspose(1, false);

conv[1] = conv1dNoBiasOp;
conv[2] = conv2dNoBiasOp;
convT[1] = convTranspose1dNoBiasOp;
convT[2] = convTranspose2dNoBiasOp;

/**
 * Names of every convolution op this package registers.
 * @example CONV_OPS.includes('nn.conv2d') // true
 */
export const CONV_OPS: readonly string[] = [
  conv1dOp,
  conv1dNoBiasOp,
  conv2dOp,
  conv2dNoBiasOp,
  convTranspose1dOp,
  convTranspose1dNoBiasOp,
  convTranspose2dOp,
  convTranspose2dNoBiasOp,
  convWeightBackwardOp,
  convBiasBackwardOp,
].map((o) => o.def.name);
