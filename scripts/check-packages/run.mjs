// Checks what users install: builds and packs every publishable package, installs the tarballs
// into a project outside the workspace (no `@autodag/source` condition, no workspace links) and
// there runs an ESM script, a CommonJS script, both in one process, `tsc --strict` on a typed user
// file under node16 and bundler resolution, and a browser bundle in headless Chromium.
//
//   node scripts/check-packages/run.mjs [--skip-build] [--keep]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundleAndRunInChromium } from './browser.mjs';
import { checkTarball } from './tarball.mjs';

const root = resolve(import.meta.dirname, '../..');
const args = new Set(process.argv.slice(2));
const PACKAGES = [
  'packages/core',
  'packages/autograd',
  'packages/backend-cpu',
  'packages/backend-webgpu',
  'packages/ops-nn',
  'packages/optim',
  'packages/io',
  'packages/testing',
  'packages/autodag',
  'examples/plugin-softplus',
];

/** Runs a command; its stderr passes through, its stdout is returned (and shown if it fails). */
function sh(cmd, cmdArgs, cwd) {
  try {
    return execFileSync(cmd, cmdArgs, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
  } catch (error) {
    process.stdout.write(error.stdout ?? '');
    throw new Error(`'${[cmd, ...cmdArgs].join(' ')}' failed in ${cwd} (exit ${error.status})`);
  }
}

function step(title) {
  console.log(`\n== ${title}`);
}

const work = mkdtempSync(join(tmpdir(), 'autodag-packages-'));
try {
  if (!args.has('--skip-build')) {
    step('build');
    sh('npm', ['run', 'build', '--silent'], root);
  }

  step('pack');
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const files = {};
  for (const dir of PACKAGES) {
    const [info] = JSON.parse(
      sh('npm', ['pack', '--json', '--pack-destination', tarballs], join(root, dir)),
    );
    files[info.name] = join(tarballs, info.filename);
    checkTarball(info, join(tarballs, info.filename));
    const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
    console.log(
      `${info.name}: ${kb(info.size)} packed, ${kb(info.unpackedSize)} unpacked, ${info.entryCount} files`,
    );
  }

  step('install into a project outside the workspace');
  const project = join(work, 'project');
  cpSync(join(import.meta.dirname, 'project'), project, { recursive: true });
  const dependencies = Object.fromEntries(Object.entries(files).map(([n, f]) => [n, `file:${f}`]));
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'autodag-user', private: true, type: 'module', dependencies }, null, 2)}\n`,
  );
  sh(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    project,
  );
  const installed = readdirSync(join(project, 'node_modules', '@autodag'));
  console.log(`installed @autodag/{${installed.join(',')}}, autodag, autodag-plugin-softplus`);

  step('Node, ESM');
  process.stdout.write(sh(process.execPath, ['esm.mjs'], project));
  step('Node, CommonJS');
  process.stdout.write(sh(process.execPath, ['cjs.cjs'], project));
  step('Node, imported and required in one process');
  process.stdout.write(sh(process.execPath, ['dual.mjs'], project));

  step('TypeScript, strict');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // @types/node for the node16 project comes from the workspace; the bundler project has none.
  const typeRoots = [join(root, 'node_modules', '@types')];
  writeFileSync(
    join(project, 'type-roots.json'),
    JSON.stringify({ compilerOptions: { typeRoots } }),
  );
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    sh(process.execPath, [tsc, '-p', config], project);
    console.log(`${config}: compiles (every @ts-expect-error line is an error)`);
  }

  step('browser bundle in headless Chromium');
  await bundleAndRunInChromium(project, root);

  console.log('\npackages: ok');
} catch (error) {
  console.error(`\npackages: FAILED: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (args.has('--keep')) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
