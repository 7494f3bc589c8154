/**
 * Packs what `npm run bench -- --device webgpu` needs on a machine that has a GPU but no Node
 * (the lent NVIDIA machine): this Node binary with npm, and the node_modules the benchmark loads
 * (Dawn's linux-x64 build, TensorFlow.js's Node bundles, tsx), xz-compressed, plus Debian's Vulkan
 * loader. The repository's own files travel beside it; bench/device/run-on-gpu.sh unpacks and runs.
 *
 *   node bench/device/pack.mjs [--out .gpu-bench] [--limit-mib 48]
 *
 * Writes OUT/node.tar.xz (unpacked anywhere: bin/node, bin/npm), OUT/node_modules.tar.xz
 * (unpacked at the repository root) and OUT/libvulkan1_*.deb, and fails when they exceed the
 * limit (the device tool carries 64 MiB together with the repository).
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : fallback;
};
const OUT = join(ROOT, flag('--out', '.gpu-bench'));
const LIMIT_MIB = Number(flag('--limit-mib', 48));

/** Packages the benchmark imports (with the workspace's links, whose own deps are followed). */
const ROOTS = ['tsx', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', 'webgpu'];

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Node's lookup: `name` under node_modules of `from` or of a folder above it. */
function locate(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT || dirname(dir) === dir) return null;
  }
}

/** Package folders (under ROOT/node_modules, symlinks kept as found) the roots need at run time. */
function closure() {
  const found = new Map(); // folder path (as located) -> package.json
  const queue = ROOTS.map((name) => {
    const dir = locate(name, ROOT);
    if (!dir) throw new Error(`pack: ${name} is not installed (npm ci first)`);
    return dir;
  });
  const top = join(ROOT, 'node_modules');
  const workspaceLinks = [];
  for (const entry of readdirSync(top)) {
    const names = entry.startsWith('@')
      ? readdirSync(join(top, entry)).map((n) => `${entry}/${n}`)
      : [entry];
    for (const name of names) {
      if (lstatSync(join(top, name)).isSymbolicLink()) workspaceLinks.push(name);
    }
  }
  for (const name of workspaceLinks) queue.push(join(top, name));
  while (queue.length) {
    const dir = queue.pop();
    if (found.has(dir)) continue;
    const pkg = readJson(join(dir, 'package.json'));
    found.set(dir, pkg);
    const from = realpathSync(dir);
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies };
    for (const name of Object.keys(deps)) {
      if (name.startsWith('@types/') || name === '@webgpu/types') continue;
      // A workspace package resolves from its real folder (Node follows the link).
      const dep = locate(name, from);
      if (dep) queue.push(dep);
    }
  }
  return { found, workspaceLinks };
}

/** Files of a package that Node never loads: maps, typings, docs, other platforms' builds. */
function wanted(pkgDir, pkg, file) {
  const rel = relative(pkgDir, file);
  if (/\.(map|d\.ts|d\.mts|d\.cts|md|markdown)$/i.test(rel)) return false;
  if (rel.split('/').includes('node_modules')) return false; // nested packages come by closure
  if (pkg.name === 'webgpu' && rel.startsWith('dist/')) return rel.startsWith('dist/linux-x64/');
  if (pkg.name?.startsWith('@tensorflow/')) {
    // Each ships browser bundles beside its Node build, a single self-contained CommonJS file.
    return rel === 'package.json' || rel === pkg.main.replace(/^\.\//, '');
  }
  return true;
}

function walk(dir, into) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, into);
    else into.push(path);
  }
}

function xzTar(listFile, cwd, archive) {
  execFileSync(
    'tar',
    ['-C', cwd, '--no-recursion', '-T', listFile, '-cf', archive.replace(/\.xz$/, '')],
    { stdio: 'inherit' },
  );
  execFileSync('xz', ['-9', '-T0', '-f', archive.replace(/\.xz$/, '')], { stdio: 'inherit' });
}

function mib(file) {
  return statSync(file).size / 2 ** 20;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const exclude = join(ROOT, '.git', 'info', 'exclude');
const ignoreLine = `/${relative(ROOT, OUT)}/`;
if (existsSync(exclude) && !readFileSync(exclude, 'utf8').split('\n').includes(ignoreLine)) {
  appendFileSync(exclude, `\n${ignoreLine}\n`);
}

// node_modules, relative to the repository root; workspace links stay links.
const { found, workspaceLinks } = closure();
const entries = new Set(['node_modules']);
for (const name of workspaceLinks) entries.add(join('node_modules', name));
for (const [dir, pkg] of found) {
  if (!realpathSync(dir).startsWith(join(ROOT, 'node_modules'))) continue; // a workspace folder
  const files = [];
  walk(dir, files);
  for (const file of files) {
    if (!wanted(dir, pkg, file)) continue;
    // Every parent folder is listed too, so tar records them without recursing.
    for (let d = dirname(relative(ROOT, file)); d !== 'node_modules'; d = dirname(d)) {
      entries.add(d);
    }
    entries.add(relative(ROOT, file));
  }
}
const modulesList = join(OUT, 'node_modules.list');
writeFileSync(modulesList, `${[...entries].sort().join('\n')}\n`);
xzTar(modulesList, ROOT, join(OUT, 'node_modules.tar.xz'));

// Node and npm, laid out as a Node distribution (bin/, lib/node_modules/npm).
const stage = join(OUT, 'node-stage');
const npmCli = realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim());
const npmDir = dirname(dirname(npmCli)); // npm/bin/npm-cli.js -> npm
mkdirSync(join(stage, 'bin'), { recursive: true });
mkdirSync(join(stage, 'lib', 'node_modules'), { recursive: true });
execFileSync('cp', [process.execPath, join(stage, 'bin', 'node')]);
execFileSync('cp', ['-a', npmDir, join(stage, 'lib', 'node_modules', 'npm')]);
execFileSync('ln', ['-s', '../lib/node_modules/npm/bin/npm-cli.js', join(stage, 'bin', 'npm')]);
execFileSync('tar', ['-C', stage, '-cf', join(OUT, 'node.tar'), '.']);
execFileSync('xz', ['-9', '-T0', '-f', join(OUT, 'node.tar')], { stdio: 'inherit' });
rmSync(stage, { recursive: true });

// Debian's Vulkan loader (the GPU machine's image may lack it; Dawn's Vulkan backend needs it).
try {
  const apt = [
    '-oAPT::Architecture=amd64',
    '-oAPT::Architectures=amd64',
    '-oDir::State::Lists=/tmp/amd64-lists',
  ];
  mkdirSync('/tmp/amd64-lists/partial', { recursive: true });
  execFileSync('apt-get', [...apt, 'update'], { stdio: 'ignore' });
  execFileSync('apt-get', [...apt, 'download', 'libvulkan1'], { cwd: OUT, stdio: 'ignore' });
} catch (e) {
  console.warn(`pack: could not download libvulkan1 (${e.message}); the GPU machine must have it`);
}

let total = 0;
for (const file of readdirSync(OUT)) {
  if (file.endsWith('.list')) continue;
  total += mib(join(OUT, file));
  console.log(`${file.padEnd(40)} ${mib(join(OUT, file)).toFixed(1).padStart(6)} MiB`);
}
console.log(`${'total'.padEnd(40)} ${total.toFixed(1).padStart(6)} MiB (limit ${LIMIT_MIB} MiB)`);
if (total > LIMIT_MIB) {
  console.error(`pack: ${total.toFixed(1)} MiB is over the ${LIMIT_MIB} MiB limit`);
  process.exit(1);
}
