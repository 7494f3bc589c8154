import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { registerKernel } from '@autodag/core';
import { forEachRow, gatherLayout } from '../strided.js';
import { binaryKernel } from './compile.js';

/**
 * Reductions: the reduced dims are permuted to the end and gathered densely, so each output
 * element reduces one contiguous run of `inner` values. Accumulation is in float64 (JS numbers),
 * so float32 sums are exact where float64 is, e.g. ten times 1.125 is exactly 11.25.
 * Returns the values of `x` with the kept dims first and `dims` last, as `outer` runs of `inner`
 * values (a subarray of the storage when `x` is contiguous and already in that order).
 * @example reductionLayout(torch.ones(2, 3), [0]) // { values, outer: 3, inner: 2 }
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
 * @example registerKernel('prod', backend, rowKernel(prodRow))
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

/**
 * Sums `x` over `dims` into a float64 array of the output's size without first gathering the
 * input: each input row is added into the output row it maps to (stride 0 along reduced dims).
 * This is the fast path for reducing leading dims of contiguous tensors (e.g. bias gradients).
 */
function accumulateSum(x: Tensor, dims: readonly number[]): Float64Array {
  const shape = x.shape;
  const outStrides = new Array<number>(shape.length).fill(0);
  let size = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (dims.includes(d)) continue;
    outStrides[d] = size;
    size *= shape[d]!;
  }
  const acc = new Float64Array(size);
  if (x.numel() === 0) return acc;
  const src = x.storage.data as TypedArray;
  const last = shape.length - 1;
  const len = shape[last]!;
  const sx = x.strides[last]!;
  const so = outStrides[last]!;
  forEachRow(shape, [x.strides, outStrides], [x.offset, 0], (offs) => {
    let s = offs[0]!;
    const o = offs[1]!;
    if (so === 0) {
      let t = 0;
      for (let i = 0; i < len; i++, s += sx) t += src[s]!;
      acc[o]! += t;
    } else {
      for (let i = 0; i < len; i++, s += sx) acc[o + i]! += src[s]!;
    }
  });
  return acc;
}

/** True when the reduction would need a gathered copy: use `accumulateSum` instead. */
function needsGather(x: Tensor, dims: readonly number[]): boolean {
  if (!x.isContiguous()) return true;
  const nd = x.shape.length;
  for (let i = 0; i < dims.length; i++) if (dims[i] !== nd - dims.length + i) return true;
  return false;
}

/** sum/mean: contiguous trailing reductions run rows; any other layout accumulates in place. */
function additiveKernel(divide: boolean): Kernel<{ dims?: number[] }> {
  const rows = rowKernel(divide ? meanRow : sumRow);
  return (inputs, outputs, attrs) => {
    const x = inputs[0]!;
    const dims = attrs.dims ?? everyDim(x);
    if (x.shape.length === 0 || !needsGather(x, dims)) return rows(inputs, outputs, attrs);
    const acc = accumulateSum(x, dims);
    const o = outputs[0]!.storage.data as TypedArray;
    let n = 1;
    for (const d of dims) n *= x.shape[d]!;
    for (let i = 0; i < acc.length; i++) o[i] = divide ? acc[i]! / n : acc[i]!;
  };
}

const prodRow: RowReducer<unknown> = (v, base, n) => {
  let p = 1;
  for (let i = base, end = base + n; i < end; i++) p *= v[i]!;
  return p;
};

function meanRow(v: TypedArray, base: number, n: number): number {
  return sumRow(v, base, n, null) / n;
}

/** Two-pass variance (mean first), so constant inputs give exactly 0. */
const varRow: RowReducer<{ correction: number }> = (v, base, n, { correction }) => {
  const m = meanRow(v, base, n);
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

/**
 * Registers the reduction kernels (`sum`, `mean`, `prod`, `var`, `std`, `logsumexp`, `norm`,
 * `all`, `any`, the whole-tensor `sumAll`, `meanAll`, `prodAll`, and `compareMask`) on `backend`.
 * @example registerReduceKernels('cpu-poison')
 */
export function registerReduceKernels(backend: string): void {
  const pairs: [string, RowReducer<never>][] = [
    ['prod', prodRow],
    ['var', varRow],
    ['std', stdRow],
    ['logsumexp', logsumexpRow],
    ['norm', normRow],
    ['all', allRow],
    ['any', anyRow],
  ];
  for (const [name, row] of pairs) registerKernel(name, backend, rowKernel(row));
  registerKernel('sum', backend, additiveKernel(false));
  registerKernel('mean', backend, additiveKernel(true));
  registerKernel('sumAll', backend, additiveKernel(false));
  registerKernel('meanAll', backend, additiveKernel(true));
  registerKernel('prodAll', backend, rowKernel(prodRow));
  registerKernel('compareMask', backend, compareMaskKernel);
}
