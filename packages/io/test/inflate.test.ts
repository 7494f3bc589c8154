import { deflateSync, gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { gunzip, InflateFailure, inflateRaw } from '../src/formats/inflate.js';
import { zeroBomb } from './hostile.js';

function failure(run: () => unknown): InflateFailure {
  try {
    run();
  } catch (e) {
    if (e instanceof InflateFailure) return e;
    throw e;
  }
  throw new Error('expected an InflateFailure');
}

/** Byte equality without vitest's element-by-element diffing (slow on 100 KB). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

describe('bounded inflation', () => {
  const data = new Uint8Array(100_000).map((_, i) => (i * 31) % 251);

  it('output exactly at the cap is fine, one byte over is not', () => {
    expect(same(inflateRaw(deflateSync(data), data.length, data.length), data)).toBe(true);
    expect(same(inflateRaw(deflateSync(data), data.length), data)).toBe(true); // no size hint
    expect(same(gunzip(gzipSync(data), data.length), data)).toBe(true);
    expect(failure(() => inflateRaw(deflateSync(data), data.length - 1)).reason).toBe('cap');
    expect(failure(() => gunzip(gzipSync(data), data.length - 1)).reason).toBe('cap');
  });

  it('a bomb stops after about one step past the cap', () => {
    const bomb = zeroBomb(2 ** 26 / 258); // 64 MiB
    const e = failure(() => inflateRaw(bomb, 1000));
    expect(e.reason).toBe('cap');
    expect(e.message).toBe('output passes 1000 bytes');
  });

  it('corrupt data, and output that cannot be allocated', () => {
    expect(failure(() => inflateRaw(new Uint8Array([0xff, 0xff, 0xff]), 100)).reason).toBe(
      'corrupt',
    );
    expect(failure(() => inflateRaw(deflateSync(data).subarray(0, 100), 1e6)).message).toMatch(
      /unexpected EOF/,
    );
    const huge = failure(() => inflateRaw(deflateSync(data), Infinity, 2 ** 53 - 1));
    expect(huge.reason).toBe('memory');
    expect(huge.message).toMatch(/^cannot allocate 9007199254740991 bytes/);
  });
});
