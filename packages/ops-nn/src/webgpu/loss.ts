import {
  dispatchCompute,
  dispatchRows,
  ENTRY,
  layoutIn,
  MATH_HELPERS,
  type PointwiseSpec,
  pointwiseKernel,
  rowFrame,
  rowParams,
  rowShader,
  SPECIAL_VALUES,
  threadIndex,
  WORKGROUP,
  webgpuBackendOf,
  wgslType,
} from '@autodag/backend-webgpu';
import type { Kernel, Tensor } from '@autodag/core';
import { broadcastShapes, registerKernel } from '@autodag/core';

/**
 * The loss ops with one kernel each on WebGPU:
 *
 * - the pointwise losses `nn.mseLoss`, `nn.smoothL1Loss`, `nn.huberLoss`,
 *   `nn.binaryCrossEntropy` and `nn.binaryCrossEntropyWithLogits`: with `reduction: 'none'` a
 *   pointwise kernel over the broadcast operands, else one workgroup that sums the per-element
 *   losses (a tree) and divides by their count for `'mean'`. Their backward passes are written
 *   with ops, which run on the GPU kernels of core.
 * - `nn.nllLoss` and `nn.nllLossBackward`: a gather of −weight[t]·input[n, t, ...] per target
 *   (the weighted mean divides by the total weight of the non-ignored targets), and its scatter.
 *
 * The CPU kernels throw on invalid values (a target outside [0, C), a BCE probability outside
 * [0, 1]); a GPU kernel cannot stop there without reading the data back, so these give NaN
 * instead (in the per-element result and in any sum or mean that includes it).
 *
 * `nn.crossEntropy`, `nn.l1Loss` and `nn.klDiv` are composites of other ops and take no kernel.
 */

/** f32 helpers of the loss expressions. */
const LOSS_HELPERS = `
fn smoothL1_(d: f32, beta: f32) -> f32 {
  let a = abs(d);
  if (a < beta) { return d * d * (0.5 / beta); }
  return a - 0.5 * beta;
}
fn huber_(d: f32, delta: f32) -> f32 {
  let a = abs(d);
  if (a < delta) { return d * d * 0.5; }
  return (a - 0.5 * delta) * delta;
}
// log(v) clamped at -100 as PyTorch's BCE does (log 0 = -100); NaN outside [0, ∞).
fn bceLog_(v: f32) -> f32 {
  if (isnan_(v) || v < 0.0) { return nan_(); }
  if (v == 0.0) { return -100.0; }
  return max(log_(v), -100.0);
}`;

/** A pointwise loss: its expression over x (input), y (target), z (weight), w (posWeight). */
interface PointwiseLoss {
  readonly arity: number;
  // biome-ignore lint/suspicious/noExplicitAny: each loss reads its own attributes.
  readonly expr: (attrs: any) => string;
  // biome-ignore lint/suspicious/noExplicitAny: each loss reads its own attributes.
  readonly params?: (attrs: any) => number[];
}

const POINTWISE_LOSSES: Record<string, PointwiseLoss> = {
  'nn.mseLoss': { arity: 2, expr: () => '(x - y) * (x - y)' },
  'nn.smoothL1Loss': {
    arity: 2,
    expr: (a: { beta: number }) => (a.beta === 0 ? 'abs(x - y)' : 'smoothL1_(x - y, p0)'),
    params: (a: { beta: number }) => [a.beta],
  },
  'nn.huberLoss': {
    arity: 2,
    expr: () => 'huber_(x - y, p0)',
    params: (a: { delta: number }) => [a.delta],
  },
  'nn.binaryCrossEntropy': {
    arity: 3,
    expr: () => '-(y * (bceLog_(x) - bceLog_(1.0 - x)) + bceLog_(1.0 - x)) * z',
  },
  // (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x), times the weight.
  'nn.binaryCrossEntropyWithLogits': {
    arity: 4,
    expr: () => '((1.0 - y) * x + (1.0 + (w - 1.0) * y) * softplus_(-x)) * z',
  },
};

const NAMES = ['x', 'y', 'z', 'w'];

/** The sum (or mean) of a pointwise loss over the broadcast shape of its operands, in one row. */
function reducedLossKernel(loss: PointwiseLoss): Kernel {
  return (inputs, [out], attrs) => {
    const operands = inputs.slice(0, loss.arity) as Tensor[];
    const shape = operands.map((t) => t.shape).reduce((a, b) => broadcastShapes(a, b, 'loss'));
    const frame = rowFrame(
      shape,
      shape.map((_, d) => d),
    );
    const scalars = loss.params ? loss.params(attrs) : [];
    const loads = operands.map(
      (_, k) => `let ${NAMES[k]} = f32(x${k}[u32(rowAt(0u, ${k}u) + elemAt(r, ${k}u))]);`,
    );
    const params = scalars.map((_, k) => `let p${k} = sc(${k}u);`);
    const mean = (attrs as { reduction: string }).reduction === 'mean';
    const body = `
  ${params.join('\n  ')}
  var s = 0.0;
  for (var r = t; r < nRed; r += ${WORKGROUP}u) {
    ${loads.join('\n    ')}
    s += ${loss.expr(attrs)};
  }
  let total = wgSum(s, t, 0u);
  if (t == 0u) { y0[0] = ${wgslType(out!.dtype)}(${mean ? 'total / f32(nRed)' : 'total'}); }`;
    const code = rowShader(
      operands,
      [out!],
      scalars.length,
      body,
      `${MATH_HELPERS}${LOSS_HELPERS}`,
    );
    const layouts = operands.map((t) => layoutIn(t, shape));
    dispatchRows(code, rowParams(frame, layouts, scalars), [...operands, out!], 1);
  };
}

function pointwiseLossKernel(loss: PointwiseLoss): Kernel {
  const spec: PointwiseSpec = {
    expr: (_, attrs) => loss.expr(attrs),
    params: loss.params,
    helpers: LOSS_HELPERS,
  };
  const none = pointwiseKernel(loss.arity, spec);
  const reduced = reducedLossKernel(loss);
  return (inputs, outputs, attrs) =>
    ((attrs as { reduction: string }).reduction === 'none' ? none : reduced)(
      inputs,
      outputs,
      attrs,
    );
}

// ---- negative log-likelihood -------------------------------------------------------------------

interface NllAttrs {
  reduction: string;
  ignoreIndex: number;
  inputShape?: number[];
}

/**
 * Parameters of the NLL kernels:
 *
 *   [n, R, C, ignoreIndex, classStride, wOffset, wStride, tOffset, xOffset, gOffset, S,
 *    targetShape (R), targetStrides (R), inputStrides (R), gradStrides (R)]
 *
 * where R is the target's rank, the input strides are those of its dims other than the class
 * dim (matching the target's), and S the number of targets per sample.
 */
const HEADER = 11;

function nllParams(
  n: number,
  input: { shape: readonly number[]; strides: readonly number[]; offset: number },
  target: Tensor,
  weight: Tensor,
  ignoreIndex: number,
  grad?: Tensor,
): Uint32Array {
  const R = target.shape.length;
  const classDim = input.shape.length === 1 ? 0 : 1;
  const matched = input.strides.filter((_, d) => d !== classDim);
  const samples = R === 0 ? 1 : target.shape[0]!;
  const count = target.numel();
  const S = samples === 0 ? 0 : count / samples;
  const gStrides = grad && grad.shape.length === R ? grad.strides : new Array<number>(R).fill(0);
  const words = [
    n,
    R,
    input.shape[classDim]!,
    ignoreIndex,
    input.strides[classDim]!,
    weight.offset,
    weight.strides[0] ?? 0,
    target.offset,
    input.offset,
    grad?.offset ?? 0,
    S,
    ...target.shape,
    ...target.strides,
    ...matched,
    ...gStrides,
  ];
  return Uint32Array.from(words.map((w) => w >>> 0));
}

/** WGSL: bindings, the offsets of target j in the target, input and grad, and its term. */
function nllPrelude(bindings: string): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
${bindings}
${SPECIAL_VALUES}
// (target, input, grad) storage offsets of target element j (row-major over the target's shape).
fn offs_(j: u32) -> vec3<i32> {
  let R = p[1];
  var rem = j;
  var o = vec3<i32>(i32(p[7]), i32(p[8]), i32(p[9]));
  for (var d = R; d > 0u; d--) {
    let size = p[${HEADER}u + d - 1u];
    let c = i32(rem % size);
    rem = rem / size;
    o += c * vec3<i32>(bitcast<i32>(p[${HEADER}u + R + d - 1u]),
                       bitcast<i32>(p[${HEADER}u + 2u * R + d - 1u]),
                       bitcast<i32>(p[${HEADER}u + 3u * R + d - 1u]));
  }
  return o;
}
// The target's class, -1 when ignored, -2 when out of range.
fn cls_(t: i32) -> i32 {
  if (t == bitcast<i32>(p[3])) { return -1; }
  if (t < 0 || t >= i32(p[2])) { return -2; }
  return t;
}
fn weight_(c: i32) -> f32 { return f32(wt[u32(i32(p[5]) + c * bitcast<i32>(p[6]))]); }`;
}

const NLL_BINDINGS = (x: string, out: string) => `
@group(0) @binding(1) var<storage, read> xin: array<${x}>;
@group(0) @binding(2) var<storage, read> tg: array<i32>;
@group(0) @binding(3) var<storage, read> wt: array<${x}>;
@group(0) @binding(4) var<storage, read_write> out: array<${out}>;`;

/** WGSL: (−w·x, w) of target j: (0, 0) when ignored, (NaN, NaN) out of range. */
const NLL_TERM = `
fn term_(j: u32) -> vec2<f32> {
  let o = offs_(j);
  let c = cls_(tg[u32(o.x)]);
  if (c == -1) { return vec2<f32>(0.0, 0.0); }
  if (c == -2) { return vec2<f32>(nan_(), nan_()); }
  let w = weight_(c);
  return vec2<f32>(-w * f32(xin[u32(o.y + c * bitcast<i32>(p[4]))]), w);
}`;

function nllNoneShader(type: string): string {
  return `${nllPrelude(NLL_BINDINGS(type, type))}
${NLL_TERM}
${ENTRY} {
  ${threadIndex('p[0]')}
  out[i] = ${type}(term_(i).x);
}`;
}

/** One workgroup: Σ −w·x (and Σ w), written as the sum, the weighted mean, or Σ w alone. */
function nllSumShader(type: string, result: 'sum' | 'mean' | 'weight'): string {
  const value = { sum: 'r.x', mean: 'r.x / r.y', weight: 'r.y' }[result];
  return `${nllPrelude(NLL_BINDINGS(type, type))}
var<workgroup> red_: array<vec2<f32>, ${WORKGROUP}>;
${NLL_TERM}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let t = lid.x;
  var s = vec2<f32>(0.0, 0.0);
  for (var j = t; j < p[0]; j += ${WORKGROUP}u) { s += term_(j); }
  red_[t] = s;
  workgroupBarrier();
  for (var k = ${WORKGROUP / 2}u; k > 0u; k = k >> 1u) {
    if (t < k) { red_[t] = red_[t] + red_[t + k]; }
    workgroupBarrier();
  }
  if (t == 0u) {
    let r = red_[0];
    out[0] = ${type}(${value});
  }
}`;
}

const nllLossKernel: Kernel<NllAttrs> = ([x, target, weight], [out], attrs) => {
  const type = wgslType(x!.dtype);
  const n = target!.numel();
  const params = nllParams(n, x!, target!, weight!, attrs.ignoreIndex);
  const bound = [x!, target!, weight!, out!];
  if (attrs.reduction === 'none') {
    dispatchCompute(nllNoneShader(type), params, bound, n);
  } else {
    const code = nllSumShader(type, attrs.reduction === 'mean' ? 'mean' : 'sum');
    dispatchCompute(code, params, bound, WORKGROUP);
  }
};

/** Scatter: −w[t]·scale at each target's class, 0 elsewhere (NaN for an out-of-range target). */
function nllBackwardShader(type: string, none: boolean, mean: boolean): string {
  const bindings = `
@group(0) @binding(1) var<storage, read> gr: array<${type}>;
@group(0) @binding(2) var<storage, read> tg: array<i32>;
@group(0) @binding(3) var<storage, read> wt: array<${type}>;
${mean ? '@group(0) @binding(4) var<storage, read> total: array<f32>;' : ''}
@group(0) @binding(${mean ? 5 : 4}) var<storage, read_write> out: array<${type}>;`;
  const scale = none ? 'f32(gr[u32(o.z)])' : 'f32(gr[p[9]])';
  return `${nllPrelude(bindings)}
${ENTRY} {
  ${threadIndex('p[0]')}
  let C = p[2];
  let S = p[10];
  let c = (i / S) % C;
  let j = (i / (S * C)) * S + i % S;
  let o = offs_(j);
  let k = cls_(tg[u32(o.x)]);
  var v = 0.0;
  if (k == -2) { v = nan_(); }
  if (k == i32(c)) { v = -weight_(k) * ${scale}${mean ? ' / total[0]' : ''}; }
  out[i] = ${type}(v);
}`;
}

const nllLossBackwardKernel: Kernel<NllAttrs> = ([grad, target, weight], [out], attrs) => {
  const type = wgslType(out!.dtype);
  const inputShape = attrs.inputShape!;
  const layout = {
    shape: inputShape,
    strides: inputShape.map(() => 0),
    offset: 0,
  };
  const none = attrs.reduction === 'none';
  const mean = attrs.reduction === 'mean';
  const total = out!.numel();
  if (total === 0) return;
  const params = nllParams(total, layout, target!, weight!, attrs.ignoreIndex, grad);
  const inputs = [grad!, target!, weight!];
  if (!mean) {
    dispatchCompute(nllBackwardShader(type, none, mean), params, [...inputs, out!], total);
    return;
  }
  // The total weight of the non-ignored targets, into a one-element scratch storage.
  const backend = webgpuBackendOf(out!);
  const temp = backend.allocate('float32', 1);
  const sumParams = nllParams(target!.numel(), layout, target!, weight!, attrs.ignoreIndex);
  const scratch = { buffer: temp.data };
  dispatchCompute(nllSumShader(type, 'weight'), sumParams, [...inputs, scratch], WORKGROUP);
  dispatchCompute(nllBackwardShader(type, none, mean), params, [...inputs, scratch, out!], total);
  // Later commands that reuse the buffer run after these (one queue, in order).
  backend.release(temp);
};

/**
 * Registers the loss kernels (`nn.mseLoss`, `nn.smoothL1Loss`, `nn.huberLoss`,
 * `nn.binaryCrossEntropy`, `nn.binaryCrossEntropyWithLogits`, `nn.nllLoss`,
 * `nn.nllLossBackward`) for the WebGPU device named `device`.
 * @example registerLossKernels('webgpu')
 */
export function registerLossKernels(device: string): void {
  for (const [op, loss] of Object.entries(POINTWISE_LOSSES)) {
    registerKernel(op, device, pointwiseLossKernel(loss));
  }
  registerKernel('nn.nllLoss', device, nllLossKernel);
  registerKernel('nn.nllLossBackward', device, nllLossBackwardKernel);
}
