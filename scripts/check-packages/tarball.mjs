// What a tarball must hold: the builds, both declaration trees, LICENSE and README, every file its
// package.json points at, and none of src/ or source maps (the same code again).
import { execFileSync } from 'node:child_process';

const REQUIRED_FIELDS = ['description', 'license', 'repository', 'engines'];
const REQUIRED_FILES = [
  'LICENSE',
  'README.md',
  'package.json',
  'dist/index.js',
  'dist/index.cjs',
  'dist/index.node.js',
  'dist/types/index.d.ts',
  'dist/types/index.d.cts',
];

/** Throws naming the package and what is wrong; `info` is one entry of `npm pack --json`. */
export function checkTarball(info, path) {
  const fail = (what) => {
    throw new Error(`${info.name} tarball: ${what}`);
  };
  const files = new Set(info.files.map((f) => f.path));
  for (const f of REQUIRED_FILES) if (!files.has(f)) fail(`missing ${f}`);
  const extra = [...files].filter((f) => f.startsWith('src/') || f.endsWith('.map'));
  if (extra.length > 0) fail(`ships sources or source maps: ${extra.slice(0, 5).join(', ')}`);

  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', path, 'package/package.json'], { encoding: 'utf8' }),
  );
  for (const field of REQUIRED_FIELDS) if (!manifest[field]) fail(`package.json has no ${field}`);
  for (const target of exportTargets(manifest.exports)) {
    if (!files.has(target.replace(/^\.\//, '')))
      fail(`exports point at ${target}, not in the tarball`);
  }
}

/** Every file the exports map resolves to, except the workspace-only source condition. */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (!exports || typeof exports !== 'object') return [];
  return Object.entries(exports)
    .filter(([key]) => key !== '@autodag/source')
    .flatMap(([, value]) => exportTargets(value));
}
