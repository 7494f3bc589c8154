/** Shared helpers for the file-format tests: fixture bytes and expected values from numpy/PyTorch. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as torch from 'autodag';
import fc from 'fast-check';
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

/**
 * A damaged copy of one of `files`: up to five bytes overwritten, and sometimes cut short (the
 * fuzz tests' input).
 */
export function corruptedCopy(files: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(...files),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 5,
      }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([original, edits, cut]) => {
      const bytes = original.slice();
      for (const [at, v] of edits) bytes[at % bytes.length] = v;
      return cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
    });
}
