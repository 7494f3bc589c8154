import type { Tensor } from 'autodag';
import * as torch from 'autodag';
import { expect } from 'vitest';

/** A float tensor of `shape` holding `values` (row-major), optionally requiring grad. */
export function make(
  values: number[],
  shape: number[],
  dtype: 'float32' | 'float64',
  grad = false,
): Tensor {
  const t = torch.tensor(values, { dtype }).reshape(shape);
  return grad ? t.detach().requiresGrad_() : t;
}

/** Largest violation of |actual - expected| <= atol + rtol·|expected| (0 when all pass). */
export function worst(
  actual: ArrayLike<number>,
  expected: readonly number[],
  rtol: number,
  atol: number,
): number {
  expect(actual.length).toBe(expected.length);
  let bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const err = Math.abs(a - e) / (atol + rtol * Math.abs(e));
    if (!(err <= 1)) bad = Math.max(bad, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
  }
  return bad;
}

/** Expects `actual` to match `expected` within the tolerances, naming `what` on failure. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  what: string,
  rtol: number,
  atol: number,
): void {
  const w = worst(actual, expected, rtol, atol);
  if (w > 0) {
    expect.fail(
      `${what}: ${w.toFixed(2)}x over tolerance\n actual   ${Array.from(actual)}\n expected ${expected}`,
    );
  }
}

/** Tolerances per dtype: float32 results are compared to ~1e-6 relative, float64 to ~1e-12. */
export function tolerance(dtype: 'float32' | 'float64'): [number, number] {
  return dtype === 'float32' ? [1e-6, 1e-7] : [1e-12, 1e-14];
}
