import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

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
export function writeNodeEntry(dist, name, pkg) {
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
