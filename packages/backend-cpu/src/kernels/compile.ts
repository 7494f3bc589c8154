import type { Kernel, Tensor, TypedArray } from '@autodag/core';
import { denseData, forEachRow, stridesFor } from '../strided.js';

/**
 * Builds elementwise loops from a scalar expression. Each op gets its own generated function, so
 * V8 specialises (and inlines the arithmetic of) every loop separately: a shared loop calling a
 * function argument would turn megamorphic after a few ops and run several times slower. Where
 * code generation is forbidden (a strict Content-Security-Policy), plain closures are used.
 */

type Loops = {
  same: (o: TypedArray, a: TypedArray, ao: number, b: TypedArray, bo: number, n: number) => void;
  row: (
    o: TypedArray,
    k: number,
    a: TypedArray,
    pa: number,
    ia: number,
    b: TypedArray,
    pb: number,
    ib: number,
    n: number,
  ) => void;
};

function generate(expr: string): Loops | null {
  try {
    const same = new Function(
      'o',
      'A',
      'ao',
      'B',
      'bo',
      'n',
      `for (let i = 0; i < n; i++) { const x = A[ao + i], y = B[bo + i]; o[i] = ${expr}; }`,
    ) as Loops['same'];
    const row = new Function(
      'o',
      'k',
      'A',
      'pa',
      'ia',
      'B',
      'pb',
      'ib',
      'n',
      `for (let i = 0; i < n; i++, pa += ia, pb += ib) { const x = A[pa], y = B[pb]; o[k + i] = ${expr}; }`,
    ) as Loops['row'];
    return { same, row };
  } catch {
    return null;
  }
}

function closures(f: (x: number, y: number) => number): Loops {
  return {
    same: (o, A, ao, B, bo, n) => {
      for (let i = 0; i < n; i++) o[i] = f(A[ao + i]!, B[bo + i]!);
    },
    row: (o, k, A, pa, ia, B, pb, ib, n) => {
      for (let i = 0; i < n; i++, pa += ia, pb += ib) o[k + i] = f(A[pa]!, B[pb]!);
    },
  };
}

/**
 * A broadcasting, strided binary kernel for `expr` over `x` and `y`
 * (e.g. `'x + y'`); `fallback` computes the same when code generation is unavailable.
 */
export function binaryKernel(expr: string, fallback: (x: number, y: number) => number): Kernel {
  const loops = generate(expr) ?? closures(fallback);
  return (inputs: readonly Tensor[], outputs: readonly Tensor[]) => {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const out = outputs[0]!;
    const o = out.storage.data as TypedArray;
    const n = o.length;
    if (n === 0) return;
    const ad = a.storage.data as TypedArray;
    const bd = b.storage.data as TypedArray;
    const aFull = a.numel() === n && a.isContiguous();
    const bFull = b.numel() === n && b.isContiguous();
    if (aFull && bFull) {
      loops.same(o, ad, a.offset, bd, b.offset, n);
      return;
    }
    if (aFull && b.numel() === 1) {
      loops.row(o, 0, ad, a.offset, 1, bd, b.offset, 0, n);
      return;
    }
    if (bFull && a.numel() === 1) {
      loops.row(o, 0, ad, a.offset, 0, bd, b.offset, 1, n);
      return;
    }
    const shape = out.shape;
    const sa = stridesFor(a, shape);
    const sb = stridesFor(b, shape);
    const last = shape.length - 1;
    const len = shape[last]!;
    const ia = sa[last]!;
    const ib = sb[last]!;
    let k = 0;
    forEachRow(shape, [sa, sb], [a.offset, b.offset], (offs) => {
      loops.row(o, k, ad, offs[0]!, ia, bd, offs[1]!, ib, len);
      k += len;
    });
  };
}

/** A strided unary kernel for `expr` over `x` (e.g. `'Math.exp(x)'`). */
export function unaryKernel(expr: string, fallback: (x: number) => number): Kernel {
  let loop: (o: TypedArray, X: TypedArray, n: number) => void;
  try {
    loop = new Function(
      'o',
      'X',
      'n',
      `for (let i = 0; i < n; i++) { const x = X[i]; o[i] = ${expr}; }`,
    ) as typeof loop;
  } catch {
    loop = (o, X, n) => {
      for (let i = 0; i < n; i++) o[i] = fallback(X[i]!);
    };
  }
  return (inputs: readonly Tensor[], outputs: readonly Tensor[]) => {
    const o = outputs[0]!.storage.data as TypedArray;
    loop(o, denseData(inputs[0]!), o.length);
  };
}
