import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { ENTRY, threadIndex } from '../context.js';
import { Params, STRIDED_INDEX, wgslType } from './layout.js';

/**
 * `assign(dst, src)`: writes `src` into `dst`'s elements in place, through `dst`'s strides (the
 * primitive behind every in-place op). WebGPU may not bind one buffer for reading and writing in
 * the same dispatch, so a source that shares the destination's buffer is copied out first.
 */
/** The shader, for operand layouts at words `srcBase` and `dstBase` of the parameters. */
function shader(type: string, srcBase: number, dstBase: number): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> src: array<${type}>;
@group(0) @binding(2) var<storage, read_write> dst: array<${type}>;
${STRIDED_INDEX}
${ENTRY} {
  ${threadIndex('p[0]')}
  dst[stridedIndex(i, ${dstBase}u)] = src[stridedIndex(i, ${srcBase}u)];
}`;
}

function assignKernel(backend: WebGPUBackend): Kernel {
  return ([dst, src]) => {
    const d = dst as Tensor;
    let s = src as Tensor;
    const n = d.numel();
    if (n === 0) return;
    if (s.storage.data === d.storage.data) s = s.clone();
    const params = new Params(n, d.shape);
    const srcBase = params.operand(s, d.shape);
    const dstBase = params.operand(d, d.shape);
    const code = shader(wgslType(d.dtype), srcBase, dstBase);
    const buffers = [
      { buffer: s.storage.data as GPUBuffer },
      { buffer: d.storage.data as GPUBuffer },
    ];
    backend.ctx.dispatch(code, params.toArray(), buffers, n);
  };
}

/**
 * Registers `assign` on a WebGPU backend.
 * @example registerAssignKernel(backend)
 */
export function registerAssignKernel(backend: WebGPUBackend): void {
  registerKernel('assign', backend.name, assignKernel(backend));
}
