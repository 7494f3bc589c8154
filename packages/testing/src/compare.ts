import type { DType } from '@autodag/core';

/**
 * Absolute and relative tolerance: `|actual - expected| <= atol + rtol * |expected|`.
 * @example const loose: Tolerance = { rtol: 1e-4, atol: 1e-5 }
 */
export interface Tolerance {
  /** Relative part, scaled by `|expected|`. */
  readonly rtol: number;
  /** Absolute part. */
  readonly atol: number;
}

/**
 * Default tolerances of value comparisons, by dtype. Float32 allows a few ulps of difference
 * (transcendental functions and summation order differ between libraries); integer and bool
 * results must match exactly.
 * @example runConformance({ describe, it, tolerances: { float32: { rtol: 1e-4, atol: 1e-5 } } })
 */
export const DEFAULT_TOLERANCES: Readonly<Record<DType, Tolerance>> = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-9, atol: 1e-12 },
  int32: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/**
 * Looser tolerances for gradients, which accumulate more rounding than forward values.
 * @example GRAD_TOLERANCES.float32 // { rtol: 1e-4, atol: 1e-5 }
 */
export const GRAD_TOLERANCES: Readonly<Record<DType, Tolerance>> = {
  float32: { rtol: 1e-4, atol: 1e-5 },
  float64: { rtol: 1e-8, atol: 1e-10 },
  int32: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

/**
 * One flat array with its shape, as compared by `compareArrays`.
 * @example const v: Values = { shape: [2, 2], values: [1, 2, 3, 4] }
 */
export interface Values {
  /** The logical shape. */
  readonly shape: readonly number[];
  /** The elements in row-major order. */
  readonly values: ArrayLike<number>;
}

/**
 * Compares two arrays of the same logical shape elementwise. NaN equals NaN and infinities must
 * match exactly. Returns `null` when they agree, else a message naming the worst element.
 * @example compareArrays({ shape: [2], values: [1, 2] }, { shape: [2], values: [1, 2.1] }, { rtol: 0, atol: 0.01 })
 */
export function compareArrays(
  actual: Values,
  expected: Values,
  tol: Tolerance,
  what = 'values',
): string | null {
  if (!sameShape(actual.shape, expected.shape)) {
    return `${what}: shape [${actual.shape.join(', ')}] differs from expected [${expected.shape.join(', ')}]`;
  }
  const a = actual.values;
  const e = expected.values;
  if (a.length !== e.length) {
    return `${what}: ${a.length} elements, expected ${e.length}`;
  }
  let worst = -1;
  let worstExcess = 0;
  let bad = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    const excess = Math.abs(x - y) - (tol.atol + tol.rtol * Math.abs(y));
    if (Number.isNaN(excess) || excess > 0) {
      bad++;
      const score = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
      if (worst < 0 || score > worstExcess) {
        worst = i;
        worstExcess = score;
      }
    }
  }
  if (bad === 0) return null;
  const idx = unravel(worst, actual.shape);
  return `${what}: ${bad} of ${a.length} elements differ (rtol ${tol.rtol}, atol ${tol.atol}); worst at [${idx.join(', ')}]: got ${a[worst]}, expected ${e[worst]}`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    idx[d] = flat % s;
    flat = Math.floor(flat / s);
  }
  return idx;
}
