import type { DType } from './dtype.js';
import { isFloatingPoint } from './dtype.js';
import { formatExponential, formatFixed } from './print-number.js';

/** The options a formatter reads (a subset of `PrintOptions`). */
export interface FormatterOptions {
  /** Digits after the decimal point in fixed and scientific notation. */
  readonly precision: number;
  /** Force scientific notation on or off; `undefined` lets the values decide. */
  readonly sciMode: boolean | undefined;
}

/**
 * Chooses how every element of one tensor is written, as PyTorch's `_Formatter` does: integers
 * as they are, bools as `True`/`False`, floats in integer mode (`21.`), fixed (`0.1000`) or
 * scientific (`1.0000e-05`) notation, all right-aligned to a common width. Only the values that
 * will be shown (the summarised ones) decide the mode and the width.
 * @example
 * const f = new ElementFormatter(Float32Array.of(1, 10), 'float32', { precision: 4, sciMode: undefined });
 * f.format(1) // ' 1.'
 */
export class ElementFormatter {
  /**
   * True when all finite values are whole numbers (floats print as `21.`).
   * @example new ElementFormatter(Float32Array.of(1, 21), 'float32', { precision: 4, sciMode: undefined }).intMode // true
   */
  readonly intMode: boolean = true;
  /**
   * True when floats print in scientific notation.
   * @example new ElementFormatter(Float32Array.of(1e-5, 1), 'float32', { precision: 4, sciMode: undefined }).sciMode // true
   */
  readonly sciMode: boolean = false;
  /**
   * Width every element is padded to.
   * @example new ElementFormatter(Float32Array.of(1, 10), 'float32', { precision: 4, sciMode: undefined }).width // 3
   */
  readonly width: number = 1;
  private readonly floating: boolean;
  private readonly bool: boolean;
  private readonly precision: number;

  constructor(values: ArrayLike<number>, dtype: DType, options: FormatterOptions) {
    this.floating = isFloatingPoint(dtype);
    this.bool = dtype === 'bool';
    this.precision = options.precision;
    let width = 1;
    if (!this.floating) {
      for (let i = 0; i < values.length; i++) {
        width = Math.max(width, this.plain(values[i]!).length);
      }
      this.width = width;
      return;
    }
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    let intMode = true;
    let any = false;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v === 0 || !Number.isFinite(v)) continue;
      any = true;
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (intMode && v !== Math.ceil(v)) intMode = false;
    }
    // PyTorch returns before applying a forced sciMode when nothing is nonzero and finite.
    if (!any) return;
    const ratioOrSize = max / min > 1000 || max > 1e8;
    const sci = intMode ? ratioOrSize : ratioOrSize || min < 1e-4;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v === 0 || !Number.isFinite(v)) continue;
      const len = sci
        ? formatExponential(v, this.precision).length
        : intMode
          ? formatFixed(v, 0).length + 1
          : formatFixed(v, this.precision).length;
      if (len > width) width = len;
    }
    this.intMode = intMode;
    this.sciMode = options.sciMode ?? sci;
    this.width = width;
  }

  private plain(v: number): string {
    if (this.bool) return v ? 'True' : 'False';
    return String(v);
  }

  /**
   * One element, right-aligned to `width`.
   * @example f.format(1) // ' 1.' for the formatter of the class example
   */
  format(v: number): string {
    let s: string;
    if (!this.floating) s = this.plain(v);
    else if (this.sciMode) s = formatExponential(v, this.precision);
    else if (this.intMode) s = Number.isFinite(v) ? `${formatFixed(v, 0)}.` : formatFixed(v, 0);
    else s = formatFixed(v, this.precision);
    return s.length < this.width ? s.padStart(this.width) : s;
  }
}
