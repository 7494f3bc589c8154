/**
 * Number formatting that matches Python's `'{:.Nf}'` and `'{:.Ne}'` exactly, which is what
 * PyTorch's tensor printing uses. JavaScript's `toFixed`/`toExponential` round exact halves away
 * from zero where Python rounds them to even, print no `-` for negative zero and write exponents
 * as `e+5` rather than `e+05`; those cases are handled here, falling back to exact BigInt
 * arithmetic when a value lies exactly half-way between two outputs.
 */

const scratch = new DataView(new ArrayBuffer(8));

/** `a = mantissa * 2^exponent` exactly, for a finite non-negative double. */
function decompose(a: number): { mantissa: bigint; exponent: number } {
  scratch.setFloat64(0, a);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa, exponent: -1074 }; // subnormal
  mantissa |= 1n << 52n;
  return { mantissa, exponent: biased - 1075 };
}

/** `round(num / den)` with ties to even, as Python's float formatting rounds. */
function divRoundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const twiceR = (num % den) * 2n;
  if (twiceR > den || (twiceR === den && q % 2n === 1n)) return q + 1n;
  return q;
}

/** `round(a * 10^-scale)` exactly, for a finite non-negative double. */
function scaledRound(a: number, scale: number): bigint {
  const { mantissa, exponent } = decompose(a);
  let num = mantissa;
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  if (scale >= 0) den *= 10n ** BigInt(scale);
  else num *= 10n ** BigInt(-scale);
  return divRoundHalfEven(num, den);
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  return null;
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/**
 * Python's `'{:.{precision}f}'.format(x)`: fixed notation, half-way cases rounded to even,
 * `-0.0000` for negative zero, `nan`/`inf`/`-inf` for non-finite values.
 * @example formatFixed(0.03125, 4) // '0.0312' (toFixed gives '0.0313')
 */
export function formatFixed(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const sign = isNegative(x) ? '-' : '';
  const a = Math.abs(x);
  // a is exactly half-way between two outputs iff a * 2^(precision+1) is an odd integer.
  const doubled = a * 2 ** (precision + 1);
  const tie = Number.isInteger(doubled) && doubled % 2 === 1;
  if (a < 1e21 && precision <= 100 && !tie) return sign + a.toFixed(precision);
  const digits = scaledRound(a, -precision)
    .toString()
    .padStart(precision + 1, '0');
  if (precision === 0) return sign + digits;
  return `${sign}${digits.slice(0, -precision)}.${digits.slice(-precision)}`;
}

function pythonExponent(e: number): string {
  const abs = Math.abs(e);
  return `e${e < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

function exactExponential(a: number, precision: number): string {
  let e10 = Math.floor(Math.log10(a));
  let n = scaledRound(a, e10 - precision);
  const upper = 10n ** BigInt(precision + 1);
  // log10 can be off by one near powers of ten, and rounding can carry into a new digit.
  if (n >= upper) {
    e10 += 1;
    n = scaledRound(a, e10 - precision);
  } else if (n < upper / 10n) {
    e10 -= 1;
    n = scaledRound(a, e10 - precision);
  }
  const digits = n.toString();
  const mantissa = precision === 0 ? digits : `${digits[0]}.${digits.slice(1)}`;
  return mantissa + pythonExponent(e10);
}

/**
 * Python's `'{:.{precision}e}'.format(x)`: scientific notation with an exponent of at least two
 * digits, half-way cases rounded to even.
 * @example formatExponential(12345.6, 4) // '1.2346e+04'
 */
export function formatExponential(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const sign = isNegative(x) ? '-' : '';
  const a = Math.abs(x);
  if (a === 0) {
    return `${sign}0${precision > 0 ? `.${'0'.repeat(precision)}` : ''}e+00`;
  }
  if (precision <= 99) {
    // An exact half-way value has precision+2 significant digits ending in 5, so one more digit
    // ending in anything else proves toExponential's rounding is Python's.
    const finer = a.toExponential(precision + 1);
    if (finer[finer.indexOf('e') - 1] !== '5') {
      const s = a.toExponential(precision);
      const at = s.indexOf('e');
      return sign + s.slice(0, at) + pythonExponent(Number(s.slice(at + 1)));
    }
  }
  return sign + exactExponential(a, precision);
}
