import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

/**
 * esbuild hoists a class that names itself inside its body as `var Tensor = class _Tensor {`,
 * and V8's stack traces print the inner name (`at _Tensor.item`) whatever `keepNames` sets.
 * Renaming the inner binding back is safe: it is only visible inside the class, where the outer
 * name means the same class.
 */
export function restoreClassNames(path) {
  const code = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const edits = [];
  const visitClass = (node) => {
    const inner = node.name?.text;
    const decl = node.parent;
    if (!inner || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return;
    const outer = decl.name.text;
    if (inner !== `_${outer}`) return;
    const uses = [];
    const collect = (n) => {
      if (ts.isIdentifier(n) && n.text === inner) uses.push(n);
      ts.forEachChild(n, collect);
    };
    collect(file);
    const outside = uses.filter((u) => u.pos < node.pos || u.end > node.end);
    if (outside.length > 0) throw new Error(`${path}: '${inner}' is used outside its class`);
    for (const u of uses) edits.push({ start: u.getStart(file), end: u.end, text: outer });
  };
  const visit = (node) => {
    if (ts.isClassExpression(node)) visitClass(node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  edits.sort((a, b) => b.start - a.start);
  let out = code;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  writeFileSync(path, out);
}
