import type { Kernel } from '@autodag/core';
import { normalizeDim, registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { ENTRY, threadIndex } from '../context.js';
import { Block, bufferOf, product, WALK } from './blocks.js';
import { wgslType } from './layout.js';

/**
 * `cat`: one dispatch per non-empty input, each thread copying one input element (read through
 * the input's strides) to its place in the output. With `outer` the product of the dims before
 * `dim`, input element i = (r, rest) with rest < rowIn lands at r·rowOut + start + rest.
 * Header slots: 1 rank, 2 input offset, 3 shape, 4 strides, 5 rowIn, 6 rowOut, 7 start.
 */
function catShader(type: string): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> src: array<${type}>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
${WALK}
${ENTRY} {
  ${threadIndex('p[0]')}
  let row = p[5];
  out[(i / row) * p[6] + p[7] + i % row] = src[u32(sat(2u) + walk(i, p[1], p[3], p[4]))];
}`;
}

function catKernel(backend: WebGPUBackend): Kernel<{ dim: number }> {
  return (inputs, [out], { dim }) => {
    if (out!.numel() === 0) return;
    const d = normalizeDim(dim, out!.shape.length, 'cat');
    const outer = product(out!.shape, 0, d);
    const rowOut = out!.numel() / outer;
    const code = catShader(wgslType(out!.dtype));
    let start = 0;
    for (const t of inputs) {
      const n = t.numel();
      if (n === 0) continue;
      const rowIn = n / outer;
      const params = new Block(n, 7)
        .set(1, t.shape.length)
        .set(2, t.offset)
        .array(3, t.shape)
        .array(4, t.strides)
        .set(5, rowIn)
        .set(6, rowOut)
        .set(7, start);
      backend.ctx.dispatch(
        code,
        params.toArray(),
        [{ buffer: bufferOf(t) }, { buffer: bufferOf(out!) }],
        n,
      );
      start += rowIn;
    }
  };
}

/**
 * Registers the join kernels (`cat`; `stack` decomposes into it) on a WebGPU backend.
 * @example registerJoinKernels(backend)
 */
export function registerJoinKernels(backend: WebGPUBackend): void {
  registerKernel('cat', backend.name, catKernel(backend));
}
