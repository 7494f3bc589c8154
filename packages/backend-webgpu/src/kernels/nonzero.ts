import type { Kernel } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { WORKGROUP } from '../context.js';
import { atLeast1d, Block, bufferOf, WALK, withScratch } from './blocks.js';
import { wgslType } from './layout.js';

/**
 * `nonzero`: the coordinates of the nonzero elements (NaN counts, -0 does not), one row each, in
 * row-major order. Its output size, the count, is known before the kernel runs (core reads it
 * back asynchronously in `nonzeroAsync`), so the kernel only places the rows: a stream
 * compaction in three passes over blocks of `BLOCK` elements, one workgroup per block:
 *
 *   1. each block counts its nonzero elements;
 *   2. one workgroup turns the block counts into exclusive prefix sums (the first output row of
 *      each block), chunk by chunk with a running carry, so any number of blocks takes one pass;
 *   3. each block stages its flags in workgroup memory, each thread owns `ITEMS` consecutive
 *      elements, and a prefix sum over the threads' counts gives every thread its first row;
 *      rows are written in element order, so the result is row-major whatever the schedule.
 *
 * The input is read through its strides (a dense variant skips the index arithmetic).
 */

/** Consecutive elements per thread in pass 3. */
const ITEMS = 8;
/** Elements per block (one workgroup). */
const BLOCK = WORKGROUP * ITEMS;

/**
 * Header slots: 1 rank, 2 input offset, 3 shape (word position), 4 strides (word position),
 * 5 number of blocks, 6 rows of the output (the count).
 */
function flagFn(type: string, dense: boolean): string {
  const at = dense ? 'u32(sat(2u)) + i' : 'u32(sat(2u) + walk(i, p[1], p[3], p[4]))';
  // Bits, not `v != 0.0`: drivers' fast math may compare NaN as equal to anything.
  const test = type === 'f32' ? '(bitcast<u32>(v) & 0x7fffffffu) != 0u' : `v != ${type}(0)`;
  return `${WALK}
fn flag(i: u32) -> u32 {
  let v = x[${at}];
  return select(0u, 1u, ${test});
}`;
}

/** The block index of a workgroup on `GpuContext.dispatch`'s grid. */
const ENTRY_BLOCK = `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = wid.y * nwg.x + wid.x;
  if (b >= p[5]) { return; }`;

function countShader(type: string, dense: boolean): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read_write> counts: array<u32>;
var<workgroup> part: array<u32, ${WORKGROUP}>;
${flagFn(type, dense)}
${ENTRY_BLOCK}
  let start = b * ${BLOCK}u;
  let end = min(p[0], start + ${BLOCK}u);
  var c = 0u;
  for (var i = start + lid.x; i < end; i += ${WORKGROUP}u) { c += flag(i); }
  part[lid.x] = c;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s >>= 1u) {
    if (lid.x < s) { part[lid.x] += part[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { counts[b] = part[0]; }
}`;
}

const SCAN_SHADER = `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read_write> counts: array<u32>;
var<workgroup> part: array<u32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let blocks = p[5];
  var carry = 0u; // thread 0's running total of the chunks before
  for (var base = 0u; base < blocks; base += ${BLOCK}u) {
    let first = base + lid.x * ${ITEMS}u;
    var own: array<u32, ${ITEMS}>;
    var total = 0u;
    for (var k = 0u; k < ${ITEMS}u; k++) {
      var v = 0u;
      if (first + k < blocks) { v = counts[first + k]; }
      own[k] = v;
      total += v;
    }
    part[lid.x] = total;
    workgroupBarrier();
    if (lid.x == 0u) {
      var run = carry;
      for (var t = 0u; t < ${WORKGROUP}u; t++) {
        let v = part[t];
        part[t] = run;
        run += v;
      }
      carry = run;
    }
    workgroupBarrier();
    var run = part[lid.x];
    for (var k = 0u; k < ${ITEMS}u; k++) {
      if (first + k < blocks) { counts[first + k] = run; }
      run += own[k];
    }
    workgroupBarrier();
  }
}`;

function writeShader(type: string, dense: boolean): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<i32>;
var<workgroup> flags: array<u32, ${BLOCK}>;
var<workgroup> part: array<u32, ${WORKGROUP}>;
${flagFn(type, dense)}
${ENTRY_BLOCK}
  let start = b * ${BLOCK}u;
  for (var k = 0u; k < ${ITEMS}u; k++) {
    // Coalesced loads: neighbouring threads read neighbouring elements.
    let j = lid.x + k * ${WORKGROUP}u;
    var f = 0u;
    if (start + j < p[0]) { f = flag(start + j); }
    flags[j] = f;
  }
  workgroupBarrier();
  var c = 0u;
  for (var k = 0u; k < ${ITEMS}u; k++) { c += flags[lid.x * ${ITEMS}u + k]; }
  part[lid.x] = c;
  workgroupBarrier();
  if (lid.x == 0u) {
    var run = 0u;
    for (var t = 0u; t < ${WORKGROUP}u; t++) {
      let v = part[t];
      part[t] = run;
      run += v;
    }
  }
  workgroupBarrier();
  let rank = p[1];
  var row = offsets[b] + part[lid.x];
  for (var k = 0u; k < ${ITEMS}u; k++) {
    let j = lid.x * ${ITEMS}u + k;
    if (flags[j] == 0u) { continue; }
    // The count sized the output: a row past it would mean the input changed since.
    if (row < p[6]) {
      var rem = start + j;
      for (var d = rank; d > 0u; d--) {
        let size = p[p[3] + d - 1u];
        out[row * rank + d - 1u] = i32(rem % size);
        rem = rem / size;
      }
    }
    row++;
  }
}`;
}

function nonzeroKernel(backend: WebGPUBackend): Kernel {
  return ([x], [out]) => {
    const t = x!;
    const rows = out!.shape[0]!;
    // No rows, or a 0-d input (rows of no coordinates): nothing to write.
    if (out!.numel() === 0) return;
    const n = t.numel();
    const { shape, strides } = atLeast1d(t);
    const blocks = Math.ceil(n / BLOCK);
    const params = new Block(n, 6)
      .set(1, shape.length)
      .set(2, t.offset)
      .array(3, shape)
      .array(4, strides)
      .set(5, blocks)
      .set(6, rows)
      .toArray();
    const type = wgslType(t.dtype);
    const dense = t.isContiguous();
    const input = { buffer: bufferOf(t) };
    withScratch(backend, blocks, (counts) => {
      const ctx = backend.ctx;
      ctx.dispatch(
        countShader(type, dense),
        params,
        [input, { buffer: counts }],
        blocks * WORKGROUP,
      );
      ctx.dispatch(SCAN_SHADER, params, [{ buffer: counts }], WORKGROUP);
      ctx.dispatch(
        writeShader(type, dense),
        params,
        [input, { buffer: counts }, { buffer: bufferOf(out!) }],
        blocks * WORKGROUP,
      );
    });
  };
}

/**
 * Registers the `nonzero` kernel on a WebGPU backend. Core runs it from `nonzeroAsync` (and the
 * ops built on it), once the count is known; the synchronous `nonzero` cannot size its output on
 * this device and says so.
 * @example registerNonzeroKernel(backend)
 */
export function registerNonzeroKernel(backend: WebGPUBackend): void {
  registerKernel('nonzero', backend.name, nonzeroKernel(backend));
}
