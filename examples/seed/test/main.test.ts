/**
 * `npm start`'s output: a REPL-like transcript in which every printed value comes right after the
 * statement that produced it, no Graphviz text on stdout, and the graphs saved as DOT files (and
 * SVG where Graphviz's `dot` runs) in the output folder, which the transcript names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { graphWriter } from '../src/graphs.js';
import { main } from '../src/main.js';

const GRAPHS = ['mlp-loss', 'weight-sharing', 'lecture-dag'];
const graphviz = spawnSync('dot', ['-V']).error === undefined;

let dir: string;
let lines: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autodag-seed-'));
  lines = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(...args.join(' ').split('\n'));
  });
  try {
    main(dir);
  } finally {
    log.mockRestore();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lines printed right after the statement `code` (up to the next statement, note or section). */
function after(code: string): string[] {
  const i = lines.indexOf(`> ${code}`);
  expect(i, `statement ${code}`).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (let j = i + 1; j < lines.length && !/^(> |\/\/ |=== |$)/.test(lines[j]!); j++) {
    if (!lines[j]!.startsWith('  ') || out.length > 0) out.push(lines[j]!);
  }
  return out;
}

describe('npm start (the seed main)', () => {
  it('prints every value right after the statement that produced it', () => {
    type Kind = 'statement' | 'value' | 'note' | 'section' | 'blank';
    let last: Kind = 'blank';
    let statements = 0;
    for (const [i, line] of lines.entries()) {
      const kind: Kind =
        line === ''
          ? 'blank'
          : line.startsWith('=== ')
            ? 'section'
            : line.startsWith('// ')
              ? 'note'
              : line.startsWith('> ')
                ? 'statement'
                : 'value';
      if (kind === 'value') {
        expect(['statement', 'value'], `line ${i + 1} "${line}" follows a ${last}`).toContain(last);
      }
      if (kind === 'statement') statements++;
      last = kind;
    }
    expect(statements).toBeGreaterThan(50);
    expect(after('x.get(1, 2)')).toEqual(['tensor(23.)']);
    expect(after('x.size()')).toEqual(['Size([2, 5])']);
    expect(after('torch.autograd.grad(a, [t, u])')).toEqual([
      '[tensor([2., 4., 8.]), tensor([0.1000, 0.0500])]',
    ]);
    expect(after('g.order()')).toEqual(["['x1', 'x2', 'x3']"]);
    // Statements that print nothing are followed directly by the next statement.
    expect(after('x.pow(3).sum().backward()')).toEqual([]);
  });

  it('trains the MLP in the loop it shows, and the DAG agrees with autograd', () => {
    const loop = lines.findIndex((l) => l.startsWith('> for (let step = 0; step <= 100;'));
    expect(loop).toBeGreaterThanOrEqual(0);
    const steps = lines.slice(loop).filter((l) => l.startsWith('step '));
    expect(steps).toHaveLength(6);
    const losses = steps.map((l) => Number(l.split('loss ')[1]));
    expect(losses[5]!).toBeLessThan(losses[0]! / 100);
    const diff = after('grads.params.w1!.sub(w1a.grad!).abs().max().item()');
    expect(Number(diff[0])).toBeLessThan(1e-12);
  });

  it('prints no Graphviz text, and says where each graph was written', () => {
    const dotText = lines.filter(
      (l) => /digraph|->|\[label=|rankdir/.test(l) && !l.startsWith('> '),
    );
    expect(dotText).toEqual([]);
    for (const name of GRAPHS) {
      const said = lines.find((l) => l.startsWith('wrote ') && l.includes(`${name}.dot`));
      expect(said, name).toBeDefined();
      expect(said).toContain(join(dir, `${name}.dot`));
      if (graphviz) expect(said).toContain(join(dir, `${name}.svg`));
      else expect(said).toContain('no SVG');
    }
  });

  it('writes each graph as a DOT digraph, and as SVG where dot is on PATH', () => {
    const files = readdirSync(dir).sort();
    expect(files.filter((f) => f.endsWith('.dot'))).toEqual(GRAPHS.map((g) => `${g}.dot`).sort());
    for (const name of GRAPHS) {
      const text = readFileSync(join(dir, `${name}.dot`), 'utf8');
      expect(text).toMatch(/^digraph "[^"]+" \{\n[\s\S]*\n\}\n$/);
      expect(text.match(/\{/g)?.length).toBe(text.match(/\}/g)?.length);
      expect(text).toMatch(/ -> /);
      if (graphviz) {
        // Graphviz itself accepts the file.
        const check = spawnSync('dot', ['-Tcanon', join(dir, `${name}.dot`)], { encoding: 'utf8' });
        expect(check.status, check.stderr).toBe(0);
        expect(readFileSync(join(dir, `${name}.svg`), 'utf8')).toContain('<svg');
      }
    }
  });

  it('without Graphviz writes the DOT file only, says so, and leaves no stale SVG', () => {
    const out = mkdtempSync(join(tmpdir(), 'autodag-seed-nodot-'));
    try {
      writeFileSync(join(out, 'g.svg'), '<svg>an earlier run</svg>');
      const save = graphWriter(out, { dot: 'autodag-no-such-graphviz' });
      const said = save('g', 'digraph "g" {\n  a -> b;\n}\n');
      expect(said).toBe(
        `wrote ${join(out, 'g.dot')} (no SVG: Graphviz's autodag-no-such-graphviz is not on PATH; install Graphviz for SVG)`,
      );
      expect(readFileSync(join(out, 'g.dot'), 'utf8')).toContain('a -> b');
      expect(existsSync(join(out, 'g.svg'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
