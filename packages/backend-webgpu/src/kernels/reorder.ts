import type { Kernel } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { ENTRY, threadIndex } from '../context.js';
import { Block, bufferOf, copyRegion, WALK } from './blocks.js';
import { wgslType } from './layout.js';

/** `flip`: a strided copy through the input's layout with the flipped dims' strides negated. */
function flipKernel(backend: WebGPUBackend): Kernel<{ dims: number[] }> {
  return ([x], [out], { dims }) => {
    const t = x!;
    if (t.numel() === 0) return;
    const strides = t.strides.slice();
    let offset = t.offset;
    for (const d of dims) {
      offset += (t.shape[d]! - 1) * strides[d]!;
      strides[d] = -strides[d]!;
    }
    copyRegion(backend, t.dtype, bufferOf(t), { shape: t.shape, strides, offset }, bufferOf(out!));
  };
}

/**
 * tril/triu over the last two dims: element (.., i, j) is kept where `j - i <= diagonal` (lower)
 * or `j - i >= diagonal` (upper), else 0. Header slots: 1 rank, 2 offset, 3 shape, 4 strides,
 * 5 diagonal (i32), 6 rows, 7 cols.
 */
function triShader(type: string, upper: boolean): string {
  const keep = upper ? 'j - r >= sat(5u)' : 'j - r <= sat(5u)';
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  let cols = p[7];
  let j = i32(i % cols);
  let r = i32((i / cols) % p[6]);
  if (${keep}) {
    out[i] = x[u32(sat(2u) + walk(i, p[1], p[3], p[4]))];
  } else {
    out[i] = ${type}(0);
  }
}`;
}

function triKernel(backend: WebGPUBackend, upper: boolean): Kernel<{ diagonal: number }> {
  return ([x], [out], { diagonal }) => {
    const t = x!;
    const n = t.numel();
    if (n === 0) return;
    const rank = t.shape.length;
    // Diagonals past either side keep all or nothing; clamping keeps them in i32.
    const diag = Math.max(-(2 ** 30), Math.min(2 ** 30, diagonal));
    const params = new Block(n, 7)
      .set(1, rank)
      .set(2, t.offset)
      .array(3, t.shape)
      .array(4, t.strides)
      .set(5, diag)
      .set(6, t.shape[rank - 2]!)
      .set(7, t.shape[rank - 1]!);
    backend.ctx.dispatch(
      triShader(wgslType(t.dtype), upper),
      params.toArray(),
      [{ buffer: bufferOf(t) }, { buffer: bufferOf(out!) }],
      n,
    );
  };
}

/**
 * Registers the reordering kernels (`flip`, `tril`, `triu`) on a WebGPU backend; `roll` and
 * `repeat` decompose into views, `cat` and copies.
 * @example registerReorderKernels(backend)
 */
export function registerReorderKernels(backend: WebGPUBackend): void {
  registerKernel('flip', backend.name, flipKernel(backend));
  registerKernel('tril', backend.name, triKernel(backend, false));
  registerKernel('triu', backend.name, triKernel(backend, true));
}
