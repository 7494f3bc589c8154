import type { OpSample, RegisteredOp, Tensor, TensorMeta } from '@autodag/core';
import {
  callOp,
  defineOp,
  formatShape,
  gather,
  isFloatingPoint,
  reshape,
  shapesEqual,
} from '@autodag/core';

/**
 * The pooling ops: max, average and adaptive average pooling in 1-D and 2-D, each with a
 * backward op whose own VJP is written with ops (max pooling's is a gather by the saved indices;
 * the average poolings are linear, so the VJP of their backward is the forward again).
 */

/**
 * Attributes of `nn.maxPool1d` / `nn.maxPool2d` (one entry per spatial dim in each array).
 * @example callOp('nn.maxPool2d', [x], { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false })
 */
export interface MaxPoolAttrs {
  /** Window size. */
  kernelSize: number[];
  /** Step between windows. */
  stride: number[];
  /** Implicit -inf padding on both sides (at most half the window). */
  padding: number[];
  /** Spacing between window taps. */
  dilation: number[];
  /** Round the output size up instead of down (windows may start in the right padding). */
  ceilMode: boolean;
}

/**
 * Attributes of `nn.avgPool1d` / `nn.avgPool2d`.
 * @example callOp('nn.avgPool2d', [x], { kernelSize: [2, 2], stride: [2, 2], padding: [0, 0] })
 */
export interface AvgPoolAttrs {
  /** Window size. */
  kernelSize: number[];
  /** Step between windows. */
  stride: number[];
  /** Implicit zero padding on both sides (at most half the window). */
  padding: number[];
  /** Round the output size up instead of down. */
  ceilMode: boolean;
  /** Count padded positions in the divisor. */
  countIncludePad: boolean;
  /** Divide every window's sum by this instead (2-D only). */
  divisorOverride?: number;
}

const fill = (dims: number, v: number) => new Array<number>(dims).fill(v);
const spatialOf = (shape: readonly number[]) => shape.slice(2);
const showSizes = (v: readonly number[]) => v.join('x');

/**
 * PyTorch's pooling output size along one dim (`pooling_output_shape`): with `ceilMode` the last
 * window may start in the right padding but not past it.
 * @example poolOutSize(5, 2, 0, 2, 1, true) // 3
 */
export function poolOutSize(
  size: number,
  k: number,
  pad: number,
  stride: number,
  dilation: number,
  ceil: boolean,
): number {
  let out =
    Math.floor((size + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

function checkPoolInput(name: string, x: Tensor, dims: number): void {
  if (x.shape.length !== dims + 2 || x.shape.slice(1).some((s) => s === 0)) {
    throw new RangeError(
      `${name}: non-empty ${dims + 1}D or ${dims + 2}D (batch mode) tensor expected for input, got input of size ${formatShape(x.shape)}`,
    );
  }
  if (!isFloatingPoint(x.dtype)) {
    throw new TypeError(`${name}: expected a floating point input, got ${x.dtype}`);
  }
}

/** Checks a window's attributes and returns the spatial output size (PyTorch's `pool2d_shape_check`). */
function windowOutput(
  name: string,
  input: readonly number[],
  a: { kernelSize: number[]; stride: number[]; padding: number[]; ceilMode: boolean },
  dilation: readonly number[],
): number[] {
  const dims = a.kernelSize.length;
  for (const key of ['stride', 'padding'] as const) {
    if (a[key].length !== dims) {
      throw new RangeError(
        `${name}: expected ${key} to have ${dims} entries like kernelSize, got ${JSON.stringify(a[key])}`,
      );
    }
  }
  if (dilation.length !== dims) {
    throw new RangeError(`${name}: expected dilation to have ${dims} entries like kernelSize`);
  }
  if (a.kernelSize.some((k) => k <= 0)) {
    throw new RangeError(
      `${name}: kernel size should be greater than zero, but got ${JSON.stringify(a.kernelSize)}`,
    );
  }
  if (a.stride.some((s) => s <= 0)) {
    throw new RangeError(
      `${name}: stride should be greater than zero, but got ${JSON.stringify(a.stride)}`,
    );
  }
  if (dilation.some((d) => d <= 0)) {
    throw new RangeError(
      `${name}: dilation should be greater than zero, but got ${JSON.stringify(dilation)}`,
    );
  }
  if (a.padding.some((p, d) => p < 0 || p > a.kernelSize[d]! / 2)) {
    throw new RangeError(
      `${name}: pad should be smaller than or equal to half of kernel size, but got padding=${JSON.stringify(a.padding)} and kernel_size=${JSON.stringify(a.kernelSize)}`,
    );
  }
  const sizes = spatialOf(input);
  const out = sizes.map((s, d) =>
    poolOutSize(s, a.kernelSize[d]!, a.padding[d]!, a.stride[d]!, dilation[d]!, a.ceilMode),
  );
  if (out.some((o) => o < 1)) {
    throw new RangeError(
      `${name}: Given input size: (${showSizes([input[1]!, ...sizes])}). Calculated output size: (${showSizes([input[1]!, ...out])}). Output size is too small`,
    );
  }
  return out;
}

/** The input size a backward op rebuilds, checked against the gradient it receives. */
function checkBackwardSizes(
  name: string,
  grad: Tensor,
  inputSize: readonly number[],
  expectedOut: readonly number[] | null,
): number[] {
  const dims = inputSize.length;
  if (dims < 1 || dims > 2 || grad.shape.length !== dims + 2) {
    throw new RangeError(
      `${name}: expected a ${dims + 2}-D gradient for inputSize ${JSON.stringify(inputSize)}, got ${formatShape(grad.shape)}`,
    );
  }
  if (expectedOut?.some((o, d) => o !== grad.shape[d + 2])) {
    throw new RangeError(
      `${name}: gradient of size ${formatShape(grad.shape)} does not match the pooling output size ${formatShape(expectedOut)} of input size ${JSON.stringify(inputSize)}`,
    );
  }
  return [grad.shape[0]!, grad.shape[1]!, ...inputSize];
}

// ---- max pooling -----------------------------------------------------------------------------

/**
 * The max-pooling gradient: scatters each output gradient into the input position its index
 * names (indices flat per plane). Its VJP in the gradient gathers by the same indices.
 * @example callOp(maxPoolBackwardOp, [gy, indices], { inputSize: [4, 4] })
 */
export const maxPoolBackwardOp = defineOp<{ inputSize: number[] }>({
  name: 'nn.maxPoolBackward',
  inputs: ['gradOutput', 'indices'],
  attrs: { inputSize: { type: 'int[]', doc: 'spatial size of the pooled input' } },
  infer: ([g, idx], a): TensorMeta => {
    const name = 'max_pool_backward';
    const shape = checkBackwardSizes(name, g!, a.inputSize, null);
    if (idx!.dtype !== 'int32' || !shapesEqual(idx!.shape, g!.shape)) {
      throw new TypeError(
        `${name}: expected int32 indices shaped like the gradient ${formatShape(g!.shape)}, got ${idx!.dtype} ${formatShape(idx!.shape)}`,
      );
    }
    if (!isFloatingPoint(g!.dtype)) {
      throw new TypeError(`${name}: expected a floating point gradient, got ${g!.dtype}`);
    }
    return { shape, dtype: g!.dtype };
  },
  saveInputsFor: { gradOutput: [1] },
  vjp: {
    gradOutput: ({ grad, inputs }) => {
      const idx = inputs[1]!;
      const [n, c] = idx.shape;
      const flat = gather(reshape(grad, [n!, c!, -1]), 2, reshape(idx, [n!, c!, -1]));
      return reshape(flat, idx.shape);
    },
  },
  samples: () => [
    {
      name: '2-d',
      inputs: [{ shape: [2, 2, 2, 3] }, { shape: [2, 2, 2, 3], dtype: 'int32', low: 0, high: 20 }],
      attrs: { inputSize: [4, 5] },
    },
    {
      name: '1-d float64',
      inputs: [
        { shape: [1, 3, 4], dtype: 'float64' },
        { shape: [1, 3, 4], dtype: 'int32', low: 0, high: 7 },
      ],
      attrs: { inputSize: [7] },
    },
  ],
  doc: 'Gradient of max pooling: scatter-add of the output gradient by the saved indices.',
});

function maxPoolSamples(dims: number): OpSample[] {
  const sp = (two: number[], one: number[]) => (dims === 2 ? two : one);
  return [
    {
      name: 'window 2',
      inputs: [{ shape: [2, 3, ...sp([4, 6], [8])] }],
      attrs: { kernelSize: sp([2, 2], [2]), stride: sp([2, 2], [2]), padding: sp([0, 0], [0]) },
    },
    {
      name: 'overlapping padded',
      inputs: [{ shape: [1, 2, ...sp([5, 6], [9])] }],
      attrs: { kernelSize: sp([3, 3], [3]), stride: sp([2, 1], [2]), padding: sp([1, 1], [1]) },
    },
    {
      name: 'dilated ceil mode',
      inputs: [{ shape: [1, 2, ...sp([7, 8], [10])], layout: 'strided' }],
      attrs: {
        kernelSize: sp([2, 3], [3]),
        stride: sp([2, 2], [2]),
        padding: sp([1, 0], [1]),
        dilation: sp([2, 1], [2]),
        ceilMode: true,
      },
    },
    {
      name: 'float64 transposed',
      inputs: [{ shape: [2, 2, ...sp([5, 4], [6])], dtype: 'float64', layout: 'transposed' }],
      attrs: { kernelSize: sp([2, 2], [2]), stride: sp([1, 2], [1]), padding: sp([0, 0], [0]) },
    },
    {
      name: 'ties and -inf',
      inputs: [
        {
          shape: [1, 1, ...sp([2, 4], [8])],
          values: [1, 1, -Infinity, -Infinity, 0.5, 2, 2, 0.5],
        },
      ],
      attrs: { kernelSize: sp([2, 2], [2]), stride: sp([2, 2], [2]), padding: sp([0, 0], [0]) },
      noGrad: true,
    },
  ];
}

function defineMaxPool(dims: number): RegisteredOp<MaxPoolAttrs> {
  const name = `maxPool${dims}d`;
  return defineOp<MaxPoolAttrs>({
    name: `nn.${name}`,
    inputs: ['input'],
    attrs: {
      kernelSize: { type: 'int[]', doc: 'window size' },
      stride: { type: 'int[]', doc: 'step between windows' },
      padding: { type: 'int[]', default: fill(dims, 0), doc: 'implicit -inf padding' },
      dilation: { type: 'int[]', default: fill(dims, 1), doc: 'spacing between taps' },
      ceilMode: { type: 'bool', default: false, doc: 'round the output size up' },
    },
    gradFnName: `MaxPool${dims}DWithIndicesBackward0`,
    infer: ([x], a): TensorMeta[] => {
      checkPoolInput(name, x!, dims);
      if (a.kernelSize.length !== dims) {
        throw new RangeError(
          `${name}: kernel_size must have ${dims} entries, got ${JSON.stringify(a.kernelSize)}`,
        );
      }
      const out = windowOutput(name, x!.shape, a, a.dilation);
      const shape = [x!.shape[0]!, x!.shape[1]!, ...out];
      return [
        { shape, dtype: x!.dtype },
        { shape, dtype: 'int32' },
      ];
    },
    differentiableOutputs: [0],
    saveInputs: [],
    // Only the indices: the maxima may change in place before backward, as in PyTorch.
    saveOutputs: [1],
    vjp: {
      input: ({ grad, outputs, inputMetas }) =>
        callOp(maxPoolBackwardOp, [grad, outputs[1]!], {
          inputSize: spatialOf(inputMetas[0]!.shape),
        }) as Tensor,
    },
    samples: () => maxPoolSamples(dims),
    decomposition:
      dims === 1
        ? ([x], a) =>
            asPlanes(x!, (x2) =>
              callOp(maxPools[2]!, [x2], {
                ...a,
                kernelSize: [1, ...a.kernelSize],
                stride: [1, ...a.stride],
                padding: [0, ...a.padding],
                dilation: [1, ...a.dilation],
              }),
            )
        : undefined,
    doc: `${dims}-D max pooling; returns the maxima and their flat in-plane indices (int32).`,
  });
}

// ---- average pooling -------------------------------------------------------------------------

function avgAttrSpecs(dims: number) {
  return {
    kernelSize: { type: 'int[]', doc: 'window size' },
    stride: { type: 'int[]', doc: 'step between windows' },
    padding: { type: 'int[]', default: fill(dims, 0), doc: 'implicit zero padding' },
    ceilMode: { type: 'bool', default: false, doc: 'round the output size up' },
    countIncludePad: { type: 'bool', default: true, doc: 'count padding in the divisor' },
    ...(dims === 2
      ? { divisorOverride: { type: 'int', optional: true, doc: 'fixed divisor' } as const }
      : {}),
  } as const;
}

function avgOutput(name: string, input: readonly number[], a: AvgPoolAttrs): number[] {
  if (a.divisorOverride !== undefined && a.divisorOverride === 0) {
    throw new RangeError(`${name}: divisor must be not zero`);
  }
  return windowOutput(name, input, a, fill(a.kernelSize.length, 1));
}

const avgPools: Record<number, RegisteredOp<AvgPoolAttrs>> = {};
const maxPools: Record<number, RegisteredOp<MaxPoolAttrs>> = {};

/**
 * A 1-D pooling as the 2-D one over planes of height 1: (N, C, L) is viewed as (N, C, 1, L) and
 * each result back as (N, C, L'). Max pooling's in-plane indices are the same in both views.
 */
function asPlanes(x: Tensor, pool2d: (planes: Tensor) => Tensor | Tensor[]): Tensor | Tensor[] {
  const [n, c, l] = x.shape as [number, number, number];
  const out = pool2d(reshape(x, [n, c, 1, l]));
  const flat = (t: Tensor) => reshape(t, [t.shape[0]!, t.shape[1]!, t.shape[3]!]);
  return Array.isArray(out) ? out.map(flat) : flat(out);
}

const withoutInputSize = <T extends { inputSize?: number[] }>(a: T): Omit<T, 'inputSize'> => {
  const { inputSize: _, ...rest } = a;
  return rest;
};

/**
 * The average-pooling gradient: spreads each output gradient over its window with the forward's
 * divisor. Linear, so its VJP is the forward pooling.
 * @example callOp(avgPoolBackwardOp, [gy], { kernelSize: [2, 2], stride: [2, 2], inputSize: [4, 4] })
 */
export const avgPoolBackwardOp = defineOp<AvgPoolAttrs & { inputSize: number[] }>({
  name: 'nn.avgPoolBackward',
  inputs: ['gradOutput'],
  attrs: {
    ...avgAttrSpecs(2),
    inputSize: { type: 'int[]', doc: 'spatial size of the pooled input' },
  },
  infer: ([g], a): TensorMeta => {
    const name = 'avg_pool_backward';
    const dims = a.inputSize.length;
    const full = [g!.shape[0]!, g!.shape[1]!, ...a.inputSize];
    const out = dims === a.kernelSize.length ? avgOutput(name, full, a) : [];
    if (!isFloatingPoint(g!.dtype)) {
      throw new TypeError(`${name}: expected a floating point gradient, got ${g!.dtype}`);
    }
    return { shape: checkBackwardSizes(name, g!, a.inputSize, out), dtype: g!.dtype };
  },
  saveInputs: [],
  vjp: {
    gradOutput: ({ grad, attrs }) =>
      callOp(avgPools[attrs.inputSize.length]!, [grad], withoutInputSize(attrs)) as Tensor,
  },
  samples: () => [
    {
      name: '2-d padded ceil mode',
      inputs: [{ shape: [1, 2, 3, 4] }],
      attrs: {
        kernelSize: [3, 3],
        stride: [2, 2],
        padding: [1, 1],
        ceilMode: true,
        countIncludePad: false,
        inputSize: [5, 6],
      },
    },
    {
      name: '2-d divisor override',
      inputs: [{ shape: [2, 1, 2, 2] }],
      attrs: { kernelSize: [2, 2], stride: [2, 2], divisorOverride: 3, inputSize: [4, 5] },
    },
    {
      name: '1-d float64',
      inputs: [{ shape: [2, 2, 4], dtype: 'float64' }],
      attrs: { kernelSize: [3], stride: [2], padding: [1], inputSize: [8] },
    },
  ],
  doc: 'Gradient of average pooling: each output gradient spread over its window.',
});

function avgPoolSamples(dims: number): OpSample[] {
  const sp = (two: number[], one: number[]) => (dims === 2 ? two : one);
  const samples: OpSample[] = [
    {
      name: 'window 2',
      inputs: [{ shape: [2, 3, ...sp([4, 6], [8])] }],
      attrs: { kernelSize: sp([2, 2], [2]), stride: sp([2, 2], [2]) },
    },
    {
      name: 'padded ceil mode without pad',
      inputs: [{ shape: [1, 2, ...sp([5, 6], [6])] }],
      attrs: {
        kernelSize: sp([3, 3], [3]),
        stride: sp([2, 2], [2]),
        padding: sp([1, 1], [1]),
        ceilMode: true,
        countIncludePad: false,
      },
    },
    {
      name: 'padded ceil mode with pad',
      inputs: [{ shape: [1, 2, ...sp([5, 6], [6])], layout: 'strided' }],
      attrs: {
        kernelSize: sp([3, 2], [3]),
        stride: sp([2, 3], [2]),
        padding: sp([1, 1], [1]),
        ceilMode: true,
      },
    },
    {
      name: 'float64 transposed',
      inputs: [{ shape: [2, 2, ...sp([5, 4], [5])], dtype: 'float64', layout: 'transposed' }],
      attrs: { kernelSize: sp([2, 3], [3]), stride: sp([1, 1], [1]) },
    },
  ];
  if (dims === 2) {
    samples.push({
      name: 'divisor override',
      inputs: [{ shape: [1, 2, 4, 5] }],
      attrs: { kernelSize: [2, 3], stride: [1, 2], padding: [1, 1], divisorOverride: 4 },
    });
  }
  return samples;
}

function defineAvgPool(dims: number): RegisteredOp<AvgPoolAttrs> {
  const name = `avgPool${dims}d`;
  return defineOp<AvgPoolAttrs>({
    name: `nn.${name}`,
    inputs: ['input'],
    attrs: avgAttrSpecs(dims),
    gradFnName: `AvgPool${dims}DBackward0`,
    infer: ([x], a): TensorMeta => {
      checkPoolInput(name, x!, dims);
      if (a.kernelSize.length !== dims) {
        throw new RangeError(
          `${name}: kernel_size must have ${dims} entries, got ${JSON.stringify(a.kernelSize)}`,
        );
      }
      const out = avgOutput(name, x!.shape, a);
      return { shape: [x!.shape[0]!, x!.shape[1]!, ...out], dtype: x!.dtype };
    },
    saveInputs: [],
    vjp: {
      input: ({ grad, attrs, inputMetas }) =>
        callOp(avgPoolBackwardOp, [grad], {
          ...attrs,
          inputSize: spatialOf(inputMetas[0]!.shape),
        }) as Tensor,
    },
    samples: () => avgPoolSamples(dims),
    decomposition:
      dims === 1
        ? ([x], a) =>
            asPlanes(x!, (x2) =>
              callOp(avgPools[2]!, [x2], {
                ...a,
                kernelSize: [1, ...a.kernelSize],
                stride: [1, ...a.stride],
                padding: [0, ...a.padding],
              }),
            )
        : undefined,
    doc: `${dims}-D average pooling.`,
  });
}

// ---- adaptive average pooling ----------------------------------------------------------------

const adaptivePools: Record<number, RegisteredOp<{ outputSize: number[] }>> = {};

/**
 * The adaptive-average-pooling gradient. Linear, so its VJP is the forward pooling.
 * @example callOp(adaptiveAvgPoolBackwardOp, [gy], { inputSize: [7, 7] })
 */
export const adaptiveAvgPoolBackwardOp = defineOp<{ inputSize: number[] }>({
  name: 'nn.adaptiveAvgPoolBackward',
  inputs: ['gradOutput'],
  attrs: { inputSize: { type: 'int[]', doc: 'spatial size of the pooled input' } },
  infer: ([g], a): TensorMeta => {
    const name = 'adaptive_avg_pool_backward';
    if (!isFloatingPoint(g!.dtype)) {
      throw new TypeError(`${name}: expected a floating point gradient, got ${g!.dtype}`);
    }
    if (a.inputSize.some((s) => s <= 0)) {
      throw new RangeError(
        `${name}: expected a positive inputSize, got ${JSON.stringify(a.inputSize)}`,
      );
    }
    return { shape: checkBackwardSizes(name, g!, a.inputSize, null), dtype: g!.dtype };
  },
  saveInputs: [],
  vjp: {
    gradOutput: ({ grad, inputMetas }) => {
      const outputSize = spatialOf(inputMetas[0]!.shape);
      return callOp(adaptivePools[outputSize.length]!, [grad], { outputSize }) as Tensor;
    },
  },
  samples: () => [
    { name: '2-d', inputs: [{ shape: [2, 3, 3, 2] }], attrs: { inputSize: [7, 5] } },
    {
      name: '1-d float64',
      inputs: [{ shape: [1, 2, 4], dtype: 'float64' }],
      attrs: { inputSize: [6] },
    },
  ],
  doc: 'Gradient of adaptive average pooling.',
});

function defineAdaptiveAvgPool(dims: number): RegisteredOp<{ outputSize: number[] }> {
  const name = `adaptiveAvgPool${dims}d`;
  const sp = (two: number[], one: number[]) => (dims === 2 ? two : one);
  return defineOp<{ outputSize: number[] }>({
    name: `nn.${name}`,
    inputs: ['input'],
    attrs: { outputSize: { type: 'int[]', doc: 'spatial size of the output' } },
    gradFnName: `AdaptiveAvgPool${dims}DBackward0`,
    infer: ([x], a): TensorMeta => {
      checkPoolInput(name, x!, dims);
      if (a.outputSize.length !== dims) {
        throw new RangeError(
          `${name}: output_size must be ${dims}, got ${JSON.stringify(a.outputSize)}`,
        );
      }
      if (a.outputSize.some((s) => s < 0)) {
        throw new RangeError(
          `${name}: elements of output_size must be greater than or equal to 0 but received ${JSON.stringify(a.outputSize)}`,
        );
      }
      return { shape: [x!.shape[0]!, x!.shape[1]!, ...a.outputSize], dtype: x!.dtype };
    },
    saveInputs: [],
    vjp: {
      input: ({ grad, inputMetas }) =>
        callOp(adaptiveAvgPoolBackwardOp, [grad], {
          inputSize: spatialOf(inputMetas[0]!.shape),
        }) as Tensor,
    },
    decomposition:
      dims === 1
        ? ([x], a) =>
            asPlanes(x!, (x2) =>
              callOp(adaptivePools[2]!, [x2], { outputSize: [1, ...a.outputSize] }),
            )
        : undefined,
    samples: () => [
      {
        name: 'shrink',
        inputs: [{ shape: [2, 3, ...sp([7, 5], [7])] }],
        attrs: { outputSize: sp([3, 2], [3]) },
      },
      {
        name: 'same and larger',
        inputs: [{ shape: [1, 2, ...sp([4, 3], [3])], layout: 'strided' }],
        attrs: { outputSize: sp([4, 5], [5]) },
      },
      {
        name: 'global float64 transposed',
        inputs: [{ shape: [2, 2, ...sp([3, 4], [5])], dtype: 'float64', layout: 'transposed' }],
        attrs: { outputSize: sp([1, 1], [1]) },
      },
    ],
    doc: `${dims}-D adaptive average pooling to a fixed output size.`,
  });
}

/** 2-D max pooling with indices. @example callOp(maxPool2dOp, [x], { kernelSize: [2, 2], stride: [2, 2] }) */
export const maxPool2dOp = defineMaxPool(2);
/** 1-D max pooling with indices. @example callOp(maxPool1dOp, [x], { kernelSize: [2], stride: [2] }) */
export const maxPool1dOp = defineMaxPool(1);
/** 2-D average pooling. @example callOp(avgPool2dOp, [x], { kernelSize: [2, 2], stride: [2, 2] }) */
export const avgPool2dOp = defineAvgPool(2);
/** 1-D average pooling. @example callOp(avgPool1dOp, [x], { kernelSize: [2], stride: [2] }) */
export const avgPool1dOp = defineAvgPool(1);
/** 2-D adaptive average pooling. @example callOp(adaptiveAvgPool2dOp, [x], { outputSize: [1, 1] }) */
export const adaptiveAvgPool2dOp = defineAdaptiveAvgPool(2);
/** 1-D adaptive average pooling. @example callOp(adaptiveAvgPool1dOp, [x], { outputSize: [1] }) */
export const adaptiveAvgPool1dOp = defineAdaptiveAvgPool(1);

maxPools[1] = maxPool1dOp;
maxPools[2] = maxPool2dOp;
avgPools[1] = avgPool1dOp;
avgPools[2] = avgPool2dOp;
adaptivePools[1] = adaptiveAvgPool1dOp;
adaptivePools[2] = adaptiveAvgPool2dOp;

/**
 * Names of every pooling op this package registers.
 * @example POOL_OPS.includes('nn.maxPool2d') // true
 */
export const POOL_OPS: readonly string[] = [
  maxPool1dOp,
  maxPool2dOp,
  maxPoolBackwardOp,
  avgPool1dOp,
  avgPool2dOp,
  avgPoolBackwardOp,
  adaptiveAvgPool1dOp,
  adaptiveAvgPool2dOp,
  adaptiveAvgPoolBackwardOp,
].map((o) => o.def.name);
