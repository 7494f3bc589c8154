import * as torch from 'autodag';
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/formats/crc32.js';
import { gzipMember, zeroBomb } from './hostile.js';

const { readIdx, IdxError } = torch.io;

/** A uint8 IDX file of shape [n] holding 0, 1, 2, ... (mod 256). */
function idx(n: number): Uint8Array {
  const out = new Uint8Array(8 + n);
  out.set([0, 0, 8, 1]);
  new DataView(out.buffer).setUint32(4, n, false);
  for (let i = 0; i < n; i++) out[8 + i] = i & 255;
  return out;
}

function rejects(bytes: Uint8Array, message: RegExp, maxInflatedBytes?: number): void {
  let error: unknown;
  try {
    readIdx(bytes, 'labels.gz', { maxInflatedBytes });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(IdxError);
  expect((error as Error).message).toMatch(/^idx: labels.gz /);
  expect((error as Error).message).toMatch(message);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('readIdx: gzip trailers are checked', () => {
  it('a damaged byte that still inflates fails the CRC-32 check', () => {
    const gz = gzipSync(idx(100), { level: 0 }); // stored: any byte value still inflates
    gz[60]! ^= 1;
    rejects(gz, /the data's CRC-32 0x[0-9a-f]{8} differs from the trailer's 0x[0-9a-f]{8}/);
  });

  it('a wrong ISIZE', () => {
    const gz = gzipSync(idx(100));
    new DataView(gz.buffer).setUint32(gz.length - 4, 99, true);
    rejects(gz, /inflates to 108 bytes but the trailer says 99 \(ISIZE\)/);
  });

  it('multi-member files are read whole, each member checked', () => {
    const raw = idx(1000);
    const gz = concat(gzipSync(raw.subarray(0, 300)), gzipSync(raw.subarray(300)));
    expect(readIdx(gz).data).toEqual(raw.subarray(8));
    const bad = gz.slice();
    const second = gzipSync(raw.subarray(0, 300)).length;
    bad[second - 8]! ^= 1; // the first member's CRC
    rejects(bad, /differs from the trailer's/);
    const badSecond = gz.slice();
    badSecond[badSecond.length - 8]! ^= 1;
    rejects(badSecond, /differs from the trailer's 0x[0-9a-f]{8} of member 2/);
  });

  it('junk after the last member', () => {
    const gz = gzipSync(idx(10));
    rejects(
      concat(gz, new Uint8Array([1, 2, 3, 4, 5])),
      /could not be inflated.*invalid gzip data/,
    );
    rejects(concat(gz, new Uint8Array([1, 2, 3])), /could not be inflated.*CRC-32/);
  });

  // A header whose file name never ends keeps fflate waiting for more input; unguarded, it would
  // re-copy the growing header at every step.
  it('a never-ending member header after the data', { timeout: 5000 }, () => {
    const header = new Uint8Array(4_000_000).fill(0x61);
    header.set([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 255]);
    rejects(concat(gzipSync(idx(10)), header), /could not be inflated/);
  });
});

describe('readIdx: inflation is bounded by maxInflatedBytes', () => {
  it('a bomb whose trailer claims 100 bytes stops at the limit', () => {
    const bomb = gzipMember(zeroBomb(2 ** 26 / 258), 0, 100); // 64 MiB of zeros
    rejects(
      bomb,
      /labels.gz inflates to more than 1000000 bytes, the limit \(raise it with the maxInflatedBytes option\)/,
      1_000_000,
    );
  });

  it('a file at the limit loads, one byte over fails', () => {
    const raw = idx(1000);
    expect(readIdx(gzipSync(raw), 'x', { maxInflatedBytes: raw.length }).shape).toEqual([1000]);
    rejects(gzipSync(raw), /inflates to more than 1007 bytes, the limit/, raw.length - 1);
  });

  it('the limit must be a non-negative integer', () => {
    expect(() => readIdx(idx(1), 'x', { maxInflatedBytes: -5 })).toThrow(
      /^idx: maxInflatedBytes must be a non-negative integer or Infinity, got -5/,
    );
  });
});

describe('readIdx fuzzing (fast-check)', () => {
  it('random corruption of gzipped and plain IDX files: arrays or IdxError only', () => {
    const raw = idx(300);
    const member = (body: Uint8Array, data: Uint8Array) =>
      gzipMember(body, crc32(data), data.length);
    const files = [raw, gzipSync(raw), gzipSync(raw, { level: 0 }), member(zeroBomb(4), raw)];
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.option(fc.nat(), { nil: undefined }),
        (original, edits, cut) => {
          const bytes = original.slice();
          for (const [at, v] of edits) bytes[at % bytes.length] = v;
          const input = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
          try {
            const out = readIdx(input, 'f', { maxInflatedBytes: 100_000 });
            expect(out.data.length).toBe(out.shape.reduce((a, b) => a * b, 1));
          } catch (e) {
            if (!(e instanceof IdxError)) throw e;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
