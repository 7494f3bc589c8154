import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** Emits one .d.ts per source file, resolving sibling packages to their built declarations. */
export function emitDeclarations(pkgDir, dist, pkg) {
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
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d], pkgDir, pkg) };
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, overrides, host);
  if (!parsed) throw new Error(`cannot read ${configPath}`);
  const srcDir = join(pkgDir, 'src');
  const rootNames = parsed.fileNames.filter((f) => !relative(srcDir, f).startsWith('..'));
  const program = ts.createProgram({ rootNames, options: parsed.options });
  const result = program.emit();
  const errors = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].filter(
    (d) => d.category === ts.DiagnosticCategory.Error,
  );
  if (errors.length > 0) fail(errors, pkgDir, pkg);
}

function fail(diagnostics, pkgDir, pkg) {
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
export function copyDeclarationsAsCommonJs(dir) {
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
