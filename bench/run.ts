/**
 * `npm run bench`: the same workloads on autodag and on TensorFlow.js's pure-JS CPU backend, in
 * one process, with PyTorch's figures from the same machine type for reference. Prints a table
 * and writes bench/results.json.
 *
 * Options: `--lib autodag,tfjs` (libraries to run), `--only mm,mlp` (workloads whose name
 * contains one of these), `--rounds 6`. `--device webgpu` runs the WebGPU benchmark instead
 * (bench/webgpu/main.ts, with options of its own).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ad from './autodag.js';
import * as adConv from './conv-autodag.js';
import * as tfConv from './conv-tfjs.js';
import { storageCopyCost } from './copy-cost.js';
import { type Measurement, measure, relDiff } from './harness.js';
import { PEER_REFERENCE } from './peers.js';
import * as tfw from './tfjs.js';

type Lib = 'autodag' | 'tfjs-cpu';
type RefKey = keyof (typeof PEER_REFERENCE)['pytorch-openblas'];

/** One workload: how to build its call for each library and how to report its time. */
interface Workload {
  name: string;
  unit: 'GFLOP/s' | 'ms';
  ref: RefKey;
  /** Converts a median time per call (ms) into the reported figure. */
  figure: (ms: number) => number;
  build: Record<Lib, () => () => void>;
  budgetMs?: number;
}

function args(): { libs: Lib[]; only: string[]; rounds: number } {
  const argv = process.argv.slice(2);
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const libs = (get('--lib') ?? 'autodag,tfjs')
    .split(',')
    .map((l) => (l === 'tfjs' ? 'tfjs-cpu' : l)) as Lib[];
  const only = get('--only')?.split(',') ?? [];
  return { libs, only, rounds: Number(get('--rounds') ?? 6) };
}

const gflops = (n: number) => (ms: number) => (2 * n ** 3) / (ms * 1e-3) / 1e9;
const asMs = (ms: number) => ms;

function workloads(): Workload[] {
  const mm = (n: number, ref: RefKey, budgetMs?: number): Workload => ({
    name: `mm${n}`,
    unit: 'GFLOP/s',
    ref,
    figure: gflops(n),
    build: { autodag: () => ad.mm(n).run, 'tfjs-cpu': () => tfw.mm(n).run },
    budgetMs,
  });
  return [
    mm(256, 'mm256'),
    mm(512, 'mm512'),
    mm(1024, 'mm1024', 12000),
    {
      name: 'add+tanh 1M',
      unit: 'ms',
      ref: 'addTanh1M',
      figure: asMs,
      build: { autodag: () => ad.addTanh(1 << 20), 'tfjs-cpu': () => tfw.addTanh(1 << 20) },
    },
    {
      name: 'MLP step b64',
      unit: 'ms',
      ref: 'mlpStepB64',
      figure: asMs,
      build: { autodag: () => ad.mlpStep(64).run, 'tfjs-cpu': () => tfw.mlpStep(64).run },
    },
    {
      name: 'fwd+bwd b1',
      unit: 'ms',
      ref: 'fwdBwdB1',
      figure: asMs,
      build: { autodag: () => ad.fwdBwd(), 'tfjs-cpu': () => tfw.fwdBwd() },
    },
    {
      name: 'conv2d fwd+bwd b32',
      unit: 'ms',
      ref: 'convFwdBwdB32',
      figure: asMs,
      build: { autodag: () => adConv.convFwdBwd(), 'tfjs-cpu': () => tfConv.convFwdBwd() },
      budgetMs: 15000,
    },
    {
      name: 'CNN step b64',
      unit: 'ms',
      ref: 'cnnStepB64',
      figure: asMs,
      build: { autodag: () => adConv.cnnStep(64), 'tfjs-cpu': () => tfConv.cnnStep(64) },
      budgetMs: 20000,
    },
  ];
}

async function crossCheck(libs: readonly Lib[]): Promise<Record<string, number>> {
  if (!libs.includes('autodag') || !libs.includes('tfjs-cpu')) return {};
  return {
    mm256: relDiff(await ad.mm(256).result(), await tfw.mm(256).result()),
    mm257: relDiff(await ad.mm(257).result(), await tfw.mm(257).result()),
    mlpLossB64: Math.abs(
      (await ad.mlpStep(64).initialLoss()) - (await tfw.mlpStep(64).initialLoss()),
    ),
  };
}

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (unit === 'GFLOP/s') return v.toFixed(2);
  return v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0);
}

async function main(): Promise<void> {
  const { libs, only, rounds } = args();
  const tfjsVersion = libs.includes('tfjs-cpu') ? await tfw.setup() : null;
  const checks = await crossCheck(libs);
  const selected = workloads().filter(
    (w) => only.length === 0 || only.some((o) => w.name.toLowerCase().includes(o.toLowerCase())),
  );
  const results: Record<string, Partial<Record<Lib, Measurement & { figure: number }>>> = {};
  const started = performance.now();
  for (const w of selected) {
    results[w.name] = {};
    for (const lib of libs) {
      const fn = w.build[lib]();
      const m = measure(fn, { rounds, budgetMs: w.budgetMs });
      results[w.name]![lib] = { ...m, figure: w.figure(m.medianMs) };
      process.stderr.write(`  ${w.name} ${lib}: ${fmt(w.figure(m.medianMs), w.unit)} ${w.unit}\n`);
    }
  }
  const copy = storageCopyCost(rounds);
  const elapsedS = (performance.now() - started) / 1000;

  const header = ['workload', 'unit', ...libs, 'PyTorch+OpenBLAS', 'PyTorch ref BLAS'];
  const rows = selected.map((w) => [
    w.name,
    w.unit,
    ...libs.map((l) => fmt(results[w.name]![l]?.figure, w.unit)),
    fmt(PEER_REFERENCE['pytorch-openblas'][w.ref], w.unit),
    fmt(PEER_REFERENCE['pytorch-reference-blas'][w.ref], w.unit),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log(
    `\nGFLOP/s: higher is better; ms: lower is better. PyTorch columns are reference figures (${PEER_REFERENCE.source}).`,
  );
  if (Object.keys(checks).length) {
    console.log(
      `cross-check vs tfjs: ${Object.entries(checks)
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join(', ')}`,
    );
  }
  const addTanh = results['add+tanh 1M']?.autodag?.medianMs;
  console.log(
    `storage copy into/out of WebAssembly memory for add+tanh 1M: ${copy.copyInOutMs.toFixed(2)} ms${addTanh ? ` (${((100 * copy.copyInOutMs) / addTanh).toFixed(0)}% of autodag's add+tanh)` : ''}`,
  );
  console.log(`benchmark time ${elapsedS.toFixed(0)} s`);

  const out = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      arch: process.arch,
      platform: `${os.type()} ${os.release()}`,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    libraries: { autodag: 'workspace source', ...(tfjsVersion ? { 'tfjs-cpu': tfjsVersion } : {}) },
    crossCheck: checks,
    storageCopy: copy,
    workloads: Object.fromEntries(
      selected.map((w) => [
        w.name,
        {
          unit: w.unit,
          higherIsBetter: w.unit === 'GFLOP/s',
          results: Object.fromEntries(
            Object.entries(results[w.name]!).map(([lib, m]) => [
              lib,
              { median: m!.figure, medianMsPerCall: m!.medianMs, roundsMs: m!.roundsMs },
            ]),
          ),
        },
      ]),
    ),
    reference: PEER_REFERENCE,
  };
  const file = join(dirname(fileURLToPath(import.meta.url)), 'results.json');
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

const argv = process.argv.slice(2);
const device = argv.includes('--device') ? argv[argv.indexOf('--device') + 1] : 'cpu';
if (device === 'webgpu') {
  const { runWebGPUBench } = await import('./webgpu/main.js');
  await runWebGPUBench(argv);
} else if (device === 'cpu') {
  await main();
} else {
  throw new Error(`bench: unknown --device '${device}' (expected cpu or webgpu)`);
}
