/**
 * `npm run bench -- --device webgpu`: the same workloads on autodag's WebGPU backend and on
 * TensorFlow.js's (`@tensorflow/tfjs-backend-webgpu`), both on one Dawn adapter in one process,
 * in interleaved rounds; then PyTorch on CUDA on the same machine when it is there. Prints a
 * table with autodag/tfjs ratios and writes bench/results-webgpu.json.
 *
 * Options: `--quick` (mm1024 only, CNN at batch 64: for CPU software adapters), `--rounds 6`, `--only mm,cnn`,
 * `--lib autodag,tfjs`, `--dawn-backend auto|vulkan|opengles|default` (or AUTODAG_DAWN_BACKEND),
 * `--no-pytorch`, `--out FILE`.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ad from '../autodag.js';
import { measureInterleaved, type Outcome, relDiff } from '../harness.js';
import * as tfw from '../tfjs.js';
import { type DawnChoice, openDawn } from './dawn.js';
import { type GpuLib, openAutodag, openTfjsWebGPU } from './libs.js';
import { formatTable, ratioWords } from './report.js';
import { type GpuLibName, type GpuWorkload, gpuWorkloads, SIZES } from './workloads.js';

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

interface Options {
  quick: boolean;
  rounds: number;
  only: string[];
  libs: GpuLibName[];
  dawn: DawnChoice;
  pytorch: boolean;
  out: string;
}

function parse(argv: readonly string[]): Options {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  return {
    quick,
    rounds: Number(get('--rounds') ?? (quick ? 3 : 6)),
    only: get('--only')?.split(',') ?? [],
    libs: (get('--lib') ?? 'autodag,tfjs')
      .split(',')
      .map((l) => (l === 'tfjs' ? 'tfjs-webgpu' : l)) as GpuLibName[],
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: a benchmark option; the bench is not cached.
    dawn: (get('--dawn-backend') ?? process.env.AUTODAG_DAWN_BACKEND ?? 'auto') as DawnChoice,
    pytorch: !argv.includes('--no-pytorch'),
    out: resolve(get('--out') ?? join(BENCH_DIR, 'results-webgpu.json')),
  };
}

/** Opens one library; a library that cannot run is reported with the reason. */
async function open(name: GpuLibName, run: () => Promise<GpuLib>): Promise<GpuLib | string> {
  try {
    return await run();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    process.stderr.write(`  ${name} cannot run: ${reason}\n`);
    return reason;
  }
}

/** The two libraries' results on the same inputs (a sanity check, not a benchmark). */
async function crossCheck(n: number): Promise<Record<string, number>> {
  return {
    [`mm${n}`]: relDiff(await ad.mm(n, 'webgpu').result(), await tfw.mm(n).result()),
    mlpLossB64: Math.abs(
      (await ad.mlpStep(64, 'webgpu').initialLoss()) - (await tfw.mlpStep(64).initialLoss()),
    ),
  };
}

/** PyTorch figures from bench/pytorch_cuda.py, or why there are none. */
function pytorchCuda(quick: boolean, rounds: number): Record<string, unknown> {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a benchmark option; the bench is not cached.
  const python = process.env.PYTHON ?? 'python3';
  const script = join(BENCH_DIR, 'pytorch_cuda.py');
  const sizes = quick ? SIZES.quick : SIZES.full;
  const args = [script, '--mm', sizes.mm.join(','), '--cnn-batch', String(sizes.cnnBatch)];
  args.push('--rounds', String(rounds));
  const run = spawnSync(python, args, { encoding: 'utf8', timeout: 600_000 });
  if (run.error) return { missing: `${python} could not run: ${run.error.message}` };
  if (run.status !== 0) {
    return {
      missing: `${python} ${script} exited ${run.status}: ${run.stderr.trim().slice(-500)}`,
    };
  }
  try {
    return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  } catch {
    return { missing: `unreadable output of ${script}: ${run.stdout.slice(-300)}` };
  }
}

function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    arch: process.arch,
    platform: `${os.type()} ${os.release()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

/**
 * Runs the WebGPU benchmark with the command-line arguments given (see the file comment).
 * @example await runWebGPUBench(['--quick']);
 */
export async function runWebGPUBench(argv: readonly string[]): Promise<void> {
  const opts = parse(argv);
  const started = performance.now();
  const dawn = await openDawn(opts.dawn);
  const adapter = [
    dawn.info.vendor,
    dawn.info.architecture,
    dawn.info.device,
    dawn.info.description,
  ]
    .filter((s) => s)
    .join(' / ');
  console.log(`adapter: ${adapter || '(no adapter info)'} (Dawn ${dawn.backend} backend)`);
  console.log(`CPU: ${machine().cpu}, ${machine().cores} logical cores`);

  const libs: Partial<Record<GpuLibName, GpuLib | string>> = {};
  if (opts.libs.includes('autodag')) libs.autodag = await open('autodag', () => openAutodag(dawn));
  if (opts.libs.includes('tfjs-webgpu')) {
    libs['tfjs-webgpu'] = await open('tfjs-webgpu', () => openTfjsWebGPU(dawn));
  }
  const ready = (Object.keys(libs) as GpuLibName[]).filter((l) => typeof libs[l] !== 'string');
  const selected = gpuWorkloads(opts.quick).filter(
    (w) =>
      opts.only.length === 0 ||
      opts.only.some((o) => w.name.toLowerCase().includes(o.toLowerCase())),
  );
  const mmSizes = selected.filter((w) => w.unit === 'GFLOP/s').map((w) => Number(w.name.slice(2)));
  let checks: Record<string, number | string> = {};
  if (ready.length === 2) {
    checks = await crossCheck(Math.min(...mmSizes, 1024)).catch((e: Error) => ({
      failed: e.message,
    }));
  }

  const results: Record<string, Partial<Record<GpuLibName, Outcome>>> = {};
  for (const w of selected) {
    const contenders = Object.fromEntries(
      ready.map((l) => {
        const lib = libs[l] as GpuLib;
        // Inputs are built on first use, inside the measurement, so a failure is reported.
        let run: (() => void) | null = null;
        const call = () => {
          run ??= w.build[l]();
          run();
        };
        return [l, { run: call, settle: () => lib.settle() }];
      }),
    );
    results[w.name] = await measureInterleaved(contenders, { rounds: opts.rounds });
    for (const l of opts.libs) {
      if (typeof libs[l] === 'string') results[w.name]![l] = { error: libs[l] as string };
    }
    for (const l of ready) {
      const o = results[w.name]![l]!;
      const shown =
        'error' in o ? `failed: ${o.error}` : `${w.figure(o.medianMs).toFixed(2)} ${w.unit}`;
      process.stderr.write(`  ${w.name} ${l}: ${shown}\n`);
    }
  }

  const pytorch = opts.pytorch
    ? pytorchCuda(opts.quick, opts.rounds)
    : { missing: 'not run (--no-pytorch)' };
  const torchResults = (pytorch.results ?? {}) as Record<string, { median: number }>;

  const figureOf = (w: GpuWorkload, l: GpuLibName): number | undefined => {
    const o = results[w.name]![l];
    return o && !('error' in o) ? w.figure(o.medianMs) : undefined;
  };
  console.log(
    formatTable(
      ['workload', 'unit', 'autodag', 'tfjs-webgpu', 'autodag/tfjs', '', 'PyTorch CUDA'],
      selected.map((w) => {
        const a = figureOf(w, 'autodag');
        const t = figureOf(w, 'tfjs-webgpu');
        return [
          w.name,
          w.unit,
          a,
          t,
          a !== undefined && t !== undefined ? a / t : undefined,
          a !== undefined && t !== undefined ? ratioWords(a / t, w.unit) : '',
          torchResults[w.pytorch]?.median,
        ];
      }),
    ),
  );
  console.log(
    '\nMedians of interleaved rounds; each round queues its calls and waits for the GPU to finish them.',
  );
  for (const [l, v] of Object.entries(libs)) {
    if (typeof v === 'string') console.log(`${l}: missing (${v})`);
  }
  if (typeof pytorch.missing === 'string')
    console.log(`PyTorch CUDA: missing (${pytorch.missing})`);
  if (Object.keys(checks).length) {
    console.log(
      `cross-check autodag vs tfjs: ${Object.entries(checks)
        .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toExponential(1) : v}`)
        .join(', ')}`,
    );
  }
  const elapsedS = (performance.now() - started) / 1000;
  console.log(`benchmark time ${elapsedS.toFixed(0)} s`);

  const out = {
    date: new Date().toISOString(),
    device: 'webgpu',
    quick: opts.quick,
    machine: machine(),
    adapter: { dawnBackend: dawn.backend, ...dawn.adapterOptions, ...dawn.info },
    libraries: Object.fromEntries(
      Object.entries(libs).map(([l, v]) => [
        l,
        typeof v === 'string' ? { missing: v } : { version: v.version, features: v.features },
      ]),
    ),
    crossCheck: checks,
    workloads: Object.fromEntries(
      selected.map((w) => {
        const a = figureOf(w, 'autodag');
        const t = figureOf(w, 'tfjs-webgpu');
        return [
          w.name,
          {
            describe: w.describe,
            unit: w.unit,
            higherIsBetter: w.unit === 'GFLOP/s',
            results: Object.fromEntries(
              Object.entries(results[w.name]!).map(([l, o]) => [
                l,
                'error' in o!
                  ? { missing: o.error }
                  : {
                      median: w.figure(o!.medianMs),
                      medianMsPerCall: o!.medianMs,
                      roundsMs: o!.roundsMs,
                      calls: o!.calls,
                    },
              ]),
            ),
            ratioAutodagToTfjs: a !== undefined && t !== undefined ? a / t : null,
            pytorchCuda: torchResults[w.pytorch] ?? null,
          },
        ];
      }),
    ),
    pytorchCuda: { ...pytorch, results: undefined },
    elapsedS,
  };
  writeFileSync(opts.out, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${opts.out}`);
}
