import type { DType, Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { ENTRY, threadIndex } from '../context.js';
import {
  Block,
  bufferOf,
  copyTensor,
  fillZero,
  isNonOverlapping,
  product,
  WALK,
  withScratch,
} from './blocks.js';
import { bucketSources } from './buckets.js';
import { wgslType } from './layout.js';

/**
 * The scatter primitives behind views: `viewScatter` (zeros of `size` with the input added at a
 * strided layout: the VJP of every view, overlapping positions summed) and `asStridedScatter`
 * (a copy of the input with `src` written at a strided layout; where positions repeat, the last
 * in row-major order wins, as on the CPU). The layout is known on the host: a layout that
 * reaches each position at most once is written one thread per source element after the base
 * (zeros or the input's copy); an overlapping one runs one thread per output element, which
 * visits the source elements that land on it in order (all of them tested when there are few,
 * else grouped by destination first, see buckets.ts), so repeated positions are summed (or
 * overwritten) deterministically and in the CPU's order.
 */

interface Layout {
  shape: number[];
  strides: number[];
  offset: number;
}

/** Source values `v` combined into `acc`: added (viewScatter) or overwriting. */
function combine(dtype: DType, accumulate: boolean, acc: string, v: string): string {
  if (!accumulate) return v;
  return dtype === 'bool' ? `select(0u, 1u, ${acc} != 0u || ${v} != 0u)` : `${acc} + ${v}`;
}

/**
 * One thread per source element writes its position. Header slots: 1 layout rank, 2 layout
 * offset, 3 layout shape, 4 layout strides, 5 src rank, 6 src offset, 7 src shape, 8 src strides.
 */
function directShader(type: string, dtype: DType, accumulate: boolean): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> src: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  let at = u32(sat(2u) + walk(i, p[1], p[3], p[4]));
  let v = src[u32(sat(6u) + walk(i, p[5], p[7], p[8]))];
  let acc = ${accumulate ? `${type}(0)` : 'v'};
  out[at] = ${combine(dtype, accumulate, 'acc', 'v')};
}`;
}

/**
 * One thread per output element visits the sources that land on it: every source element,
 * tested (few sources), or its own, grouped by destination first (`bucketSources`). Further
 * header slots: 9 number of source elements, 10 lowest and 11 highest position the layout
 * reaches, and for the base copy (asStridedScatter) 12 input rank, 13 input offset, 14 input
 * shape, 15 input strides.
 */
function overlapShader(type: string, dtype: DType, accumulate: boolean, bucketed: boolean): string {
  const base = accumulate ? `${type}(0)` : 'x[u32(sat(13u) + walk(i, p[12], p[14], p[15]))]';
  const value = (c: string) => `src[u32(sat(6u) + walk(${c}, p[5], p[7], p[8]))]`;
  let visit: string;
  if (!bucketed) {
    visit = `if (i32(i) >= sat(10u) && i32(i) <= sat(11u)) {
    for (var c = 0u; c < p[9]; c++) {
      if (sat(2u) + walk(c, p[1], p[3], p[4]) == i32(i)) {
        let v = ${value('c')};
        acc = ${combine(dtype, accumulate, 'acc', 'v')};
      }
    }
  }`;
  } else if (accumulate) {
    visit = `for (var t = starts[i]; t < starts[i + 1u]; t++) {
    let v = ${value('order[t]')};
    acc = ${combine(dtype, accumulate, 'acc', 'v')};
  }`;
  } else {
    visit = `let hi = starts[i + 1u];
  if (hi > starts[i]) { acc = ${value('order[hi - 1u]')}; }`;
  }
  const lookup = bucketed
    ? `@group(0) @binding(3) var<storage, read> starts: array<u32>;
@group(0) @binding(4) var<storage, read> order: array<u32>;`
    : '';
  const x = accumulate
    ? ''
    : `@group(0) @binding(${bucketed ? 5 : 3}) var<storage, read> x: array<${type}>;`;
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> src: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
${lookup}
${x}
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  var acc = ${base};
  ${visit}
  out[i] = acc;
}`;
}

/** The output position of each source element of the layout (-1 outside [0, p[9])). */
const TARGETS = `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<i32>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  let at = sat(2u) + walk(i, p[1], p[3], p[4]);
  dst[i] = select(-1, at, at >= 0 && at < i32(p[9]));
}`;

/** Source elements up to which each output element of an overlapping layout tests them all. */
const TEST_ALL_MAX = 16;

function layoutBlock(n: number, layout: Layout, src: Tensor): Block {
  return new Block(n, 15)
    .set(1, layout.shape.length)
    .set(2, layout.offset)
    .array(3, layout.shape)
    .array(4, layout.strides)
    .set(5, src.shape.length)
    .set(6, src.offset)
    .array(7, src.shape)
    .array(8, src.strides);
}

/** Lowest and highest position of a non-empty layout. */
function span(layout: Layout): [number, number] {
  let lo = layout.offset;
  let hi = layout.offset;
  layout.shape.forEach((size, d) => {
    const step = (size - 1) * layout.strides[d]!;
    if (step < 0) lo += step;
    else hi += step;
  });
  return [lo, hi];
}

/** Writes `src` at `layout` of `out` (holding `base`: the input's copy, or zeros when null). */
function scatterLayout(
  backend: WebGPUBackend,
  src: Tensor,
  layout: Layout,
  base: Tensor | null,
  out: Tensor,
): void {
  const n = out.numel();
  if (n === 0) return;
  const dtype = out.dtype;
  const type = wgslType(dtype);
  const accumulate = base === null;
  const m = product(layout.shape);
  if (m === 0 || isNonOverlapping(layout.shape, layout.strides)) {
    if (base) copyTensor(backend, base, bufferOf(out));
    else fillZero(backend, dtype, bufferOf(out), n);
    if (m === 0) return;
    backend.ctx.dispatch(
      directShader(type, dtype, accumulate),
      layoutBlock(m, layout, src).toArray(),
      [{ buffer: bufferOf(src) }, { buffer: bufferOf(out) }],
      m,
    );
    return;
  }
  const [lo, hi] = span(layout);
  const params = layoutBlock(n, layout, src).set(9, m).set(10, lo).set(11, hi);
  if (base) {
    params
      .set(12, base.shape.length)
      .set(13, base.offset)
      .array(14, base.shape)
      .array(15, base.strides);
  }
  const buffers = [bufferOf(src), bufferOf(out)];
  const extra = base ? [bufferOf(base)] : [];
  if (m <= TEST_ALL_MAX) {
    backend.ctx.dispatch(
      overlapShader(type, dtype, accumulate, false),
      params.toArray(),
      [...buffers, ...extra].map((buffer) => ({ buffer })),
      n,
    );
    return;
  }
  withScratch(backend, m, (dst) => {
    const targets = layoutBlock(m, layout, src).set(9, n);
    backend.ctx.dispatch(TARGETS, targets.toArray(), [{ buffer: dst }], m);
    bucketSources(backend, dst, m, n, (starts, order) => {
      backend.ctx.dispatch(
        overlapShader(type, dtype, accumulate, true),
        params.toArray(),
        [...buffers, starts, order, ...extra].map((buffer) => ({ buffer })),
        n,
      );
    });
  });
}

function viewScatterKernel(backend: WebGPUBackend): Kernel<Layout & { size: number[] }> {
  return ([g], [out], { shape, strides, offset }) => {
    scatterLayout(backend, g!, { shape, strides, offset }, null, out!);
  };
}

function asStridedScatterKernel(backend: WebGPUBackend): Kernel<Layout> {
  return ([x, src], [out], { shape, strides, offset }) => {
    scatterLayout(backend, src!, { shape, strides, offset }, x!, out!);
  };
}

/**
 * Registers `viewScatter` and `asStridedScatter` on a WebGPU backend.
 * @example registerStridedScatterKernels(backend)
 */
export function registerStridedScatterKernels(backend: WebGPUBackend): void {
  registerKernel('viewScatter', backend.name, viewScatterKernel(backend));
  registerKernel('asStridedScatter', backend.name, asStridedScatterKernel(backend));
}
