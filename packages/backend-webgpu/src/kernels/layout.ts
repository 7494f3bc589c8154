import type { DType, Tensor } from '@autodag/core';
import { broadcastStrides } from '@autodag/core';

/**
 * How kernels receive strided operands: a parameter block of 32-bit words
 *
 *   [n, rank, shape[0..rank), scalars..., then per operand: offset, strides[0..rank)]
 *
 * read as `p: array<u32>` at binding 0, so one compiled shader serves every shape and layout.
 * Operands that are dense and of the output's shape skip the index arithmetic (a separate shader
 * variant, chosen by `operandCode`).
 */

/**
 * WGSL element type of a dtype's storage (bool is u32 0/1).
 * @example `var<storage, read> x: array<${wgslType(t.dtype)}>;`
 */
export function wgslType(dtype: DType): 'f32' | 'i32' | 'u32' {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32') return 'i32';
  return 'u32';
}

/**
 * Whether `t` reads element i at offset + i for every i of an output of `shape`.
 * @example operandIndex(isDenseOver(x, out.shape), params.operand(x, out.shape))
 */
export function isDenseOver(t: Tensor, shape: readonly number[]): boolean {
  if (t.shape.length !== shape.length) return false;
  for (let d = 0; d < shape.length; d++) if (t.shape[d] !== shape[d]) return false;
  return t.isContiguous();
}

/**
 * Builds a parameter block (see the module comment): `[n, rank, shape...]`, then the scalars and
 * operand layouts in the order they are appended, each method returning its word index.
 * @example
 * const params = new Params(out.numel(), out.shape);
 * const alpha = params.f32(attrs.alpha); // WGSL: bitcast<f32>(p[alpha])
 * const xAt = params.operand(x, out.shape); // WGSL: x[stridedIndex(i, xAt)]
 * dispatchCompute(code, params.toArray(), [x, out], out.numel());
 */
export class Params {
  readonly words: number[];
  private readonly rank: number;

  constructor(n: number, shape: readonly number[]) {
    this.rank = shape.length;
    this.words = [n, shape.length, ...shape];
  }

  /** Appends a float scalar (as its bits) and returns its word index. */
  f32(value: number): number {
    const bits = new Uint32Array(new Float32Array([value]).buffer)[0]!;
    this.words.push(bits);
    return this.words.length - 1;
  }

  /** Appends an int32 scalar (two's complement) and returns its word index. */
  i32(value: number): number {
    this.words.push(value >>> 0);
    return this.words.length - 1;
  }

  /** Appends an operand's offset and strides broadcast to the output's shape; returns its index. */
  operand(t: Tensor, shape: readonly number[]): number {
    const strides = broadcastStrides(t.shape, t.strides, shape);
    this.words.push(t.offset >>> 0, ...strides.map((s) => s >>> 0));
    if (strides.length !== this.rank) throw new Error('webgpu: operand rank mismatch');
    return this.words.length - 1 - this.rank;
  }

  toArray(): Uint32Array {
    return Uint32Array.from(this.words);
  }
}

/**
 * WGSL: the storage offset (relative to the layout's start) of linear index `i` over `rank` dims
 * whose sizes start at word `shapeAt` of `p` and whose i32 strides start at `strideAt` (row-major:
 * the last dim varies fastest). Every strided kernel walks its operands with this one function.
 */
export const WALK_FN = `
fn walk(i: u32, rank: u32, shapeAt: u32, strideAt: u32) -> i32 {
  var rem = i;
  var off = 0;
  for (var d = rank; d > 0u; d--) {
    let size = p[shapeAt + d - 1u];
    off += i32(rem % size) * bitcast<i32>(p[strideAt + d - 1u]);
    rem = rem / size;
  }
  return off;
}`;

/** WGSL: the storage index of output element `i` in an operand whose layout starts at word `base`. */
export const STRIDED_INDEX = `${WALK_FN}
fn stridedIndex(i: u32, base: u32) -> u32 {
  return u32(i32(p[base]) + walk(i, p[1], 2u, base + 1u));
}`;

/**
 * WGSL: NaN, infinity and their tests over the parameter block `p`. NaN and ∞ are no constant
 * expressions in WGSL, so they are built from a word of `p`; the tests read bits, since
 * comparisons with NaN are not reliable under drivers' fast math. `log_` is IEEE's log at 0 and
 * below (-inf, NaN), which WGSL leaves to the driver (SwiftShader gives log(0) = -88.03 and
 * log(-x) = log(x)).
 */
export const SPECIAL_VALUES = `
fn nan_() -> f32 { return bitcast<f32>((p[0] & 0x3fffffu) | 0x7fc00000u); }
fn inf_() -> f32 { return bitcast<f32>(0x7f800000u | (p[0] & 0u)); }
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isinf_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn log_(x: f32) -> f32 {
  if (x == 0.0) { return -inf_(); }
  if (x < 0.0) { return nan_(); }
  return log(x);
}`;

/**
 * WGSL expression for an operand's storage index of element `i` (dense or strided), given the
 * word index `base` of its layout in the `Params` block.
 * @example `out[i] = x[${operandIndex(false, xAt)}];` // x[stridedIndex(i, 5u)]
 */
export function operandIndex(dense: boolean, base: number): string {
  return dense ? `(p[${base}u] + i)` : `stridedIndex(i, ${base}u)`;
}
