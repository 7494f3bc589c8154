/** Shared helpers for the file-format tests: fixture bytes and expected values from numpy/PyTorch. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as torch from 'autodag';
import { expect } from 'vitest';

/** packages/io/test/fixtures/formats, written by packages/io/scripts/gen_io_fixtures.py. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'formats');

/** A fixture file's bytes. */
export function fixture(name: string): Uint8Array {
  const buf = readFileSync(join(FIXTURES, name));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** A tensor as the generator describes it; NaN and infinities are strings. */
export interface Expected {
  dtype: string;
  shape: number[];
  values: (number | boolean | string)[];
}

/** Parsed JSON fixture. */
export function json<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** Decodes the generator's encoding of non-finite numbers. */
export function num(v: number | boolean | string): number | boolean {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return v as number | boolean;
}

/** Asserts dtype, shape and exact values (NaN matches NaN, -0 must be -0). */
export function expectTensor(t: torch.Tensor, want: Expected): void {
  expect(t.dtype).toBe(want.dtype);
  expect([...t.shape]).toEqual(want.shape);
  const got = Array.from(t.dataSync(), (v) => (t.dtype === 'bool' ? v !== 0 : v));
  expect(got).toEqual(want.values.map(num));
}
