import type { DType, Tensor } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { ENTRY, threadIndex } from '../context.js';
import { WALK_FN, wgslType } from './layout.js';

/**
 * Shared pieces of the indexing, join, reorder and scan kernels: a parameter block whose header
 * holds scalars and the word positions of arrays (so a shader reads `p[p[SLOT] + d]` and one
 * compiled pipeline serves every rank), the WGSL that walks a linear index through a shape and
 * strides, strided copies and fills, and scratch buffers.
 */

/** A parameter block: `[n, header words..., arrays...]`, read as `p: array<u32>` at binding 0. */
export class Block {
  private readonly head: number[];
  private readonly body: number[] = [];

  /** `n` (the thread count, word 0) and `slots` header words after it (1..slots). */
  constructor(
    n: number,
    private readonly slots: number,
  ) {
    this.head = [n, ...new Array<number>(slots).fill(0)];
  }

  /** Sets header word `slot` to an integer (negative values as two's complement). */
  set(slot: number, value: number): this {
    this.head[slot] = value >>> 0;
    return this;
  }

  /** Appends `values` (integers) and stores their starting word in header word `slot`. */
  array(slot: number, values: readonly number[]): this {
    this.head[slot] = 1 + this.slots + this.body.length;
    for (const v of values) this.body.push(v >>> 0);
    return this;
  }

  toArray(): Uint32Array {
    return Uint32Array.from([...this.head, ...this.body]);
  }
}

/**
 * WGSL helpers over the parameter block `p`: `walk` (layout.ts's `WALK_FN`) and `sat`, which
 * reads a signed word.
 */
export const WALK = `
fn sat(k: u32) -> i32 { return bitcast<i32>(p[k]); }
${WALK_FN}`;

/** The storage buffer of a tensor. */
export function bufferOf(t: Tensor): GPUBuffer {
  return t.storage.data as GPUBuffer;
}

/** Shape and strides with a 0-d tensor read as one element of shape [1]. */
export function atLeast1d(t: Tensor): { shape: number[]; strides: number[] } {
  if (t.shape.length === 0) return { shape: [1], strides: [0] };
  return { shape: t.shape.slice(), strides: t.strides.slice() };
}

export function product(shape: readonly number[], from = 0, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}

/** A strided region of a buffer: `offset + Σ index[d]·strides[d]`. */
export interface Region {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

function copyShader(type: string): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> src: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  out[i] = src[u32(sat(2u) + walk(i, p[1], p[3], p[4]))];
}`;
}

/**
 * Records a dense copy of `region` of `src` (a buffer of `dtype` words) into `out` from
 * element 0: the strided gather behind `flip` and the base of the scatter ops.
 */
export function copyRegion(
  backend: WebGPUBackend,
  dtype: DType,
  src: GPUBuffer,
  region: Region,
  out: GPUBuffer,
): void {
  const n = product(region.shape);
  if (n === 0) return;
  const params = new Block(n, 4)
    .set(1, region.shape.length)
    .set(2, region.offset)
    .array(3, region.shape)
    .array(4, region.strides);
  backend.ctx.dispatch(
    copyShader(wgslType(dtype)),
    params.toArray(),
    [{ buffer: src }, { buffer: out }],
    n,
  );
}

/** Records a dense copy of tensor `t` (any layout) into `out`. */
export function copyTensor(backend: WebGPUBackend, t: Tensor, out: GPUBuffer): void {
  copyRegion(backend, t.dtype, bufferOf(t), t, out);
}

/** Records `out[0..n) = 0`. */
export function fillZero(backend: WebGPUBackend, dtype: DType, out: GPUBuffer, n: number): void {
  const type = wgslType(dtype);
  const code = `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
${ENTRY} {
  ${threadIndex('p[0]')}
  out[i] = ${type}(0);
}`;
  backend.ctx.dispatch(code, [n], [{ buffer: out }], n);
}

/**
 * Whether the layout addresses each element at most once (sufficient test: with dims sorted by
 * |stride|, each stride exceeds the span of the smaller ones). Empty layouts do not overlap.
 */
export function isNonOverlapping(shape: readonly number[], strides: readonly number[]): boolean {
  if (shape.some((s) => s === 0)) return true;
  const dims = shape
    .map((size, d) => ({ size, stride: Math.abs(strides[d]!) }))
    .filter((d) => d.size > 1)
    .sort((a, b) => a.stride - b.stride);
  let span = 0;
  for (const { size, stride } of dims) {
    if (stride <= span) return false;
    span += stride * (size - 1);
  }
  return true;
}

/**
 * A scratch buffer of `words` 32-bit words for the commands recorded by `use`, returned to the
 * pool right after: later commands that reuse it run after these in queue order.
 */
export function withScratch(backend: WebGPUBackend, words: number, use: (b: GPUBuffer) => void) {
  const buffer = backend.pool.take(Math.max(4, words * 4));
  try {
    use(buffer);
  } finally {
    backend.pool.give(buffer);
  }
}
