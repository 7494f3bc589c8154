import type { Kernel, Tensor } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import type { WebGPUBackend } from '../backend.js';
import { WORKGROUP } from '../context.js';
import { wgslType } from './layout.js';
import { dispatchRows, frameSizes, layoutIn, rowFrame, rowParams, rowShader } from './rows.js';

/**
 * `max`/`min` along a dim (values and indices) and `argmax`/`argmin` (along a dim or over the
 * flattened input), with the CPU backend's (and PyTorch's) rules: NaN counts as the extreme and
 * the first NaN wins; among equal values the first index wins. Each row is a (value, index)
 * reduction: every thread keeps the best pair of its elements, then a tree in workgroup memory
 * combines the pairs. Since the winner is fixed by value and index alone, the order of the
 * combination does not matter. Integer inputs are compared as i32 (exactly), bool as 0/1.
 */

type Extreme = 'max' | 'min';

/** WGSL: whether the pair (b, ib) beats (a, ia). */
function better(kind: Extreme, c: 'f32' | 'i32'): string {
  const cmp = kind === 'max' ? '>' : '<';
  const plain = `return b ${cmp} a || (b == a && ib < ia);`;
  if (c === 'i32') return `fn better_(a: C, ia: u32, b: C, ib: u32) -> bool { ${plain} }`;
  return `fn better_(a: C, ia: u32, b: C, ib: u32) -> bool {
  let na = isnan_(a);
  let nb = isnan_(b);
  if (na || nb) { return nb && (!na || ib < ia); }
  ${plain}
}`;
}

/** WGSL initial value of a thread without elements (loses to every element by its index). */
function sentinel(kind: Extreme, c: 'f32' | 'i32'): string {
  if (c === 'i32') return kind === 'max' ? 'i32(-2147483648)' : 'i32(2147483647)';
  return kind === 'max' ? '-inf_()' : 'inf_()';
}

function shader(kind: Extreme, x: Tensor, outputs: readonly Tensor[], withValues: boolean): string {
  const c = x.dtype === 'float32' ? 'f32' : 'i32';
  const store = withValues
    ? `y0[o] = ${wgslType(outputs[0]!.dtype)}(rv_[0]);\n    y1[o] = i32(ri_[0]);`
    : 'y0[o] = i32(ri_[0]);';
  const extra = `alias C = ${c};
var<workgroup> rv_: array<C, ${WORKGROUP}>;
var<workgroup> ri_: array<u32, ${WORKGROUP}>;
${better(kind, c)}`;
  const body = `
  let base = rowAt(o, 0u);
  var a = ${sentinel(kind, c)};
  var ia = 0xffffffffu;
  for (var r = t; r < nRed; r += ${WORKGROUP}u) {
    let b = C(x0[u32(base + elemAt(r, 0u))]);
    if (better_(a, ia, b, r)) { a = b; ia = r; }
  }
  rv_[t] = a;
  ri_[t] = ia;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s = s >> 1u) {
    if (t < s && better_(rv_[t], ri_[t], rv_[t + s], ri_[t + s])) {
      rv_[t] = rv_[t + s];
      ri_[t] = ri_[t + s];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    ${store}
  }`;
  return rowShader([x], outputs, 0, body, extra);
}

/** The reduced dims: `dim`, none for a 0-d input, every dim when `dim` is absent. */
function reducedDims(x: Tensor, dim: number | undefined): number[] {
  if (dim === undefined) return x.shape.map((_, d) => d);
  return x.shape.length === 0 ? [] : [dim];
}

function selectKernel(kind: Extreme, withValues: boolean): Kernel<{ dim?: number }> {
  return ([input], outputs, { dim }) => {
    const x = input!;
    const frame = rowFrame(x.shape, reducedDims(x, dim));
    const { rows } = frameSizes(frame);
    if (rows === 0) return;
    const code = shader(kind, x, outputs, withValues);
    const params = rowParams(frame, [layoutIn(x, x.shape)]);
    dispatchRows(code, params, [x, ...outputs], rows);
  };
}

/**
 * Registers `max`, `min` (values and indices along a dim), `argmax` and `argmin` on a WebGPU
 * backend.
 * @example registerSelectKernels(backend)
 */
export function registerSelectKernels(backend: WebGPUBackend): void {
  registerKernel('max', backend.name, selectKernel('max', true));
  registerKernel('min', backend.name, selectKernel('min', true));
  registerKernel('argmax', backend.name, selectKernel('max', false));
  registerKernel('argmin', backend.name, selectKernel('min', false));
}
