import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

/** Options of {@link graphWriter}. */
export interface GraphWriterOptions {
  /** The Graphviz command that renders SVG (default `dot`, looked up on PATH). */
  dot?: string;
}

/** `file` relative to the working directory when it lies below it, else absolute. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/**
 * A function that saves a Graphviz graph as `<outDir>/<name>.dot`, renders it to
 * `<outDir>/<name>.svg` when Graphviz's `dot` can run, and returns a line saying what it wrote.
 * @example
 * const saveGraph = graphWriter('out');
 * saveGraph('loss', torch.autograd.toDot(loss)) // 'wrote out/loss.dot and out/loss.svg'
 */
export function graphWriter(
  outDir: string,
  options: GraphWriterOptions = {},
): (name: string, dot: string) => string {
  return (name, dot) => {
    mkdirSync(outDir, { recursive: true });
    const dotFile = join(outDir, `${name}.dot`);
    const svgFile = join(outDir, `${name}.svg`);
    writeFileSync(dotFile, dot);
    rmSync(svgFile, { force: true }); // never leave an SVG of an earlier run beside the new DOT
    const dotCommand = options.dot ?? 'dot';
    const r = spawnSync(dotCommand, ['-Tsvg', '-o', svgFile, dotFile], { encoding: 'utf8' });
    const wrote = `wrote ${displayPath(dotFile)}`;
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      return `${wrote} (no SVG: Graphviz's ${dotCommand} is not on PATH; install Graphviz for SVG)`;
    }
    if (r.error || r.status !== 0) {
      return `${wrote} (no SVG: ${dotCommand} -Tsvg failed: ${r.error?.message ?? r.stderr.trim()})`;
    }
    return `${wrote} and ${displayPath(svgFile)}`;
  };
}
