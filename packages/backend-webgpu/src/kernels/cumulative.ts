import type { Kernel } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { ENTRY, threadIndex, WORKGROUP } from '../context.js';
import { Block, bufferOf, product, WALK } from './blocks.js';
import { wgslType } from './layout.js';

/**
 * `cumsum` along a dim, forwards or backwards (its VJP). The input is viewed as lines of `n`
 * elements along `dim` (read through its strides); the output is dense.
 *
 * float32 sums are carried as an unevaluated pair hi + lo (Knuth's TwoSum, about 48 bits), so
 * each prefix is the correctly rounded float32 of the exact sum as often as the CPU backend's
 * float64 running sum gives it, whatever the line's length. The operations are kept from being
 * re-associated by a multiplication with a 1 read from the parameters, which no compiler can
 * fold. int32 sums wrap, as the CPU's Int32Array stores do.
 *
 * Short lines (up to `SHORT` elements) run one thread per line. Longer lines run one workgroup
 * per line: each thread sums a contiguous chunk, thread 0 scans the chunk totals, then each
 * thread rescans its chunk from its prefix (each element read twice).
 */
const SHORT = 64;

/**
 * Header slots: 1 line length n, 2 inner (product of the dims after dim), 3 reverse, 4 input
 * offset, 5 stride along dim, 6 outer rank (= dim), 7 outer shape, 8 outer strides, 9 inner
 * rank, 10 inner shape, 11 inner strides, 12 number of lines, 13 the float 1.0.
 */
function arithmetic(type: string): string {
  if (type === 'i32') {
    return `alias A = i32;
fn zero_() -> A { return 0; }
fn add_(a: A, b: i32) -> A { return a + b; }
fn join_(a: A, b: A) -> A { return a + b; }
fn value_(a: A) -> i32 { return a; }`;
  }
  return `alias A = vec2<f32>;
fn zero_() -> A { return vec2<f32>(0.0, 0.0); }
// (hi, lo) + b: TwoSum of hi and b, its error added to lo, renormalised; non-finite sums are
// carried in hi alone (their error terms would be NaN).
fn add_(a: A, b: f32) -> A {
  let one = bitcast<f32>(p[13]);
  let s = (a.x + b) * one;
  if ((bitcast<u32>(s) & 0x7f800000u) == 0x7f800000u) { return vec2<f32>(s, 0.0); }
  let bb = (s - a.x) * one;
  let err = ((a.x - (s - bb) * one) + (b - bb)) * one;
  let lo = (a.y + err) * one;
  let hi = (s + lo) * one;
  return vec2<f32>(hi, (lo - (hi - s) * one) * one);
}
fn join_(a: A, b: A) -> A { return add_(add_(a, b.x), b.y); }
fn value_(a: A) -> f32 { return a.x + a.y; }`;
}

function lineHelpers(type: string): string {
  return `${WALK}
${arithmetic(type)}
// Where step s of line l is read from, and written to.
fn inputAt(l: u32, s: u32) -> u32 {
  let inner = p[2];
  let base = sat(4u) + walk(l / inner, p[6], p[7], p[8]) + walk(l % inner, p[9], p[10], p[11]);
  return u32(base + i32(stepAt(s)) * sat(5u));
}
fn outputAt(l: u32, s: u32) -> u32 {
  let inner = p[2];
  return ((l / inner) * p[1] + stepAt(s)) * inner + l % inner;
}
fn stepAt(s: u32) -> u32 { return select(s, p[1] - 1u - s, p[3] != 0u); }`;
}

function shortShader(type: string): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
${lineHelpers(type)}
${ENTRY} {
  ${threadIndex('p[12]')}
  var acc = zero_();
  for (var s = 0u; s < p[1]; s++) {
    acc = add_(acc, x[inputAt(i, s)]);
    out[outputAt(i, s)] = value_(acc);
  }
}`;
}

function longShader(type: string): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
var<workgroup> partial: array<A, ${WORKGROUP}>;
${lineHelpers(type)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let l = wid.y * nwg.x + wid.x;
  if (l >= p[12]) { return; }
  let n = p[1];
  let chunk = (n + ${WORKGROUP - 1}u) / ${WORKGROUP}u;
  let start = min(n, lid.x * chunk);
  let end = min(n, start + chunk);
  var acc = zero_();
  for (var s = start; s < end; s++) { acc = add_(acc, x[inputAt(l, s)]); }
  partial[lid.x] = acc;
  workgroupBarrier();
  if (lid.x == 0u) {
    var run = zero_();
    for (var t = 0u; t < ${WORKGROUP}u; t++) {
      let total = partial[t];
      partial[t] = run;
      run = join_(run, total);
    }
  }
  workgroupBarrier();
  acc = partial[lid.x];
  for (var s = start; s < end; s++) {
    acc = add_(acc, x[inputAt(l, s)]);
    out[outputAt(l, s)] = value_(acc);
  }
}`;
}

function cumsumKernel(backend: WebGPUBackend): Kernel<{ dim: number; reverse: boolean }> {
  return ([x], [out], { dim, reverse }) => {
    const t = x!;
    const total = out!.numel();
    if (total === 0) return;
    const shape = t.shape.length === 0 ? [1] : t.shape;
    const strides = t.shape.length === 0 ? [0] : t.strides;
    const n = shape[dim]!;
    const lines = total / n;
    const params = new Block(lines, 13)
      .set(1, n)
      .set(2, product(shape, dim + 1))
      .set(3, reverse ? 1 : 0)
      .set(4, t.offset)
      .set(5, strides[dim]!)
      .set(6, dim)
      .array(7, shape.slice(0, dim))
      .array(8, strides.slice(0, dim))
      .set(9, shape.length - dim - 1)
      .array(10, shape.slice(dim + 1))
      .array(11, strides.slice(dim + 1))
      .set(12, lines)
      .set(13, 0x3f800000);
    const type = wgslType(t.dtype);
    const short = n <= SHORT;
    backend.ctx.dispatch(
      short ? shortShader(type) : longShader(type),
      params.toArray(),
      [{ buffer: bufferOf(t) }, { buffer: bufferOf(out!) }],
      short ? lines : lines * WORKGROUP,
    );
  };
}

/**
 * Registers the cumulative kernels (`cumsum`) on a WebGPU backend.
 * @example registerCumulativeKernels(backend)
 */
export function registerCumulativeKernels(backend: WebGPUBackend): void {
  registerKernel('cumsum', backend.name, cumsumKernel(backend));
}
