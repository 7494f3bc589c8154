import { readFileSync } from 'node:fs';
import type * as torch from 'autodag';
import { expect } from 'vitest';

/** Shared by the elementwise tests: the PyTorch fixture (fixtures/gen_elementwise.py) and comparisons. */

export type Value = number | boolean | 'nan' | 'inf' | '-inf' | '-0';
export interface Result {
  shape: number[];
  dtype: torch.DType;
  values: Value[];
}

export const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/elementwise.json', import.meta.url), 'utf8'),
  // biome-ignore lint/suspicious/noExplicitAny: the fixture is a large JSON document read by key
) as any;

export function decode(v: Value): number {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  if (v === '-0') return -0;
  return typeof v === 'boolean' ? Number(v) : v;
}

export function values(list: Value[]): number[] {
  return list.map(decode);
}

/**
 * Elementwise closeness with NaN equal to NaN, infinities exact, signed zeros distinguished and
 * `rtol` relative error otherwise. Names the first differing element.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  rtol = 4e-7,
  what = '',
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = expected[i]!;
    const ok =
      (Number.isNaN(a) && Number.isNaN(e)) ||
      Object.is(a, e) ||
      (a !== 0 && e !== 0 && Math.abs(a - e) <= rtol * Math.abs(e)) ||
      (Math.abs(e) < 1e-30 && Math.abs(a) < 1e-30 && Math.sign(1 / a) === Math.sign(1 / e));
    if (!ok) {
      throw new Error(
        `${what}: element ${i} is ${a}, PyTorch gives ${e} (all: ${Array.from(actual)})`,
      );
    }
  }
}

/** Checks shape, dtype and values of `t` against a fixture result. */
export function expectResult(t: torch.Tensor, r: Result, what: string, rtol?: number): void {
  expect(t.shape, `${what}: shape`).toEqual(r.shape);
  expect(t.dtype, `${what}: dtype`).toBe(r.dtype);
  expectClose(t.dataSync(), values(r.values), rtol, what);
}
