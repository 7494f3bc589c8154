import type { DType, Kernel, Tensor, TypedArray } from '@autodag/core';
import { forEachRow, stridesFor } from '../strided.js';

/**
 * Builds elementwise loops from a scalar expression. Each op gets its own generated function per
 * dtype signature (input dtypes and output dtype), so V8 specialises (and inlines the arithmetic
 * of) every loop separately: a shared loop calling a function argument would turn megamorphic
 * after a few ops and run several times slower. Where code generation is forbidden (a strict
 * Content-Security-Policy), or turned off with `setCodegen(false)`, plain closures are used.
 *
 * Expressions see the operands as `x`, `y`, `z` (in argument order), the op's scalar attributes
 * as `p0`, `p1` (see `ElementwiseSpec.params`) and the helper functions of `HELPERS` as `h.*`.
 */

/**
 * A scalar function equivalent to an expression, used where code generation is unavailable.
 * @example const hypot: ScalarFn = (x, y) => Math.sqrt(x * x + y * y)
 */
export type ScalarFn = (...values: number[]) => number;

/**
 * How to compute one elementwise op.
 * @example const scaledAdd: ElementwiseSpec<{ alpha: number }> = { expr: 'x + p0 * y', fallback: (x, y, a) => x + a * y, params: (a) => [a.alpha] }
 */
export interface ElementwiseSpec<A = Record<string, unknown>> {
  /** Expression over `x`, `y`, `z`, `p0`, `p1` and `h.*`, e.g. `'x + y'`. */
  readonly expr: string;
  /** Same as `expr`, for closures: takes the operands, then the params. */
  readonly fallback: ScalarFn;
  /** Replaces `expr` when the output is int32 (e.g. integer division by zero must throw). */
  readonly intExpr?: string;
  /** Same as `intExpr`, for closures (default `fallback`). */
  readonly intFallback?: ScalarFn;
  /**
   * Replaces `expr` when the output and every operand are float32 and dense: the operands are
   * then their IEEE-754 bit patterns as int32 and the result is the output's bit pattern. Sign,
   * zero and NaN rules become integer comparisons with no data-dependent branch and no float
   * conversion (relu: about twice as fast as the float form). Only used with code generation.
   */
  readonly float32Bits?: string;
  /** Whether the expression already yields 0/1; otherwise bool outputs store `expr !== 0`. */
  readonly predicate?: boolean;
  /** Scalars taken from the op's attributes once per call, visible as `p0`, `p1`. */
  params?(attrs: A): readonly number[];
}

/**
 * Scalar helpers elementwise expressions may call as `h.name(...)`.
 * @example elementwiseKernel(2, { expr: 'h.remainder(x, y)', fallback: HELPERS.remainder })
 */
export const HELPERS = {
  /** Rounds half to even, like PyTorch's `round` (`nearbyint`). */
  roundHalfEven(x: number): number {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  /** C's `pow`: `1 ** y` and `(-1) ** ±inf` are 1 even for NaN/infinite exponents. */
  pow(x: number, y: number): number {
    if (x === 1 || y === 0) return 1;
    if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
    return x ** y;
  },
  /** `x ** p` with PyTorch's special cases for common exponents (the same as the generated loop). */
  powScalar(x: number, p: number): number {
    if (p === 2) return x * x;
    if (p === 0.5) return Math.sqrt(x);
    if (p === 3) return x * x * x;
    if (p === -1) return 1 / x;
    if (p === -0.5) return 1 / Math.sqrt(x);
    if (p === -2) return 1 / (x * x);
    return HELPERS.pow(x, p);
  },
  /** int32 `x ** y` wrapping modulo 2³² (squaring with `Math.imul`); negative `y` gives 0 unless `x` is ±1. */
  intPow(x: number, y: number): number {
    if (y < 0) return x === 1 ? 1 : x === -1 ? (y % 2 === 0 ? 1 : -1) : 0;
    let r = 1;
    for (; y > 0; y = Math.floor(y / 2)) {
      if (y % 2 === 1) r = Math.imul(r, x);
      x = Math.imul(x, x);
    }
    return r;
  },
  /** Floor division of floats as PyTorch computes it (exact near integers, signed zeros). */
  floorDiv(a: number, b: number): number {
    if (b === 0) return a / b;
    const mod = a % b;
    let div = (a - mod) / b;
    if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
    if (div === 0) return 0 * (a / b);
    let floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
    return floordiv;
  },
  /** Python-style modulus: the result takes the sign of the divisor. */
  remainder(a: number, b: number): number {
    let mod = a % b;
    if (mod !== 0 && b < 0 !== mod < 0) mod += b;
    return mod;
  },
  /** Integer floor division; division by zero throws as in PyTorch. */
  intFloorDiv(a: number, b: number): number {
    if (b === 0) throw new RangeError('ZeroDivisionError: integer division by zero');
    return Math.floor(a / b);
  },
  /** Integer truncating division. */
  intTruncDiv(a: number, b: number): number {
    if (b === 0) throw new RangeError('ZeroDivisionError: integer division by zero');
    return Math.trunc(a / b);
  },
  /** Integer Python-style modulus. */
  intRemainder(a: number, b: number): number {
    if (b === 0) throw new RangeError('ZeroDivisionError: integer modulo by zero');
    const mod = a % b;
    return mod !== 0 && b < 0 !== mod < 0 ? mod + b : mod;
  },
  /** Integer C-style modulus (sign of the dividend). */
  intFmod(a: number, b: number): number {
    if (b === 0) throw new RangeError('ZeroDivisionError: integer modulo by zero');
    return a % b;
  },
};

const OPERAND_NAMES = ['x', 'y', 'z'];
/** Elements per step of the generated dense loops. */
const UNROLL = 8;

let codegen = true;

/**
 * Turns generated loops on or off (off: closures, as under a strict Content-Security-Policy).
 * Kernels built afterwards, and signatures not yet specialised, follow the setting.
 * @example setCodegen(false) // exercise the closure path in tests
 */
export function setCodegen(enabled: boolean): void {
  codegen = enabled;
}

/** `(o, n, X0, o0, X1, o1, ..., h, p0, p1)`: every operand dense and of the output's size. */
type DenseLoop = (...args: unknown[]) => void;
/** `(o, k, n, X0, q0, s0, X1, q1, s1, ..., h, p0, p1)`: one strided row written to `o[k..k+n)`. */
type RowLoop = (...args: unknown[]) => void;

interface Loops {
  dense: DenseLoop;
  row: RowLoop;
}

function generateLoops(arity: number, expr: string): Loops | null {
  const names = OPERAND_NAMES.slice(0, arity);
  const arrays = names.map((_, j) => `X${j}`);
  try {
    const denseParams = ['o', 'n', ...names.flatMap((_, j) => [`X${j}`, `o${j}`]), 'h', 'p0', 'p1'];
    // Operands are read through views starting at element 0 (whole arrays when they already
    // do), and the loop is unrolled 8 times: V8 then checks bounds and steps the loop once per 8
    // elements rather than per element (about twice as fast on cheap expressions).
    const views = names
      .map(
        (_, j) =>
          `const D${j} = o${j} === 0 && X${j}.length === n ? X${j} : X${j}.subarray(o${j}, o${j} + n);`,
      )
      .join(' ');
    const at = (k: string) => names.map((v, j) => `${v} = D${j}[${k}]`).join(', ');
    const unrolled = Array.from(
      { length: UNROLL },
      (_, u) => `{ const ${at(`i + ${u}`)}; o[i + ${u}] = ${expr}; }`,
    ).join(' ');
    const dense = new Function(
      ...denseParams,
      `${views} let i = 0; for (const m = n - ${UNROLL - 1}; i < m; i += ${UNROLL}) { ${unrolled} } for (; i < n; i++) { const ${at('i')}; o[i] = ${expr}; }`,
    ) as DenseLoop;
    const rowParams = [
      'o',
      'k',
      'n',
      ...names.flatMap((_, j) => [`X${j}`, `q${j}`, `s${j}`]),
      'h',
      'p0',
      'p1',
    ];
    const rowReads = names.map((v, j) => `${v} = ${arrays[j]}[q${j}]`).join(', ');
    const steps = names.map((_, j) => `q${j} += s${j}`).join(', ');
    const row = new Function(
      ...rowParams,
      `for (let i = 0; i < n; i++, ${steps}) { const ${rowReads}; o[k + i] = ${expr}; }`,
    ) as RowLoop;
    return { dense, row };
  } catch {
    return null;
  }
}

function closureLoops(arity: number, f: ScalarFn): Loops {
  const vals = new Array<number>(arity + 2);
  return {
    dense: (...a: unknown[]) => {
      const o = a[0] as TypedArray;
      const n = a[1] as number;
      const p = 2 + 2 * arity + 1;
      vals[arity] = a[p] as number;
      vals[arity + 1] = a[p + 1] as number;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < arity; j++) {
          vals[j] = (a[2 + 2 * j] as TypedArray)[(a[3 + 2 * j] as number) + i]!;
        }
        o[i] = f(...vals);
      }
    },
    row: (...a: unknown[]) => {
      const o = a[0] as TypedArray;
      const k = a[1] as number;
      const n = a[2] as number;
      const p = 3 + 3 * arity + 1;
      vals[arity] = a[p] as number;
      vals[arity + 1] = a[p + 1] as number;
      const q = Array.from({ length: arity }, (_, j) => a[4 + 3 * j] as number);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < arity; j++) {
          vals[j] = (a[3 + 3 * j] as TypedArray)[q[j]!]!;
          q[j]! += a[5 + 3 * j] as number;
        }
        o[k + i] = f(...vals);
      }
    },
  };
}

function boolWrap(f: ScalarFn): ScalarFn {
  return (...v) => (f(...v) !== 0 ? 1 : 0);
}

/** The expression and fallback a spec uses for an output dtype. */
function variant(spec: ElementwiseSpec, out: DType): [string, ScalarFn] {
  if (out === 'int32' && spec.intExpr) return [spec.intExpr, spec.intFallback ?? spec.fallback];
  if (out === 'bool' && !spec.predicate) {
    return [`((${spec.expr}) !== 0 ? 1 : 0)`, boolWrap(spec.fallback)];
  }
  return [spec.expr, spec.fallback];
}

const NO_PARAMS: readonly number[] = [];

/**
 * Merges adjacent dims that every operand steps through uniformly (and drops size-1 dims), so
 * rows get as long as possible: a transposed or broadcast operand often leaves only one or two dims.
 * @example coalesce([2, 3, 4], [[12, 4, 1], [0, 0, 1]]) // [[6, 4], [[4, 1], [0, 1]]]
 */
export function coalesce(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): [number[], number[][]] {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1 && shape.length > 1) continue;
    const top = outShape.length - 1;
    let mergeable = top >= 0;
    for (let j = 0; mergeable && j < strides.length; j++) {
      if (outStrides[j]![top] !== strides[j]![d]! * size) mergeable = false;
    }
    if (mergeable) {
      outShape[top]! *= size;
      for (let j = 0; j < strides.length; j++) outStrides[j]![top] = strides[j]![d]!;
    } else {
      outShape.push(size);
      for (let j = 0; j < strides.length; j++) outStrides[j]!.push(strides[j]![d]!);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  return [outShape, outStrides];
}

/** The same memory as an int32 array (a float32 array's bit patterns). */
function int32View(a: TypedArray): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * A broadcasting, strided kernel over `arity` inputs computing `spec.expr` per element. Outputs
 * are fresh and contiguous; inputs may have any strides (views, broadcasts, 0-d scalars).
 * @example registerKernel('add', 'cpu', elementwiseKernel(2, { expr: 'x + y', fallback: (x, y) => x + y }))
 */
export function elementwiseKernel<A = Record<string, unknown>>(
  arity: number,
  spec: ElementwiseSpec<A>,
): Kernel<A> {
  const cache = new Map<string, Loops>();
  const loopsFor = (inputs: readonly Tensor[], out: DType): Loops => {
    let key = out;
    for (let j = 0; j < arity; j++) key += `,${inputs[j]!.dtype}`;
    let loops = cache.get(key);
    if (!loops) {
      const [expr, f] = variant(spec as ElementwiseSpec, out);
      loops = (codegen ? generateLoops(arity, expr) : null) ?? closureLoops(arity, f);
      cache.set(key, loops);
    }
    return loops;
  };
  let bitLoops: Loops | null | undefined;
  /** The dense loop over bit patterns, when the spec has one and the operands allow it. */
  const bitsFor = (inputs: readonly Tensor[], out: DType): DenseLoop | null => {
    if (!spec.float32Bits || out !== 'float32' || !codegen) return null;
    for (let j = 0; j < arity; j++) if (inputs[j]!.dtype !== 'float32') return null;
    if (bitLoops === undefined) bitLoops = generateLoops(arity, spec.float32Bits);
    return bitLoops?.dense ?? null;
  };
  return (inputs, outputs, attrs) => {
    const out = outputs[0]!;
    const o = out.storage.data as TypedArray;
    const n = o.length;
    if (n === 0) return;
    const bits = bitsFor(inputs, out.dtype);
    const loops = loopsFor(inputs, out.dtype);
    const params = spec.params ? spec.params(attrs) : NO_PARAMS;
    const p0 = params[0];
    const p1 = params[1];
    // Fast paths: every operand dense of the output's size, or such operands plus 0-d scalars.
    let allDense = true;
    let denseOrScalar = true;
    for (let j = 0; j < arity; j++) {
      const t = inputs[j]!;
      const m = t.numel();
      const dense = m === n && t.isContiguous();
      if (!dense) allDense = false;
      if (!dense && m !== 1) denseOrScalar = false;
    }
    if (allDense && bits) {
      const args: unknown[] = [int32View(o), n];
      for (let j = 0; j < arity; j++) {
        args.push(int32View(inputs[j]!.storage.data as TypedArray), inputs[j]!.offset);
      }
      args.push(HELPERS, p0, p1);
      bits(...args);
      return;
    }
    if (allDense) {
      const args: unknown[] = [o, n];
      for (let j = 0; j < arity; j++) args.push(inputs[j]!.storage.data, inputs[j]!.offset);
      args.push(HELPERS, p0, p1);
      loops.dense(...args);
      return;
    }
    if (denseOrScalar) {
      const args: unknown[] = [o, 0, n];
      for (let j = 0; j < arity; j++) {
        const t = inputs[j]!;
        args.push(t.storage.data, t.offset, t.numel() === n && n !== 1 ? 1 : 0);
      }
      args.push(HELPERS, p0, p1);
      loops.row(...args);
      return;
    }
    const [shape, strides] = coalesce(
      out.shape,
      inputs.slice(0, arity).map((t) => stridesFor(t, out.shape)),
    );
    const last = shape.length - 1;
    const len = shape[last]!;
    const args: unknown[] = [o, 0, len];
    for (let j = 0; j < arity; j++) args.push(inputs[j]!.storage.data, 0, strides[j]![last]);
    args.push(HELPERS, p0, p1);
    let k = 0;
    forEachRow(
      shape,
      strides,
      inputs.slice(0, arity).map((t) => t.offset),
      (offs) => {
        args[1] = k;
        for (let j = 0; j < arity; j++) args[4 + 3 * j] = offs[j];
        loops.row(...args);
        k += len;
      },
    );
  };
}

/**
 * A broadcasting, strided binary kernel for `expr` over `x` and `y`
 * (e.g. `'x + y'`); `fallback` computes the same when code generation is unavailable.
 * @example registerKernel('mul', 'cpu', binaryKernel('x * y', (x, y) => x * y))
 */
export function binaryKernel(expr: string, fallback: (x: number, y: number) => number): Kernel {
  return elementwiseKernel(2, { expr, fallback: fallback as ScalarFn });
}

/**
 * A strided unary kernel for `expr` over `x` (e.g. `'Math.exp(x)'`).
 * @example registerKernel('exp', 'cpu', unaryKernel('Math.exp(x)', Math.exp))
 */
export function unaryKernel(expr: string, fallback: (x: number) => number): Kernel {
  return elementwiseKernel(1, { expr, fallback: fallback as ScalarFn });
}
