/**
 * 16-bit floating point conversions (IEEE half `float16` and `bfloat16`) with PyTorch's rounding:
 * round to nearest, ties to even, through float32 (as `tensor.to(torch.float16)` does for float64).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

let halfTable: Float32Array | undefined;

/** All 65536 float16 values as float32, built on first use (decoding is then one lookup). */
function halfValues(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 0x1f) table[h] = mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else table[h] = sign * (1024 + mant) * 2 ** (exp - 25);
  }
  halfTable = table;
  return table;
}

/**
 * Decodes float16 bit patterns to float32 values (exact: every half is a float32).
 * @example halfToFloat32(new Uint16Array([0x3c00])) // Float32Array [1]
 */
export function halfToFloat32(bits: Uint16Array): Float32Array {
  const table = halfValues();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

/**
 * The float16 bit pattern nearest to `x` (rounded to float32 first, then to half, ties to even;
 * overflow gives ±Infinity, NaN gives the quiet NaN 0x7e00 with its sign).
 * @example float32ToHalfBits(1) // 0x3c00
 */
export function float32ToHalfBits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: count units of 2^-24.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to Infinity: the right result.
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++;
  return sign | r;
}

/**
 * Decodes bfloat16 bit patterns (the top half of a float32) to float32 values.
 * @example bfloat16ToFloat32(new Uint16Array([0x3f80])) // Float32Array [1]
 */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i]! << 16;
  return out;
}

/**
 * The bfloat16 bit pattern nearest to `x` (float32 first, then ties to even; NaN gives 0x7fc0).
 * @example float32ToBfloat16Bits(1) // 0x3f80
 */
export function float32ToBfloat16Bits(x: number): number {
  f32[0] = x;
  if (Number.isNaN(f32[0])) return 0x7fc0;
  const b = u32[0]!;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}
