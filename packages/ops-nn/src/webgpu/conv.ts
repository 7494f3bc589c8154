import {
  dispatchCompute,
  dispatchRows,
  gemmShader,
  gemmThreads,
  gemmWords,
  layoutIn,
  rowFrame,
  rowParams,
  rowShader,
  WORKGROUP,
} from '@autodag/backend-webgpu';
import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { type ConvGeometry, type ConvKernelAttrs, convGeometry } from '../geometry.js';
import { LAYOUT4_INDEX, layout4, spatialOf } from './geometry.js';

/**
 * The convolution ops on WebGPU, as implicit GEMMs: backend-webgpu's tiled GEMM (`gemmShader`,
 * the one its matmul runs on) whose operand tiles are gathered from the tensors on the fly, through their strides, with the
 * convolution's padding read as zeros (no im2col buffer). The GEMM's batch is the channel group.
 * In the geometry of the convolution (input x: N×C×H×W, weight O×C/g×kh×kw, output N×O×Ho×Wo):
 *
 * - forward `nn.conv1d/2d`:      y[n, o, pix] = Σ_(c,i,j) W[o, (c,i,j)] · x[n, c, window(pix, i, j)]
 *   M = O/g, N = batch·Ho·Wo, K = C/g·kh·kw; the bias is added when the tile is stored.
 * - transposed `nn.convTranspose1d/2d` (also a convolution's input gradient):
 *   z[n, c, h, w] = Σ_(o,i,j) W[o, c, i, j] · u[n, o, (h + ph − i·dh)/sh, (w + pw − j·dw)/sw],
 *   the terms whose quotients are not whole or fall outside u read as zeros (a direct gather
 *   formulation: no scatter, no atomics); M = C/g, N = batch·H·W, K = O/g·kh·kw.
 * - `nn.convWeightBackward`:     gW[o, (c,i,j)] = Σ_(n,pix) gy[n, o, pix] · x[n, c, window(pix, i, j)]
 *   M = O/g, N = C/g·kh·kw, K = batch·Ho·Wo.
 * - `nn.convBiasBackward`: one workgroup per channel summing its plane of every image (a tree).
 *
 * 1-D convolutions run as 2-D ones of height 1 (a height stride of 0). Parameters, as words:
 *
 *   [M, Ncols, K, tilesN, tilesPerGroup, workgroups,
 *    N, C, H, W, O, kh, kw, Ho, Wo, sh, sw, ph, pw, dh, dw, groups,
 *    xOffset, xStrides(4), wOffset, wStrides(4), yOffset, yStrides(4), bOffset, bStride]
 *
 * where x is the tensor in the convolution's input space (the transposed convolution's output),
 * y the one in its output space, and each op binds only the tensors it uses.
 */

/** The words of the geometry, named for WGSL (from word 6 on). */
const GEOMETRY = [
  'N_',
  'C_',
  'H_',
  'W_',
  'O_',
  'KH',
  'KW',
  'HO',
  'WO',
  'SH',
  'SW',
  'PH',
  'PW',
  'DH',
  'DW',
  'GR',
] as const;
const X_AT = 6 + GEOMETRY.length;
const W_AT = X_AT + 5;
const Y_AT = W_AT + 5;
const B_AT = Y_AT + 5;

/** WGSL helpers: geometry accessors and the storage index of each operand's element. */
const HELPERS = `
${GEOMETRY.map((g, k) => `fn ${g}() -> u32 { return p[${6 + k}u]; }`).join('\n')}
${LAYOUT4_INDEX}
fn xAt(n: u32, c: u32, h: u32, w: u32) -> u32 { return at4_(${X_AT}u, n, c, h, w); }
fn wAt(o: u32, c: u32, i: u32, j: u32) -> u32 { return at4_(${W_AT}u, o, c, i, j); }
fn yAt(n: u32, o: u32, h: u32, w: u32) -> u32 { return at4_(${Y_AT}u, n, o, h, w); }
fn bAt(o: u32) -> u32 { return u32(s_(${B_AT}u) + i32(o) * s_(${B_AT + 1}u)); }
fn Cg() -> u32 { return C_() / GR(); }
fn Og() -> u32 { return O_() / GR(); }
// Input row/column read by output position q and kernel tap j, or -1 in the padding.
fn tapH(q: u32, i: u32) -> i32 {
  let v = i32(q * SH() + i * DH()) - i32(PH());
  return select(-1, v, v >= 0 && v < i32(H_()));
}
fn tapW(q: u32, j: u32) -> i32 {
  let v = i32(q * SW() + j * DW()) - i32(PW());
  return select(-1, v, v >= 0 && v < i32(W_()));
}
// Output row/column that reads input position h through kernel tap i, or -1 if none does.
fn srcH(h: u32, i: u32) -> i32 {
  let t = i32(h + PH()) - i32(i * DH());
  if (t < 0 || t % i32(SH()) != 0) { return -1; }
  let q = t / i32(SH());
  return select(-1, q, q < i32(HO()));
}
fn srcW(w: u32, j: u32) -> i32 {
  let t = i32(w + PW()) - i32(j * DW());
  if (t < 0 || t % i32(SW()) != 0) { return -1; }
  let q = t / i32(SW());
  return select(-1, q, q < i32(WO()));
}`;

/**
 * The WGSL of an implicit GEMM on backend-webgpu's GEMM template: `bindings` declare the
 * tensors, `loaders` define `loadA(g, m, k)`, `loadB(g, k, n)` (called inside the matrix
 * bounds) and `store(g, m, n, v)`. Threads stage A along k and B along n.
 */
function implicitGemm(bindings: string, loaders: string): string {
  return gemmShader({
    type: 'f32',
    header: `@group(0) @binding(0) var<storage, read> p: array<u32>;
${bindings}
${HELPERS}
${loaders}`,
    aKFast: 'true',
    bNFast: 'true',
  });
}

const bind = (names: readonly string[], outName: string) =>
  [
    ...names.map((n, k) => `@group(0) @binding(${k + 1}) var<storage, read> ${n}: array<f32>;`),
    `@group(0) @binding(${names.length + 1}) var<storage, read_write> ${outName}: array<f32>;`,
  ].join('\n');

/** Forward: A = weight (O/g × C/g·kh·kw), B = gathered input windows, C = output. */
function forwardShader(bias: boolean): string {
  return implicitGemm(
    bind(bias ? ['xs', 'ws', 'bs'] : ['xs', 'ws'], 'ys'),
    `
fn loadA(g: u32, m: u32, k: u32) -> f32 {
  let taps = KH() * KW();
  let r = k % taps;
  return ws[wAt(g * Og() + m, k / taps, r / KW(), r % KW())];
}
fn loadB(g: u32, k: u32, n: u32) -> f32 {
  let taps = KH() * KW();
  let r = k % taps;
  let plane = HO() * WO();
  let pix = n % plane;
  let ih = tapH(pix / WO(), r / KW());
  let iw = tapW(pix % WO(), r % KW());
  if (ih < 0 || iw < 0) { return 0.0; }
  return xs[xAt(n / plane, g * Cg() + k / taps, u32(ih), u32(iw))];
}
fn store(g: u32, m: u32, n: u32, v: f32) {
  let plane = HO() * WO();
  let pix = n % plane;
  let o = g * Og() + m;
  ys[yAt(n / plane, o, pix / WO(), pix % WO())] = v${bias ? ' + bs[bAt(o)]' : ''};
}`,
  );
}

/** Transposed: A = weightᵀ (C/g × O/g·kh·kw), B = gathered gradient taps, C = output. */
function transposedShader(bias: boolean): string {
  return implicitGemm(
    bind(bias ? ['us', 'ws', 'bs'] : ['us', 'ws'], 'zs'),
    `
fn loadA(g: u32, m: u32, k: u32) -> f32 {
  let taps = KH() * KW();
  let r = k % taps;
  return ws[wAt(g * Og() + k / taps, m, r / KW(), r % KW())];
}
fn loadB(g: u32, k: u32, n: u32) -> f32 {
  let taps = KH() * KW();
  let r = k % taps;
  let plane = H_() * W_();
  let pix = n % plane;
  let q = srcH(pix / W_(), r / KW());
  let s = srcW(pix % W_(), r % KW());
  if (q < 0 || s < 0) { return 0.0; }
  return us[yAt(n / plane, g * Og() + k / taps, u32(q), u32(s))];
}
fn store(g: u32, m: u32, n: u32, v: f32) {
  let plane = H_() * W_();
  let pix = n % plane;
  let c = g * Cg() + m;
  zs[xAt(n / plane, c, pix / W_(), pix % W_())] = v${bias ? ' + bs[bAt(c)]' : ''};
}`,
  );
}

/** Weight gradient: A = output gradient (O/g × batch·Ho·Wo), B = gathered input windowsᵀ. */
const WEIGHT_SHADER = implicitGemm(
  bind(['xs', 'gys'], 'gws'),
  `
fn loadA(g: u32, m: u32, k: u32) -> f32 {
  let plane = HO() * WO();
  let pix = k % plane;
  return gys[yAt(k / plane, g * Og() + m, pix / WO(), pix % WO())];
}
fn loadB(g: u32, k: u32, n: u32) -> f32 {
  let taps = KH() * KW();
  let r = n % taps;
  let plane = HO() * WO();
  let pix = k % plane;
  let ih = tapH(pix / WO(), r / KW());
  let iw = tapW(pix % WO(), r % KW());
  if (ih < 0 || iw < 0) { return 0.0; }
  return xs[xAt(k / plane, g * Cg() + n / taps, u32(ih), u32(iw))];
}
fn store(g: u32, m: u32, n: u32, v: f32) {
  gws[(g * Og() + m) * p[1] + n] = v;
}`,
);

const SHADERS = {
  forward: forwardShader(false),
  forwardBias: forwardShader(true),
  transposed: transposedShader(false),
  transposedBias: transposedShader(true),
};

/** Records one implicit GEMM of `groups` matrices of M × Ncols over K. */
function dispatchGemm(
  code: string,
  dims: { M: number; Ncols: number; K: number },
  g: ConvGeometry,
  operands: { x?: Tensor; w?: Tensor; y?: Tensor; b?: Tensor },
  bound: readonly Tensor[],
): void {
  const { M, Ncols, K } = dims;
  if (M === 0 || Ncols === 0) return;
  const words = [
    ...gemmWords(M, Ncols, K, g.groups),
    g.N,
    g.C,
    g.H,
    g.W,
    g.O,
    g.kh,
    g.kw,
    g.Ho,
    g.Wo,
    g.sh,
    g.sw,
    g.ph,
    g.pw,
    g.dh,
    g.dw,
    g.groups,
    ...layout4(operands.x),
    ...layout4(operands.w),
    ...layout4(operands.y),
    operands.b ? operands.b.offset : 0,
    operands.b ? operands.b.strides[0]! : 0,
  ].map((w) => w >>> 0);
  dispatchCompute(code, words, bound, gemmThreads(M, Ncols, g.groups));
}

function convKernel(): Kernel<ConvKernelAttrs> {
  return ([x, w, bias], [y], a) => {
    if (y!.numel() === 0) return;
    const g = convGeometry(x!.shape, w!.shape[0]!, spatialOf(w!), spatialOf(y!), a);
    const dims = {
      M: g.O / g.groups,
      Ncols: g.N * g.Ho * g.Wo,
      K: (g.C / g.groups) * g.kh * g.kw,
    };
    const code = bias ? SHADERS.forwardBias : SHADERS.forward;
    const bound = bias ? [x!, w!, bias, y!] : [x!, w!, y!];
    dispatchGemm(code, dims, g, { x, w, y, b: bias }, bound);
  };
}

function convTransposeKernel(): Kernel<ConvKernelAttrs> {
  return ([u, w, bias], [z], a) => {
    if (z!.numel() === 0) return;
    const g = convGeometry(z!.shape, u!.shape[1]!, spatialOf(w!), spatialOf(u!), a);
    const dims = {
      M: g.C / g.groups,
      Ncols: g.N * g.H * g.W,
      K: (g.O / g.groups) * g.kh * g.kw,
    };
    const code = bias ? SHADERS.transposedBias : SHADERS.transposed;
    const bound = bias ? [u!, w!, bias, z!] : [u!, w!, z!];
    dispatchGemm(code, dims, g, { x: z, w, y: u, b: bias }, bound);
  };
}

function convWeightKernel(): Kernel<ConvKernelAttrs> {
  return ([x, gy], [gw], a) => {
    if (gw!.numel() === 0) return;
    const g = convGeometry(x!.shape, gy!.shape[1]!, spatialOf(gw!), spatialOf(gy!), a);
    const dims = {
      M: g.O / g.groups,
      Ncols: (g.C / g.groups) * g.kh * g.kw,
      K: g.N * g.Ho * g.Wo,
    };
    dispatchGemm(WEIGHT_SHADER, dims, g, { x, y: gy }, [x!, gy!, gw!]);
  };
}

/** Per-channel sums of the output gradient: one workgroup per channel (a row of N·spatial). */
function convBiasKernel(): Kernel {
  return ([gy], [gb]) => {
    const channels = gb!.numel();
    if (channels === 0) return;
    const shape = gy!.shape;
    const frame = rowFrame(
      shape,
      shape.map((_, d) => d).filter((d) => d !== 1),
    );
    const body = `
  var s = 0.0;
  let base = rowAt(o, 0u);
  for (var r = t; r < nRed; r += ${WORKGROUP}u) { s += x0[u32(base + elemAt(r, 0u))]; }
  let total = wgSum(s, t, 0u);
  if (t == 0u) { y0[o] = total; }`;
    const code = rowShader([gy!], [gb!], 0, body);
    dispatchRows(code, rowParams(frame, [layoutIn(gy!, shape)]), [gy!, gb!], channels);
  };
}

/**
 * Registers the convolution kernels (`nn.conv1d/2d`, `nn.convTranspose1d/2d`, with and without
 * bias, `nn.convWeightBackward`, `nn.convBiasBackward`) for the WebGPU device named `device`.
 * @example registerConvKernels('webgpu')
 */
export function registerConvKernels(device: string): void {
  const conv = convKernel();
  const transposed = convTransposeKernel();
  for (const d of [1, 2]) {
    registerKernel(`nn.conv${d}d`, device, conv);
    registerKernel(`nn.conv${d}dNoBias`, device, conv);
    registerKernel(`nn.convTranspose${d}d`, device, transposed);
    registerKernel(`nn.convTranspose${d}dNoBias`, device, transposed);
  }
  registerKernel('nn.convWeightBackward', device, convWeightKernel());
  registerKernel('nn.convBiasBackward', device, convBiasKernel());
}
