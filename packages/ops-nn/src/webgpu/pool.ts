import {
  dispatchCompute,
  ENTRY,
  SPECIAL_VALUES,
  threadIndex,
  WORKGROUP,
} from '@autodag/backend-webgpu';
import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { type PoolKernelAttrs, poolGeometry } from '../geometry.js';
import { LAYOUT4_INDEX, layout4, spatialOf } from './geometry.js';

/**
 * The pooling ops on WebGPU, as direct kernels with the CPU kernels' window
 * rules (1-D pooling runs as 2-D pooling of height 1):
 *
 * - `nn.maxPool1d/2d`: one thread per output scans its window row-major; a strictly larger value
 *   or a NaN takes the place (the first maximum wins, the last NaN is kept), as PyTorch's CPU.
 * - `nn.avgPool1d/2d`, `nn.adaptiveAvgPool1d/2d`: one thread per output sums its window.
 * - the backward ops gather instead of scattering (no atomics, and the additions come in the
 *   CPU's order): one thread per input element sums the gradients of the outputs whose window
 *   holds it (average poolings: the few windows that can, computed from the geometry;
 *   `nn.maxPoolBackward`, which knows only the indices: every output of its plane whose index
 *   names the element, the plane's indices staged through workgroup memory).
 *
 * Inputs are read in place through their strides. Parameters, as words:
 *
 *   [n, C, H, W, Ho, Wo, kh, kw, sh, sw, ph, pw, dh, dw, countIncludePad, divisor,
 *    aOffset, aStrides(4), bOffset, bStrides(4), extra...]
 *
 * where a (and b, for the indices of max pooling's backward) are the inputs, and the extra words
 * are max pooling's backward grid.
 */

const NAMES = [
  'N_',
  'C_',
  'H_',
  'W_',
  'HO',
  'WO',
  'KH',
  'KW',
  'SH',
  'SW',
  'PH',
  'PW',
  'DH',
  'DW',
  'INCLUDE_PAD',
  'DIVISOR',
] as const;
const A_AT = NAMES.length;
const B_AT = A_AT + 5;

const HELPERS = `
${NAMES.slice(1)
  .map((g, k) => `fn ${g}() -> u32 { return p[${k + 1}u]; }`)
  .join('\n')}
${LAYOUT4_INDEX}
// A plane is one (n, c) pair: n = plane / C, c = plane % C.
fn aAt(plane: u32, h: u32, w: u32) -> u32 { return at4_(${A_AT}u, plane / C_(), plane % C_(), h, w); }
fn bAt(plane: u32, h: u32, w: u32) -> u32 { return at4_(${B_AT}u, plane / C_(), plane % C_(), h, w); }
${SPECIAL_VALUES}
// The window of average pooling's output (q, r): [h0, h1) × [w0, w1) and its divisor.
struct Win { h0: i32, h1: i32, w0: i32, w1: i32, div: f32 }
fn avgWindow(q: u32, r: u32) -> Win {
  let H = i32(H_());
  let W = i32(W_());
  var h0 = i32(q * SH()) - i32(PH());
  var h1 = min(h0 + i32(KH()), H + i32(PH()));
  let hPad = h1 - h0;
  h0 = max(h0, 0);
  h1 = min(h1, H);
  var w0 = i32(r * SW()) - i32(PW());
  var w1 = min(w0 + i32(KW()), W + i32(PW()));
  let size = hPad * (w1 - w0);
  w0 = max(w0, 0);
  w1 = min(w1, W);
  var div = f32(size);
  if (DIVISOR() != 0u) { div = f32(DIVISOR()); }
  else if (INCLUDE_PAD() == 0u) { div = f32((h1 - h0) * (w1 - w0)); }
  return Win(h0, h1, w0, w1, div);
}
fn adaptiveStart(o: u32, size: u32, outSize: u32) -> u32 { return (o * size) / outSize; }
fn adaptiveEnd(o: u32, size: u32, outSize: u32) -> u32 {
  return ((o + 1u) * size + outSize - 1u) / outSize;
}`;

const header = (bindings: readonly string[], out: readonly string[]) =>
  [
    '@group(0) @binding(0) var<storage, read> p: array<u32>;',
    ...bindings.map((b, k) => `@group(0) @binding(${k + 1}) var<storage, read> ${b};`),
    ...out.map(
      (b, k) => `@group(0) @binding(${bindings.length + k + 1}) var<storage, read_write> ${b};`,
    ),
    HELPERS,
  ].join('\n');

/** One thread per output (plane, q, r): its coordinates. */
const OUTPUT_COORDS = `
  let plane = i / (HO() * WO());
  let q = (i / WO()) % HO();
  let r = i % WO();`;

/** One thread per input element (plane, h, w): its coordinates. */
const INPUT_COORDS = `
  let plane = i / (H_() * W_());
  let h = (i / W_()) % H_();
  let w = i % W_();`;

const MAX_SHADER = `${header(['a: array<f32>'], ['out: array<f32>', 'idx: array<i32>'])}
${ENTRY} {
  ${threadIndex('p[0]')}
  ${OUTPUT_COORDS}
  var h0 = i32(q * SH()) - i32(PH());
  let h1 = min(h0 + i32((KH() - 1u) * DH() + 1u), i32(H_()));
  while (h0 < 0) { h0 += i32(DH()); }
  var w0 = i32(r * SW()) - i32(PW());
  let w1 = min(w0 + i32((KW() - 1u) * DW() + 1u), i32(W_()));
  while (w0 < 0) { w0 += i32(DW()); }
  var best = -inf_();
  var at = h0 * i32(W_()) + w0;
  for (var ih = h0; ih < h1; ih += i32(DH())) {
    for (var iw = w0; iw < w1; iw += i32(DW())) {
      let v = a[aAt(plane, u32(ih), u32(iw))];
      if (v > best || isnan_(v)) {
        best = v;
        at = ih * i32(W_()) + iw;
      }
    }
  }
  out[i] = best;
  idx[i] = at;
}`;

/**
 * a = gradOutput (planes × Ho × Wo), b = indices; out = input gradient (planes × H × W). One
 * workgroup per block of 128 elements of one plane: the plane's (index, gradient) pairs pass
 * through workgroup memory 128 at a time, and each thread adds those naming its element, in
 * increasing output order (the CPU's). Words 26 and 27: blocks per plane, workgroups.
 */
const MAX_BACKWARD_SHADER = `${header(['a: array<f32>', 'b: array<i32>'], ['out: array<f32>'])}
var<workgroup> sIdx: array<i32, ${WORKGROUP}>;
var<workgroup> sGrad: array<f32, ${WORKGROUP}>;
${ENTRY} {
  let wg = wid.y * nwg.x + wid.x;
  if (wg >= p[${B_AT + 6}]) { return; }
  let t = lid.x;
  let plane = wg / p[${B_AT + 5}];
  let e = (wg % p[${B_AT + 5}]) * ${WORKGROUP}u + t;
  let inPlane = H_() * W_();
  let outPlane = HO() * WO();
  let want = i32(e);
  var s = 0.0;
  for (var r0 = 0u; r0 < outPlane; r0 += ${WORKGROUP}u) {
    let r = r0 + t;
    if (r < outPlane) {
      sIdx[t] = b[bAt(plane, r / WO(), r % WO())];
      sGrad[t] = a[aAt(plane, r / WO(), r % WO())];
    }
    workgroupBarrier();
    let n = min(${WORKGROUP}u, outPlane - r0);
    for (var j = 0u; j < n; j++) {
      if (sIdx[j] == want) { s += sGrad[j]; }
    }
    workgroupBarrier();
  }
  if (e < inPlane) { out[plane * inPlane + e] = s; }
}`;

const AVG_SHADER = `${header(['a: array<f32>'], ['out: array<f32>'])}
${ENTRY} {
  ${threadIndex('p[0]')}
  ${OUTPUT_COORDS}
  let win = avgWindow(q, r);
  if (win.h0 >= win.h1 || win.w0 >= win.w1) { out[i] = 0.0; return; }
  var s = 0.0;
  for (var ih = win.h0; ih < win.h1; ih++) {
    for (var iw = win.w0; iw < win.w1; iw++) { s += a[aAt(plane, u32(ih), u32(iw))]; }
  }
  out[i] = s / win.div;
}`;

/** Windows (q, r) with q·sh − ph ≤ h < q·sh − ph + kh, then checked against the clipped window. */
const AVG_BACKWARD_SHADER = `${header(['a: array<f32>'], ['out: array<f32>'])}
${ENTRY} {
  ${threadIndex('p[0]')}
  ${INPUT_COORDS}
  let th = i32(h + PH()) - i32(KH()) + 1;
  let tw = i32(w + PW()) - i32(KW()) + 1;
  let q0 = select(0u, (u32(th) + SH() - 1u) / SH(), th > 0);
  let r0 = select(0u, (u32(tw) + SW() - 1u) / SW(), tw > 0);
  let q1 = min(HO(), (h + PH()) / SH() + 1u);
  let r1 = min(WO(), (w + PW()) / SW() + 1u);
  var s = 0.0;
  for (var q = q0; q < q1; q++) {
    for (var r = r0; r < r1; r++) {
      let win = avgWindow(q, r);
      let ih = i32(h);
      let iw = i32(w);
      if (ih >= win.h0 && ih < win.h1 && iw >= win.w0 && iw < win.w1) {
        s += a[aAt(plane, q, r)] / win.div;
      }
    }
  }
  out[i] = s;
}`;

const ADAPTIVE_SHADER = `${header(['a: array<f32>'], ['out: array<f32>'])}
${ENTRY} {
  ${threadIndex('p[0]')}
  ${OUTPUT_COORDS}
  let h0 = adaptiveStart(q, H_(), HO());
  let h1 = adaptiveEnd(q, H_(), HO());
  let w0 = adaptiveStart(r, W_(), WO());
  let w1 = adaptiveEnd(r, W_(), WO());
  var s = 0.0;
  for (var ih = h0; ih < h1; ih++) {
    for (var iw = w0; iw < w1; iw++) { s += a[aAt(plane, ih, iw)]; }
  }
  out[i] = s / f32((h1 - h0) * (w1 - w0));
}`;

/** Windows q with start(q) ≤ h < end(q) lie in [⌊h·Ho/H⌋, ⌈(h+1)·Ho/H⌉). */
const ADAPTIVE_BACKWARD_SHADER = `${header(['a: array<f32>'], ['out: array<f32>'])}
${ENTRY} {
  ${threadIndex('p[0]')}
  ${INPUT_COORDS}
  let q1 = min(HO(), adaptiveEnd(h, HO(), H_()));
  let r1 = min(WO(), adaptiveEnd(w, WO(), W_()));
  var s = 0.0;
  for (var q = (h * HO()) / H_(); q < q1; q++) {
    let h0 = adaptiveStart(q, H_(), HO());
    let h1 = adaptiveEnd(q, H_(), HO());
    if (h < h0 || h >= h1) { continue; }
    for (var r = (w * WO()) / W_(); r < r1; r++) {
      let w0 = adaptiveStart(r, W_(), WO());
      let w1 = adaptiveEnd(r, W_(), WO());
      if (w < w0 || w >= w1) { continue; }
      s += a[aAt(plane, q, r)] / f32((h1 - h0) * (w1 - w0));
    }
  }
  out[i] = s;
}`;

/** Window attributes as the kernels read them (one entry per spatial dim). */
interface PoolAttrs extends PoolKernelAttrs {
  countIncludePad?: boolean;
  divisorOverride?: number;
}

/**
 * Records a pooling kernel over `threads` elements, for the input of shape `input` (N, C,
 * ...spatial) and output spatial size `out` (the geometry the CPU kernels read too).
 */
function dispatchPool(
  code: string,
  threads: number,
  input: readonly number[],
  out: readonly number[],
  a: PoolAttrs,
  reads: readonly Tensor[],
  writes: readonly Tensor[],
  extra: readonly number[] = [],
): void {
  if (threads === 0) return;
  const g = poolGeometry(input, out, a);
  const words = [
    threads,
    input[1]!,
    g.H,
    g.W,
    g.Ho,
    g.Wo,
    g.kh,
    g.kw,
    g.sh,
    g.sw,
    g.ph,
    g.pw,
    g.dh,
    g.dw,
    a.countIncludePad === false ? 0 : 1,
    a.divisorOverride ?? 0,
    ...layout4(reads[0]),
    ...layout4(reads[1]),
    ...extra,
  ].map((w) => w >>> 0);
  dispatchCompute(code, words, [...reads, ...writes], threads);
}

/** A forward pooling: one thread per output element. */
function forwardKernel(code: string): Kernel<PoolAttrs> {
  return ([x], outs, a) => {
    const out = outs[0]!;
    dispatchPool(code, out.numel(), x!.shape, spatialOf(out), a, [x!], outs);
  };
}

/** A backward pooling: one thread per input element (the gradient's). */
function backwardKernel(code: string): Kernel<PoolAttrs> {
  return (inputs, [gx], a) => {
    const gy = inputs[0]!;
    dispatchPool(code, gx!.numel(), gx!.shape, spatialOf(gy), a, inputs, [gx!]);
  };
}

/** Max pooling's backward: a workgroup per block of 128 elements of a plane. */
function maxBackwardKernel(): Kernel<PoolAttrs> {
  return ([gy, idx], [gx], a) => {
    const inPlane = gx!.shape.slice(2).reduce((x, y) => x * y, 1);
    const planes = inPlane === 0 ? 0 : gx!.numel() / inPlane;
    const blocks = Math.ceil(inPlane / WORKGROUP);
    const groups = planes * blocks;
    const extra = [blocks, groups];
    const threads = groups * WORKGROUP;
    dispatchPool(
      MAX_BACKWARD_SHADER,
      threads,
      gx!.shape,
      spatialOf(gy!),
      a,
      [gy!, idx!],
      [gx!],
      extra,
    );
  };
}

/**
 * Registers the pooling kernels (max, average and adaptive average pooling in 1-D and 2-D, and
 * their backward ops) for the WebGPU device named `device`.
 * @example registerPoolKernels('webgpu')
 */
export function registerPoolKernels(device: string): void {
  const reg = (op: string, k: Kernel<PoolAttrs>) => registerKernel(op, device, k);
  for (const d of [1, 2]) {
    reg(`nn.maxPool${d}d`, forwardKernel(MAX_SHADER));
    reg(`nn.avgPool${d}d`, forwardKernel(AVG_SHADER));
    reg(`nn.adaptiveAvgPool${d}d`, forwardKernel(ADAPTIVE_SHADER));
  }
  reg('nn.maxPoolBackward', maxBackwardKernel());
  reg('nn.avgPoolBackward', backwardKernel(AVG_BACKWARD_SHADER));
  reg('nn.adaptiveAvgPoolBackward', backwardKernel(ADAPTIVE_BACKWARD_SHADER));
}
