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
} from './blocks.js';
import { wgslType } from './layout.js';

/**
 * The scatter primitives behind views: `viewScatter` (zeros of `size` with the input added at a
 * strided layout: the VJP of every view, overlapping positions summed) and `asStridedScatter`
 * (a copy of the input with `src` written at a strided layout; where positions repeat, the last
 * in row-major order wins, as on the CPU). The layout is known on the host: a layout that
 * reaches each position at most once is written one thread per source element after the base
 * (zeros or the input's copy); an overlapping one runs one thread per output element, which
 * walks the source elements in order, so repeated positions are summed (or overwritten)
 * deterministically and in the CPU's order.
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
 * One thread per output element walks every source element. Further header slots: 9 number of
 * source elements, 10 lowest and 11 highest position the layout reaches, and for the base copy
 * (asStridedScatter) 12 input rank, 13 input offset, 14 input shape, 15 input strides.
 */
function overlapShader(type: string, dtype: DType, accumulate: boolean): string {
  const base = accumulate ? `${type}(0)` : 'x[u32(sat(13u) + walk(i, p[12], p[14], p[15]))]';
  const xDecl = accumulate ? '' : `@group(0) @binding(3) var<storage, read> x: array<${type}>;`;
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> src: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
${xDecl}
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  var acc = ${base};
  if (i32(i) >= sat(10u) && i32(i) <= sat(11u)) {
    for (var c = 0u; c < p[9]; c++) {
      if (sat(2u) + walk(c, p[1], p[3], p[4]) == i32(i)) {
        let v = src[u32(sat(6u) + walk(c, p[5], p[7], p[8]))];
        acc = ${combine(dtype, accumulate, 'acc', 'v')};
      }
    }
  }
  out[i] = acc;
}`;
}

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
  const buffers = [{ buffer: bufferOf(src) }, { buffer: bufferOf(out) }];
  if (base) {
    params
      .set(12, base.shape.length)
      .set(13, base.offset)
      .array(14, base.shape)
      .array(15, base.strides);
    buffers.push({ buffer: bufferOf(base) });
  }
  backend.ctx.dispatch(overlapShader(type, dtype, accumulate), params.toArray(), buffers, n);
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
