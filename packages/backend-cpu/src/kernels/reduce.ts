import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { gatherLayout } from '../strided.js';
import { binaryKernel } from './compile.js';

/**
 * Reductions: the reduced dims are permuted to the end and gathered densely, so each output
 * element reduces one contiguous run of `inner` values. Accumulation is in float64 (JS numbers),
 * so float32 sums are exact where float64 is, e.g. ten times 1.125 is exactly 11.25.
 */
export function reductionLayout(
  x: Tensor,
  dims: readonly number[],
): { values: TypedArray; outer: number; inner: number } {
  const kept: number[] = [];
  for (let i = 0; i < x.shape.length; i++) if (!dims.includes(i)) kept.push(i);
  const order = [...kept, ...dims];
  let inner = 1;
  for (const d of dims) inner *= x.shape[d]!;
  const n = x.numel();
  const outer = inner === 0 ? kept.reduce((p, d) => p * x.shape[d]!, 1) : n / inner;
  const src = x.storage.data as TypedArray;
  const isIdentity = order.every((d, i) => d === i);
  if (isIdentity && x.isContiguous()) {
    return { values: src.subarray(x.offset, x.offset + n), outer, inner };
  }
  const permuted = {
    shape: order.map((d) => x.shape[d]!),
    strides: order.map((d) => x.strides[d]!),
    offset: x.offset,
  };
  const values = new (src.constructor as new (n: number) => TypedArray)(n);
  if (n > 0) gatherLayout(src, permuted, values);
  return { values, outer, inner };
}

/** Reduces `values[base .. base + n)` to one number. */
type RowReducer<A> = (values: TypedArray, base: number, n: number, attrs: A) => number;

/** Every dim of `x`: the dims of the full-reduction ops, which take no attributes. */
function everyDim(x: Tensor): number[] {
  return x.shape.map((_, i) => i);
}

/**
 * A kernel applying `row` to each reduced run. `dims` absent means all dims (full reductions).
 * One call per output element; the per-element loops live inside each `row` function.
 */
export function rowKernel<A extends { dims?: number[] }>(row: RowReducer<A>): Kernel<A> {
  return ([x], [out], attrs) => {
    const { values, outer, inner } = reductionLayout(x!, attrs.dims ?? everyDim(x!));
    const o = out!.storage.data as TypedArray;
    for (let r = 0; r < outer; r++) o[r] = row(values, r * inner, inner, attrs);
  };
}

const sumRow: RowReducer<unknown> = (v, base, n) => {
  let s = 0;
  for (let i = base, end = base + n; i < end; i++) s += v[i]!;
  return s;
};

const meanRow: RowReducer<unknown> = (v, base, n) => sumRow(v, base, n, null) / n;

const prodRow: RowReducer<unknown> = (v, base, n) => {
  let p = 1;
  for (let i = base, end = base + n; i < end; i++) p *= v[i]!;
  return p;
};

/** Two-pass variance (mean first), so constant inputs give exactly 0. */
const varRow: RowReducer<{ correction: number }> = (v, base, n, { correction }) => {
  const m = meanRow(v, base, n, null);
  let ss = 0;
  for (let i = base, end = base + n; i < end; i++) {
    const d = v[i]! - m;
    ss += d * d;
  }
  return ss / Math.max(0, n - correction);
};

const stdRow: RowReducer<{ correction: number }> = (v, base, n, a) =>
  Math.sqrt(varRow(v, base, n, a));

/** max + log(sum(exp(x - max))); an infinite max is replaced by 0 as PyTorch does. */
const logsumexpRow: RowReducer<unknown> = (v, base, n) => {
  const end = base + n;
  let m = Number.NEGATIVE_INFINITY;
  for (let i = base; i < end; i++) if (v[i]! > m) m = v[i]!;
  if (m === Number.POSITIVE_INFINITY || m === Number.NEGATIVE_INFINITY) m = 0;
  let s = 0;
  for (let i = base; i < end; i++) s += Math.exp(v[i]! - m);
  return Math.log(s) + m;
};

const normRow: RowReducer<{ p: number }> = (v, base, n, { p }) => {
  const end = base + n;
  if (p === 2) {
    let s = 0;
    for (let i = base; i < end; i++) s += v[i]! * v[i]!;
    return Math.sqrt(s);
  }
  if (p === 1) {
    let s = 0;
    for (let i = base; i < end; i++) s += Math.abs(v[i]!);
    return s;
  }
  if (p === Number.POSITIVE_INFINITY) {
    let m = 0;
    for (let i = base; i < end; i++) {
      const a = Math.abs(v[i]!);
      if (a > m || Number.isNaN(a)) m = a;
      if (Number.isNaN(m)) break;
    }
    return m;
  }
  if (p === Number.NEGATIVE_INFINITY) {
    let m = Number.POSITIVE_INFINITY;
    for (let i = base; i < end; i++) {
      const a = Math.abs(v[i]!);
      if (a < m || Number.isNaN(a)) m = a;
      if (Number.isNaN(m)) break;
    }
    return n === 0 ? 0 : m;
  }
  if (p === 0) {
    let c = 0;
    for (let i = base; i < end; i++) if (v[i] !== 0) c++;
    return c;
  }
  let s = 0;
  for (let i = base; i < end; i++) s += Math.abs(v[i]!) ** p;
  return s ** (1 / p);
};

const allRow: RowReducer<unknown> = (v, base, n) => {
  for (let i = base, end = base + n; i < end; i++) if (v[i] === 0) return 0;
  return 1;
};

const anyRow: RowReducer<unknown> = (v, base, n) => {
  for (let i = base, end = base + n; i < end; i++) if (v[i] !== 0) return 1;
  return 0;
};

const COMPARE = {
  eq: binaryKernel('x === y ? 1 : 0', (x, y) => (x === y ? 1 : 0)),
  gt: binaryKernel('x > y ? 1 : 0', (x, y) => (x > y ? 1 : 0)),
  lt: binaryKernel('x < y ? 1 : 0', (x, y) => (x < y ? 1 : 0)),
};

const compareMaskKernel: Kernel<{ cmp: keyof typeof COMPARE }> = (inputs, outputs, { cmp }) =>
  COMPARE[cmp](inputs, outputs, {});

/** Registers the reduction kernels on `backend`. */
export function registerReduceKernels(backend: string): void {
  const pairs: [string, RowReducer<never>][] = [
    ['sum', sumRow],
    ['mean', meanRow],
    ['prod', prodRow],
    ['var', varRow],
    ['std', stdRow],
    ['logsumexp', logsumexpRow],
    ['norm', normRow],
    ['all', allRow],
    ['any', anyRow],
  ];
  for (const [name, row] of pairs) registerKernel(name, backend, rowKernel(row));
  registerKernel('sumAll', backend, rowKernel(sumRow));
  registerKernel('meanAll', backend, rowKernel(meanRow));
  registerKernel('prodAll', backend, rowKernel(prodRow));
  registerKernel('compareMask', backend, compareMaskKernel);
}
