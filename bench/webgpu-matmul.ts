/**
 * GFLOP/s of `mm` on the WebGPU device, for N×N float32 matrices (N = 256, 512, 1024; add
 * `--large` for 2048 and 4096). Not part of `npm run bench`; run it on its own:
 *
 *   node --conditions=@autodag/source --import tsx bench/webgpu-matmul.ts [--large] [--int32] [--rounds=7]
 *
 * On a Linux machine without a GPU, set EGL_PLATFORM=surfaceless to run on Mesa's software driver.
 * Each timing queues a few products and then awaits a read of a one-element tensor recorded
 * after them: the queue runs in order, so the read resolves once the products are done, and the
 * read itself costs next to nothing. One product is run and read first to compile the pipeline.
 */
import { initNodeWebGPU } from '@autodag/backend-webgpu/node';
import * as torch from 'autodag';
import { median } from './harness.js';

const args = process.argv.slice(2);
const large = args.includes('--large');
const dtype = args.includes('--int32') ? 'int32' : 'float32';
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 7);
const sizes = large ? [256, 512, 1024, 2048, 4096] : [256, 512, 1024];
/** Each timed round queues products until it is expected to take at least this long. */
const MIN_ROUND_MS = 200;

const backend = await initNodeWebGPU();
const info = backend.ctx.device.adapterInfo;
const adapter = [info.vendor, info.architecture, info.device, info.description]
  .filter((s) => s)
  .join(' / ');
console.log(`adapter: ${adapter || '(no adapter info)'}`);
console.log(`dtype: ${dtype}, ${rounds} rounds per size, median reported\n`);

const probe = torch.zeros(1, { device: 'webgpu' });
/** Waits until every command queued so far has run. */
const drain = () => probe.data();

function operand(n: number, seed: number): torch.Tensor {
  torch.manualSeed(seed);
  const t = dtype === 'int32' ? torch.randint(-8, 8, [n, n]) : torch.randn(n, n);
  return t.to('webgpu');
}

/** Milliseconds per product over one round of `reps` queued products. */
async function round(a: torch.Tensor, b: torch.Tensor, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) torch.mm(a, b).dispose();
  await drain();
  return (performance.now() - t0) / reps;
}

console.log(
  `     N   ms/product    ${dtype === 'int32' ? '  GOP/s' : 'GFLOP/s'}   (rounds x products)`,
);
for (const n of sizes) {
  const a = operand(n, 1);
  const b = operand(n, 2);
  await drain();
  const first = await round(a, b, 1); // compiles the pipeline on the first size
  const once = await round(a, b, 1);
  const reps = Math.max(1, Math.min(100, Math.ceil(MIN_ROUND_MS / Math.max(once, first / 10))));
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push(await round(a, b, reps));
  const ms = median(times);
  const gflops = (2 * n ** 3) / (ms * 1e6); // multiply-adds count as 2 operations
  console.log(
    `${String(n).padStart(6)} ${ms.toFixed(3).padStart(12)} ${gflops.toFixed(2).padStart(11)}   (${rounds} x ${reps})`,
  );
  a.dispose();
  b.dispose();
}
