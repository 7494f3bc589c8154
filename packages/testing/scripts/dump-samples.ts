/**
 * Writes every registered op's samples, with their materialised input values, as JSON for
 * `gen_fixtures.py`. Usage:
 *   node --conditions=@autodag/source --import tsx dump-samples.ts --out samples.json
 *        [--import ./path/to/plugin.ts ...] [--ops name1,name2] [--prefix myplugin.]
 * `--import` loads modules that register more ops (plugins) first.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import 'autodag';
import { listOps } from '@autodag/core';
import { dumpSamples } from '../src/index.js';

function parseArgs(argv: readonly string[]) {
  const opts = { out: '', imports: [] as string[], ops: null as string[] | null, prefix: '' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === '--out' && v) opts.out = v;
    else if (a === '--import' && v) opts.imports.push(v);
    else if (a === '--ops' && v) opts.ops = v.split(',').filter(Boolean);
    else if (a === '--prefix' && v) opts.prefix = v;
    else throw new Error(`dump-samples: unknown or incomplete argument '${a}'`);
    i++;
  }
  if (!opts.out) throw new Error('dump-samples: --out <file> is required');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
for (const m of opts.imports) await import(pathToFileURL(resolve(m)).href);
const ops = (opts.ops ?? listOps()).filter((n) => n.startsWith(opts.prefix));
const dumped = dumpSamples(ops);
writeFileSync(opts.out, `${JSON.stringify(dumped)}\n`);
const n = Object.values(dumped.ops).reduce((s, o) => s + o.samples.length, 0);
const without = ops.filter((o) => !dumped.ops[o]);
console.log(`dump-samples: ${n} samples of ${Object.keys(dumped.ops).length} ops -> ${opts.out}`);
if (without.length) console.log(`dump-samples: ops without samples: ${without.join(', ')}`);
