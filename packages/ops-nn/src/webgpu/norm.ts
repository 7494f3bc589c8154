import {
  contiguousLayout,
  dispatchRows,
  type FrameLayout,
  frameSizes,
  layoutIn,
  type RowFrame,
  rowFrame,
  rowParams,
  rowShader,
  WORKGROUP,
} from '@autodag/backend-webgpu';
import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';

/**
 * The normalisation ops on WebGPU as row kernels, one workgroup per group of elements that
 * share statistics, read in place through every operand's strides:
 *
 * - `nn.layerNorm`: a row per leading index over the trailing `normalizedShape` dims;
 * - `nn.groupNorm`: the channel dim split into (groups, channels per group), a row per (sample,
 *   group);
 * - `nn.batchNorm` (training: output, batch mean, biased batch variance), `nn.batchNormEval`
 *   (running statistics) and `nn.batchNormBackward` (gradInput, gradWeight, gradBias): a row per
 *   channel over the batch and spatial dims.
 *
 * Statistics take two passes in f32 (the mean, then the squared deviations), both summing
 * x - K with K the row's first element (as the CPU kernels shift their sums), so a large mean
 * next to a small spread loses no digits.
 */

interface EpsAttrs {
  eps: number;
}

/** WGSL loop over the row, with `v{k}` bound to input k's element (as f32) for k in `read`. */
function forEach(read: readonly number[], body: string, out?: number): string {
  const loads = read.map((k) => `let v${k} = f32(x${k}[u32(b${k} + elemAt(r, ${k}u))]);`);
  const at = out === undefined ? '' : `let at = u32(b${out} + elemAt(r, ${out}u));`;
  return `for (var r = t; r < nRed; r += ${WORKGROUP}u) {
    ${loads.join('\n    ')}
    ${at}
    ${body}
  }`;
}

/** Row starts of operands 0 .. n-1 (b0, b1, ...). */
function bases(n: number): string {
  return Array.from({ length: n }, (_, k) => `let b${k} = rowAt(o, ${k}u);`).join('\n  ');
}

/** The row's first element of input `k` (0 for an empty row): the shift of the sums. */
const shift = (k: number) => `var K = 0.0;
  if (nRed > 0u) { K = f32(x${k}[u32(b${k} + elemAt(0u, ${k}u))]); }`;

/**
 * Mean and inverse standard deviation of input 0's row (slots 0 and 1), from sums of x - K
 * (exact for values near K): `m` is mean - K, so `(v0 - K) - m` is x - mean without the rounding
 * of K + m.
 */
const STATS = `${shift(0)}
  var s = 0.0;
  ${forEach([0], 's += v0 - K;')}
  let m = wgSum(s, t, 0u) / f32(nRed);
  var q = 0.0;
  ${forEach([0], 'let d = (v0 - K) - m; q += d * d;')}
  let variance = wgSum(q, t, 1u) / f32(nRed);
  let mean = K + m;
  let rstd = 1.0 / sqrt(variance + sc(0u));`;

/** Inputs (x, weight, bias) → (x - mean)·rstd·w + b, operand 3 being the output. */
const AFFINE_BODY = `${bases(4)}
  ${STATS}
  ${forEach([0, 1, 2], 'y0[at] = ((v0 - K) - m) * rstd * v1 + v2;', 3)}`;

/** Training batch norm: the affine body, then the batch mean and biased variance per channel. */
const BATCH_TRAIN_BODY = `${AFFINE_BODY}
  if (t == 0u) {
    y1[o] = mean;
    y2[o] = variance;
  }`;

/** Evaluation batch norm: inputs (x, runningMean, runningVar, weight, bias), per channel. */
const BATCH_EVAL_BODY = `${bases(6)}
  let mean = f32(x1[u32(b1)]);
  let scale = f32(x3[u32(b3)]) / sqrt(f32(x2[u32(b2)]) + sc(0u));
  let shift = f32(x4[u32(b4)]);
  ${forEach([0], 'y0[at] = (v0 - mean) * scale + shift;', 5)}`;

/**
 * Training batch norm's backward: inputs (g, x, w); gradInput = w·rstd·(g - Σg/M - d·rstd²·Σg·d/M)
 * with d = x - mean, gradWeight = rstd·Σg·d, gradBias = Σg.
 */
const BATCH_BACKWARD_BODY = `${bases(4)}
  ${shift(1)}
  var s = 0.0;
  ${forEach([1], 's += v1 - K;')}
  let m = wgSum(s, t, 0u) / f32(nRed);
  var q = 0.0;
  var sg = 0.0;
  var sgd = 0.0;
  ${forEach([0, 1], 'let d = (v1 - K) - m; q += d * d; sg += v0; sgd += v0 * d;')}
  let n = f32(nRed);
  let rstd = 1.0 / sqrt(wgSum(q, t, 1u) / n + sc(0u));
  let g1 = wgSum(sg, t, 2u);
  let g2 = wgSum(sgd, t, 3u);
  let c0 = f32(x2[u32(b2)]) * rstd;
  let k = rstd * rstd * g2 / n;
  ${forEach([0, 1], 'y0[at] = c0 * (v0 - g1 / n - ((v1 - K) - m) * k);', 3)}
  if (t == 0u) {
    y1[o] = rstd * g2;
    y2[o] = g1;
  }`;

/** A per-channel (C,) tensor's layout in a frame of rank `rank` with channels at `dim`. */
function channelLayout(t: Tensor, rank: number, dim = 1): FrameLayout {
  const strides = new Array<number>(rank).fill(0);
  strides[dim] = t.strides[0] ?? 0;
  return { offset: t.offset, strides };
}

/** Records a row kernel of `frame` over inputs and outputs with the given input layouts. */
function run(
  frame: RowFrame,
  inputs: readonly Tensor[],
  layouts: readonly FrameLayout[],
  outputs: readonly Tensor[],
  body: string,
  eps: number,
): void {
  const { rows } = frameSizes(frame);
  if (rows === 0) return;
  const code = rowShader(inputs, outputs, 1, body);
  const all = [...layouts, contiguousLayout(frame.shape)];
  dispatchRows(code, rowParams(frame, all, [eps]), [...inputs, ...outputs], rows);
}

const layerNormKernel: Kernel<EpsAttrs & { normalizedShape: number[] }> = (
  [x, w, b],
  [out],
  { normalizedShape, eps },
) => {
  const shape = x!.shape;
  const nd = shape.length;
  const dims = normalizedShape.map((_, i) => nd - normalizedShape.length + i);
  const frame = rowFrame(shape, dims);
  if (frameSizes(frame).n === 0) return;
  const layouts = [x!, w!, b!].map((t) => layoutIn(t, shape));
  run(frame, [x!, w!, b!], layouts, [out!], AFFINE_BODY, eps);
};

const groupNormKernel: Kernel<EpsAttrs & { numGroups: number }> = (
  [x, w, b],
  [out],
  { numGroups, eps },
) => {
  const [n, c, ...rest] = x!.shape as number[];
  const cg = c! / numGroups;
  const shape = [n!, numGroups, cg, ...rest];
  const frame = rowFrame(
    shape,
    shape.map((_, d) => d).filter((d) => d >= 2),
  );
  if (frameSizes(frame).n === 0) return;
  const [s0, s1, ...sRest] = x!.strides as number[];
  const xl = { offset: x!.offset, strides: [s0!, cg * s1!, s1!, ...sRest] };
  const per = (t: Tensor) => {
    const l = channelLayout(t, shape.length, 2);
    const strides = [...l.strides];
    strides[1] = cg * strides[2]!;
    return { offset: l.offset, strides };
  };
  run(frame, [x!, w!, b!], [xl, per(w!), per(b!)], [out!], AFFINE_BODY, eps);
};

/** The batch-norm frame: a row per channel (dim 1) over every other dim. */
function channelFrame(x: Tensor): RowFrame {
  return rowFrame(
    x.shape,
    x.shape.map((_, d) => d).filter((d) => d !== 1),
  );
}

const batchNormKernel: Kernel<EpsAttrs> = ([x, w, b], outputs, { eps }) => {
  const nd = x!.shape.length;
  const layouts = [layoutIn(x!, x!.shape), channelLayout(w!, nd), channelLayout(b!, nd)];
  run(channelFrame(x!), [x!, w!, b!], layouts, outputs, BATCH_TRAIN_BODY, eps);
};

const batchNormEvalKernel: Kernel<EpsAttrs> = (inputs, [out], { eps }) => {
  const x = inputs[0]!;
  const nd = x.shape.length;
  const layouts = [layoutIn(x, x.shape), ...inputs.slice(1).map((t) => channelLayout(t, nd))];
  run(channelFrame(x), inputs, layouts, [out!], BATCH_EVAL_BODY, eps);
};

const batchNormBackwardKernel: Kernel<EpsAttrs> = ([g, x, w], outputs, { eps }) => {
  const nd = x!.shape.length;
  const layouts = [layoutIn(g!, x!.shape), layoutIn(x!, x!.shape), channelLayout(w!, nd)];
  run(channelFrame(x!), [g!, x!, w!], layouts, outputs, BATCH_BACKWARD_BODY, eps);
};

/**
 * Registers `nn.layerNorm`, `nn.groupNorm`, `nn.batchNorm`, `nn.batchNormEval` and
 * `nn.batchNormBackward` for the WebGPU device named `device`.
 * @example registerNormKernels('webgpu')
 */
export function registerNormKernels(device: string): void {
  registerKernel('nn.layerNorm', device, layerNormKernel);
  registerKernel('nn.groupNorm', device, groupNormKernel);
  registerKernel('nn.batchNorm', device, batchNormKernel);
  registerKernel('nn.batchNormEval', device, batchNormEvalKernel);
  registerKernel('nn.batchNormBackward', device, batchNormBackwardKernel);
}
