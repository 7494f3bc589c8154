/**
 * The code the seed echoes is the code it runs: for every `run(code, () => ...)` and
 * `show(code, () => ...)` in src/main.ts, `code` must be the source of the function passed with
 * it (with `const name = ` / `name = ` in front when the call's result is assigned), up to
 * layout: whitespace, semicolons, trailing commas and quote style.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('../src/main.ts', import.meta.url);

/** The text with layout removed, so the one-line echo compares equal to formatted source. */
const normalize = (s: string) =>
  s
    .replace(/\s+/g, '')
    .replace(/;/g, '')
    .replace(/,([\])}])/g, '$1')
    .replace(/"/g, "'");

interface Echo {
  line: number;
  code: string;
  /** The statement that runs, rebuilt from the source. */
  source: string;
}

/** Every transcript call in `text`, with what it echoes and what it runs; throws on a call it cannot check. */
function transcriptCalls(text: string): Echo[] {
  const file = ts.createSourceFile('main.ts', text, ts.ScriptTarget.Latest, true);
  const calls: Echo[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      (node.expression.text === 'run' || node.expression.text === 'show')
    ) {
      const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const [code, body] = node.arguments;
      if (!code || !(ts.isStringLiteral(code) || ts.isNoSubstitutionTemplateLiteral(code))) {
        throw new Error(`main.ts:${line}: the code shown must be a string literal`);
      }
      if (!body || !ts.isArrowFunction(body) || body.parameters.length > 0) {
        throw new Error(
          `main.ts:${line}: the code must run in an arrow function without parameters`,
        );
      }
      const ran = ts.isBlock(body.body)
        ? body.body.statements.map((s) => s.getText()).join('\n')
        : body.body.getText();
      const parent = node.parent;
      let source: string;
      if (ts.isVariableDeclaration(parent) && parent.initializer === node) {
        const flags = parent.parent.flags;
        const keyword =
          flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
        source = `${keyword} ${parent.name.getText()} = ${ran}`;
      } else if (
        ts.isBinaryExpression(parent) &&
        parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        parent.right === node
      ) {
        source = `${parent.left.getText()} = ${ran}`;
      } else if (ts.isExpressionStatement(parent)) {
        source = ran;
      } else {
        throw new Error(`main.ts:${line}: a transcript call must be a statement or an assignment`);
      }
      calls.push({ line, code: code.text, source });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return calls;
}

const drift = (calls: Echo[]) =>
  calls.filter((c) => normalize(c.code) !== normalize(c.source)).map((c) => `line ${c.line}`);

describe("the seed's echoed code", () => {
  it('is, for every statement in main.ts, the code that runs', () => {
    const calls = transcriptCalls(readFileSync(MAIN, 'utf8'));
    expect(calls.length).toBeGreaterThan(50);
    for (const c of calls) expect(normalize(c.code), `main.ts:${c.line}`).toBe(normalize(c.source));
  });

  it('the check catches drift, and ignores only layout', () => {
    const src = `
      const y = run('const y = x.add(1)', () => x.add(2));
      show('x.mul(y)', () => x.mul(y));
      z = run("z = f([1, 2])", () =>
        f([
          1, 2,
        ]),
      );
      run('let a = 1', () => 1);
      run(\`for (const p of ps) {
  p.grad = null
}\`, () => {
        for (const p of ps) {
          p.grad = null;
        }
      });`;
    expect(drift(transcriptCalls(src))).toEqual(['line 2', 'line 9']);
    expect(() => transcriptCalls('show(label, () => x);')).toThrow(/string literal/);
    expect(() => transcriptCalls("f(show('x', () => x));")).toThrow(/statement or an assignment/);
  });
});
