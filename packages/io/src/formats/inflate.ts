/**
 * Inflation with a hard cap on the output. Compressed data goes through fflate's streaming
 * classes a slice at a time, so a bomb, or a header that lies about the size, is stopped within
 * one slice's output of the cap instead of after inflating (or allocating) all it claims.
 */
import { Gunzip, Inflate } from 'fflate';
import { crc32 } from './crc32.js';

/** Default cap on inflated bytes (2 GiB) for npz archives and gzipped IDX files. */
export const DEFAULT_MAX_INFLATED_BYTES = 2 ** 31;

/** Deflate cannot expand more than about 1032:1; anything claiming more is corrupt. */
export const MAX_DEFLATE_RATIO = 1032;

/**
 * Compressed bytes pushed per step: 64 KiB (at most ~66 MB of output), fewer near the cap so
 * that one step cannot yield much more than the room left.
 */
const MAX_STEP = 65536;
const MIN_STEP = 4096;

/**
 * Input pushed with no output before pushing stops. Past the end of a deflate stream the
 * streaming classes keep re-copying what follows, so junk there would cost quadratic time; no
 * encoder spends this much input on nothing (a stored block or gzip header field is < 64 KiB).
 */
const IDLE_LIMIT = 4 * MAX_STEP;

/**
 * A limit option as given (undefined: the reader's default); NaN or a negative number, which
 * would disable or break the checks, fails through `fail`.
 */
export function checkLimit(
  key: string,
  value: number | undefined,
  fail: (message: string) => never,
): number | undefined {
  if (value !== undefined && !(value >= 0 && (Number.isSafeInteger(value) || value === Infinity)))
    fail(`${key} must be a non-negative integer or Infinity, got ${String(value)}`);
  return value;
}

/**
 * Why bounded inflation failed, for the readers to reword in their own error type: the output
 * passed the cap (the data may be sound, the cap too low), the data is corrupt, or the output
 * cannot be held in memory (over a typed array's maximum length, or out of memory).
 */
export class InflateFailure extends Error {
  constructor(
    readonly reason: 'cap' | 'corrupt' | 'memory',
    message: string,
  ) {
    super(message);
    this.name = 'InflateFailure';
  }
}

/** A zeroed buffer of `n` bytes, or an `InflateFailure` saying why there is none. */
function allocate(n: number): Uint8Array {
  try {
    return new Uint8Array(n);
  } catch (e) {
    throw new InflateFailure('memory', `cannot allocate ${n} bytes (${(e as Error).message})`);
  }
}

/** Output of at most `cap` bytes, written into one buffer of the expected size when known. */
class Sink {
  length = 0;
  private readonly first: Uint8Array;
  private readonly chunks: Uint8Array[] = [];

  constructor(
    readonly cap: number,
    hint: number,
  ) {
    this.first = allocate(Math.max(0, Math.min(cap, hint)));
  }

  add(chunk: Uint8Array): void {
    if (chunk.length > this.cap - this.length)
      throw new InflateFailure('cap', `output passes ${this.cap} bytes`);
    if (this.chunks.length === 0 && this.length + chunk.length <= this.first.length) {
      this.first.set(chunk, this.length);
    } else {
      // fflate hands out fresh copies, so chunks can be kept as they are.
      if (this.chunks.length === 0) this.chunks.push(this.first.subarray(0, this.length));
      this.chunks.push(chunk);
    }
    this.length += chunk.length;
  }

  bytes(): Uint8Array {
    if (this.chunks.length === 0)
      return this.length === this.first.length ? this.first : this.first.slice(0, this.length);
    const out = allocate(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

interface Stream {
  push(chunk: Uint8Array, final?: boolean): void;
}

/** Pushes `input` a step at a time (stopping early after IDLE_LIMIT idle bytes), then finishes. */
function drive(stream: Stream, input: Uint8Array, sink: Sink): void {
  try {
    let idle = 0;
    for (let at = 0; at < input.length && idle < IDLE_LIMIT; ) {
      const room = sink.cap - sink.length;
      const step = Math.min(MAX_STEP, Math.max(MIN_STEP, Math.ceil(room / MAX_DEFLATE_RATIO)));
      const before = sink.length;
      stream.push(input.subarray(at, at + step));
      at += step;
      idle = sink.length === before ? idle + step : 0;
    }
    stream.push(new Uint8Array(0), true);
  } catch (e) {
    if (e instanceof InflateFailure) throw e;
    // fflate throws plain Errors ('unexpected EOF', 'invalid distance'); RangeErrors are
    // allocations that failed inside it.
    throw new InflateFailure(e instanceof RangeError ? 'memory' : 'corrupt', (e as Error).message);
  }
}

/**
 * Inflates raw deflate data (a ZIP entry), failing with an `InflateFailure` once the output
 * passes `cap` bytes or when the data is corrupt. `hint`, the expected size, sizes the output
 * buffer (never beyond `cap`).
 * @example inflateRaw(entryBytes, declaredSize, declaredSize)
 */
export function inflateRaw(input: Uint8Array, cap: number, hint = 0): Uint8Array {
  const sink = new Sink(cap, hint);
  drive(new Inflate((chunk) => sink.add(chunk)), input, sink);
  return sink.bytes();
}

/**
 * Inflates gzip data, every member of it, failing with an `InflateFailure` once the output
 * passes `cap` bytes, or when the data is corrupt or a member's CRC-32 or size (ISIZE) differs
 * from its trailer.
 * @example gunzip(fileBytes, 2 ** 30)
 */
export function gunzip(input: Uint8Array, cap: number): Uint8Array {
  if (input.length < 18)
    throw new InflateFailure(
      'corrupt',
      `${input.length} bytes are too few for gzip data (18 at least)`,
    );
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  // The last ISIZE only sizes the buffer, and only within the cap and deflate's maximum ratio.
  const sink = new Sink(
    cap,
    Math.min(view.getUint32(input.length - 4, true), input.length * MAX_DEFLATE_RATIO),
  );
  let member = 1;
  let crc = 0;
  let size = 0;
  const checkTrailer = (at: number) => {
    const which = member > 1 ? ` of member ${member}` : '';
    const wantCrc = view.getUint32(at, true);
    const wantSize = view.getUint32(at + 4, true);
    if (crc !== wantCrc)
      throw new InflateFailure(
        'corrupt',
        `the data's CRC-32 0x${hex(crc)} differs from the trailer's 0x${hex(wantCrc)}${which}`,
      );
    if (size % 2 ** 32 !== wantSize)
      throw new InflateFailure(
        'corrupt',
        `it inflates to ${size} bytes but the trailer${which} says ${wantSize} (ISIZE)`,
      );
  };
  const stream = new Gunzip((chunk) => {
    sink.add(chunk);
    crc = crc32(chunk, crc);
    size += chunk.length;
  });
  // Called with the offset of the next member's header, once this member's output is complete.
  stream.onmember = (offset) => {
    checkTrailer(offset - 8);
    member++;
    crc = 0;
    size = 0;
  };
  drive(stream, input, sink);
  checkTrailer(input.length - 8);
  return sink.bytes();
}

function hex(v: number): string {
  return v.toString(16).padStart(8, '0');
}
