/**
 * File access for Node, loaded on first use through a dynamic import so that browser bundles of
 * this package never pull in `node:fs`.
 */

type Fs = typeof import('node:fs/promises');

let fsPromise: Promise<Fs> | undefined;

async function nodeFs(op: string): Promise<Fs> {
  // A specifier held in a variable: bundlers leave the import alone instead of resolving it.
  const spec = 'node:fs/promises';
  fsPromise ??= import(/* @vite-ignore */ /* webpackIgnore: true */ spec) as Promise<Fs>;
  try {
    return await fsPromise;
  } catch {
    fsPromise = undefined;
    throw new Error(
      `${op}: file paths need Node's 'node:fs/promises'; in a browser use the bytes-level functions (e.g. saveToBytes/loadFromBytes)`,
    );
  }
}

/** Reads a whole file. */
export async function readFileBytes(path: string, op: string): Promise<Uint8Array> {
  const fs = await nodeFs(op);
  const buf = await fs.readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Writes (or replaces) a whole file. */
export async function writeFileBytes(path: string, bytes: Uint8Array, op: string): Promise<void> {
  const fs = await nodeFs(op);
  await fs.writeFile(path, bytes);
}

/** Reads byte ranges of a file without loading all of it. */
export interface RangeReader {
  /** The file's size in bytes. */
  size: number;
  /** Reads `length` bytes at `position` (fewer only at the end of the file). */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** Opens `path`, runs `body` with a range reader, and closes the file. */
export async function withRangeReader<T>(
  path: string,
  op: string,
  body: (reader: RangeReader) => Promise<T>,
): Promise<T> {
  const fs = await nodeFs(op);
  const handle = await fs.open(path, 'r');
  try {
    const { size } = await handle.stat();
    return await body({
      size,
      async read(position, length) {
        const out = new Uint8Array(Math.max(0, Math.min(length, size - position)));
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await handle.read(out, done, out.length - done, position + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === out.length ? out : out.subarray(0, done);
      },
    });
  } finally {
    await handle.close();
  }
}
