import type { DType, Kernel, Tensor } from '@autodag/core';
import { contiguousStrides, registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { ENTRY, threadIndex } from '../context.js';
import { atLeast1d, Block, bufferOf, copyTensor, product, WALK, withScratch } from './blocks.js';
import { bucketCost, bucketSources } from './buckets.js';
import { elementwiseKernel } from './elementwise.js';
import { wgslType } from './layout.js';

/**
 * Indexing kernels: `gather`, `scatter`, `scatterAdd`, `indexSelect`, `index`, `indexPut` (with
 * and without `accumulate`) and `maskedFill`. Every operand is read in place through its strides.
 *
 * Writes with repeated indices are deterministic and give the CPU backend's result: the scatters
 * run one thread per *destination* element, which walks the candidate sources in order (the
 * index positions along `dim` for `scatter`/`scatterAdd`, every indexed position for
 * `indexPut`) and keeps the last one (`scatter`, `indexPut`) or adds them all in that order
 * (`scatterAdd`, `indexPut` with `accumulate`), so no two threads write one element and the sum
 * is the CPU's sum, rounding included (WGSL has no float atomics, and they would not be
 * deterministic). With few candidates each destination tests them all; with more (past
 * `BUCKET_MIN`, where it is less work) the sources are first grouped by destination
 * (`bucketSources`: a count, a scan and a sort by destination and source id), so each
 * destination visits only its own sources, in the same order.
 *
 * Out-of-range indices: the CPU backend checks every index and throws before writing anything.
 * On WebGPU the indices live in GPU memory and are not read back synchronously, so they cannot
 * be checked before the kernel is recorded; in the kernels an out-of-range index reads 0
 * (`gather`, `indexSelect`, `index`) and writes nothing (`scatter`, `scatterAdd`, `indexPut`),
 * no memory outside the tensors is touched, and no error is raised (CUDA raises a device-side
 * assert). Negative indices count from the end where the CPU allows them (`index`, `indexPut`).
 */

const HEADER = '@group(0) @binding(0) var<storage, read> p: array<u32>;';

/** The WGSL type of a dtype's values, for reading one element into a variable. */
function typeOf(dtype: DType): string {
  return wgslType(dtype);
}

/**
 * `acc` combined with `v` by addition: bool stays 0/1 (logical or), int32 wraps as the CPU's
 * Int32Array does.
 */
function addExpr(dtype: DType, acc: string, v: string): string {
  return dtype === 'bool' ? `select(0u, 1u, ${acc} != 0u || ${v} != 0u)` : `${acc} + ${v}`;
}

// ---------------------------------------------------------------------------------------------
// gather

/** Header slots: 1 rank, 2 index offset, 3 x offset, 4 size of x along dim, 5 x stride along
 * dim, 6 index shape, 7 index strides, 8 x strides (zero along dim). */
function gatherShader(type: string): string {
  return `${HEADER}
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${type}>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  let r = p[1];
  let v = idx[u32(sat(2u) + walk(i, r, p[6], p[7]))];
  if (v < 0 || u32(v) >= p[4]) { out[i] = ${type}(0); return; }
  out[i] = x[u32(sat(3u) + walk(i, r, p[6], p[8]) + v * sat(5u))];
}`;
}

function gatherKernel(backend: WebGPUBackend): Kernel<{ dim: number }> {
  return ([x, index], [out], { dim }) => {
    const n = out!.numel();
    if (n === 0) return;
    const xs = atLeast1d(x!);
    const is = atLeast1d(index!);
    const walkStrides = xs.strides.slice();
    walkStrides[dim] = 0;
    const params = new Block(n, 8)
      .set(1, is.shape.length)
      .set(2, index!.offset)
      .set(3, x!.offset)
      .set(4, xs.shape[dim]!)
      .set(5, xs.strides[dim]!)
      .array(6, is.shape)
      .array(7, is.strides)
      .array(8, walkStrides);
    const buffers = [x!, index!, out!].map((t) => ({ buffer: bufferOf(t) }));
    backend.ctx.dispatch(gatherShader(typeOf(x!.dtype)), params.toArray(), buffers, n);
  };
}

// ---------------------------------------------------------------------------------------------
// scatter, scatterAdd

/**
 * One thread per output element: its coordinates c (over x's shape) select the index/src line
 * {j : j[d] = c[d] for d ≠ dim}, whose index values are compared with c[dim].
 * Header slots: 1 rank, 2 dim, 3 index size along dim, 4 x offset, 5 index offset, 6 src offset,
 * 7 x shape, 8 index shape, 9 x strides, 10 index strides, 11 src strides.
 */
function scatterShader(type: string, dtype: DType, accumulate: boolean): string {
  const loop = accumulate
    ? `for (var t = 0u; t < p[3]; t++) {
      if (idx[u32(io + i32(t) * ist)] == i32(cd)) {
        let v = src[u32(so + i32(t) * sst)];
        acc = ${addExpr(dtype, 'acc', 'v')};
      }
    }`
    : `for (var t = p[3]; t > 0u; t--) {
      if (idx[u32(io + i32(t - 1u) * ist)] == i32(cd)) {
        acc = src[u32(so + i32(t - 1u) * sst)];
        break;
      }
    }`;
  return `${HEADER}
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> src: array<${type}>;
@group(0) @binding(4) var<storage, read_write> out: array<${type}>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  let r = p[1];
  let dim = p[2];
  var rem = i;
  var xo = sat(4u);
  var io = sat(5u);
  var so = sat(6u);
  var inside = true;
  var cd = 0u;
  for (var d = r; d > 0u; d--) {
    let e = d - 1u;
    let c = rem % p[p[7] + e];
    rem = rem / p[p[7] + e];
    xo += i32(c) * sat(p[9] + e);
    if (e == dim) {
      cd = c;
    } else {
      if (c >= p[p[8] + e]) { inside = false; }
      io += i32(c) * sat(p[10] + e);
      so += i32(c) * sat(p[11] + e);
    }
  }
  var acc = x[u32(xo)];
  if (inside) {
    let ist = sat(p[10] + dim);
    let sst = sat(p[11] + dim);
    ${loop}
  }
  out[i] = acc;
}`;
}

/**
 * Bucketed scatter, first pass: the dense output position of each index element (-1 when its
 * index is out of range). Header slots as in `scatterShader`, except 3: the output's dense
 * stride along dim; 12 the size of x along dim, 13 the output's dense strides, zero along dim.
 */
function scatterTargetsShader(): string {
  return `${HEADER}
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<i32>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  let r = p[1];
  let v = idx[u32(sat(5u) + walk(i, r, p[8], p[10]))];
  if (v < 0 || u32(v) >= p[12]) { dst[i] = -1; return; }
  dst[i] = walk(i, r, p[8], p[13]) + v * sat(3u);
}`;
}

/** Bucketed scatter, main pass: each output element visits its own sources (see buckets.ts). */
function scatterBucketShader(type: string, dtype: DType, accumulate: boolean): string {
  const value = (k: string) => `src[u32(sat(6u) + walk(${k}, p[1], p[8], p[11]))]`;
  const apply = accumulate
    ? `for (var t = starts[i]; t < starts[i + 1u]; t++) {
    let v = ${value('order[t]')};
    acc = ${addExpr(dtype, 'acc', 'v')};
  }`
    : `let hi = starts[i + 1u];
  if (hi > starts[i]) { acc = ${value('order[hi - 1u]')}; }`;
  return `${HEADER}
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read> starts: array<u32>;
@group(0) @binding(3) var<storage, read> order: array<u32>;
@group(0) @binding(4) var<storage, read> src: array<${type}>;
@group(0) @binding(5) var<storage, read_write> out: array<${type}>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  var acc = x[u32(sat(4u) + walk(i, p[1], p[7], p[9]))];
  ${apply}
  out[i] = acc;
}`;
}

/**
 * Whether to group the sources by destination first (`bucketSources`, about m·log²m/2 steps for
 * m sources plus one visit per source) rather than have each of the `outputs` elements test all
 * its `candidates`: past a few candidates, when that is less work.
 */
function useBuckets(candidates: number, sources: number, outputs: number): boolean {
  return candidates > BUCKET_MIN && sources * bucketCost(sources) + outputs < outputs * candidates;
}

/** Candidates per destination up to which each output element tests them all. */
const BUCKET_MIN = 16;

function scatterKernel(backend: WebGPUBackend, accumulate: boolean): Kernel<{ dim: number }> {
  return ([x, index, src], [out], { dim }) => {
    const n = out!.numel();
    if (n === 0) return;
    const xs = atLeast1d(x!);
    const rank = xs.shape.length;
    const m = index!.numel();
    const empty = m === 0;
    // An empty index may have any rank: it selects nothing (every candidate line is empty).
    const is = empty
      ? { shape: new Array<number>(rank).fill(0), strides: new Array<number>(rank).fill(0) }
      : atLeast1d(index!);
    const ss = empty ? is : atLeast1d(src!);
    const params = new Block(n, 13)
      .set(1, rank)
      .set(2, dim)
      .set(3, is.shape[dim]!)
      .set(4, x!.offset)
      .set(5, index!.offset)
      .set(6, src!.offset)
      .array(7, xs.shape)
      .array(8, is.shape)
      .array(9, xs.strides)
      .array(10, is.strides)
      .array(11, ss.strides);
    const type = typeOf(x!.dtype);
    if (!useBuckets(is.shape[dim]!, m, n)) {
      const code = scatterShader(type, x!.dtype, accumulate);
      const buffers = [x!, index!, src!, out!].map((t) => ({ buffer: bufferOf(t) }));
      backend.ctx.dispatch(code, params.toArray(), buffers, n);
      return;
    }
    const outStrides = contiguousStrides(xs.shape);
    const dimStride = outStrides[dim]!;
    outStrides[dim] = 0;
    const targets = new Block(m, 13)
      .set(1, rank)
      .set(3, dimStride)
      .set(5, index!.offset)
      .array(8, is.shape)
      .array(10, is.strides)
      .set(12, xs.shape[dim]!)
      .array(13, outStrides);
    withScratch(backend, m, (dst) => {
      backend.ctx.dispatch(
        scatterTargetsShader(),
        targets.toArray(),
        [{ buffer: bufferOf(index!) }, { buffer: dst }],
        m,
      );
      bucketSources(backend, dst, m, n, (starts, order) => {
        const buffers = [bufferOf(x!), starts, order, bufferOf(src!), bufferOf(out!)];
        backend.ctx.dispatch(
          scatterBucketShader(type, x!.dtype, accumulate),
          params.toArray(),
          buffers.map((buffer) => ({ buffer })),
          n,
        );
      });
    });
  };
}

// ---------------------------------------------------------------------------------------------
// index, indexSelect

/**
 * The layout of an `index`-style read: x viewed as [outer dims][k indexed dims][inner dims],
 * the k index tensors (stacked on dim 0 of `indices`) broadcast over the index shape B.
 * Header slots shared by the index and indexPut shaders:
 *   1 k, 2 nb (numel of B), 3 inner (numel of the inner dims), 4 wrap negatives (0/1),
 *   5 indices offset, 6 indices stride between the k tensors, 7 rank of B, 8 B shape,
 *   9 indices strides over B, 10 sizes of the k indexed dims, 11 their strides (x's for index,
 *   dense block strides for indexPut's positions).
 */
interface IndexPlan {
  k: number;
  nb: number;
  inner: number;
  outer: number;
  blockShape: number[];
  bShape: number[];
  bStrides: number[];
  kStride: number;
}

function indexPlan(x: Tensor, indices: Tensor, dim: number): IndexPlan {
  const k = indices.shape[0]!;
  const bShape = indices.shape.slice(1);
  return {
    k,
    nb: product(bShape),
    inner: product(x.shape, dim + k),
    outer: product(x.shape, 0, dim),
    blockShape: x.shape.slice(dim, dim + k),
    bShape,
    bStrides: indices.strides.slice(1),
    kStride: indices.strides[0]!,
  };
}

function indexHeader(
  block: Block,
  plan: IndexPlan,
  indicesOffset: number,
  wrap: boolean,
  kStrides: readonly number[],
): Block {
  return block
    .set(1, plan.k)
    .set(2, plan.nb)
    .set(3, plan.inner)
    .set(4, wrap ? 1 : 0)
    .set(5, indicesOffset)
    .set(6, plan.kStride)
    .set(7, plan.bShape.length)
    .array(8, plan.bShape)
    .array(9, plan.bStrides)
    .array(10, plan.blockShape)
    .array(11, kStrides);
}

/**
 * WGSL: `locate(b)` is the offset that index position b (over B) selects through the k strides
 * at word p[11] (or -1 when an index is out of range), wrapping negative indices when p[4] is set.
 */
const LOCATE = `
fn locate(b: u32) -> i32 {
  let ib = sat(5u) + walk(b, p[7], p[8], p[9]);
  var off = 0;
  for (var j = 0u; j < p[1]; j++) {
    var v = idx[u32(ib + i32(j) * sat(6u))];
    let size = i32(p[p[10] + j]);
    if (v < 0 && p[4] != 0u) { v += size; }
    if (v < 0 || v >= size) { return -1; }
    off += v * sat(p[11] + j);
  }
  return off;
}`;

/**
 * One thread per output element [outer, b, inner]. Further header slots: 12 x offset, 13 rank of
 * the outer dims, 14 outer shape, 15 outer strides, 16 rank of the inner dims, 17 inner shape,
 * 18 inner strides.
 */
function indexShader(type: string): string {
  return `${HEADER}
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${type}>;
${WALK}
${LOCATE}
${ENTRY} {
  ${threadIndex('p[0]')}
  let inner = p[3];
  let nb = p[2];
  let e = i % inner;
  let b = (i / inner) % nb;
  let o = i / inner / nb;
  let off = locate(b);
  if (off < 0) { out[i] = ${type}(0); return; }
  out[i] = x[u32(sat(12u) + off + walk(o, p[13], p[14], p[15]) + walk(e, p[16], p[17], p[18]))];
}`;
}

function recordIndex(
  backend: WebGPUBackend,
  x: Tensor,
  xShape: readonly number[],
  xStrides: readonly number[],
  indices: Tensor,
  plan: IndexPlan,
  dim: number,
  wrap: boolean,
  out: Tensor,
): void {
  const n = out.numel();
  if (n === 0) return;
  const kStrides = xStrides.slice(dim, dim + plan.k);
  const params = indexHeader(new Block(n, 18), plan, indices.offset, wrap, kStrides)
    .set(12, x.offset)
    .set(13, dim)
    .array(14, xShape.slice(0, dim))
    .array(15, xStrides.slice(0, dim))
    .set(16, xShape.length - dim - plan.k)
    .array(17, xShape.slice(dim + plan.k))
    .array(18, xStrides.slice(dim + plan.k));
  const buffers = [x, indices, out].map((t) => ({ buffer: bufferOf(t) }));
  backend.ctx.dispatch(indexShader(typeOf(x.dtype)), params.toArray(), buffers, n);
}

function indexKernel(backend: WebGPUBackend): Kernel<{ dim: number }> {
  return ([x, indices], [out], { dim }) => {
    const plan = indexPlan(x!, indices!, dim);
    recordIndex(backend, x!, x!.shape, x!.strides, indices!, plan, dim, true, out!);
  };
}

/** `indexSelect` is `index` with one index tensor along `dim` (no wrapping of negatives). */
function indexSelectKernel(backend: WebGPUBackend): Kernel<{ dim: number }> {
  return ([x, index], [out], { dim }) => {
    const xs = atLeast1d(x!);
    const m = index!.numel();
    const plan: IndexPlan = {
      k: 1,
      nb: m,
      inner: product(xs.shape, dim + 1),
      outer: product(xs.shape, 0, dim),
      blockShape: [xs.shape[dim]!],
      bShape: [m],
      bStrides: [index!.shape.length === 0 ? 0 : index!.strides[0]!],
      kStride: 0,
    };
    recordIndex(backend, x!, xs.shape, xs.strides, index!, plan, dim, false, out!);
  };
}

// ---------------------------------------------------------------------------------------------
// indexPut

/** First pass: the dense position, inside the block of indexed dims, that each b selects. */
function positionsShader(): string {
  return `${HEADER}
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> pos: array<i32>;
${WALK}
${LOCATE}
${ENTRY} {
  ${threadIndex('p[0]')}
  pos[i] = locate(i);
}`;
}

/**
 * One thread per output element [outer, q, inner] (q: position in the indexed block), over the
 * positions `pos` of the first pass. Header slots: 1 nb, 2 block size, 3 inner, 4 x offset,
 * 5 values offset, 6 rank of x, 7 x shape, 8 x strides, 9 rank of values, 10 values shape,
 * 11 values strides.
 */
function indexPutShader(
  type: string,
  dtype: DType,
  accumulate: boolean,
  bucketed: boolean,
): string {
  const value = (b: string) =>
    `vals[u32(sat(5u) + walk((o * nb + ${b}) * inner + e, p[9], p[10], p[11]))]`;
  let loop: string;
  if (bucketed) {
    // The sources of position q, ascending (see buckets.ts).
    loop = accumulate
      ? `for (var t = starts[q]; t < starts[q + 1u]; t++) {
    let v = ${value('order[t]')};
    acc = ${addExpr(dtype, 'acc', 'v')};
  }`
      : `let hi = starts[q + 1u];
  if (hi > starts[q]) { acc = ${value('order[hi - 1u]')}; }`;
  } else {
    loop = accumulate
      ? `for (var b = 0u; b < nb; b++) {
    if (pos[b] == i32(q)) {
      let v = ${value('b')};
      acc = ${addExpr(dtype, 'acc', 'v')};
    }
  }`
      : `for (var b = nb; b > 0u; b--) {
    if (pos[b - 1u] == i32(q)) {
      acc = ${value('(b - 1u)')};
      break;
    }
  }`;
  }
  const lookup = bucketed
    ? `@group(0) @binding(2) var<storage, read> starts: array<u32>;
@group(0) @binding(5) var<storage, read> order: array<u32>;`
    : '@group(0) @binding(2) var<storage, read> pos: array<i32>;';
  return `${HEADER}
@group(0) @binding(1) var<storage, read> x: array<${type}>;
${lookup}
@group(0) @binding(3) var<storage, read> vals: array<${type}>;
@group(0) @binding(4) var<storage, read_write> out: array<${type}>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  let nb = p[1];
  let inner = p[3];
  let e = i % inner;
  let q = (i / inner) % p[2];
  let o = i / inner / p[2];
  var acc = x[u32(sat(4u) + walk(i, p[6], p[7], p[8]))];
  ${loop}
  out[i] = acc;
}`;
}

function indexPutKernel(backend: WebGPUBackend): Kernel<{ dim: number; accumulate: boolean }> {
  return ([x, indices, values], [out], { dim, accumulate }) => {
    const n = out!.numel();
    if (n === 0) return;
    const plan = indexPlan(x!, indices!, dim);
    if (plan.nb === 0 || plan.outer * plan.inner === 0) {
      copyTensor(backend, x!, bufferOf(out!));
      return;
    }
    const positions = product(plan.blockShape);
    const dense = contiguousStrides(plan.blockShape);
    const params = new Block(n, 11)
      .set(1, plan.nb)
      .set(2, positions)
      .set(3, plan.inner)
      .set(4, x!.offset)
      .set(5, values!.offset)
      .set(6, x!.shape.length)
      .array(7, x!.shape)
      .array(8, x!.strides)
      .set(9, values!.shape.length)
      .array(10, values!.shape)
      .array(11, values!.strides);
    const type = typeOf(x!.dtype);
    withScratch(backend, plan.nb, (pos) => {
      const first = indexHeader(new Block(plan.nb, 11), plan, indices!.offset, true, dense);
      backend.ctx.dispatch(
        positionsShader(),
        first.toArray(),
        [{ buffer: bufferOf(indices!) }, { buffer: pos }],
        plan.nb,
      );
      const [xb, vb, ob] = [bufferOf(x!), bufferOf(values!), bufferOf(out!)];
      if (!useBuckets(plan.nb, plan.nb, n)) {
        const code = indexPutShader(type, x!.dtype, accumulate, false);
        const buffers = [xb, pos, vb, ob].map((buffer) => ({ buffer }));
        backend.ctx.dispatch(code, params.toArray(), buffers, n);
        return;
      }
      bucketSources(backend, pos, plan.nb, positions, (starts, order) => {
        const code = indexPutShader(type, x!.dtype, accumulate, true);
        const buffers = [xb, starts, vb, ob, order].map((buffer) => ({ buffer }));
        backend.ctx.dispatch(code, params.toArray(), buffers, n);
      });
    });
  };
}

// ---------------------------------------------------------------------------------------------
// maskedFill

/** `maskedFill(x, mask, value)`: the 0-d value where the broadcast mask is set, else x. */
function maskedFillKernel(): Kernel {
  return elementwiseKernel(3, {
    expr: (c) => (c === 'f32' ? 'select(x, z, y != 0.0)' : 'select(x, z, y != 0)'),
  });
}

/**
 * Registers the indexing kernels on a WebGPU backend: `gather`, `scatter`, `scatterAdd`,
 * `indexSelect`, `index`, `indexPut` and `maskedFill`. (`nonzero`, and `maskedSelect` built on
 * it, have data-dependent output shapes, which need a synchronous read: CPU only.)
 * @example registerIndexingKernels(backend)
 */
export function registerIndexingKernels(backend: WebGPUBackend): void {
  const name = backend.name;
  registerKernel('gather', name, gatherKernel(backend));
  registerKernel('scatter', name, scatterKernel(backend, false));
  registerKernel('scatterAdd', name, scatterKernel(backend, true));
  registerKernel('index', name, indexKernel(backend));
  registerKernel('indexSelect', name, indexSelectKernel(backend));
  registerKernel('indexPut', name, indexPutKernel(backend));
  registerKernel('maskedFill', name, maskedFillKernel());
}
