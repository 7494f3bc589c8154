// Builds the package in the current directory into dist/, as users install it:
//
//   dist/index.js          ESM build (bundlers and browsers)
//   dist/index.cjs         CommonJS build (require, and Node's import through index.node.js)
//   dist/index.node.js     Node's ESM entry: re-exports the CommonJS build, so a process that
//                          both imports and requires autodag holds one copy of each package
//                          (one op registry, one Tensor class)
//   dist/types/**/*.d.ts   declarations, one file per source file (op files augment
//   dist/types/**/*.d.cts  '../tensor.js', which a bundled declaration file cannot keep)
//
// and the same three builds for every other subpath export with a source file (`./node` of
// backend-webgpu: src/node.ts → dist/node.js, node.cjs, node.node.js).
//
// Class names are kept (esbuild would rename `Sequential` to `_Sequential`, and reprs print
// constructor names). No source maps and no src/: the unminified builds are what a debugger
// shows, and shipping the sources again would triple every tarball.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { build } from 'tsup';
import ts from 'typescript';

const pkgDir = process.cwd();
const dist = join(pkgDir, 'dist');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

// One entry per subpath export with a source file (`.` is src/index.ts, `./node` src/node.ts...).
const entries = Object.values(pkg.exports)
  .map((target) => target?.['@autodag/source'])
  .filter(Boolean)
  .map((source) => source.replace(/^\.\/src\/(.*)\.ts$/, '$1'));

rmSync(dist, { recursive: true, force: true });
await build({
  entry: Object.fromEntries(entries.map((name) => [name, `src/${name}.ts`])),
  // An entry that imports the package's main entry by name shares it instead of copying it.
  external: [pkg.name],
  format: ['esm', 'cjs'],
  outDir: 'dist',
  target: 'es2022',
  keepNames: true,
  sourcemap: false,
  dts: false,
  silent: true,
});
for (const name of entries) {
  restoreClassNames(join(dist, `${name}.js`));
  restoreClassNames(join(dist, `${name}.cjs`));
}
emitDeclarations();
copyDeclarationsAsCommonJs(join(dist, 'types'));
for (const name of entries) writeNodeEntry(name);
console.log(`${pkg.name}: built dist/ (esm, cjs, node entry, declarations)`);

/**
 * esbuild hoists a class that names itself inside its body as `var Tensor = class _Tensor {`,
 * and V8's stack traces print the inner name (`at _Tensor.item`) whatever `keepNames` sets.
 * Renaming the inner binding back is safe: it is only visible inside the class, where the outer
 * name means the same class.
 */
function restoreClassNames(path) {
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

/** Emits one .d.ts per source file, resolving sibling packages to their built declarations. */
function emitDeclarations() {
  const configPath = join(pkgDir, 'tsconfig.json');
  const overrides = {
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    outDir: join(dist, 'types'),
    rootDir: join(pkgDir, 'src'),
    // Without the source condition, sibling packages resolve as a user's project resolves them.
    customConditions: [],
  };
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) };
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, overrides, host);
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const srcDir = join(pkgDir, 'src');
  const rootNames = parsed.fileNames.filter((f) => !relative(srcDir, f).startsWith('..'));
  const program = ts.createProgram({ rootNames, options: parsed.options });
  const result = program.emit();
  const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter(
    (d) => d.category === ts.DiagnosticCategory.Error,
  );
  if (errors.length > 0) fail(errors);
}

function fail(diagnostics) {
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => pkgDir,
    getNewLine: () => '\n',
  });
  throw new Error(`${pkg.name}: declaration build failed\n${text}`);
}

/**
 * CommonJS users get .d.cts twins: TypeScript reads a .d.ts of a "type": "module" package as
 * ESM, which a CommonJS file may not import. Relative specifiers move from .js to .cjs.
 */
function copyDeclarationsAsCommonJs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) copyDeclarationsAsCommonJs(path);
    else if (entry.name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8').replace(
        /(['"])(\.\.?\/[^'"]*?)\.js\1/g,
        '$1$2.cjs$1',
      );
      writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), text);
    }
  }
}

/**
 * The names in the ESM build's closing `export { a, b as c };` (read, not imported: importing
 * it beside the CommonJS build would register every op twice).
 */
function esmExportNames(code) {
  const list = /export\s*\{([^}]*)\};?\s*$/.exec(code);
  if (!list) return [];
  return list[1]
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.split(/\s+as\s+/).pop());
}

/** Writes dist/<name>.node.js, after checking that both builds export the same names. */
function writeNodeEntry(name) {
  const require = createRequire(join(dist, `${name}.cjs`));
  const cjsNames = Object.keys(require(join(dist, `${name}.cjs`))).sort();
  const esm = readFileSync(join(dist, `${name}.js`), 'utf8');
  const starred = [...esm.matchAll(/^export \* from "([^"]+)";$/gm)].map((m) => m[1]);
  const esmNames = [
    ...new Set([...esmExportNames(esm), ...starred.flatMap((spec) => Object.keys(require(spec)))]),
  ].sort();
  if (cjsNames.join() !== esmNames.join()) {
    throw new Error(`${pkg.name}: the CommonJS and ESM builds of ${name} export different names`);
  }
  // Locals get a `$` suffix: some export names (`var`) are reserved words as bindings.
  const body = [
    '// Node imports the CommonJS build, so importing and requiring share one copy.',
    `import cjs from './${name}.cjs';`,
    '',
    `const { ${cjsNames.map((n) => `${n}: ${n}$`).join(', ')} } = cjs;`,
    `export { ${cjsNames.map((n) => `${n}$ as ${n}`).join(', ')} };`,
    '',
  ];
  writeFileSync(join(dist, `${name}.node.js`), body.join('\n'));
}
