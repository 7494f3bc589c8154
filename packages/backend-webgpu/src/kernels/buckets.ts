import type { WebGPUBackend } from '../backend.js';
import { ENTRY, threadIndex, WORKGROUP } from '../context.js';
import { fillZero, withScratch } from './blocks.js';

/**
 * Grouping of scatter sources by destination, for scatters with many candidate sources per
 * destination: from `dst[j]` (the destination of source j in [0, q), or -1 for none), builds
 * `starts` (q + 1 words: destination d's sources are `order[starts[d] .. starts[d + 1])`) and
 * `order` (the sources sorted by destination, ascending within each), so that one thread per
 * destination can visit exactly its sources, in the order the CPU applies them. Deterministic,
 * with integer atomics only, and the same cost whatever the distribution of the destinations:
 *
 *   1. count the sources of each destination (atomicAdd: the counts do not depend on the order);
 *   2. exclusive scan of the counts (`scanExclusive`, three passes);
 *   3. sort the source ids by (destination, id) with a bitonic network (m·log²m/2 compare-swaps,
 *      the steps between near partners in workgroup memory).
 */

/** Words each thread of the first scan pass covers. */
const PER_THREAD = 8;
const PER_GROUP = WORKGROUP * PER_THREAD;

const P = '@group(0) @binding(0) var<storage, read> p: array<u32>;';

/** Pass 1: each workgroup scans PER_GROUP words (exclusive) and writes its total to `sums`. */
const SCAN_GROUPS = `${P}
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read_write> sums: array<u32>;
var<workgroup> sh: array<u32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= p[1]) { return; }
  let n = p[0];
  let base = g * ${PER_GROUP}u + lid.x * ${PER_THREAD}u;
  var s = 0u;
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    if (base + k < n) { s += src[base + k]; }
  }
  sh[lid.x] = s;
  workgroupBarrier();
  for (var off = 1u; off < ${WORKGROUP}u; off = off << 1u) {
    var v = 0u;
    if (lid.x >= off) { v = sh[lid.x - off]; }
    workgroupBarrier();
    sh[lid.x] += v;
    workgroupBarrier();
  }
  var run = sh[lid.x] - s;
  for (var k = 0u; k < ${PER_THREAD}u; k++) {
    if (base + k < n) {
      let c = src[base + k];
      dst[base + k] = run;
      run += c;
    }
  }
  if (lid.x == ${WORKGROUP - 1}u) { sums[g] = sh[lid.x]; }
}`;

/** Pass 2: one workgroup scans the group totals in place (each thread a contiguous chunk). */
const SCAN_TOTALS = `${P}
@group(0) @binding(1) var<storage, read_write> sums: array<u32>;
var<workgroup> sh: array<u32, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let n = p[1];
  let chunk = (n + ${WORKGROUP - 1}u) / ${WORKGROUP}u;
  let start = min(n, lid.x * chunk);
  let end = min(n, start + chunk);
  var s = 0u;
  for (var k = start; k < end; k++) { s += sums[k]; }
  sh[lid.x] = s;
  workgroupBarrier();
  if (lid.x == 0u) {
    var run = 0u;
    for (var t = 0u; t < ${WORKGROUP}u; t++) {
      let c = sh[t];
      sh[t] = run;
      run += c;
    }
  }
  workgroupBarrier();
  var run = sh[lid.x];
  for (var k = start; k < end; k++) {
    let c = sums[k];
    sums[k] = run;
    run += c;
  }
}`;

/** Pass 3: adds each group's offset. */
const SCAN_ADD = `${P}
@group(0) @binding(1) var<storage, read> sums: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
${ENTRY} {
  ${threadIndex('p[0]')}
  dst[i] += sums[i / ${PER_GROUP}u];
}`;

/** Records `dst[0..n) = exclusive prefix sums of src[0..n)` (u32 words, wrapping). */
export function scanExclusive(
  backend: WebGPUBackend,
  src: GPUBuffer,
  dst: GPUBuffer,
  n: number,
): void {
  if (n === 0) return;
  const groups = Math.ceil(n / PER_GROUP);
  withScratch(backend, groups, (sums) => {
    const params = [n, groups];
    const ctx = backend.ctx;
    ctx.dispatch(
      SCAN_GROUPS,
      params,
      [{ buffer: src }, { buffer: dst }, { buffer: sums }],
      groups * WORKGROUP,
    );
    if (groups === 1) return;
    ctx.dispatch(SCAN_TOTALS, params, [{ buffer: sums }], WORKGROUP);
    ctx.dispatch(SCAN_ADD, params, [{ buffer: sums }, { buffer: dst }], n);
  });
}

const COUNT = `${P}
@group(0) @binding(1) var<storage, read> dst: array<i32>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
${ENTRY} {
  ${threadIndex('p[0]')}
  let d = dst[i];
  if (d >= 0) { atomicAdd(&counts[d], 1u); }
}`;

/** The sort key of slot value j: its destination (-1 and padding last), then j. */
const KEY = `
fn key(j: u32) -> u32 {
  if (j >= p[1]) { return 0xffffffffu; }
  return bitcast<u32>(dst[j]);
}
fn before(a: u32, b: u32) -> bool {
  let ka = key(a);
  let kb = key(b);
  return ka < kb || (ka == kb && a < b);
}`;

/** order[t] = t over the padded length. */
const IOTA = `${P}
@group(0) @binding(1) var<storage, read_write> order: array<u32>;
${ENTRY} {
  ${threadIndex('p[0]')}
  order[i] = i;
}`;

/**
 * One bitonic step over the whole array: pairs (t, t + j) with j = p[3] inside sequences of
 * length k = p[2], ascending where t & k is 0. One thread per pair.
 */
const GLOBAL_STEP = `${P}
@group(0) @binding(1) var<storage, read> dst: array<i32>;
@group(0) @binding(2) var<storage, read_write> order: array<u32>;
${KEY}
${ENTRY} {
  ${threadIndex('p[0]')}
  let k = p[2];
  let j = p[3];
  let low = i & (j - 1u);
  let t = ((i - low) << 1u) + low;
  let a = order[t];
  let b = order[t + j];
  let up = (t & k) == 0u;
  if (before(b, a) == up) {
    order[t] = b;
    order[t + j] = a;
  }
}`;

/** Elements a workgroup sorts in its memory (two per thread). */
const LOCAL = 2 * WORKGROUP;

/**
 * The bitonic steps of sequences of length k = p[2] with j from min(k / 2, LOCAL / 2) down to 1,
 * in workgroup memory: each workgroup owns LOCAL consecutive elements. With p[4] set, it runs
 * every k from 2 to LOCAL first (a full sort of each block).
 */
const LOCAL_STEPS = `${P}
@group(0) @binding(1) var<storage, read> dst: array<i32>;
@group(0) @binding(2) var<storage, read_write> order: array<u32>;
var<workgroup> sh: array<u32, ${LOCAL}>;
${KEY}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.y * nwg.x + wid.x;
  if (g * ${LOCAL}u >= p[0] * 2u) { return; }
  let base = g * ${LOCAL}u;
  sh[lid.x] = order[base + lid.x];
  sh[lid.x + ${WORKGROUP}u] = order[base + lid.x + ${WORKGROUP}u];
  workgroupBarrier();
  var k = select(p[2], 2u, p[4] != 0u);
  loop {
    var j = min(k / 2u, ${WORKGROUP}u);
    loop {
      let low = lid.x & (j - 1u);
      let t = ((lid.x - low) << 1u) + low;
      let a = sh[t];
      let b = sh[t + j];
      let up = ((base + t) & k) == 0u;
      if (before(b, a) == up) {
        sh[t] = b;
        sh[t + j] = a;
      }
      workgroupBarrier();
      if (j == 1u) { break; }
      j = j / 2u;
    }
    if (k >= p[2]) { break; }
    k = k * 2u;
  }
  order[base + lid.x] = sh[lid.x];
  order[base + lid.x + ${WORKGROUP}u] = sh[lid.x + ${WORKGROUP}u];
}`;

/**
 * Sorts `order` (padded length `padded`, a power of two at least LOCAL) by (dst[j], j): a
 * bitonic network, whose steps with partners less than LOCAL apart run in workgroup memory.
 */
function sortByDestination(
  backend: WebGPUBackend,
  dst: GPUBuffer,
  m: number,
  order: GPUBuffer,
  padded: number,
): void {
  const ctx = backend.ctx;
  const pairs = padded / 2;
  ctx.dispatch(IOTA, [padded], [{ buffer: order }], padded);
  const buffers = [{ buffer: dst }, { buffer: order }];
  ctx.dispatch(LOCAL_STEPS, [pairs, m, LOCAL, 0, 1], buffers, pairs);
  for (let k = 2 * LOCAL; k <= padded; k *= 2) {
    for (let j = k / 2; j >= LOCAL; j /= 2)
      ctx.dispatch(GLOBAL_STEP, [pairs, m, k, j], buffers, pairs);
    ctx.dispatch(LOCAL_STEPS, [pairs, m, k, 0, 0], buffers, pairs);
  }
}

/**
 * Bitonic-sort steps per source for `m` sources: how the cost of `bucketSources` grows, for
 * choosing between it and a scan of every candidate.
 */
export function bucketCost(m: number): number {
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(m, LOCAL))));
  return (bits * (bits + 1)) / 2;
}

/**
 * Groups the `m` sources whose destinations (in [0, q), or -1) are in `dst` and calls `use` with
 * the `starts` and `order` buffers (see the module comment) while they are valid.
 */
export function bucketSources(
  backend: WebGPUBackend,
  dst: GPUBuffer,
  m: number,
  q: number,
  use: (starts: GPUBuffer, order: GPUBuffer) => void,
): void {
  const ctx = backend.ctx;
  const padded = Math.max(LOCAL, 2 ** Math.ceil(Math.log2(m)));
  withScratch(backend, q + 1, (counts) =>
    withScratch(backend, q + 1, (starts) =>
      withScratch(backend, padded, (order) => {
        fillZero(backend, 'int32', counts, q + 1);
        ctx.dispatch(COUNT, [m], [{ buffer: dst }, { buffer: counts }], m);
        scanExclusive(backend, counts, starts, q + 1);
        sortByDestination(backend, dst, m, order, padded);
        use(starts, order);
      }),
    ),
  );
}
