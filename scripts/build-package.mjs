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
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'tsup';
import { restoreClassNames } from './build/class-names.mjs';
import { copyDeclarationsAsCommonJs, emitDeclarations } from './build/declarations.mjs';
import { writeNodeEntry } from './build/node-entry.mjs';

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
emitDeclarations(pkgDir, dist, pkg);
copyDeclarationsAsCommonJs(join(dist, 'types'));
for (const name of entries) writeNodeEntry(dist, name, pkg);
console.log(`${pkg.name}: built dist/ (esm, cjs, node entry, declarations)`);
