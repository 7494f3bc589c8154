import type { Tensor } from '@autodag/core';
import { broadcastStrides } from '@autodag/core';
import { WORKGROUP } from '../context.js';
import { dispatchCompute } from './device.js';
import { SPECIAL_VALUES, WALK_FN, wgslType } from './layout.js';

/**
 * Row kernels: one workgroup per row, where a row is every element of a "frame" shape that
 * shares the coordinates of the kept dims, and its elements run over the reduced dims (in their
 * listed order, row-major). The threads stride over the row, combine partial results in
 * workgroup memory (a tree: sums stay accurate), and may then pass over the row again (softmax,
 * variance, normalisation). Every operand is read in place through its own offset and strides
 * in the frame (0 where it broadcasts), so transposed and sliced views need no copy, and one
 * compiled shader serves every shape.
 *
 * Parameters, as 32-bit words (`S` scalars, `K` operands):
 *
 *   [nRows, nRed, scalar_0..S, kr, keptShape..., rr, redShape...,
 *    per operand: offset, keptStrides..., redStrides...]
 */

/** Which dims of a frame are kept (one row per combination) and which a row runs over. */
export interface RowFrame {
  /** The frame's shape. */
  readonly shape: readonly number[];
  /** Kept dims, increasing: row `o` enumerates them row-major. */
  readonly kept: readonly number[];
  /** Reduced dims: element `r` of a row enumerates them row-major. */
  readonly reduced: readonly number[];
}

/** An operand's layout in a frame: its storage offset and one stride per frame dim. */
export interface FrameLayout {
  readonly offset: number;
  readonly strides: readonly number[];
}

/**
 * The frame splitting `shape` into rows along `reduced` (every other dim kept).
 * @example rowFrame([2, 3, 4], [1]) // 8 rows of 3
 */
export function rowFrame(shape: readonly number[], reduced: readonly number[]): RowFrame {
  const kept = shape.map((_, d) => d).filter((d) => !reduced.includes(d));
  return { shape, kept, reduced };
}

/**
 * Number of rows and elements per row of a frame.
 * @example frameSizes(rowFrame([2, 3, 4], [1])) // { rows: 8, n: 3 }
 */
export function frameSizes(frame: RowFrame): { rows: number; n: number } {
  const rows = frame.kept.reduce((k, d) => k * frame.shape[d]!, 1);
  const n = frame.reduced.reduce((k, d) => k * frame.shape[d]!, 1);
  return { rows, n };
}

/**
 * The layout of `t` in a frame it broadcasts to (strides 0 along broadcast dims).
 * @example layoutIn(bias, [2, 3, 4]) // bias of shape [4]: strides [0, 0, 1]
 */
export function layoutIn(t: Tensor, shape: readonly number[]): FrameLayout {
  return { offset: t.offset, strides: broadcastStrides(t.shape, t.strides, shape) };
}

/**
 * The layout of a fresh contiguous tensor of `shape` (outputs).
 * @example contiguousLayout([2, 3]) // { offset: 0, strides: [3, 1] }
 */
export function contiguousLayout(shape: readonly number[]): FrameLayout {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return { offset: 0, strides };
}

/**
 * Float bits of a number, as a parameter word (read back in WGSL with `bitcast<f32>`).
 * @example f32Bits(1) // 0x3f800000
 */
export function f32Bits(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0]!;
}

/** A scalar parameter: a number (read as f32 by `sc`) or raw 32-bit word (read by `scu`). */
export type Scalar = number | { readonly u32: number };

/**
 * The parameter block of a frame with `layouts` (operands in binding order: inputs, then the
 * outputs a shader indexes with `rowAt`/`elemAt`) and scalars (read with `sc(k)`/`scu(k)`).
 * @example rowParams(frame, [layoutIn(x, shape), contiguousLayout(shape)], [eps])
 */
export function rowParams(
  frame: RowFrame,
  layouts: readonly FrameLayout[],
  scalars: readonly Scalar[] = [],
): Uint32Array {
  const { rows, n } = frameSizes(frame);
  const words = [
    rows,
    n,
    ...scalars.map((v) => (typeof v === 'number' ? f32Bits(v) : v.u32 >>> 0)),
    frame.kept.length,
    ...frame.kept.map((d) => frame.shape[d]!),
    frame.reduced.length,
    ...frame.reduced.map((d) => frame.shape[d]!),
  ];
  for (const l of layouts) {
    words.push(
      l.offset >>> 0,
      ...frame.kept.map((d) => l.strides[d]! >>> 0),
      ...frame.reduced.map((d) => l.strides[d]! >>> 0),
    );
  }
  return Uint32Array.from(words);
}

/** How many reductions one row kernel may broadcast (slots 0 .. BROADCAST_SLOTS - 1). */
export const BROADCAST_SLOTS = 8;

/**
 * WGSL shared by row kernels with `scalars` scalar parameters: `sc(k)` reads scalar k (`scu(k)`
 * its raw bits);
 * `rowAt(o, k)` is operand k's storage index of row o's first element and `elemAt(r, k)` the
 * offset of the row's element r from it; `inf_()`, `nan_()`, `isnan_`, `isinf_`; and the
 * workgroup reductions `wgSum`, `wgMax`/`wgMin` (NaN wins) and `wgMaxNum` (NaN ignored), which
 * every thread of the workgroup must call together, each call with its own `slot`.
 *
 * Each result reaches the threads through its own write-once slot of `bc_`: Mesa's compiler
 * (llvmpipe through OpenGL ES) was seen to re-read a broadcast value after a later barrier, so a
 * value left in the tree's memory changed under a thread once the next reduction reused it.
 * @example rowHelpers(1) // WGSL with sc(0u) reading the one scalar
 */
export function rowHelpers(scalars: number): string {
  const kr = 2 + scalars;
  return `
var<workgroup> red_: array<f32, ${WORKGROUP}>;
var<workgroup> bc_: array<f32, ${BROADCAST_SLOTS}>;
fn sc(k: u32) -> f32 { return bitcast<f32>(p[2u + k]); }
fn scu(k: u32) -> u32 { return p[2u + k]; }
${SPECIAL_VALUES}
${WALK_FN}
fn opBase_(k: u32) -> u32 {
  let kr = p[${kr}u];
  let rr = p[${kr + 1}u + kr];
  return ${kr + 2}u + kr + rr + k * (1u + kr + rr);
}
fn rowAt(o: u32, k: u32) -> i32 {
  let b = opBase_(k);
  return i32(p[b]) + walk(o, p[${kr}u], ${kr + 1}u, b + 1u);
}
fn elemAt(r: u32, k: u32) -> i32 {
  let kr = p[${kr}u];
  let rr = p[${kr + 1}u + kr];
  return walk(r, rr, ${kr + 2}u + kr, opBase_(k) + 1u + kr);
}
fn wgSum(v: f32, t: u32, slot: u32) -> f32 {
  red_[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red_[t] = red_[t] + red_[t + s]; }
    workgroupBarrier();
  }
  if (t == 0u) { bc_[slot] = red_[0]; }
  workgroupBarrier();
  return bc_[slot];
}
fn max_(a: f32, b: f32) -> f32 { if (isnan_(a) || a > b) { return a; } return b; }
fn min_(a: f32, b: f32) -> f32 { if (isnan_(a) || a < b) { return a; } return b; }
fn maxNum_(a: f32, b: f32) -> f32 { if (isnan_(b) || a > b) { return a; } return b; }
fn wgMax(v: f32, t: u32, slot: u32) -> f32 {
  red_[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red_[t] = max_(red_[t], red_[t + s]); }
    workgroupBarrier();
  }
  if (t == 0u) { bc_[slot] = red_[0]; }
  workgroupBarrier();
  return bc_[slot];
}
fn wgMin(v: f32, t: u32, slot: u32) -> f32 {
  red_[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red_[t] = min_(red_[t], red_[t + s]); }
    workgroupBarrier();
  }
  if (t == 0u) { bc_[slot] = red_[0]; }
  workgroupBarrier();
  return bc_[slot];
}
fn wgMaxNum(v: f32, t: u32, slot: u32) -> f32 {
  red_[t] = v;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { red_[t] = maxNum_(red_[t], red_[t + s]); }
    workgroupBarrier();
  }
  if (t == 0u) { bc_[slot] = red_[0]; }
  workgroupBarrier();
  return bc_[slot];
}`;
}

/** A tensor bound to a row kernel: read-only inputs first, then the outputs. */
export interface RowOperand {
  readonly tensor: Tensor;
  /** Its layout in the frame (omit for outputs indexed by row or element only). */
  readonly layout?: FrameLayout;
}

/**
 * A row shader: the bindings (`p`, inputs `x0, x1, ...` in their WGSL types, outputs
 * `y0, y1, ...`), the helpers, and `body` inside the entry point, which starts with `o` (the
 * row), `nRed` (its length) and `t` (the thread within the workgroup) defined; `extra` adds
 * WGSL functions (say `MATH_HELPERS`) outside the entry point.
 * @example
 * // The sum of each row into y0[o], no scalar parameters.
 * rowShader([x], [out], 0, `var s = 0.0;
 *   for (var r = t; r < nRed; r += ${WORKGROUP}u) { s += f32(x0[u32(rowAt(o, 0u) + elemAt(r, 0u))]); }
 *   let total = wgSum(s, t, 0u);
 *   if (t == 0u) { y0[o] = total; }`)
 */
export function rowShader(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  scalars: number,
  body: string,
  extra = '',
): string {
  const decls = [
    '@group(0) @binding(0) var<storage, read> p: array<u32>;',
    ...inputs.map(
      (t, k) =>
        `@group(0) @binding(${k + 1}) var<storage, read> x${k}: array<${wgslType(t.dtype)}>;`,
    ),
    ...outputs.map(
      (t, k) =>
        `@group(0) @binding(${inputs.length + k + 1}) var<storage, read_write> y${k}: array<${wgslType(t.dtype)}>;`,
    ),
  ];
  return `${decls.join('\n')}
${rowHelpers(scalars)}
${extra}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = wid.y * nwg.x + wid.x;
  if (o >= p[0]) { return; }
  let nRed = p[1];
  let t = lid.x;
${body}
}`;
}

/**
 * Records a row kernel (one workgroup per row) on the device of `tensors`, bound in order:
 * the `rowShader`'s inputs, then its outputs.
 * @example
 * const frame = rowFrame(x.shape, [x.shape.length - 1]);
 * const params = rowParams(frame, [layoutIn(x, x.shape), contiguousLayout(x.shape)]);
 * dispatchRows(rowShader([x], [out], 0, body), params, [x, out], frameSizes(frame).rows);
 */
export function dispatchRows(
  code: string,
  params: Uint32Array,
  tensors: readonly Tensor[],
  rows: number,
): void {
  dispatchCompute(code, params, tensors, rows * WORKGROUP);
}
