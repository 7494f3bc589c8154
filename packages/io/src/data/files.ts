/**
 * File access for the dataset readers, loaded only when a file is actually read so that the
 * package stays importable in browsers (where datasets are built from bytes instead).
 */

type NodeFs = typeof import('node:fs');
type NodeFsPromises = typeof import('node:fs/promises');

/** `root` and `name` joined with a single '/'. */
export function joinPath(root: string, name: string): string {
  return root === '' ? name : `${root.replace(/[\\/]+$/, '')}/${name}`;
}

/** Node's `fs`, synchronously, where the runtime offers it (`process.getBuiltinModule`, Node >= 20.16). */
export function syncFs(): NodeFs | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
}

/** Node's `fs/promises` through a dynamic import (the specifier is hidden from bundlers). */
export async function asyncFs(): Promise<NodeFsPromises> {
  const spec = 'node:fs/promises';
  try {
    return (await import(/* @vite-ignore */ spec)) as NodeFsPromises;
  } catch {
    throw new Error(
      'reading dataset files needs Node.js (node:fs); in a browser, fetch the files and build the dataset from their bytes',
    );
  }
}

/** A file's freshly read Buffer as a plain Uint8Array view (no copy: nothing else holds it). */
function bytesOf(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** The first of `candidates` that exists, read synchronously; undefined when none does. */
export function readFirstSync(fs: NodeFs, candidates: readonly string[]): Uint8Array | undefined {
  for (const path of candidates) {
    if (fs.existsSync(path)) return bytesOf(fs.readFileSync(path));
  }
  return undefined;
}

/** The first of `candidates` that exists, read asynchronously; undefined when none does. */
export async function readFirst(
  fs: NodeFsPromises,
  candidates: readonly string[],
): Promise<Uint8Array | undefined> {
  for (const path of candidates) {
    try {
      return bytesOf(await fs.readFile(path));
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
    }
  }
  return undefined;
}
